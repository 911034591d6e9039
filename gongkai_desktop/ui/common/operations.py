"""One runner for long work: off the UI thread, with a progress dialog and Cancel.

Usage (the Anki ``CollectionOp`` pattern)::

    run_workspace_operation(parent, "正在导入佐证材料…", session.path,
                            lambda ws, progress: ws.add_evidence_files(...),
                            write=True, on_success=lambda added: ...)
    run_operation(parent, "正在备份…", lambda progress: work(progress))  # no workspace

``work`` runs in a worker thread and receives ``progress(done, total) -> bool``;
it must stop (raise ``errors.Cancelled``) when that returns False — the core's
long functions all take such a callback. Results and errors come back on the UI
thread; errors go to ``ui.common.errors.show_error``, or to ``on_failure`` instead
when one is given (it then reports the failure itself).

SQLite connections are not shared across threads, so a job that needs the
workspace never uses the session's: ``run_workspace_operation`` opens its own
``Workspace`` on the same file *in the worker thread* (read-only unless
``write=True``), hands it to ``work(ws, progress)`` and closes it there after
success, failure or cancel. ``run_operation`` is for jobs with no workspace
(file-only work). A write job returns what the core returned; when that carries
a ``changes.Changes``, ``on_success`` passes it to ``Session.apply_changes``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from gongkai_desktop.ticker import Progress
from gongkai_desktop.ui.common.errors import show_error

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Worker(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[Progress], Any]) -> None:
        super().__init__()
        self._work = work
        self.cancel_requested = threading.Event()

    def run(self) -> None:
        try:
            result = self._work(self._report)
        except BaseException as exc:
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)

    def _report(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self.cancel_requested.is_set()


class Operation(QObject, Generic[T]):
    """A running operation; kept alive by the registry until it finishes."""

    finished = Signal()
    _running: ClassVar[set[Operation[Any]]] = set()

    def __init__(
        self,
        parent: QWidget | None,
        label: str,
        work: Callable[[Progress], T],
        on_success: Callable[[T], None] | None,
        on_failure: Callable[[BaseException], None] | None,
        cancellable: bool,
    ) -> None:
        super().__init__()
        self._parent = parent
        self._on_success = on_success
        self._on_failure = on_failure
        self.dialog = QProgressDialog(label, "取消" if cancellable else "", 0, 0, parent)
        self.dialog.setWindowTitle("请稍候")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)  # quick work never flashes a dialog
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.worker_thread = QThread()
        self.worker = _Worker(work)
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._on_progress)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        self.dialog.canceled.connect(self.cancel)
        Operation._running.add(self)
        self.worker_thread.start()

    def cancel(self) -> None:
        self.worker.cancel_requested.set()
        self.dialog.setLabelText("正在取消…")

    def wait(self, msecs: int = 30000) -> bool:
        return self.worker_thread.wait(msecs)

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            scale = max(1, total // 1_000_000)  # QProgressDialog takes int32 values
            self.dialog.setMaximum(total // scale)
            self.dialog.setValue(min(done, total) // scale)

    def _finish(self) -> None:
        self.worker_thread.quit()
        self.worker_thread.wait()
        self.dialog.close()
        self.dialog.deleteLater()
        Operation._running.discard(self)
        self.finished.emit()

    def _succeeded(self, result: T) -> None:
        self._finish()
        if self._on_success is not None:
            try:
                self._on_success(result)
            except Exception as exc:
                show_error(self._parent, exc)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        if self._on_failure is not None:
            self._on_failure(error)  # it reports the failure its own way (or calls show_error)
        else:
            show_error(self._parent, error)


def run_operation(
    parent: QWidget | None,
    label: str,
    work: Callable[[Progress], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    cancellable: bool = True,
) -> Operation[T]:
    return Operation(parent, label, work, on_success, on_failure, cancellable)


def run_workspace_operation(
    parent: QWidget | None,
    label: str,
    path: Path,
    work: Callable[[Workspace, Progress], T],
    *,
    write: bool = False,
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    cancellable: bool = True,
) -> Operation[T]:
    """``run_operation`` for a job on the workspace at ``path``: the worker thread opens
    it (read-only unless ``write``), calls ``work(ws, progress)`` and closes it."""

    def job(progress: Progress) -> T:
        from gongkai_desktop.storage import Workspace  # not at start-up: the window opens first

        with Workspace.open(path, readonly=not write) as ws:
            return work(ws, progress)

    return Operation(parent, label, job, on_success, on_failure, cancellable)


def running_operations() -> int:
    return len(Operation._running)


def wait_for_all(msecs: int = 30000) -> bool:
    """Cancel what is still running and wait for its threads (the program is ending)."""
    done = True
    for operation in list(Operation._running):
        operation.worker.cancel_requested.set()
        done = operation.wait(msecs) and done
    return done
