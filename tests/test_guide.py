"""帮助 → 使用说明: the guide for both roles, its screenshots from the real window,
the printable quick starts, and 关于."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from gongkai_desktop import guide, paths
from gongkai_desktop.cli import main as cli
from gongkai_desktop.report.fonts import bundled_font_book
from gongkai_desktop.report.quickstart import write_quickstart
from gongkai_desktop.ui.help.help_window import HelpWindow, about_text

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.mark.parametrize("role", list(guide.Role))
def test_each_guide_has_chapters_and_its_screenshots_ship(role: guide.Role) -> None:
    chapters = guide.chapters(role)
    assert len(chapters) >= 4 and chapters[0].startswith("一、")
    pictures = guide.images(role)
    assert pictures, "the guide shows the real window"
    for picture in pictures:
        assert picture.is_file(), f"run scripts/guide_screenshots.py: {picture.name} is missing"
        assert picture.stat().st_size < 400_000


@pytest.mark.parametrize("role", list(guide.Role))
def test_quick_start_is_two_printable_pages(role: guide.Role, tmp_path: Path) -> None:
    out = tmp_path / f"{role.value}.pdf"
    result = write_quickstart(role, out, bundled_font_book())
    assert result.pages == 2 and result.missing == frozenset()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("快速入门", "遇到问题"):
        assert heading in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:])  # every font embedded
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_guide_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "快速入门.pdf"
    assert cli(["guide", "--role", "office", "-o", str(out)]) == 0
    assert "2 页" in capsys.readouterr().out and out.read_bytes().startswith(b"%PDF")
    assert cli(["guide", "--role", "boss", "-o", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：没有“boss”这种使用说明") and err.count("\n") == 1
    assert not (tmp_path / "x.pdf").exists()


def test_help_window_shows_the_guide_and_jumps_to_a_chapter(qtbot) -> None:
    window = HelpWindow(None, guide.Role.UNIT)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()
    titles = [window.contents.item(r).text() for r in range(window.contents.rowCount())]
    assert titles == guide.chapters(guide.Role.UNIT)
    assert "新建工作区" in window.browser.toPlainText()
    window.contents_view.clicked.emit(window.contents.index(len(titles) - 1, 0))
    QApplication.processEvents()
    assert window.browser.verticalScrollBar().value() > 0
    assert window.browser.textCursor().selectedText() == titles[-1]
    window.role_combo.setCurrentIndex(1)
    assert "核对证书指纹" in window.browser.toPlainText()
    # pictures come from resources/guide/images: the document resolves them
    assert window.browser.document().resource(
        3, window.browser.document().baseUrl().resolved("images/consolidation.png")) is not None


def test_about_names_version_plan_data_folder_and_log() -> None:
    text = about_text("贯彻落实国务院办公厅2020年政务公开工作要点任务分工（渝府办发〔2020〕89号）",
                      "/tmp/logs/gongkai.log")
    assert "政务公开自查 " in text and "渝府办发〔2020〕89号" in text
    assert f"数据文件夹：{paths.user_data_dir()}" in text
    assert "日志文件：/tmp/logs/gongkai.log" in text


def test_screenshot_script_takes_every_picture_the_guides_show(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(REPO / "scripts" / "guide_screenshots.py"),
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    wanted = {p.name for role in guide.Role for p in guide.images(role)}
    assert wanted <= {p.name for p in tmp_path.glob("*.png")}
