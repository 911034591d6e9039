"""The core runs where Qt cannot even be imported (servers, the CLI, CI without a display)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class BlockQt:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
                raise ImportError(f"Qt is blocked in the core: {name}")
            return None

    sys.meta_path.insert(0, BlockQt())
    import gongkai_desktop
    skipped = ("gongkai_desktop.ui", "gongkai_desktop.launcher", "gongkai_desktop.__main__")
    names = [m.name for m in pkgutil.walk_packages(gongkai_desktop.__path__, "gongkai_desktop.")]
    count = 0
    for name in names:
        if name.startswith(skipped):
            continue
        importlib.import_module(name)
        count += 1
    print(count)
    """
)


def test_every_core_module_imports_with_qt_blocked(repo_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=repo_root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 10  # the walk really found the core modules
