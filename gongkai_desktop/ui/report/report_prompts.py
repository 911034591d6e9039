"""The blocking prompts of the report and signing windows, in one place tests replace.

Callers use them through the module (``report_prompts.ask_passphrase(...)``),
so a test that assigns a stand-in here answers every prompt and no modal
dialog ever blocks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from gongkai_desktop.ui.common import file_dialogs


def _ask_passphrase(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


_open_file_name = file_dialogs.get_open
_save_file_name = file_dialogs.get_save
_open_file_names = file_dialogs.get_opens


def _ask_choice(parent: QWidget, title: str, text: str, choices: Sequence[str]) -> int:
    """A question with buttons ``choices``; the index of the one pressed, or -1.

    The last choice is the safe one (取消, 保留…): the default button and Escape.
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    buttons = []
    for i, label in enumerate(choices):
        last = i == len(choices) - 1
        role = QMessageBox.ButtonRole.RejectRole if last else QMessageBox.ButtonRole.AcceptRole
        buttons.append(box.addButton(label, role))
    if buttons:
        box.setDefaultButton(buttons[-1])
        box.setEscapeButton(buttons[-1])
    box.exec()
    clicked = box.clickedButton()
    return next((i for i, b in enumerate(buttons) if b is clicked), -1)


# (parent, title, label) -> the typed passphrase, or None when cancelled.
ask_passphrase: Callable[[QWidget, str, str], str | None] = _ask_passphrase
# (parent, title, suggested folder or path, filter) -> chosen path, or "" when cancelled.
open_file_name: Callable[[QWidget, str, str, str], str] = _open_file_name
# (parent, title, folder, filter) -> chosen paths, [] when cancelled.
open_file_names: Callable[[QWidget, str, str, str], list[str]] = _open_file_names
save_file_name: Callable[[QWidget, str, str, str], str] = _save_file_name
# (parent, title, text, button texts) -> index of the button pressed; -1 when closed.
ask_choice: Callable[[QWidget, str, str, Sequence[str]], int] = _ask_choice


def ask_yes_no(parent: QWidget, title: str, text: str, yes: str, no: str) -> bool:
    return ask_choice(parent, title, text, [yes, no]) == 0


documents_folder = file_dialogs.documents_folder
