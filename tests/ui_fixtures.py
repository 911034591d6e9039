"""Fixtures for the window tests. A test module makes them its own with

    from tests import ui_fixtures
    session = ui_fixtures.session  # (or: from tests.ui_fixtures import session  # noqa)

- ``ui_app``: the qapp with the bundled fonts and Qt's Chinese translations, so
  screenshots show real Chinese and Qt's own buttons read 确定/取消;
- ``session``: a workspace for 万州区 on the bundled plan in ``tmp_path``;
- ``messages``: every message the UI would show in a box, captured instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.common import errors as ui_errors
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    icon: QMessageBox.Icon


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key (qtbot.keyClicks asserts on non-ASCII characters)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture
def ui_app(qapp: QApplication) -> QApplication:
    from gongkai_desktop.ui.app import configure_application

    configure_application(qapp)
    return qapp


@pytest.fixture(scope="session")
def directory() -> UnitDirectory:
    return UnitDirectory.load()


def make_session(path: Path, unit_name: str, directory: UnitDirectory, *,
                 officer: str = "张三") -> Session:
    unit = directory.find(unit_name)
    ws = Workspace.create(path, bundled_plan(), unit, officer=officer, contact="李四",
                          phone="023-12345678", actor=officer)
    return Session(ws, directory)


@pytest.fixture
def session(tmp_path: Path, directory: UnitDirectory, ui_app: QApplication) -> Iterator[Session]:
    s = make_session(tmp_path / "万州区.gkws", "万州区", directory)
    yield s
    if shiboken6.isValid(s):  # a window that took the session over has closed it already
        s.close()
        s.deleteLater()


@pytest.fixture
def messages() -> Iterator[list[Message]]:
    shown: list[Message] = []

    def sink(parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon) -> None:
        shown.append(Message(title, text, icon))

    previous = ui_errors.show_message
    ui_errors.set_message_sink(sink)
    yield shown
    ui_errors.set_message_sink(previous)
