"""The plan tree view: areas, sub-tasks and measures, the task column's search highlight,
and column widths that fit the status, deadline and overdue texts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView

from gongkai_desktop.ui.measures.tree_model import COL_DEADLINE, COL_OVERDUE, COL_STATUS, COL_TASK

if TYPE_CHECKING:  # made with the first search, not with the window
    from gongkai_desktop.ui.common.highlight import SearchHighlightDelegate


class PlanTreeView(QTreeView):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("planTree")
        self.setAccessibleName(self.tr("任务分工"))
        self.setUniformRowHeights(True)  # keeps 5,000 rows fast
        self.setAlternatingRowColors(True)
        # Ctrl/Shift+click selects several measures (下级单位 → 分配举措…); the panel
        # follows the current row as before.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setExpandsOnDoubleClick(True)
        self.setAllColumnsShowFocus(True)
        # The status icons' size, said here rather than asked of style(): that would make
        # PySide set up QStyle and its 15 enums (~5 ms) before the plan first shows. 16 is
        # every shipped style's small icon size (PM_SmallIconSize), in logical pixels.
        self.setIconSize(QSize(16, 16))
        self._delegate: SearchHighlightDelegate | None = None  # with the first search
        self._after_paint: list[Callable[[], None]] = []

    def when_painted(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once, one event-loop turn after the rows' next paint.

        Not through an event filter on viewport(): PySide's first wrapping of the
        viewport makes it set up every QWidget class of QtWidgets to find the
        viewport's type (70 enums, ~10 ms), which start-up would pay before the plan shows.
        """
        self._after_paint.append(callback)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._after_paint:
            callbacks, self._after_paint = self._after_paint, []
            for callback in callbacks:
                QTimer.singleShot(0, self, callback)

    @property
    def delegate(self) -> SearchHighlightDelegate:
        """The task column's search painter, made on first need (installed only while
        there is search text: see highlight())."""
        if self._delegate is None:
            from gongkai_desktop.ui.common.highlight import SearchHighlightDelegate

            self._delegate = SearchHighlightDelegate(self)
        return self._delegate

    def highlight(self, text: str) -> None:
        """Highlight ``text`` in the task column; empty: the column is painted as usual.

        Without search text the view's own C++ delegate paints the column: no call into
        Python for every row painted (~40 a frame, 0.15 ms each), also at start-up.
        """
        if not text.strip() and self._delegate is None:
            return
        delegate = self.delegate
        delegate.set_search_text(text)
        # None (Qt's nullptr) gives the column back to the view's own delegate; the
        # stubs do not say that it is allowed.
        self.setItemDelegateForColumn(
            COL_TASK, delegate if delegate.search_text else None)  # type: ignore[arg-type]

    def setup_header(self) -> None:
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TASK, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        icon = self.iconSize().width()
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

    def scroll_to_current(self) -> None:
        current = self.currentIndex()
        if current.isValid():
            self.scrollTo(current)
