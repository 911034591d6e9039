"""Work-arounds for PySide6: a reference-count bug in ``SignalInstance.emit``, and the
cost of its per-import source check (``fast_feature_check``).

PySide6 6.12.0 (CPython 3.11) returns ``True`` from ``emit()`` without taking a
reference to it: every signal emitted from Python code gives back one reference to
``True`` that it never had. In a long session (typing, reports, bundles, Excel …)
thousands are lost; when the interpreter finally releases the references that remain
at exit, the count reaches zero first and Python aborts with
``Fatal Python error: bool_dealloc … finalizing`` (and a long enough session would
abort while running). 3.12+ makes ``True`` immortal, which hides the bug.

``install()`` checks whether the installed PySide6 has the bug (a few emits of a
private signal, comparing ``sys.getrefcount(True)``) and only then wraps ``emit`` so
that it takes the missing reference. Idempotent; called when ``gongkai_desktop.ui`` is
imported, before any window code can emit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

PROBE_EMITS = 16
_installed: bool | None = None  # None: not checked yet; True: emit is wrapped


class _Probe(QObject):
    ping = Signal()


def leaked_per_emit() -> float:
    """References to ``True`` lost per ``emit()`` (0 on a PySide6 without the bug)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_EMITS):
        probe.ping.emit()
    return (before - sys.getrefcount(True)) / PROBE_EMITS


def install() -> bool:
    """Wrap ``SignalInstance.emit`` when it leaks ``True``; True when it was wrapped."""
    global _installed
    if _installed is not None:
        return _installed
    if leaked_per_emit() < 1:
        _installed = False
        return False
    import ctypes

    incref: Callable[[Any], None] = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]  # type: ignore[attr-defined]
    original = SignalInstance.emit

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if result is True:
            incref(True)  # the reference emit() should have taken
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    _installed = leaked_per_emit() == 0
    if not _installed:  # not the bug we know: leave PySide as it is
        SignalInstance.emit = original  # type: ignore[method-assign]
    return _installed


def fast_feature_check() -> bool:
    """Make PySide's per-import check cheaper; True when it was replaced.

    PySide6 looks at every module imported after it (for ``from __feature__ import``):
    ``shibokensupport.feature._mod_uses_pyside`` reads the module's whole source through
    ``inspect.getsource`` (linecache: decode, split, keep every line in memory) to ask
    whether it contains "PySide6" — ~0.1 ms for each of the ~130 modules the window
    imports before the plan tree shows (~14 ms of start-up). The same question answered
    from the file's bytes: the same answer for every module with a ``.py`` source; any
    other module goes to PySide's own check.
    """
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "_fast", False):
        return False

    def uses_pyside(module: Any) -> bool:
        name = getattr(module, "__file__", None)
        if isinstance(name, str) and name.endswith(".py"):
            try:
                with open(name, "rb") as handle:
                    return b"PySide6" in handle.read()
            except OSError:
                pass
        return bool(original(module))

    uses_pyside._fast = True  # type: ignore[attr-defined]
    setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010  (a private name)
    return True
