"""The record form's field widgets: text boxes, the inline error line under a field,
and replacing a box's text without moving the officer's cursor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QSizePolicy, QVBoxLayout, QWidget

ERROR_STYLE = "color: #c0392b;"


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def hide_error(label: QLabel) -> None:
    label.clear()
    label.hide()


def text_edit(placeholder: str, height: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    if height:
        edit.setFixedHeight(height)
    edit.setSizePolicy(QSizePolicy.Policy.Expanding,
                       QSizePolicy.Policy.Fixed if height else QSizePolicy.Policy.Expanding)
    return edit


def stacked(top: QWidget | QHBoxLayout, below: QWidget) -> QVBoxLayout:
    """A field with its inline message right under it (no empty row when hidden)."""
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(4)
    if isinstance(top, QWidget):
        box.addWidget(top)
    else:
        box.addLayout(top)
    box.addWidget(below)
    return box


def set_text_keeping_cursor(editor: QPlainTextEdit, text: str) -> None:
    cursor = editor.textCursor()
    position = cursor.position()
    scroll = editor.verticalScrollBar().value()
    editor.setPlainText(text)
    cursor = editor.textCursor()
    cursor.setPosition(min(position, len(text)))
    editor.setTextCursor(cursor)
    editor.verticalScrollBar().setValue(scroll)
