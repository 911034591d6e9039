"""Screenshots of the window's main states for a person to look at.

Saved to test-artifacts/screenshots/ (kept after the run). The checks here are
only that each picture is not empty; the looking is done by people.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from gongkai_desktop.model import Status
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.workspace.first_run import FirstRunDialog
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests import ui_fixtures
from tests.ui_fixtures import type_text

# The shared window fixtures (assigned, not imported, so linters see them as used).
ui_app = ui_fixtures.ui_app
directory = ui_fixtures.directory
session = ui_fixtures.session
messages = ui_fixtures.messages

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.fixture
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(widget: QWidget, folder: Path, name: str) -> Path:
    QApplication.processEvents()
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() > 300 and image.height() > 200
    # More than a blank surface: count the distinct colours of a sample of pixels.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20, f"{name} looks empty"
    return path


@pytest.fixture
def filled(session: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setattr(Session, "today", staticmethod(lambda: dt.date(2020, 11, 15)))
    ws = session.ws
    ws.update_record("1.1.1", status=Status.DONE, completed_on=dt.date(2020, 8, 20),
                     explanation="已对照法律法规全面梳理权责清单，于2020年8月20日在区政府网站"
                                 "“法定主动公开内容”栏目更新公开。",
                     urls=["http://www.wz.gov.cn/zwgk/qzqd/"], actor="张三")
    ws.update_record("1.1.3", status=Status.IN_PROGRESS, explanation="正在编制组织机构目录。")
    ws.update_record("2.1.1", status=Status.DONE, explanation="开设“稳就业”政策专栏。")
    ws.update_record("2.1.2", status=Status.DONE)
    ws.update_record("2.2.1", status=Status.IN_PROGRESS)
    ws.update_record("3.1.2", status=Status.NOT_APPLICABLE, reason="本区市场监管部门另行落实")
    ws.update_record("5.3.1", status=Status.DONE)
    ws.add_evidence_link("2.1.1", "http://www.wz.gov.cn/zwgk/wjy/", title="稳就业专栏")
    session.recordChanged.emit("")
    return session


@pytest.fixture
def window(filled: Session, directory: UnitDirectory, qtbot) -> MainWindow:
    w = MainWindow(filled, directory=directory)
    qtbot.addWidget(w)
    w.resize(1366, 768)  # the most common office laptop screen
    w.splitter.setSizes([760, 606])
    w.show()
    qtbot.waitExposed(w)
    return w


def test_overview(window: MainWindow, shots: Path) -> None:
    save(window, shots, "main-overview")


def test_measure_selected(window: MainWindow, shots: Path) -> None:
    assert window.select_measure("1.1.1")
    save(window, shots, "main-measure-selected")


def test_filtered_by_search(window: MainWindow, shots: Path) -> None:
    type_text(window.toolbar.search_box, "政策")
    window.toolbar.search_box.returnPressed.emit()
    assert window.proxy.search_text == "政策"
    window.select_measure("2.1.1")
    save(window, shots, "main-search-filtered")


def test_overdue_only(window: MainWindow, shots: Path) -> None:
    window.toolbar.overdue_check.setChecked(True)
    save(window, shots, "main-overdue-only")


def test_first_run_dialog(qtbot, ui_app, directory: UnitDirectory, shots: Path) -> None:
    dialog = FirstRunDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.search, "万州")
    type_text(dialog.officer, "王小明")
    type_text(dialog.contact, "李华")
    dialog.phone.setText("023-58123456")
    save(dialog, shots, "first-run-dialog")


def test_empty_window(qtbot, ui_app, directory: UnitDirectory, shots: Path) -> None:
    w = MainWindow(None, directory=directory)
    qtbot.addWidget(w)
    w.resize(1024, 640)
    w.show()
    save(w, shots, "main-no-workspace")
