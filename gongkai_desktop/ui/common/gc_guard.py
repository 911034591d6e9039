"""Python's cyclic garbage collector runs on the UI thread only.

A collection frees whatever cycles exist, from whichever thread happened to
trigger it. When a cycle holds a Qt object (a dialog, a model, a lambda connected
to a signal), a collection started by a worker thread deletes that object off the
UI thread, and the process crashes: a segfault in a worker that was only reading
the workspace, or ``Fatal Python error: bool_dealloc`` at exit. So while the
program runs, automatic collection is off and a timer on the UI thread collects
instead, generation by generation, as Python would have (the PyQt wiki's
GarbageCollector). ``collect_now`` is for moments that must not leave cycles
behind (quitting, a test's end).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class UiThreadCollector(QObject):
    """Owns automatic collection for as long as it lives (parent: the application)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """Collect the generations whose allocation counts passed Python's thresholds."""
        counts = gc.get_count()
        if counts[0] > self.thresholds[0]:
            generation = 0
            if counts[1] > self.thresholds[1]:
                generation = 2 if counts[2] > self.thresholds[2] else 1
            gc.collect(generation)

    def stop(self) -> None:
        """Collect everything here, then hand collection back to Python."""
        self.timer.stop()
        gc.collect()
        gc.enable()


def collect_now() -> None:
    gc.collect()
