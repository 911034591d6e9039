"""The plan tree view: areas, sub-tasks and measures, the task column's search highlight,
and column widths that fit the status, deadline and overdue texts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView

from gongkai_desktop.ui.common.highlight import SearchHighlightDelegate
from gongkai_desktop.ui.measures.tree_model import COL_DEADLINE, COL_OVERDUE, COL_STATUS, COL_TASK


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
        self._delegate: SearchHighlightDelegate | None = None  # with the first search

    @property
    def delegate(self) -> SearchHighlightDelegate:
        """The task column's search painter, made on first need (installed only while
        there is search text: see highlight())."""
        if self._delegate is None:
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
        self.setItemDelegateForColumn(COL_TASK, delegate if delegate.search_text else None)

    def setup_header(self) -> None:
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TASK, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        icon = self.style().pixelMetric(self.style().PixelMetric.PM_SmallIconSize)
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
