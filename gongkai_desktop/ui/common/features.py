"""What every feature's ``install(window)`` does: make its actions object once and keep it
on the window under a fixed name, so installing twice (a second window set-up, a test)
returns the same object instead of adding its menu entries again."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

A = TypeVar("A", bound=QObject)


def install_once(window: QObject, attribute: str, actions_type: type[A]) -> A:
    """``window.<attribute>``, made as ``actions_type(window)`` the first time."""
    existing = getattr(window, attribute, None)
    if isinstance(existing, actions_type):
        return existing
    actions = actions_type(window)
    setattr(window, attribute, actions)
    return actions
