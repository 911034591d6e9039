"""The 文件 menu: new workspace, open another, recent files, show the folder.

Opening never harms anything: a damaged, foreign or newer file shows its
Chinese message, is left exactly as it was, and the current workspace stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from gongkai_desktop.errors import NotFound
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.settings import LAST_WORKSPACE, RECENT_FILES, AppSettings

if TYPE_CHECKING:  # storage is imported when a workspace is opened, not with the menu
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("WorkspaceActions", text)


FILE_FILTER = prompts.WORKSPACE_FILTER  # translated where used
OPEN_TITLE = "无法打开工作区"

# Swapped in tests so nothing launches a file manager.
open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl


class SessionHost(Protocol):
    """What the actions need from the window."""

    @property
    def directory(self) -> UnitDirectory: ...

    @property
    def session(self) -> Session | None: ...

    def set_session(self, session: Session | None) -> None: ...


def open_session(path: Path, directory: UnitDirectory,
                 parent: QWidget | None = None) -> Session | None:
    """A session on ``path``, or None after showing why it cannot be opened.

    The session holds the workspace's lock (``storage.lock``) until
    ``release_session_lock``: the same file is never open for editing twice.
    """
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.storage.db import writable
    from gongkai_desktop.storage.lock import acquire
    from gongkai_desktop.ui.workspace.session import Session

    path = Path(path)
    if path.is_file() and not writable(path):
        return _read_only_session(path, directory, parent)
    try:
        if not path.is_file():
            raise NotFound(f"找不到工作区文件：{path}")
        lock = acquire(path)
    except Exception as exc:
        log.info("cannot open %s: %s", path, exc)
        show_error(parent, exc, _tr(OPEN_TITLE))
        return None
    try:
        ws = Workspace.open(path)
    except Exception as exc:
        lock.release()
        log.info("cannot open %s: %s", path, exc)
        show_error(parent, exc, _tr(OPEN_TITLE))
        return None
    try:
        session = Session(ws, directory)
    except Exception as exc:
        ws.close()
        lock.release()
        show_error(parent, exc, _tr(OPEN_TITLE))
        return None
    setattr(session, _LOCK_ATTRIBUTE, lock)
    return session


def _read_only_session(path: Path, directory: UnitDirectory,
                       parent: QWidget | None) -> Session | None:
    """A workspace on read-only media (a CD, a write-protected stick): shown read-only,
    without a lock (nobody can write there) and without any file created beside it."""
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.workspace.session import Session

    try:
        ws = Workspace.open(path, readonly=True)
    except Exception as exc:
        log.info("cannot open %s read-only: %s", path, exc)
        show_error(parent, exc, _tr(OPEN_TITLE))
        return None
    try:
        return Session(ws, directory)
    except Exception as exc:
        ws.close()
        show_error(parent, exc, _tr(OPEN_TITLE))
        return None


_LOCK_ATTRIBUTE = "_workspace_lock"


def release_session_lock(session: Session) -> None:
    """Give back the lock ``open_session`` took (after the session has closed)."""
    lock = getattr(session, _LOCK_ATTRIBUTE, None)
    if lock is not None:
        lock.release()


def first_session(directory: UnitDirectory, path: Path | None,
                  settings: AppSettings | None = None,
                  parent: QWidget | None = None) -> Session | None:
    """The workspace to start with: the one named, else the last one, else a new one."""
    settings = settings or AppSettings()
    if path is not None:
        session = open_session(path, directory, parent)
        if session is not None:
            settings.add_recent(session.path)
            return session
    last = settings.get(LAST_WORKSPACE)
    if last and Path(last).is_file():
        session = open_session(Path(last), directory, parent)
        if session is not None:
            settings.add_recent(session.path)
        return session  # on failure the window offers 新建 / 打开 instead of a welcome
    if last or path is not None:
        return None
    from gongkai_desktop.ui.workspace.first_run import FirstRunDialog  # only on a first start

    dialog = FirstRunDialog(directory, parent=parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.created_path is not None:
            session = open_session(dialog.created_path, directory, parent)
            if session is not None:
                settings.add_recent(session.path)
            return session
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
        name = prompts.open_file_name(
            self.window, self.tr("打开工作区"),
            prompts.suggested(prompts.WORKSPACE, fallback=self.start_folder()),
            self.tr(FILE_FILTER))
        if name:
            prompts.remember(prompts.WORKSPACE, Path(name).parent)
            self.open_path(Path(name))

    def open_path(self, path: Path) -> bool:
        """Switch the window to ``path``; False (current workspace kept) when it cannot open."""
        current = self.host.session
        if current is not None and _same_file(current.path, path):
            return True
        session = open_session(path, self.host.directory, self.window)
        if session is None:
            return False
        self.host.set_session(session)
        self.settings.add_recent(session.path)
        self.rebuild_recent_menu()
        self.recentChanged.emit()
        return True

    def backup_dialog(self) -> None:
        session = self.host.session
        if session is None:
            return
        from gongkai_desktop.storage.backup import default_backup_name

        suggested = prompts.suggested(prompts.BACKUP, default_backup_name(session.path),
                                           fallback=session.path.parent)
        name = prompts.save_file_name(self.window, self.tr("备份工作区"), suggested,
                                      self.tr(FILE_FILTER))
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
