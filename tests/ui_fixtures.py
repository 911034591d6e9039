"""Helpers for the window tests (their fixtures, ``ui_app``, ``session``, ``office``,
``windows``, ``panel``, ``messages``, ``prompt_mock``, ``shots``, are in conftest.py).

- ``Message``: what the UI would have shown in a box (the ``messages`` fixture);
- ``type_text``: typing Chinese key by key;
- ``make_session`` / ``make_window``: a unit's workspace and its main window;
- ``open_and_wait``: 文件 ▸ 打开 (it runs in the operation runner), waited for;
- ``save_shot``: a screenshot for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from gongkai_desktop.ui.main_window import MainWindow


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


def make_session(path: Path, unit_name: str, directory: UnitDirectory, *,
                 officer: str = "张三") -> Session:
    unit = directory.find(unit_name)
    ws = Workspace.create(path, bundled_plan(), unit, officer=officer, contact="李四",
                          phone="023-12345678", actor=officer)
    return Session(ws, directory)


def make_window(session: Session, directory: UnitDirectory, qtbot: QtBot,
                bundles: Path) -> MainWindow:
    """A shown main window on ``session`` whose bundle dialogs start in ``bundles``."""
    from gongkai_desktop.ui.bundles import bundle_actions
    from gongkai_desktop.ui.main_window import MainWindow

    w = MainWindow(session, directory=directory)
    bundle_actions.install(w).folder = bundles
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def open_and_wait(window: MainWindow, path: Path, qtbot: QtBot) -> bool:
    """Open ``path`` in ``window`` the way 文件 ▸ 打开 does and wait until the runner is
    done; True when the window then shows ``path`` (False: refused, the old one kept)."""
    window.workspace_actions.open_path(path)
    qtbot.waitUntil(lambda: not window.workspace_actions.opening, timeout=15_000)
    session = window.session
    return session is not None and session.path.resolve() == Path(path).resolve()


def save_shot(widget: QWidget, folder: Path, name: str) -> Path:
    QApplication.processEvents()
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
