"""The button row of a dialog that does one thing: its button named for the action (添加,
保存 …) rather than Qt's untranslated OK, and 取消."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox

Standard = QDialogButtonBox.StandardButton


def action_buttons(dialog: QDialog, action: str, on_action: Callable[[], object], *,
                   cancel: str, button: Standard = Standard.Ok) -> QDialogButtonBox:
    """``button`` (named ``action``) runs ``on_action``; ``cancel`` rejects ``dialog``.
    Both texts come from the caller, translated in its own context."""
    buttons = QDialogButtonBox(button | Standard.Cancel)
    buttons.button(button).setText(action)
    buttons.button(Standard.Cancel).setText(cancel)
    buttons.accepted.connect(on_action)
    buttons.rejected.connect(dialog.reject)
    return buttons
