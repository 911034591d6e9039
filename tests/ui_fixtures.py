"""Helpers for the window tests (their fixtures, ``ui_app``, ``session``, ``office``,
``windows``, ``panel``, ``messages``, ``prompt_mock``, ``shots``, are in conftest.py).

- ``Message``: what the UI would have shown in a box (the ``messages`` fixture);
- ``type_text``: typing Chinese key by key;
- ``make_session`` / ``make_window``: a unit's workspace and its main window;
- ``open_and_wait``: 文件 ▸ 打开 (it runs in the operation runner), waited for;
- ``save_shot``: a screenshot for a person to look at;
- ``KeyAnswers``: answers the 核对签名证书 dialog (units' and offices' keys) like a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel, QMessageBox, QWidget

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


class KeyAnswers:
    """Answers the 核对签名证书 dialog when it shows (accept / refuse per unit name, or
    cancel), like a user clicking; keeps what it showed."""

    def __init__(self, qtbot, choices: dict[str, bool] | None, *, shots: Path | None = None,
                 shot_name: str = "key_acceptance_dialog") -> None:
        self.qtbot, self.choices, self.shots, self.shot_name = qtbot, choices, shots, shot_name
        self.shown: list[dict[str, object]] = []
        self.tries = 0
        QTimer.singleShot(0, self.act)

    def act(self) -> None:
        from gongkai_desktop.ui.bundles.key_acceptance_dialog import KeyAcceptanceDialog

        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, KeyAcceptanceDialog):
            self.tries += 1
            assert self.tries < 500, "the key dialog never showed"
            QTimer.singleShot(20, self.act)
            return
        self.shown.append({
            "units": [q.unit.name for q in dialog.questions],
            "headings": [box.title() for box in dialog.findChildren(QGroupBox)],
            "text": "\n".join(label.text() for label in dialog.findChildren(QLabel)),
            "ok_enabled_before": dialog.ok_button.isEnabled(),
            "height": dialog.height(),
        })
        if self.shots is not None:
            save_shot(dialog, self.shots, self.shot_name)
        if self.choices is None:
            dialog.reject()
            return
        for q in dialog.questions:
            buttons = dialog.accept_buttons if self.choices[q.unit.name] else dialog.reject_buttons
            self.qtbot.mouseClick(buttons[q.key], Qt.MouseButton.LeftButton)
        assert dialog.ok_button.isEnabled()
        self.qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
