"""The faster PySide per-import check (``pyside_fixes.fast_feature_check``) gives the
same answer as PySide's own for every module of the program and for modules without a
``.py`` source."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from typing import Any

import gongkai_desktop
import gongkai_desktop.ui  # (installs the check)


def test_the_fast_check_answers_as_pysides_own() -> None:
    feature: Any = sys.modules["shibokensupport.feature"]
    fast = feature._mod_uses_pyside
    assert getattr(fast, "_fast", False)  # installed when the window's package loads
    def pysides_own(module: object) -> bool:
        try:
            return "PySide6" in inspect.getsource(module)  # type: ignore[arg-type]
        except (TypeError, OSError, SyntaxError):
            return False

    names = [m.name for m in pkgutil.walk_packages(gongkai_desktop.__path__, "gongkai_desktop.")]
    modules = [importlib.import_module(n) for n in names if not n.endswith("__main__")]
    modules += [sys, importlib.import_module("json"), importlib.import_module("PySide6.QtCore")]
    answers = {m.__name__: fast(m) for m in modules}
    assert answers == {m.__name__: pysides_own(m) for m in modules}
    assert answers["gongkai_desktop.ui.main_window"] and not answers["gongkai_desktop.model"]
