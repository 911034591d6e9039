"""The plan tree's filters: the toolbar (scope, status, overdue only, search) and the
footer under the tree that says how many measures are shown.

The toolbar owns no rows: it sets the filter proxy's criteria and tells the window
(``filtersChanged``) so it can expand the tree and keep the current row in view.
Typed search text is applied after a short pause, so a long plan is not refiltered
on every key.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from gongkai_desktop.model import Status
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.settings import (
    TREE_OVERDUE_ONLY,
    TREE_SCOPE,
    TREE_STATUS,
    AppSettings,
)
from gongkai_desktop.ui.measures.tree_filter import (
    PlanFilterProxy,
    Scope,
    default_scope,
    scope_count,
)
from gongkai_desktop.ui.measures.tree_model import PlanTreeModel
from gongkai_desktop.ui.workspace.session import Session

SEARCH_DELAY_MS = 250
SEARCH_WIDTH = 320


class FilterToolbar(QToolBar):
    """总览, then the filters; a feature's own filter (``add_filter``) goes after them and
    its actions at the end. The search box keeps its width at the right-hand end: only
    the stretch before it gives way, so it does not move when a feature adds a filter
    after the window is shown."""

    filtersChanged = Signal()

    def __init__(self, overview_action: QAction, settings: AppSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("工具栏"), parent)
        self.settings = settings
        self.proxy: PlanFilterProxy | None = None
        self._highlight: Callable[[str], None] = lambda _text: None
        self.setObjectName("mainToolbar")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addAction(overview_action)
        self.addSeparator()

        self.addWidget(QLabel(self.tr(" 范围 ")))
        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName(self.tr("显示范围"))
        self.scope_combo.setToolTip(self.tr(
            "我负责的：本单位是责任单位或有关单位的举措\n我牵头的：本单位是牵头单位的举措"))
        for scope in Scope:
            self.scope_combo.addItem(self.tr(scope.label), scope.value)
        self.scope_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope_combo.currentIndexChanged.connect(self._on_scope_changed)
        self.addWidget(self.scope_combo)

        self.addWidget(QLabel(self.tr("  状态 ")))
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName(self.tr("按状态筛选"))
        self.status_combo.addItem(self.tr("全部状态"), "")
        for status in Status:
            self.status_combo.addItem(style.status_icon(status), self.tr(status.label),
                                      status.value)
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_combo.currentIndexChanged.connect(self._on_status_changed)
        self.addWidget(self.status_combo)

        self.overdue_check = QCheckBox(self.tr("只看逾期"))
        self.overdue_check.setIcon(style.overdue_icon())
        self.overdue_check.toggled.connect(self._on_overdue_toggled)
        spacer = QWidget()
        spacer.setFixedWidth(10)
        self.addWidget(spacer)
        self.addWidget(self.overdue_check)

        stretch = QWidget()
        stretch.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._stretch = self.addWidget(stretch)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(self.tr("查找举措、说明、佐证材料（Ctrl+F）"))
        self.search_box.setAccessibleName(self.tr("查找"))
        # Its own width, not a share of the stretch's space (which a feature filter takes).
        self.search_box.setFixedWidth(max(SEARCH_WIDTH, self.search_box.fontMetrics()
                                          .horizontalAdvance(self.search_box.placeholderText())
                                          + 80))
        self.search_box.textChanged.connect(self._on_search_typed)
        self.search_box.returnPressed.connect(self.apply_search)
        # Esc in the box clears the search, as in a browser's find bar.
        clear_search = QAction(self)
        clear_search.setShortcuts([QKeySequence("Esc")])
        clear_search.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear_search.triggered.connect(self.clear_search)
        self.search_box.addAction(clear_search)
        self.addWidget(self.search_box)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)

    def add_filter(self, widget: QWidget) -> QAction:
        """A feature's filter (such as 需整改): after the others, before the stretch."""
        return self.insertWidget(self._stretch, widget)

    def _widgets(self) -> tuple[QWidget, ...]:
        return (self.scope_combo, self.status_combo, self.overdue_check, self.search_box)

    def set_filters_enabled(self, enabled: bool) -> None:
        for widget in self._widgets():
            widget.setEnabled(enabled)

    def attach(self, session: Session, proxy: PlanFilterProxy | None,
               highlight: Callable[[str], None]) -> None:
        """Filter ``proxy`` (None: no workspace), starting from the saved filters."""
        self.proxy = proxy
        self._highlight = highlight
        if proxy is None:
            return
        saved = self.settings.get(TREE_SCOPE)
        scope = default_scope(session.roles)
        if saved in {s.value for s in Scope} and scope_count(session, Scope(saved)):
            scope = Scope(saved)
        status = self.settings.get(TREE_STATUS)
        if status not in {s.value for s in Status}:
            status = ""
        overdue = self.settings.get(TREE_OVERDUE_ONLY)
        for widget in self._widgets():
            widget.blockSignals(True)
        try:
            self.scope_combo.setCurrentIndex(self.scope_combo.findData(scope.value))
            self.status_combo.setCurrentIndex(self.status_combo.findData(status))
            self.overdue_check.setChecked(overdue)
            self.search_box.clear()
        finally:
            for widget in self._widgets():
                widget.blockSignals(False)
        highlight("")
        proxy.set_scope(scope)
        proxy.set_status(status or None)
        proxy.set_overdue_only(overdue)
        self.update_scope_counts(session)

    def save(self) -> None:
        if self.proxy is None:
            return
        self.settings.set(TREE_SCOPE, self.proxy.scope.value)
        self.settings.set(TREE_STATUS, self.proxy.status.value if self.proxy.status else "")
        self.settings.set(TREE_OVERDUE_ONLY, self.proxy.overdue_only)

    def update_scope_counts(self, session: Session) -> None:
        for i in range(self.scope_combo.count()):
            scope = Scope(self.scope_combo.itemData(i))
            self.scope_combo.setItemText(
                i, f"{self.tr(scope.label)}（{scope_count(session, scope)}）")

    def _on_scope_changed(self, _index: int) -> None:
        if self.proxy is not None:
            self.proxy.set_scope(self.scope_combo.currentData())
            self.changed()

    def _on_status_changed(self, _index: int) -> None:
        if self.proxy is not None:
            self.proxy.set_status(self.status_combo.currentData() or None)
            self.changed()

    def _on_overdue_toggled(self, on: bool) -> None:
        if self.proxy is not None:
            self.proxy.set_overdue_only(on)
            self.changed()

    def _on_search_typed(self, _text: str) -> None:
        self._search_timer.start()

    def apply_search(self) -> None:
        self._search_timer.stop()
        if self.proxy is None:
            return
        text = self.search_box.text()
        if text.strip() == self.proxy.search_text:
            return
        self._highlight(text)
        self.proxy.set_search_text(text)
        self.changed()

    def changed(self) -> None:
        """A filter changed (also a feature's own, such as 需整改): saved, and announced."""
        self.save()
        self.filtersChanged.emit()

    def clear_search(self) -> None:
        """Empty the search box and show what the other filters show."""
        self.search_box.clear()
        self.apply_search()

    def clear(self) -> None:
        if self.proxy is None:
            return
        self.search_box.clear()
        self.apply_search()
        self.status_combo.setCurrentIndex(0)
        self.overdue_check.setChecked(False)
        self.scope_combo.setCurrentIndex(self.scope_combo.findData(Scope.ALL.value))

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()


class FilterFooter(QLabel):
    """Under the tree: how many measures are shown, and a link to clear the filters."""

    def __init__(self, clear: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterFooter")
        self.setContentsMargins(8, 4, 8, 4)
        self.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        self.linkActivated.connect(lambda _link: clear())

    def update_counts(self, model: PlanTreeModel | None, proxy: PlanFilterProxy | None) -> None:
        if proxy is None or model is None:
            self.setText("")
            return
        shown = proxy.visible_measure_count()
        total = len(model.measure_ids())
        if shown == 0:
            text = self.tr("没有符合条件的举措。") + f' <a href="clear">{self.tr("清除筛选")}</a>'
        elif proxy.is_filtering():
            text = self.tr("显示 {shown} 项举措（共 {total} 项）").format(shown=shown, total=total)
            text += f'　<a href="clear">{self.tr("清除筛选")}</a>'
        else:
            text = self.tr("共 {total} 项举措").format(total=total)
        self.setText(text)
