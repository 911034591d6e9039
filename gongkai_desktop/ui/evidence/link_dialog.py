"""添加网页链接: address, title and note of a web page given as evidence."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.typed_input import complete_url
from gongkai_desktop.ui.common.buttons import action_buttons
from gongkai_desktop.ui.common.geometry import manage_window

ERROR_STYLE = "color: #c0392b;"


class LinkDialog(QDialog):
    """网址、标题、说明; OK only with a valid http(s) address."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("添加网页链接"))
        self.setMinimumWidth(480)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://www.example.gov.cn/zwgk/…")
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("例如：政府信息公开指南栏目"))
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(self.tr("可选：这个网页能证明什么"))
        self.note_edit.setMaximumHeight(90)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.url_note = QLabel()  # "completed to http://…": said, not done silently
        self.url_note.setStyleSheet("color: #5f6670;")
        self.url_note.setWordWrap(True)
        self.url_note.hide()
        url_box = QVBoxLayout()
        url_box.setSpacing(2)
        url_box.addWidget(self.url_edit)
        url_box.addWidget(self.url_note)
        form = QFormLayout()
        form.addRow(self.tr("网址："), url_box)
        form.addRow(self.tr("标题："), self.title_edit)
        form.addRow(self.tr("说明："), self.note_edit)
        buttons = action_buttons(self, self.tr("添加"), self.accept, cancel=self.tr("取消"))
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.url_edit.textEdited.connect(lambda _text: self.error.hide())
        self.url_edit.editingFinished.connect(self._complete)
        manage_window(self, "link")

    def values(self) -> tuple[str, str, str]:
        return (self.url_edit.text().strip(), self.title_edit.text().strip(),
                self.note_edit.toPlainText().strip())

    def _complete(self) -> bool:
        """Check the address; ``www.…`` gets http:// in the field, and a line says so."""
        url = self.url_edit.text().strip()
        try:
            if not url:
                raise InvalidInput(self.tr("请填写网址"))
            result = complete_url(url)
        except InvalidInput as exc:
            self.error.setText(str(exc))
            self.error.show()
            return False
        if result.completed:
            self.url_edit.setText(result.url)
            self.url_note.setText(self.tr("已补全为完整网址：{0}").format(result.url))
            self.url_note.show()
        return True

    def accept(self) -> None:
        if not self._complete():
            self.url_edit.setFocus()
            return
        super().accept()
