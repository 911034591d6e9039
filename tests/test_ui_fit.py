"""Every window and dialog fits an office PC's screen: 1280×680 logical pixels.

That is 1366×768 at 100 % or 1920×1080 at 150 %, minus a taskbar. The windows are
those of ``ui.windows.WINDOWS`` (a test below makes sure every dialog class is in it),
built by tests/ui_windows.py with real data and opened by tests/fit_check.py on a
real offscreen screen of that size (a subprocess: the screen is chosen when Qt starts).
Each must lie inside the screen, title bar included, with its buttons (the dialog's
button box; the main window's menu and status bar) inside it and visible.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QRect
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox, QWidget

import gongkai_desktop.ui
from gongkai_desktop.ui.common import geometry
from gongkai_desktop.ui.common.errors import message_box
from gongkai_desktop.ui.common.settings import AppSettings, window_geometry
from gongkai_desktop.ui.windows import WINDOWS, load
from tests import ui_fixtures
from tests.ui_windows import FACTORIES

ui_app = ui_fixtures.ui_app

REPO = Path(__file__).resolve().parent.parent
FIT_CHECK = REPO / "tests" / "fit_check.py"


def ui_window_classes() -> set[str]:
    """Every dialog, main window and stand-alone window class in gongkai_desktop.ui."""
    found: set[str] = set()
    for info in pkgutil.walk_packages(gongkai_desktop.ui.__path__, "gongkai_desktop.ui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, QWidget):
                continue
            own_window = "Qt.WindowType.Window)" in inspect.getsource(cls)
            if issubclass(cls, QDialog | QMainWindow) or own_window:
                found.add(f"{cls.__module__}:{cls.__qualname__}")
    return found


def test_every_window_class_is_listed_and_has_a_factory() -> None:
    listed = {path for path in WINDOWS.values() if path.startswith("gongkai_desktop.")}
    assert ui_window_classes() - listed == set(), "add the new window to ui/windows.py"
    assert set(FACTORIES) == set(WINDOWS)
    for name in WINDOWS:
        assert isinstance(load(name), type)


def fit_check(scale: float, tmp_path: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(GONGKAI_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, str(FIT_CHECK), "1280", "680", str(scale)],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return lines[0], lines[1:]


@pytest.mark.parametrize("scale", [1.0, 1.5], ids=["1366x768-at-100%", "1920x1080-at-150%"])
def test_every_window_fits_1280x680(scale: float, tmp_path: Path) -> None:
    screen, windows = fit_check(scale, tmp_path)
    assert screen["screen"] == [0, 0, 1280, 680]
    assert screen["dpr"] == scale
    assert [w["name"] for w in windows] == list(WINDOWS)
    problems = {w["name"]: w["problems"] for w in windows if w["problems"]}
    assert problems == {}
    for w in windows:
        x, y, width, height = w["frame"]  # type: ignore[misc]
        assert x >= 0 and y >= 0 and x + width <= 1280 and y + height <= 680, w
        assert w["buttons"], w


# ---- remembering and restoring ---------------------------------------------------------


def test_a_window_saved_on_a_gone_monitor_comes_back_whole(qtbot, ui_app: QApplication) -> None:
    settings = AppSettings()
    first = QDialog()
    first.setGeometry(QRect(3000, 1500, 2400, 1400))  # on a big monitor right of this one
    settings.set(window_geometry("link"), first.saveGeometry())
    first.deleteLater()

    dialog = load("link")()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: geometry.fits(dialog))
    area = dialog.screen().availableGeometry()
    assert area.contains(dialog.frameGeometry())


def test_size_and_place_are_remembered(qtbot, ui_app: QApplication) -> None:
    dialog = load("link")()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.setGeometry(QRect(200, 150, 700, 300))
    dialog.close()  # saved when hidden
    saved = AppSettings().get(window_geometry("link"))
    assert isinstance(saved, QByteArray) and not saved.isEmpty()

    again = load("link")()
    qtbot.addWidget(again)
    assert again.geometry() == QRect(200, 150, 700, 300)


def test_minimum_sizes_never_exceed_the_screen(qtbot, ui_app: QApplication) -> None:
    widget = QDialog()
    qtbot.addWidget(widget)
    widget.setMinimumSize(5000, 3000)
    geometry.manage_window(widget, "test_huge", (6000, 4000), remember=False)
    room = geometry.usable_size(widget)
    assert widget.minimumWidth() <= room.width() and widget.minimumHeight() <= room.height()
    assert widget.width() <= room.width() and widget.height() <= room.height()


def test_a_very_long_message_keeps_its_button_on_screen(qtbot, ui_app: QApplication) -> None:
    text = "\n".join(f"第{i}行：数据包中的举措记录与本单位的记录不一致，请核对后再导入。"
                     for i in range(200))
    box = message_box(None, "导入结果", text, QMessageBox.Icon.Warning)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    assert box.screen().availableGeometry().contains(box.frameGeometry())
    assert box.detailedText() == text  # everything is still there, under 显示详情
    assert "第0行" in box.text() and "显示详情" in box.text()
