"""The evidence list: an empty-state hint (and a drop highlight) painted over the view,
and the keys that paste, delete and open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import QListView, QWidget


class EvidenceList(QListView):
    keyAction = Signal(str)  # "paste", "delete", "open"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drop_highlight = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() > 0 and not self.drop_highlight:
            return
        painter = QPainter(self.viewport())
        try:
            rect = self.viewport().rect().adjusted(12, 12, -12, -12)
            if self.drop_highlight:
                painter.setPen(QColor("#1f6fd1"))
                painter.drawRoundedRect(rect, 8, 8)
                text = self.tr("松开鼠标即可添加这些文件")
            else:
                painter.setPen(QColor("#8a9099"))
                text = self.tr("还没有佐证材料\n\n把文件拖到这里即可添加，\n"
                               "也可以点击“添加文件…”，或按 Ctrl+V 粘贴截图")
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        finally:
            painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.keyAction.emit("paste")
        elif event.matches(QKeySequence.StandardKey.Delete):
            self.keyAction.emit("delete")
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.keyAction.emit("open")
        else:
            super().keyPressEvent(event)
