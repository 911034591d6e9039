"""The smaller things an officer ran into: a mistyped command, the Excel guide's date and
wording, menu mnemonics, the log, Qt's own dialogs in Chinese."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.launcher import main as launcher_main
from gongkai_desktop.launcher import unknown_command
from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.roles import roles_for_plan
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx import checklist_layout as L
from gongkai_desktop.xlsx import export_checklist

# ---- a mistyped command -------------------------------------------------------------------


def test_unknown_word_is_not_a_window(tmp_path: Path) -> None:
    existing = tmp_path / "旧文件.txt"
    existing.write_text("x")
    assert unknown_command(["reveiw"]) == "reveiw"
    assert unknown_command(["-platform", "offscreen", "reveiw"]) == "reveiw"
    assert unknown_command([]) is None
    assert unknown_command(["-platform", "offscreen"]) is None  # Qt's option and its value
    assert unknown_command([str(tmp_path / "新建.gkws")]) is None  # the window says "not found"
    assert unknown_command([str(tmp_path / "a.GKBUNDLE"), str(tmp_path / "r.gkreceipt")]) is None
    assert unknown_command([str(existing)]) is None  # a real file: the window judges it


def test_unknown_command_one_chinese_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert launcher_main(["reveiw", "x.gkws"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("未知命令“reveiw”") and "summary" in err and "--help" in err


def test_unknown_command_from_the_program(tmp_path: Path) -> None:
    env = dict(os.environ, GONGKAI_DATA_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "gongkai_desktop", "reveiw"], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("未知命令“reveiw”") and proc.stdout == ""
    assert not (tmp_path / "logs").exists()  # no window was started


# ---- the Excel guide -----------------------------------------------------------------------


def test_excel_guide_date_is_chinese_and_names_the_menu(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        plan = bundled_plan()
        directory = UnitDirectory.load()
        unit = directory.find("万州区")
        out = tmp_path / "清单.xlsx"
        moment = dt.datetime(2026, 12, 5, 7, 38, 56, tzinfo=dt.UTC)
        export_checklist(plan, unit, roles_for_plan(plan, unit, directory), {}, out, now=moment)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    guide = openpyxl.load_workbook(out)[L.GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "导出时间：2026年12月5日 15:38" in text
    assert "T07:38" not in text and "+00:00" not in text
    assert "导入Excel清单" in text and "从Excel导入" not in text


# ---- menus ---------------------------------------------------------------------------------


def _mnemonic(text: str) -> str | None:
    at = text.find("&")
    while at >= 0 and at + 1 < len(text):
        if text[at + 1] != "&":
            return text[at + 1].upper()
        at = text.find("&", at + 2)
    return None


def test_no_menu_uses_a_mnemonic_twice(session, directory, qtbot) -> None:
    from gongkai_desktop.ui.features import install_features
    from gongkai_desktop.ui.main_window import MainWindow

    window = MainWindow(session, directory=directory)
    qtbot.addWidget(window)
    window.show()
    install_features(window)
    menus = [(window.tr("菜单栏"), window.menuBar().actions())]
    seen_menus = 0
    while menus:
        name, actions = menus.pop()
        seen_menus += 1
        keys = [_mnemonic(a.text()) for a in actions if a.isVisible() and a.text()]
        used = [k for k in keys if k]
        assert len(used) == len(set(used)), (name, [a.text() for a in actions])
        menus.extend((a.text(), a.menu().actions()) for a in actions if a.menu())
    assert seen_menus >= 6  # the bar, 文件, 编辑, 视图, 报告与数据, 帮助 (and 最近打开)
    window.close()


# ---- the log -------------------------------------------------------------------------------


def test_font_subsetting_does_not_fill_the_log() -> None:
    from gongkai_desktop.ui.app import setup_logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        setup_logging()
        assert logging.getLogger("fontTools").getEffectiveLevel() == logging.WARNING
        assert not logging.getLogger("fontTools.subset").isEnabledFor(logging.INFO)
        assert logging.getLogger("gongkai_desktop").isEnabledFor(logging.INFO)
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


# ---- Qt's own dialogs ----------------------------------------------------------------------


def test_qt_file_and_print_dialogs_speak_chinese(ui_app) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QFileDialog, QLabel

    files = QFileDialog()
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    labels = [label.text() for label in files.findChildren(QLabel)]
    assert "查找范围(&L)：" in labels and "文件类型(&T)：" in labels
    assert not any(text.startswith(("&Look", "Files of")) for text in labels)
    files.deleteLater()

    printer = QPrinter()
    dialog = QPrintDialog(printer)
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(text.startswith("页面") and "(&S)" in text for text in labels)
    assert not any("Page" in text for text in labels)
    dialog.deleteLater()
