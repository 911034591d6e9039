"""A work-around for a reference-count bug in PySide6's ``SignalInstance.emit``.

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
