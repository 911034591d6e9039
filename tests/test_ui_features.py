"""The window the officer starts has every feature's menu, not just the tests' windows."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from gongkai_desktop.ui.features import FEATURE_MODULES, install_features
from gongkai_desktop.ui.main_window import MainWindow


def test_start_up_installs_the_feature_menus(qtbot: QtBot, ui_app: object) -> None:
    window = MainWindow(None)
    qtbot.addWidget(window)
    installed = install_features(window)
    assert "xlsx_actions" in installed
    assert set(installed) <= set(FEATURE_MODULES)
    texts = [a.text() for a in window.actions_menu.actions()]
    assert any("Excel" in t for t in texts), texts
