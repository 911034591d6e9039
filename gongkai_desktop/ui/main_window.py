"""The main window: the plan tree on the left, the overview or one measure on the right.

Every edit is written to the workspace file the moment it is made (through the
core, one transaction each), so closing the window — or the machine losing
power — loses nothing; closing only saves the window's own layout.

Built in two steps so the program shows at once: the shell (title, menus, the
"正在打开…" page, status bar, geometry) and then ``ensure_built()`` (toolbar
and filters, the tree, the right-hand pages). ``MainWindow(...)`` does both;
start-up passes ``deferred=True`` and calls ``ensure_built()`` right after the
first paint. The modules only the second step needs (the plan model, the tree,
and Qt's ``Qt`` namespace, whose enums take PySide ~17 ms to create) are
imported there and in the methods that run after it, not at the top.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QStackedWidget,
    QWidget,
)

from gongkai_desktop import APP_TITLE
from gongkai_desktop.ui.common import errors, style
from gongkai_desktop.ui.common.errors import show_info
from gongkai_desktop.ui.common.settings import (
    GEOMETRY,
    SPLITTER_STATE,
    WINDOW_STATE,
    AppSettings,
)

if TYPE_CHECKING:  # loaded by ensure_built() or with the first workspace

    from gongkai_desktop.ui.help.help_window import HelpWindow
    from gongkai_desktop.ui.measures.plan_tree import PlanTreeView
    from gongkai_desktop.ui.measures.tree_filter import PlanFilterProxy
    from gongkai_desktop.ui.measures.tree_model import PlanTreeModel
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.ui.workspace.workspace_actions import WorkspaceActions
    from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    sessionChanged = Signal(object)  # the new Session, or None

    def __init__(self, session: Session | None = None, *,
                 directory: UnitDirectory | None = None,
                 settings: AppSettings | None = None, parent: QWidget | None = None,
                 deferred: bool = False) -> None:
        """The window with ``session`` (or none); complete on return unless ``deferred``.

        ``deferred=True`` (start-up, no session) builds only the shell: the caller
        shows it and calls ``ensure_built()`` right after its first paint.
        """
        super().__init__(parent)
        if directory is None and session is not None:
            directory = session.directory
        self._directory = directory
        self.settings = settings or AppSettings()
        self._session: Session | None = None
        self._guide: HelpWindow | None = None
        self._built = False
        self._opening = False  # the 正在打开 page is up until a workspace (or none) is set
        self._workspace_actions: WorkspaceActions | None = None
        self.undo_group = QUndoGroup(self)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)

        self._build_actions()
        self._build_menus()
        if deferred:
            # Start-up: the features fill this menu right after the plan's first paint;
            # shown from the first frame, the menu bar does not shift when they come.
            self.actions_menu.menuAction().setVisible(True)
        self._build_pages()
        self.statusBar()  # there from the start, so the page does not shift when it fills
        self._restore_geometry()
        self._enable_workspace_actions(False)
        if not deferred or session is not None:
            self.ensure_built()
            self.set_session(session)

    # ---- building ----------------------------------------------------------------------

    def ensure_built(self) -> None:
        """Build the rest of the window (toolbar, tree, right-hand pages); idempotent.

        Everything other code uses (``tree``, ``toolbar`` with its filters, ``browser``, the
        status bar labels) exists after this; set_session() and add_actions_menu()
        call it themselves.
        """
        if self._built:
            return
        self._built = True
        # The icon (10 sizes painted, ~3 ms) does not hold up the plan tree: at start-up the
        # application's icon is set after the tree's first paint (complete_configuration);
        # this gives the window one when an open takes longer (a migration).
        QTimer.singleShot(300 if self._opening else 0, self, self._ensure_icon)
        self._fill_file_menu()
        self._build_toolbar()
        self._build_central()
        self._build_status_bar()
        self._restore_window_state()
        if self._session is None and not self._opening:
            self.pages.setCurrentWidget(self.empty_page)
        self._enable_workspace_actions(self._session is not None)
        self._update_status_bar()

    def _ensure_icon(self) -> None:
        if self.windowIcon().isNull():
            self.setWindowIcon(style.app_icon())

    @property
    def workspace_actions(self) -> WorkspaceActions:
        """The 文件 menu's actions; made on first use (start-up starts opening with them
        before ensure_built(), so the file's checks run while the toolbar is built)."""
        if self._workspace_actions is None:
            from gongkai_desktop.ui.workspace.workspace_actions import WorkspaceActions

            self._workspace_actions = WorkspaceActions(self, self, self.settings)
        return self._workspace_actions

    def _build_actions(self) -> None:
        # Shortcuts go through setShortcuts(): PySide's setShortcut() creates the whole
        # ``Qt`` namespace (~17 ms) on its first call, before the window could show.
        # Like QUndoGroup.createUndoAction/createRedoAction (same enabling and "撤销 …"
        # text), but routed through the panel so text still being typed is saved first.
        self.undo_action = QAction(self.tr("撤销"), self)
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo)
        self.undo_group.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_group.undoTextChanged.connect(
            lambda text: self.undo_action.setText(
                self.tr("撤销 {what}").format(what=text) if text else self.tr("撤销")))
        self.redo_action = QAction(self.tr("重做"), self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.redo_action.setEnabled(False)
        self.redo_action.triggered.connect(self.redo)
        self.undo_group.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_group.redoTextChanged.connect(
            lambda text: self.redo_action.setText(
                self.tr("重做 {what}").format(what=text) if text else self.tr("重做")))
        self.find_action = QAction(self.tr("查找(&F)"), self)
        self.find_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Find)])
        self.find_action.setStatusTip(self.tr("在举措内容、完成情况说明和佐证材料名称中查找"))
        self.find_action.triggered.connect(self.focus_search)
        self.overview_action = QAction(self.tr("总览(&O)"), self)
        self.overview_action.setIconText(self.tr("总览"))
        self.overview_action.setShortcuts([QKeySequence("Ctrl+1")])
        self.overview_action.setStatusTip(self.tr("查看本单位的整体完成情况和需要关注的举措"))
        self.overview_action.triggered.connect(self.show_overview)
        self.expand_action = QAction(self.tr("全部展开(&E)"), self)
        self.expand_action.setShortcuts([QKeySequence("Ctrl+Shift+Down")])
        self.expand_action.triggered.connect(lambda: self.tree.expandAll())
        self.collapse_action = QAction(self.tr("全部折叠(&C)"), self)
        self.collapse_action.setShortcuts([QKeySequence("Ctrl+Shift+Up")])
        self.collapse_action.triggered.connect(self._collapse_all)
        self.clear_filter_action = QAction(self.tr("清除筛选(&R)"), self)
        self.clear_filter_action.triggered.connect(self.clear_filters)
        self.quit_action = QAction(self.tr("退出(&X)"), self)
        self.quit_action.setShortcuts([QKeySequence("Ctrl+Q")])
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.guide_action = QAction(self.tr("使用说明(&G)"), self)
        self.guide_action.setShortcuts([QKeySequence("F1")])
        self.guide_action.triggered.connect(self.show_guide)
        self.about_action = QAction(self.tr("关于(&A)"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.log_folder_action = QAction(self.tr("显示日志文件夹(&L)"), self)
        self.log_folder_action.triggered.connect(self._show_log_folder)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(self.tr("文件(&F)"))  # filled by ensure_built()
        self.file_menu.addAction(self.quit_action)

        self.edit_menu = bar.addMenu(self.tr("编辑(&E)"))
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.find_action)

        self.view_menu = bar.addMenu(self.tr("视图(&V)"))
        self.view_menu.addAction(self.overview_action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.expand_action)
        self.view_menu.addAction(self.collapse_action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.clear_filter_action)

        # ---- EXTENSION POINT: later features (报告, 数据包, Excel) add their actions here,
        # via add_actions_menu(...). The menu stays hidden until something is added; its
        # actions are disabled while no workspace is open.
        self.actions_menu: QMenu = QMenu(self.tr("报告与数据(&R)"), self)
        bar.addMenu(self.actions_menu)
        self.actions_menu.menuAction().setVisible(False)

        self.help_menu = bar.addMenu(self.tr("帮助(&H)"))
        self.help_menu.addAction(self.guide_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.log_folder_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)

    def _fill_file_menu(self) -> None:
        # The workspace actions go above 退出 (their module is not needed to show).
        wa = self.workspace_actions
        menu = self.file_menu
        menu.insertAction(self.quit_action, wa.new_action)
        menu.insertAction(self.quit_action, wa.open_action)
        menu.insertMenu(self.quit_action, wa.recent_menu)
        menu.insertSeparator(self.quit_action)
        menu.insertAction(self.quit_action, wa.show_folder_action)
        menu.insertAction(self.quit_action, wa.backup_action)
        menu.insertSeparator(self.quit_action)

    def add_actions_menu(self, actions: Iterable[QAction | QMenu] | QAction | QMenu, *,
                         separator: bool = False, toolbar: bool = False) -> QMenu:
        """Add feature actions (or sub-menus) to the 报告与数据 menu; returns that menu.

        Actions read ``window.session`` when triggered; they are enabled only while
        a workspace is open (``sessionChanged`` tells when that changes).
        """
        self.ensure_built()
        items = [actions] if isinstance(actions, QAction | QMenu) else list(actions)
        if separator and not self.actions_menu.isEmpty():
            self.actions_menu.addSeparator()
        for item in items:
            if isinstance(item, QMenu):
                self.actions_menu.addMenu(item)
                item.menuAction().setEnabled(self._session is not None)
            else:
                self.actions_menu.addAction(item)
                item.setEnabled(self._session is not None)
                if toolbar:
                    self.toolbar.addAction(item)
        self.actions_menu.menuAction().setVisible(True)
        return self.actions_menu

    def _build_toolbar(self) -> None:
        from gongkai_desktop.ui.measures.filter_bar import FilterToolbar

        self.toolbar = FilterToolbar(self.overview_action, self.settings, self)
        self.toolbar.filtersChanged.connect(lambda: self.browser.after_filter_change())
        self.addToolBar(self.toolbar)

    def _build_pages(self) -> None:
        """The page stack and its 正在打开 page (the shell: no ``Qt`` namespace needed)."""
        from gongkai_desktop.ui.workspace.start_pages import OpeningPage

        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.opening_page = OpeningPage()
        self.pages.addWidget(self.opening_page)
        self.pages.setCurrentWidget(self.opening_page)

    def _build_central(self) -> None:
        from gongkai_desktop.ui.measures.browser import MeasureBrowser
        from gongkai_desktop.ui.workspace.start_pages import EmptyPage

        self.empty_page = EmptyPage(self.workspace_actions.new_workspace,
                                    self.workspace_actions.open_dialog)
        self.pages.addWidget(self.empty_page)
        self.browser = self.splitter = MeasureBrowser(self.clear_filters)
        self.pages.addWidget(self.browser)

    def _build_status_bar(self) -> None:
        from gongkai_desktop.ui.workspace.status_labels import StatusLabels

        self.status_labels = StatusLabels(self.statusBar())

    # ---- session -----------------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        return self._session

    @property
    def directory(self) -> UnitDirectory:
        """The unit directory, read on first need (not before the window first shows)."""
        if self._directory is None:
            from gongkai_desktop.units import UnitDirectory

            self._directory = UnitDirectory.load()
        return self._directory

    def show_opening(self, path: object = None) -> None:
        """The state between showing the window and the workspace being open."""
        self.opening_page.show_path(path)
        self._opening = True
        self.pages.setCurrentWidget(self.opening_page)
        if self._built:
            self.toolbar.setVisible(False)  # the filters come with the workspace

    def end_opening(self) -> None:
        """An open that failed or was cancelled: back to what was shown before it."""
        self._opening = False
        if self._built:
            self.pages.setCurrentWidget(
                self.browser if self._session is not None else self.empty_page)
            self._enable_workspace_actions(self._session is not None)

    def set_session(self, session: Session | None) -> None:
        """Show ``session`` (closing the previous one), or the empty page for None."""
        self.ensure_built()
        self._opening = False
        old = self._session
        if old is not None:
            self.toolbar.save()
            self.undo_group.removeStack(old.undo_stack)
        self._session = session
        self.browser.show_session(session, self.toolbar)
        if session is None:
            self.pages.setCurrentWidget(self.empty_page)
        else:
            self._install(session)
            self.pages.setCurrentWidget(self.browser)
        if old is not None and old is not session:
            from gongkai_desktop.ui.workspace.workspace_actions import release_session_lock

            old.close()
            release_session_lock(old)  # after closing: the next holder finds it complete
            old.deleteLater()
        self._enable_workspace_actions(session is not None)
        self._update_title()
        self._update_status_bar()
        self.sessionChanged.emit(session)

    def _enable_workspace_actions(self, enabled: bool) -> None:
        """What needs an open workspace: the feature actions, filters, 总览 …"""
        for action in self.actions_menu.actions():
            action.setEnabled(enabled)
        for action in (self.overview_action, self.expand_action, self.collapse_action,
                       self.find_action, self.clear_filter_action):
            action.setEnabled(enabled)
        if not self._built:
            return
        self.workspace_actions.show_folder_action.setEnabled(enabled)
        self.workspace_actions.backup_action.setEnabled(enabled)
        self.toolbar.set_filters_enabled(enabled)
        self.toolbar.setVisible(enabled)  # filters mean nothing without a workspace

    def _install(self, session: Session) -> None:
        self.undo_group.addStack(session.undo_stack)
        self.undo_group.setActiveStack(session.undo_stack)
        session.recordChanged.connect(self._on_record_changed)
        session.profileChanged.connect(self._update_title)
        session.profileChanged.connect(self._update_status_bar)

    # ---- the working area (the browser) ------------------------------------------------------

    @property
    def tree(self) -> PlanTreeView:
        return self.browser.tree

    @property
    def right(self) -> QStackedWidget:
        return self.browser.right

    @property
    def model(self) -> PlanTreeModel | None:
        return self.browser.model if self._built else None

    @property
    def proxy(self) -> PlanFilterProxy | None:
        return self.browser.proxy if self._built else None

    @property
    def overview(self) -> QWidget | None:
        return self.browser.overview if self._built else None

    @property
    def panel(self) -> QWidget | None:
        return self.browser.panel if self._built else None

    def ensure_panel(self) -> QWidget | None:
        return self.browser.ensure_panel()

    def select_measure(self, measure_id: str) -> bool:
        return self._built and self.browser.select_measure(measure_id)

    def current_measure_id(self) -> str | None:
        return self.browser.current_measure_id() if self._built else None

    def show_overview(self) -> None:
        self.browser.show_overview()

    # ---- filters (the toolbar sets them) -------------------------------------------------

    def clear_filters(self) -> None:
        self.toolbar.clear()

    def focus_search(self) -> None:
        self.toolbar.focus_search()

    # ---- undo ------------------------------------------------------------------------------

    def undo(self) -> None:
        panel_undo = getattr(self.panel, "undo", None)
        if callable(panel_undo):
            panel_undo()  # saves typing first and follows the measure it touches
        else:
            self.undo_group.undo()

    def redo(self) -> None:
        panel_redo = getattr(self.panel, "redo", None)
        if callable(panel_redo):
            panel_redo()
        else:
            self.undo_group.redo()

    def _collapse_all(self) -> None:
        self.tree.collapseAll()
        self.tree.scroll_to_current()

    # ---- status bar and title --------------------------------------------------------------

    def _on_record_changed(self, _measure_id: str) -> None:
        self._update_status_bar()

    def _update_title(self) -> None:
        session = self._session
        if session is None:
            self.setWindowTitle(APP_TITLE)
            return
        name = session.ws.profile.unit_name or session.ws.unit.name
        if session.ws.readonly:  # read-only media: the user sees why nothing can be changed
            name += self.tr("（只读，不能修改）")
        self.setWindowTitle(f"{APP_TITLE} — {name}")

    def _update_status_bar(self) -> None:
        if self._built:
            self.status_labels.show_session(self._session)

    # ---- help --------------------------------------------------------------------------------

    def show_about(self) -> None:
        from gongkai_desktop.ui.help import help_window

        plan = self._session.ws.plan.info if self._session is not None else None
        title = f"{plan.title}（{plan.document_number}）" if plan is not None else None
        help_window.show_about(self, title, errors.log_file_path())

    def show_guide(self) -> HelpWindow:
        from gongkai_desktop.ui.help import help_window

        ws = self._session.ws if self._session is not None else None
        self._guide = help_window.raise_guide(self, ws, self._guide)
        return self._guide

    def _show_log_folder(self) -> None:
        from gongkai_desktop.ui.help import help_window

        help_window.show_log_folder()

    # ---- window state ---------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        # Before the first show, so the window appears where it was left (pulled onto
        # this screen), else as big as 1280×800 but never bigger than the screen.
        from gongkai_desktop.ui.common.geometry import manage_window

        manage_window(self, "main_window", (1280, 800), settings=self.settings)

    def _restore_window_state(self) -> None:
        # Toolbar state and splitter sizes: once they exist (ensure_built).
        state = self.settings.get(WINDOW_STATE)
        if not state.isEmpty():
            self.restoreState(state)
        splitter = self.settings.get(SPLITTER_STATE)
        if splitter.isEmpty() or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([700, 560])

    def save_window_state(self) -> None:
        self.settings.set(GEOMETRY, self.saveGeometry())
        if not self._built:  # closed before it was complete: keep the saved layout
            self.settings.sync()
            return
        self.settings.set(WINDOW_STATE, self.saveState())
        self.settings.set(SPLITTER_STATE, self.splitter.saveState())
        self.toolbar.save()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        from gongkai_desktop.ui.common.operations import running_operations

        if running_operations():
            show_info(self, self.tr("请稍候"), self.tr("还有操作正在进行，完成后才能关闭窗口。"))
            event.ignore()
            return
        if self._built and not self.browser.settle_unsaved_input():
            event.ignore()
            return
        self.save_window_state()
        if self._built:
            self.set_session(None)
        event.accept()

