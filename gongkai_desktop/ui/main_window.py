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
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPalette, QUndoGroup
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop import APP_TITLE
from gongkai_desktop.ui import errors, style
from gongkai_desktop.ui.errors import show_info
from gongkai_desktop.ui.settings import (
    GEOMETRY,
    SPLITTER_STATE,
    TREE_OVERDUE_ONLY,
    TREE_SCOPE,
    TREE_STATUS,
    WINDOW_STATE,
    AppSettings,
)

if TYPE_CHECKING:  # loaded by ensure_built() or with the first workspace
    from PySide6.QtCore import QModelIndex

    from gongkai_desktop.ui.help_window import HelpWindow
    from gongkai_desktop.ui.highlight import SearchHighlightDelegate
    from gongkai_desktop.ui.overview import OverviewPage
    from gongkai_desktop.ui.session import Session
    from gongkai_desktop.ui.tree_filter import PlanFilterProxy, Scope
    from gongkai_desktop.ui.tree_model import PlanTreeModel
    from gongkai_desktop.ui.workspace_actions import WorkspaceActions
    from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250


def make_measure_panel(session: Session, parent: QWidget | None = None) -> QWidget:
    # Imported on first use: the panel (evidence previews, PDF) is not needed to start.
    from gongkai_desktop.ui.measure_panel import MeasurePanel

    return MeasurePanel(session, parent)


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
        self._reverting = False  # putting the tree back on a measure the officer must correct
        self._opening = False  # the 正在打开 page is up until a workspace (or none) is set
        self.model: PlanTreeModel | None = None
        self.proxy: PlanFilterProxy | None = None
        self.overview: OverviewPage | None = None
        self.panel: QWidget | None = None
        self._panel_pending = False
        self.undo_group = QUndoGroup(self)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)

        self._build_actions()
        self._build_menus()
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

        Everything other code uses (``tree``, ``toolbar``, ``scope_combo`` …, the
        status bar labels) exists after this; set_session() and add_actions_menu()
        call it themselves.
        """
        if self._built:
            return
        self._built = True
        from gongkai_desktop.ui.workspace_actions import WorkspaceActions

        self.setWindowIcon(style.app_icon())
        self.workspace_actions: WorkspaceActions = WorkspaceActions(self, self, self.settings)
        self._fill_file_menu()
        self._build_toolbar()
        self._build_central()
        self._build_status_bar()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self._restore_window_state()
        if self._session is None and not self._opening:
            self.pages.setCurrentWidget(self.empty_page)
        self._enable_workspace_actions(self._session is not None)
        self._update_status_bar()

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
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSizePolicy, QToolBar

        from gongkai_desktop.model import Status
        from gongkai_desktop.ui.tree_filter import Scope

        bar = QToolBar(self.tr("工具栏"), self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)
        self.toolbar = bar
        bar.addAction(self.overview_action)
        bar.addSeparator()

        bar.addWidget(QLabel(self.tr(" 范围 ")))
        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName(self.tr("显示范围"))
        self.scope_combo.setToolTip(self.tr(
            "我负责的：本单位是责任单位或有关单位的举措\n我牵头的：本单位是牵头单位的举措"))
        for scope in Scope:
            self.scope_combo.addItem(self.tr(scope.label), scope.value)
        self.scope_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope_combo.currentIndexChanged.connect(self._on_scope_changed)
        bar.addWidget(self.scope_combo)

        bar.addWidget(QLabel(self.tr("  状态 ")))
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName(self.tr("按状态筛选"))
        self.status_combo.addItem(self.tr("全部状态"), "")
        for status in Status:
            self.status_combo.addItem(style.status_icon(status), self.tr(status.label),
                                      status.value)
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_combo.currentIndexChanged.connect(self._on_status_changed)
        bar.addWidget(self.status_combo)

        self.overdue_check = QCheckBox(self.tr("只看逾期"))
        self.overdue_check.setIcon(style.overdue_icon())
        self.overdue_check.toggled.connect(self._on_overdue_toggled)
        spacer = QWidget()
        spacer.setFixedWidth(10)
        bar.addWidget(spacer)
        bar.addWidget(self.overdue_check)

        stretch = QWidget()
        stretch.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(stretch)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(self.tr("查找举措、说明、佐证材料（Ctrl+F）"))
        self.search_box.setAccessibleName(self.tr("查找"))
        self.search_box.setMinimumWidth(260)
        self.search_box.textChanged.connect(self._on_search_typed)
        self.search_box.returnPressed.connect(self._apply_search)
        bar.addWidget(self.search_box)

    def _build_pages(self) -> None:
        """The page stack and its 正在打开 page (the shell: no ``Qt`` namespace needed)."""
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.opening_page = QWidget()
        self.opening_label = QLabel(self.tr("正在启动…"))
        palette = self.opening_label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, style.MUTED_TEXT_COLOR)
        self.opening_label.setPalette(palette)
        row = QHBoxLayout()  # centred by stretches: same look as AlignCenter
        row.addStretch(1)
        row.addWidget(self.opening_label)
        row.addStretch(1)
        opening_layout = QVBoxLayout(self.opening_page)
        opening_layout.addStretch(1)
        opening_layout.addLayout(row)
        opening_layout.addStretch(1)
        self.pages.addWidget(self.opening_page)
        self.pages.setCurrentWidget(self.opening_page)

    def _build_central(self) -> None:
        from PySide6.QtCore import QSize, Qt
        from PySide6.QtWidgets import QAbstractItemView, QPushButton, QSplitter, QTreeView

        # No workspace open: two big buttons instead of an empty window.
        self.empty_page = QWidget()
        empty_layout = QVBoxLayout(self.empty_page)
        empty_layout.setSpacing(12)
        empty_layout.addStretch(1)
        logo = QLabel()
        logo.setPixmap(style.app_icon().pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addWidget(logo)
        hello = QLabel(self.tr("还没有打开工作区"))
        font = hello.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        hello.setFont(font)
        hello.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addWidget(hello)
        hint = QLabel(self.tr("新建一个本单位的自查工作区，或打开已有的工作区文件（.gkws）。"))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        empty_layout.addWidget(hint)
        empty_layout.addSpacing(12)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        new_button = QPushButton(self.tr("新建工作区…"))
        new_button.clicked.connect(self.workspace_actions.new_workspace)
        open_button = QPushButton(self.tr("打开工作区…"))
        open_button.clicked.connect(self.workspace_actions.open_dialog)
        for button in (new_button, open_button):
            button.setMinimumSize(QSize(160, 40))
            buttons.addWidget(button)
        buttons.addStretch(1)
        empty_layout.addLayout(buttons)
        empty_layout.addStretch(2)
        self.pages.addWidget(self.empty_page)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        self.tree = QTreeView()
        self.tree.setObjectName("planTree")
        self.tree.setAccessibleName(self.tr("任务分工"))
        self.tree.setUniformRowHeights(True)  # keeps 5,000 rows fast
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setExpandsOnDoubleClick(True)
        self.tree.setAllColumnsShowFocus(True)
        self._delegate: SearchHighlightDelegate | None = None  # with the first workspace
        self.tree.activated.connect(self._on_activated)
        left_layout.addWidget(self.tree, 1)
        self.filter_footer = QLabel()
        self.filter_footer.setObjectName("filterFooter")
        self.filter_footer.setContentsMargins(8, 4, 8, 4)
        self.filter_footer.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        self.filter_footer.linkActivated.connect(lambda _link: self.clear_filters())
        left_layout.addWidget(self.filter_footer)
        left.setMinimumWidth(400)  # the task text must stay readable beside the fixed columns
        self.splitter.addWidget(left)
        self.right = QStackedWidget()
        self.right.setMinimumWidth(380)
        self.right.setObjectName("rightSide")
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.pages.addWidget(self.splitter)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.unit_label = QLabel()
        self.file_label = QLabel()
        self.file_label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        self.progress_label = QLabel()
        for label in (self.unit_label, self.file_label, self.progress_label):
            label.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(label)

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
        name = getattr(path, "name", "") if path is not None else ""
        self.opening_label.setText(
            self.tr("正在打开工作区 {name}…").format(name=name) if name
            else self.tr("正在打开工作区…"))
        self._opening = True
        self.pages.setCurrentWidget(self.opening_page)
        if self._built:
            self.toolbar.setVisible(False)  # the filters come with the workspace

    def set_session(self, session: Session | None) -> None:
        """Show ``session`` (closing the previous one), or the empty page for None."""
        self.ensure_built()
        self._opening = False
        old = self._session
        if old is not None:
            self._save_filters()
            self._shutdown_panel(self.panel)  # saves typing, stops background work
            self.undo_group.removeStack(old.undo_stack)
        old_parts = (self.model, self.proxy, self.overview, self.panel)
        self._session = session
        self.model = self.proxy = self.overview = self.panel = None
        if session is None:
            self.tree.setModel(None)
            self.pages.setCurrentWidget(self.empty_page)
        else:
            self._install(session)
            self.pages.setCurrentWidget(self.splitter)
        for part in old_parts:
            if part is not None:
                if isinstance(part, QWidget):
                    self.right.removeWidget(part)
                part.deleteLater()
        if old is not None and old is not session:
            from gongkai_desktop.ui.workspace_actions import release_session_lock

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
        for widget in (self.scope_combo, self.status_combo, self.overdue_check, self.search_box):
            widget.setEnabled(enabled)
        self.toolbar.setVisible(enabled)  # filters mean nothing without a workspace

    @property
    def delegate(self) -> SearchHighlightDelegate:
        """The task column's painter (search matches highlighted), made on first need."""
        if self._delegate is None:
            from gongkai_desktop.ui.highlight import SearchHighlightDelegate
            from gongkai_desktop.ui.tree_model import COL_TASK

            self._delegate = SearchHighlightDelegate(self.tree)
            self.tree.setItemDelegateForColumn(COL_TASK, self._delegate)
        return self._delegate

    def _install(self, session: Session) -> None:
        # Imported with the first workspace, not before the window's first paint.
        from gongkai_desktop.ui.overview import OverviewPage
        from gongkai_desktop.ui.tree_filter import PlanFilterProxy
        from gongkai_desktop.ui.tree_model import PlanTreeModel

        self.model = PlanTreeModel(session, self)
        self.proxy = PlanFilterProxy(session, self)
        self.proxy.setSourceModel(self.model)
        self._restore_filters(session)
        self.tree.setModel(self.proxy)
        self._setup_header()
        self.tree.expandAll()
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.proxy.modelReset.connect(self._update_filter_footer)
        self.proxy.rowsInserted.connect(self._update_filter_footer)
        self.proxy.rowsRemoved.connect(self._update_filter_footer)
        self.proxy.layoutChanged.connect(self._update_filter_footer)
        self.overview = OverviewPage(session)
        self.overview.measureActivated.connect(self.select_measure)
        self.right.addWidget(self.overview)
        self.right.setCurrentWidget(self.overview)
        # The measure panel is built right after the first paint (or on first use), so
        # the window appears sooner; by the time anyone clicks, it is there.
        self._panel_pending = True
        self.tree.viewport().installEventFilter(self)
        self.undo_group.addStack(session.undo_stack)
        self.undo_group.setActiveStack(session.undo_stack)
        session.recordChanged.connect(self._on_record_changed)
        session.profileChanged.connect(self._update_title)
        session.profileChanged.connect(self._update_status_bar)
        self._update_scope_counts(session)
        self._update_filter_footer()

    def _setup_header(self) -> None:
        from PySide6.QtWidgets import QHeaderView

        from gongkai_desktop.ui.tree_model import COL_DEADLINE, COL_OVERDUE, COL_STATUS, COL_TASK

        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TASK, QHeaderView.ResizeMode.Stretch)
        metrics = self.tree.fontMetrics()
        icon = self.tree.style().pixelMetric(self.tree.style().PixelMetric.PM_SmallIconSize)
        pad = 24
        widths = {
            COL_STATUS: max(metrics.horizontalAdvance("12/12 已完成"),
                            icon + 6 + metrics.horizontalAdvance("推进中")) + pad,
            COL_DEADLINE: metrics.horizontalAdvance("2020-10-30") + pad,
            COL_OVERDUE: metrics.horizontalAdvance("逾期 12") + pad,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setMinimumSectionSize(metrics.horizontalAdvance("逾期") + 16)

    # ---- filters -------------------------------------------------------------------------

    def _restore_filters(self, session: Session) -> None:
        from gongkai_desktop.model import Status
        from gongkai_desktop.ui.tree_filter import Scope, default_scope

        assert self.proxy is not None
        saved = self.settings.get(TREE_SCOPE)
        scope = default_scope(session.roles)
        if saved in {s.value for s in Scope} and _scope_count(session, Scope(saved)):
            scope = Scope(saved)
        status = self.settings.get(TREE_STATUS)
        if status not in {s.value for s in Status}:
            status = ""
        overdue = self.settings.get(TREE_OVERDUE_ONLY)
        for widget in (self.scope_combo, self.status_combo, self.overdue_check, self.search_box):
            widget.blockSignals(True)
        try:
            self.scope_combo.setCurrentIndex(self.scope_combo.findData(scope.value))
            self.status_combo.setCurrentIndex(self.status_combo.findData(status))
            self.overdue_check.setChecked(overdue)
            self.search_box.clear()
        finally:
            for widget in (self.scope_combo, self.status_combo, self.overdue_check,
                           self.search_box):
                widget.blockSignals(False)
        self.delegate.set_search_text("")
        self.proxy.set_scope(scope)
        self.proxy.set_status(status or None)
        self.proxy.set_overdue_only(overdue)

    def _save_filters(self) -> None:
        if self.proxy is None:
            return
        self.settings.set(TREE_SCOPE, self.proxy.scope.value)
        self.settings.set(TREE_STATUS, self.proxy.status.value if self.proxy.status else "")
        self.settings.set(TREE_OVERDUE_ONLY, self.proxy.overdue_only)

    def _update_scope_counts(self, session: Session) -> None:
        from gongkai_desktop.ui.tree_filter import Scope

        for i in range(self.scope_combo.count()):
            scope = Scope(self.scope_combo.itemData(i))
            self.scope_combo.setItemText(
                i, f"{self.tr(scope.label)}（{_scope_count(session, scope)}）")

    def _on_scope_changed(self, _index: int) -> None:
        if self.proxy is not None:
            self.proxy.set_scope(self.scope_combo.currentData())
            self._after_filter_change()

    def _on_status_changed(self, _index: int) -> None:
        if self.proxy is not None:
            self.proxy.set_status(self.status_combo.currentData() or None)
            self._after_filter_change()

    def _on_overdue_toggled(self, on: bool) -> None:
        if self.proxy is not None:
            self.proxy.set_overdue_only(on)
            self._after_filter_change()

    def _on_search_typed(self, _text: str) -> None:
        self._search_timer.start()

    def _apply_search(self) -> None:
        self._search_timer.stop()
        if self.proxy is None:
            return
        text = self.search_box.text()
        if text.strip() == self.proxy.search_text:
            return
        self.delegate.set_search_text(text)
        self.proxy.set_search_text(text)
        self._after_filter_change()

    def _after_filter_change(self) -> None:
        self.tree.expandAll()
        self._update_filter_footer()
        self._save_filters()
        current = self.tree.currentIndex()
        if current.isValid():
            self.tree.scrollTo(current)

    def clear_filters(self) -> None:
        if self.proxy is None:
            return
        from gongkai_desktop.ui.tree_filter import Scope

        self.search_box.clear()
        self._apply_search()
        self.status_combo.setCurrentIndex(0)
        self.overdue_check.setChecked(False)
        self.scope_combo.setCurrentIndex(self.scope_combo.findData(Scope.ALL.value))

    def _update_filter_footer(self, *_args: Any) -> None:
        if self.proxy is None or self.model is None:
            self.filter_footer.setText("")
            return
        shown = self.proxy.visible_measure_count()
        total = len(self.model.measure_ids())
        if shown == 0:
            text = self.tr("没有符合条件的举措。") + f' <a href="clear">{self.tr("清除筛选")}</a>'
        elif self.proxy.is_filtering():
            text = self.tr("显示 {shown} 项举措（共 {total} 项）").format(shown=shown, total=total)
            text += f'　<a href="clear">{self.tr("清除筛选")}</a>'
        else:
            text = self.tr("共 {total} 项举措").format(total=total)
        self.filter_footer.setText(text)

    def focus_search(self) -> None:
        from PySide6.QtCore import Qt

        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    # ---- navigation ----------------------------------------------------------------------

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        from gongkai_desktop.ui.tree_model import MEASURE, KindRole, MeasureIdRole

        if not current.isValid() or self._reverting:
            return
        if not self._confirm_leave(current.data(MeasureIdRole)):
            self._reverting = True  # 返回修改: back to the measure being corrected
            try:
                from PySide6.QtCore import QItemSelectionModel

                self.tree.selectionModel().setCurrentIndex(
                    previous, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
            finally:
                self._reverting = False
            return
        if current.data(KindRole) == MEASURE:
            self._show_measure(str(current.data(MeasureIdRole)))
        else:
            self._show_overview_page()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Paint and self._panel_pending
                and watched is self.tree.viewport()):
            self._panel_pending = False
            # Two turns of the event loop: whatever waits for this paint goes first.
            QTimer.singleShot(0, self, lambda: QTimer.singleShot(0, self, self.ensure_panel))
        return super().eventFilter(watched, event)

    def _confirm_leave(self, target: object = None) -> bool:
        """Leaving the measure shown: its input that cannot be saved is dealt with first."""
        shown = getattr(self.panel, "measure_id", None)
        confirm = getattr(self.panel, "confirm_leave", None)
        if shown is None or target == shown or not callable(confirm):
            return True
        if self.right.currentWidget() is not self.panel:
            return True
        return bool(confirm())

    def ensure_panel(self) -> QWidget | None:
        """The measure panel of the current session, built on first need."""
        if self.panel is None and self._session is not None:
            self._panel_pending = False
            self.panel = make_measure_panel(self._session)
            requested = getattr(self.panel, "measureRequested", None)
            if requested is not None:
                requested.connect(self.select_measure)  # undo/redo touched another measure
            self.right.addWidget(self.panel)
        return self.panel

    def _show_measure(self, measure_id: str) -> None:
        if self.ensure_panel() is None or self.proxy is None:
            return
        assert self.panel is not None
        self.proxy.set_pinned(measure_id)
        self.panel.show_measure(measure_id)  # type: ignore[attr-defined]  # a MeasurePanel
        self.right.setCurrentWidget(self.panel)

    def _show_overview_page(self) -> None:
        if self.overview is not None:
            if self.proxy is not None:
                self.proxy.set_pinned(None)
            self.right.setCurrentWidget(self.overview)

    def show_overview(self) -> None:
        """视图 → 总览: the overview page, nothing selected in the tree."""
        if self.proxy is None:
            return
        from PySide6.QtCore import QItemSelectionModel, QModelIndex

        if not self._confirm_leave():
            return
        self._flush_panel()
        self.tree.selectionModel().clearSelection()
        self.tree.selectionModel().setCurrentIndex(
            QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        self._show_overview_page()

    def _on_activated(self, index: QModelIndex) -> None:
        from PySide6.QtCore import Qt

        from gongkai_desktop.ui.tree_model import MEASURE, KindRole

        # Enter on a measure moves the keyboard into its panel.
        if index.data(KindRole) == MEASURE and self.panel is not None:
            self.panel.setFocus(Qt.FocusReason.OtherFocusReason)

    def select_measure(self, measure_id: str) -> bool:
        """Select a measure in the tree (showing it even if the filters hid it)."""
        if self.model is None or self.proxy is None:
            return False
        from PySide6.QtCore import QItemSelectionModel

        source = self.model.index_for_id(measure_id)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.proxy.set_pinned(measure_id)
            self.proxy.refilter()
            self.tree.expandAll()
            index = self.proxy.mapFromSource(source)
            self._update_filter_footer()
        if not index.isValid():
            return False
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.tree.scrollTo(index)
        self._show_measure(measure_id)
        return True

    def current_measure_id(self) -> str | None:
        if not self._built:
            return None
        from gongkai_desktop.ui.tree_model import MEASURE, KindRole, MeasureIdRole

        index = self.tree.currentIndex()
        if index.isValid() and index.data(KindRole) == MEASURE:
            return str(index.data(MeasureIdRole))
        return None

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
        current = self.tree.currentIndex()
        if current.isValid():
            self.tree.scrollTo(current)

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
        if not self._built:
            return
        session = self._session
        if session is None:
            for label in (self.unit_label, self.file_label, self.progress_label):
                label.setText("")
            return
        self.unit_label.setText(session.ws.profile.full_name or session.ws.unit.full_name)
        self.file_label.setText(session.path.name + (self.tr("（只读）") if session.ws.readonly
                                                     else ""))
        self.file_label.setToolTip(str(session.path))
        from gongkai_desktop.progress import tally

        totals = tally(session.ws.plan.measures(), session.records(), session.roles,
                       session.today())
        text = self.tr("已完成 {done}/{total}，逾期 {overdue}").format(
            done=totals.done, total=totals.applicable, overdue=totals.overdue)
        self.progress_label.setText(text)
        self.progress_label.setStyleSheet(
            f"color: {style.OVERDUE_COLOR.name()};" if totals.overdue else "")

    def first_paint_target(self) -> QWidget:
        """The widget whose first paint means "the window is usable" (start-up timing)."""
        return self.tree.viewport() if self._session is not None and self._built else self

    # ---- help --------------------------------------------------------------------------------

    def show_about(self) -> None:
        from gongkai_desktop.ui import help_window

        plan = self._session.ws.plan.info if self._session is not None else None
        title = f"{plan.title}（{plan.document_number}）" if plan is not None else None
        help_window.show_about(self, title, errors.log_file_path())

    def show_guide(self) -> HelpWindow:
        """帮助 → 使用说明: one guide window, raised when asked for again; the office's
        guide first in a workspace that has received bundles."""
        import shiboken6
        from PySide6.QtCore import Qt

        from gongkai_desktop.bundle.supervisor import SupervisorView
        from gongkai_desktop.guide import Role
        from gongkai_desktop.ui import help_window

        if self._guide is None or not shiboken6.isValid(self._guide):
            office = self._session is not None and bool(SupervisorView(self._session.ws).units())
            self._guide = help_window.HelpWindow(self, Role.OFFICE if office else Role.UNIT)
            self._guide.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._guide.show()
        self._guide.raise_()
        return self._guide

    def _show_log_folder(self) -> None:
        from PySide6.QtCore import QUrl

        from gongkai_desktop import paths
        from gongkai_desktop.ui import workspace_actions

        workspace_actions.open_url(QUrl.fromLocalFile(str(paths.user_data_dir() / "logs")))

    # ---- window state ---------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        # Before the first show, so the window appears where it was left (pulled onto
        # this screen), else as big as 1280×800 but never bigger than the screen.
        from gongkai_desktop.ui.geometry import manage_window

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
        self._save_filters()
        self.settings.sync()

    def _flush_panel(self) -> bool:
        """Let the measure panel save what is still being typed; False if it could not."""
        flush = getattr(self.panel, "flush", None)
        if not callable(flush):
            return True
        return flush() is not False

    def _shutdown_panel(self, panel: QWidget | None) -> None:
        shutdown = getattr(panel, "shutdown", None)
        if callable(shutdown):
            shutdown()

    def _settle_unsaved_input(self) -> bool:
        """Before quitting: input that could not be saved is kept, discarded, or corrected
        (返回修改 shows the first such measure); False to stay open."""
        from gongkai_desktop.ui import record_form

        self._flush_panel()
        unsaved = getattr(self.panel, "unsaved_measures", None)
        ids = list(unsaved()) if callable(unsaved) else []
        if not ids or self._session is None:
            return True
        fields = sorted({f for mid in ids for f in self._session.drafts.get(mid, {})})
        answer = record_form.ask_flagged(self, record_form.flagged_question(ids, fields))
        if answer == record_form.KEEP:
            return True  # kept in the drafts file; back when the workspace is opened again
        if answer == record_form.DISCARD:
            self.panel.discard_input()  # type: ignore[union-attr]
            return True
        self.select_measure(ids[0])
        focus = getattr(getattr(self.panel, "form", None), "focus_flagged", None)
        if callable(focus):
            focus()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        from gongkai_desktop.ui.operations import running_operations

        if running_operations():
            show_info(self, self.tr("请稍候"), self.tr("还有操作正在进行，完成后才能关闭窗口。"))
            event.ignore()
            return
        if not self._settle_unsaved_input():
            event.ignore()
            return
        self.save_window_state()
        if self._built:
            self.set_session(None)
        event.accept()


def _scope_count(session: Session, scope: Scope) -> int:
    from gongkai_desktop.model import Role
    from gongkai_desktop.ui.tree_filter import Scope

    if scope is Scope.ALL:
        return len(session.ws.plan.measures())
    wanted = {Role.RESPONSIBLE, Role.CONCERNED} if scope is Scope.MINE else {Role.LEAD}
    return sum(1 for roles in session.roles.values() if roles & wanted)
