"""The 文件 menu: new workspace, open another, recent files, show the folder.

Opening never harms anything: a damaged, foreign or newer file shows its
Chinese message, is left exactly as it was, and the current workspace stays open.
Opening runs through the operation runner (``start_open``): the file's checks, the
lock, a migration with its backup copy and the plan are read in a worker thread
(``open_workspace``), the window meanwhile shows 正在打开 and stays responsive; one
open at a time.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from gongkai_desktop.errors import Cancelled, NotFound
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.settings import LAST_WORKSPACE, RECENT_FILES, AppSettings

# Imported where used, not with the menu: storage when a workspace is opened; the file
# dialogs (prompts) and QUrl when asked for — PySide creates each Qt class's enums on
# first use, ~3 ms of the start-up before the plan shows (#15).
if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.storage.lock import WorkspaceLock
    from gongkai_desktop.ticker import Progress
    from gongkai_desktop.ui.common.operations import Operation
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("WorkspaceActions", text)


OPEN_TITLE = "无法打开工作区"


def _open_url(url: QUrl) -> bool:
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(url)


# Swapped in tests so nothing launches a file manager.
open_url: Callable[[QUrl], bool] = _open_url


class SessionHost(Protocol):
    """What the actions need from the window."""

    @property
    def directory(self) -> UnitDirectory: ...

    @property
    def session(self) -> Session | None: ...

    def set_session(self, session: Session | None) -> None: ...

    def show_opening(self, path: object = None) -> None: ...

    def end_opening(self) -> None: ...


@dataclass
class Opened:
    """What the worker hands back: the workspace (its connection may be used from any
    thread, ``Workspace`` serialises it) and the lock it took (None: read-only media)."""

    ws: Workspace
    lock: WorkspaceLock | None


def open_workspace(path: Path, progress: Progress | None = None) -> Opened:
    """The slow part of opening, for a worker thread: the file's checks (``quick_check``
    reads every page), the lock, a migration with its backup copy, the plan.

    A workspace on read-only media is opened read-only, without a lock (nobody can
    write there) and without any file created beside it. Cancelled (``progress``
    said stop) once it is open: it is closed again, nothing kept.
    """
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.storage.db import writable
    from gongkai_desktop.storage.lock import acquire

    path = Path(path)
    if path.is_file() and not writable(path):
        opened = Opened(Workspace.open(path, readonly=True), None)
    else:
        if not path.is_file():
            raise NotFound(f"找不到工作区文件：{path}")
        lock = acquire(path)
        try:
            opened = Opened(Workspace.open(path), lock)
        except BaseException:
            lock.release()
            raise
    if progress is not None and not progress(1, 1):  # Cancel pressed meanwhile
        _discard(opened)
        raise Cancelled("已取消")
    return opened


def _discard(opened: Opened) -> None:
    opened.ws.close()
    if opened.lock is not None:
        opened.lock.release()


def session_of(opened: Opened, directory: UnitDirectory) -> Session:
    """The window's ``Session`` (a QObject: made on the UI thread) over an opened file.

    The session holds the workspace's lock until ``release_session_lock``: the same
    file is never open for editing twice.
    """
    from gongkai_desktop.ui.workspace.session import Session

    try:
        session = Session(opened.ws, directory)
    except BaseException:
        _discard(opened)
        raise
    setattr(session, _LOCK_ATTRIBUTE, opened.lock)
    return session


def start_open(path: Path, directory: UnitDirectory, parent: QWidget | None,
               on_done: Callable[[Session | None], None]) -> Operation[Opened]:
    """Open ``path`` through the operation runner; ``on_done`` gets the session, or None
    after the reason was shown (or the officer cancelled).

    The modules the open needs are imported here, on the UI thread, first: imports hold
    the GIL, the worker's SQLite work releases it.
    """
    for module in ("gongkai_desktop.storage.lock", "gongkai_desktop.ui.workspace.session"):
        importlib.import_module(module)
    from gongkai_desktop.ui.common.operations import run_operation

    def opened(result: Opened) -> None:
        try:
            session = session_of(result, directory)
        except Exception as exc:
            failed(exc)
            return
        on_done(session)

    def failed(exc: BaseException) -> None:
        log.info("cannot open %s: %s", path, exc)
        show_error(parent, exc, _tr(OPEN_TITLE))
        on_done(None)

    return run_operation(parent, _tr("正在打开工作区…"),
                         lambda progress: open_workspace(path, progress),
                         on_success=opened, on_failure=failed)


_LOCK_ATTRIBUTE = "_workspace_lock"


def release_session_lock(session: Session) -> None:
    """Give back the lock ``session_of`` kept (after the session has closed)."""
    lock = getattr(session, _LOCK_ATTRIBUTE, None)
    if lock is not None:
        lock.release()


def first_session(directory: UnitDirectory, path: Path | None, settings: AppSettings,
                  parent: QWidget | None, on_done: Callable[[Session | None], None]) -> None:
    """The workspace to start with: the one named, else the last one, else a new one
    (the first-run dialog); ``on_done`` gets its session, or None (the window then
    offers 新建 / 打开 — a welcome only on the very first start)."""
    last = settings.get(LAST_WORKSPACE)
    candidates = [Path(path)] if path is not None else []
    if last and Path(last).is_file():
        candidates.append(Path(last))

    def opened(session: Session | None) -> None:
        if session is not None:
            settings.add_recent(session.path)
            on_done(session)
        else:
            try_next()

    def try_next() -> None:
        if candidates:
            start_open(candidates.pop(0), directory, parent, opened)
            return
        if last or path is not None or asked:
            on_done(None)
            return
        asked.append(True)
        QTimer.singleShot(0, first_run)  # the window is complete behind the dialog

    def first_run() -> None:
        created = _first_run(directory, parent)
        if created is None:
            on_done(None)
        else:
            candidates.append(created)
            try_next()

    asked: list[bool] = []  # the first-run dialog is shown once
    try_next()


def _first_run(directory: UnitDirectory, parent: QWidget | None) -> Path | None:
    from gongkai_desktop.ui.workspace.first_run import FirstRunDialog  # only on a first start

    dialog = FirstRunDialog(directory, parent=parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.created_path
    finally:
        dialog.deleteLater()
    return None


class WorkspaceActions(QObject):
    """The 文件 menu's actions, bound to a window that hosts one session at a time."""

    recentChanged = Signal()

    def __init__(self, host: SessionHost, window: QWidget, settings: AppSettings) -> None:
        super().__init__(window)
        self.host = host
        self.window = window
        self.settings = settings
        self.opening = False  # True while an open runs: no second one starts meanwhile
        self.new_action = QAction(self.tr("新建工作区(&N)…"), self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setStatusTip(self.tr("为本单位（或另一个单位）新建一个自查工作区"))
        self.new_action.triggered.connect(self.new_workspace)
        self.open_action = QAction(self.tr("打开工作区(&O)…"), self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.setStatusTip(self.tr("打开一个工作区文件（.gkws）"))
        self.open_action.triggered.connect(self.open_dialog)
        self.show_folder_action = QAction(self.tr("显示工作区文件夹(&L)"), self)
        self.show_folder_action.setStatusTip(self.tr("在文件管理器中打开当前工作区所在的文件夹"))
        self.show_folder_action.triggered.connect(self.show_folder)
        self.backup_action = QAction(self.tr("备份工作区(&B)…"), self)
        self.backup_action.setStatusTip(self.tr(
            "把当前工作区（含佐证材料）另存一份经过检查的副本，例如存到U盘"))
        self.backup_action.triggered.connect(self.backup_dialog)
        self.recent_menu = QMenu(self.tr("最近打开(&R)"), window)
        self.recent_menu.aboutToShow.connect(self.rebuild_recent_menu)
        self.rebuild_recent_menu()

    # ---- menu content -------------------------------------------------------------

    def rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.settings.recent_files()
        current = self.host.session.path.resolve() if self.host.session else None
        for n, path in enumerate(files, start=1):
            action = menu.addAction(f"&{n} {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setCheckable(True)
            action.setChecked(path.resolve() == current)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not files:
            empty = menu.addAction(self.tr("（没有最近打开的工作区）"))
            empty.setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction(self.tr("清除列表"), self.clear_recent)
        menu.setEnabled(True)

    def clear_recent(self) -> None:
        keep = [str(self.host.session.path.resolve())] if self.host.session else []
        self.settings.set(RECENT_FILES, keep)
        self.settings.sync()
        self.rebuild_recent_menu()
        self.recentChanged.emit()

    # ---- commands -------------------------------------------------------------------

    def new_workspace(self) -> None:
        from gongkai_desktop.ui.workspace.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.host.directory, parent=self.window, first_start=False)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            path = dialog.created_path
        finally:
            dialog.deleteLater()
        if accepted and path is not None:
            self.open_path(path)

    def start_folder(self) -> Path:
        session = self.host.session
        if session is not None:
            return session.path.parent
        from gongkai_desktop.ui.workspace.first_run import workspaces_dir

        return workspaces_dir()

    def open_dialog(self) -> None:
        from gongkai_desktop.ui.common import prompts

        name = prompts.open_file_name(
            self.window, self.tr("打开工作区"),
            prompts.suggested(prompts.WORKSPACE, fallback=self.start_folder()),
            self.tr(prompts.WORKSPACE_FILTER))
        if name:
            prompts.remember(prompts.WORKSPACE, Path(name).parent)
            self.open_path(Path(name))

    def open_first(self, path: Path | None,
                   on_done: Callable[[Session | None], None]) -> None:
        """Start-up: ``first_session`` with this window's guard (one open at a time)."""
        self.opening = True

        def done(session: Session | None) -> None:
            self.opening = False
            on_done(session)

        first_session(self.host.directory, path, self.settings, self.window, done)

    def open_path(self, path: Path) -> Operation[Any] | None:
        """Switch the window to ``path`` (in the runner); on failure the reason is shown
        and the current workspace stays. None: nothing started (it is the current file,
        or another open is still running)."""
        current = self.host.session
        if self.opening or (current is not None and _same_file(current.path, path)):
            return None
        self.opening = True
        self.host.show_opening(path)
        return start_open(path, self.host.directory, self.window, self._opened)

    def _opened(self, session: Session | None) -> None:
        self.opening = False
        if session is None:
            self.host.end_opening()  # back to the workspace that was shown
            return
        self.host.set_session(session)
        self.settings.add_recent(session.path)
        self.rebuild_recent_menu()
        self.recentChanged.emit()

    def backup_dialog(self) -> None:
        session = self.host.session
        if session is None:
            return
        from gongkai_desktop.storage.backup import default_backup_name
        from gongkai_desktop.ui.common import prompts

        suggested = prompts.suggested(prompts.BACKUP, default_backup_name(session.path),
                                           fallback=session.path.parent)
        name = prompts.save_file_name(self.window, self.tr("备份工作区"), suggested,
                                      self.tr(prompts.WORKSPACE_FILTER))
        if name:
            prompts.remember(prompts.BACKUP, Path(name).parent)
            self.backup_to(Path(name))

    def backup_to(self, target: Path) -> None:
        """Write the backup in a worker thread (a big workspace takes a while)."""
        session = self.host.session
        if session is None:
            return
        from gongkai_desktop.storage.backup import backup_workspace
        from gongkai_desktop.ui.common.errors import show_info
        from gongkai_desktop.ui.common.operations import run_operation

        source = session.path
        run_operation(
            self.window, self.tr("正在备份工作区…"),
            lambda progress: backup_workspace(source, target, progress=progress),
            on_success=lambda done: show_info(
                self.window, self.tr("备份完成"),
                self.tr("工作区已备份到：\n{path}\n\n需要恢复时，用“打开工作区”打开这个文件即可。"
                        ).format(path=done)),
        )

    def show_folder(self) -> bool:
        folder = self.start_folder()
        from PySide6.QtCore import QUrl

        # A local file URL only: nothing here ever opens a network location.
        url = QUrl.fromLocalFile(str(folder.resolve()))
        if not url.isLocalFile():
            return False
        return bool(open_url(url))




def _same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
