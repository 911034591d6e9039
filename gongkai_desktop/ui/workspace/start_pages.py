"""The main window's pages before a workspace is shown: 正在打开 and 还没有打开工作区.

``OpeningPage`` is part of the window's first paint, so it stays away from the
``Qt`` namespace (PySide takes ~17 ms to create its enums); ``EmptyPage`` is built
after that paint.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gongkai_desktop.ui.common import style


class OpeningPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self.tr("正在启动…"))
        palette = self.label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, style.MUTED_TEXT_COLOR)
        self.label.setPalette(palette)
        row = QHBoxLayout()  # centred by stretches: same look as AlignCenter
        row.addStretch(1)
        row.addWidget(self.label)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def show_path(self, path: object = None) -> None:
        name = getattr(path, "name", "") if path is not None else ""
        self.label.setText(self.tr("正在打开工作区 {name}…").format(name=name) if name
                           else self.tr("正在打开工作区…"))


class EmptyPage(QWidget):
    """No workspace open: two big buttons instead of an empty window."""

    def __init__(self, new_workspace: Callable[[], object], open_workspace: Callable[[], object],
                 parent: QWidget | None = None) -> None:
        from PySide6.QtCore import QSize, Qt
        from PySide6.QtWidgets import QPushButton

        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addStretch(1)
        self.logo = logo = QLabel()  # its picture when first shown (showEvent)
        logo.setMinimumSize(72, 72)
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(logo)
        hello = QLabel(self.tr("还没有打开工作区"))
        font = hello.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        hello.setFont(font)
        hello.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hello)
        hint = QLabel(self.tr("新建一个本单位的自查工作区，或打开已有的工作区文件（.gkws）。"))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        layout.addWidget(hint)
        layout.addSpacing(12)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        new_button = QPushButton(self.tr("新建工作区…"))
        new_button.clicked.connect(new_workspace)
        open_button = QPushButton(self.tr("打开工作区…"))
        open_button.clicked.connect(open_workspace)
        for button in (new_button, open_button):
            button.setMinimumSize(QSize(160, 40))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def showEvent(self, event: QShowEvent) -> None:
        # Painted when the page first shows: a start-up with a workspace never shows it.
        if self.logo.pixmap().isNull():
            self.logo.setPixmap(style.app_icon().pixmap(72, 72))
        super().showEvent(event)
