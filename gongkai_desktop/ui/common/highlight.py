"""Paints the task column with the search text highlighted wherever it shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

HIGHLIGHT = QColor("#ffd666")
HIGHLIGHT_SELECTED = QColor("#d48806")


class SearchHighlightDelegate(QStyledItemDelegate):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_search_text(self, text: str) -> None:
        self._needle = text.strip().casefold()

    @property
    def search_text(self) -> str:
        return self._needle

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if not self._needle or self._needle not in text.casefold():
            super().paint(painter, option, index)
            return
        # Here, not at the top: PySide creates QStyle's 15 enums (~5 ms) on import, and
        # the window's first frame has no search text to paint.
        from PySide6.QtWidgets import QStyle

        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        rect = text_rect.adjusted(margin, 0, -margin, 0)
        metrics = opt.fontMetrics
        shown = metrics.elidedText(text, opt.textElideMode, rect.width())
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (QPalette.ColorGroup.Normal if opt.state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        painter.save()
        try:
            painter.setFont(opt.font)
            top = rect.top() + (rect.height() - metrics.height()) / 2
            lowered = shown.casefold()
            start = lowered.find(self._needle)
            while start >= 0:
                x = rect.left() + metrics.horizontalAdvance(shown[:start])
                width = metrics.horizontalAdvance(shown[start:start + len(self._needle)])
                painter.fillRect(QRectF(x, top, width, metrics.height()),
                                 HIGHLIGHT_SELECTED if selected else HIGHLIGHT)
                start = lowered.find(self._needle, start + len(self._needle))
            if selected:
                color = opt.palette.color(group, QPalette.ColorRole.HighlightedText)
            else:
                fg = index.data(Qt.ItemDataRole.ForegroundRole)
                if isinstance(fg, QBrush):
                    color = fg.color()
                elif fg is not None:
                    color = QColor(fg)
                else:
                    color = opt.palette.color(group, QPalette.ColorRole.Text)
            painter.setPen(color)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             shown)
        finally:
            painter.restore()
