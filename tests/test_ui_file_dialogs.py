"""Every open and save dialog starts in the folder last used for that kind of file,
the first time in Documents (never the home folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.ui.bundles import bundle_actions
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.evidence import evidence_view
from gongkai_desktop.ui.report import report_actions
from gongkai_desktop.ui.xlsx import xlsx_actions

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


class Dialogs:
    """Stands in for QFileDialog's static functions: records where each one started and
    answers with ``answer`` (a path, or "" for 取消)."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.answer = ""

    def file(self, _parent: object, _title: str, start: str, _filter: str = "",
             *_args: object) -> tuple[str, str]:
        self.started.append(start)
        return self.answer, ""

    def files(self, _parent: object, _title: str, start: str, _filter: str = "",
              *_args: object) -> tuple[list[str], str]:
        self.started.append(start)
        return ([self.answer] if self.answer else []), ""

    def folder(self, _parent: object, _title: str, start: str, *_args: object) -> str:
        self.started.append(start)
        return self.answer

    def last_folder(self) -> Path:
        start = Path(self.started[-1])
        return start if start.is_dir() else start.parent


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "文档"
    folder.mkdir()
    real = QStandardPaths.writableLocation

    def location(kind: QStandardPaths.StandardLocation) -> str:
        if kind == QStandardPaths.StandardLocation.DocumentsLocation:
            return str(folder)
        return real(kind)

    monkeypatch.setattr(QStandardPaths, "writableLocation", location)
    return folder


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    fake = Dialogs()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake.file)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake.file)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake.files)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", fake.folder)
    return fake


def test_first_time_documents_then_the_last_folder_per_kind(tmp_path, documents,
                                                             dialogs) -> None:
    reports = tmp_path / "报告"
    reports.mkdir()
    dialogs.answer = str(reports / "自查报告.pdf")
    chosen = prompts.save_path(None, prompts.REPORT, "生成", "自查报告.pdf", "*.pdf")
    assert chosen == reports / "自查报告.pdf"
    assert dialogs.started[-1] == str(documents / "自查报告.pdf")  # Documents, not home

    dialogs.answer = ""
    prompts.save_path(None, prompts.REPORT, "生成", "自查报告.pdf", "*.pdf")
    assert dialogs.started[-1] == str(reports / "自查报告.pdf")  # remembered
    prompts.open_paths(None, prompts.EVIDENCE, "添加", "*")
    assert dialogs.started[-1] == str(documents)  # another kind has its own memory
    prompts.choose_folder(None, prompts.EVIDENCE_EXPORT, "导出")
    assert dialogs.started[-1] == str(documents)


def test_a_remembered_folder_that_is_gone_falls_back_to_documents(tmp_path, documents,
                                                                   dialogs) -> None:
    gone = tmp_path / "U盘"
    gone.mkdir()
    prompts.remember(prompts.BUNDLE, gone)
    gone.rmdir()  # the USB stick was pulled out
    assert prompts.start_folder(prompts.BUNDLE) == documents


def test_window_dialogs_start_in_their_own_last_folder(window, tmp_path, documents, dialogs,
                                                       monkeypatch) -> None:
    monkeypatch.setattr(prompts, "ask_choice", lambda *_args: 1)  # 不签名的报告
    reports = report_actions.install(window)
    sheets = xlsx_actions.install(window)
    bundles = bundle_actions.install(window)

    # First time: every kind starts in Documents.
    reports.generate_report()
    sheets.export_checklist()
    sheets.import_plan()
    bundles.import_receipt()
    evidence_view.ask_open_files(None)
    assert [Path(s) if Path(s).is_dir() else Path(s).parent for s in dialogs.started] == \
        [documents] * 5

    folders = {kind: tmp_path / kind for kind in (prompts.REPORT, prompts.CHECKLIST,
                                                   prompts.PLAN_XLSX, prompts.RECEIPT,
                                                   prompts.EVIDENCE)}
    for kind, folder in folders.items():
        folder.mkdir()
        prompts.remember(kind, folder)

    reports.generate_report()
    assert dialogs.last_folder() == folders[prompts.REPORT]
    assert Path(dialogs.started[-1]).name.endswith(".pdf")  # with the proposed file name
    sheets.export_checklist()
    assert dialogs.last_folder() == folders[prompts.CHECKLIST]
    sheets.import_checklist()
    assert dialogs.last_folder() == folders[prompts.CHECKLIST]
    sheets.import_plan()
    assert dialogs.last_folder() == folders[prompts.PLAN_XLSX]
    bundles.import_receipt()
    assert dialogs.last_folder() == folders[prompts.RECEIPT]
    evidence_view.ask_open_files(None)
    assert dialogs.last_folder() == folders[prompts.EVIDENCE]


def test_a_chosen_file_is_remembered_for_next_time(window, tmp_path, documents, dialogs,
                                                   messages, qtbot) -> None:
    from gongkai_desktop.ui.common.operations import running_operations

    sheets = xlsx_actions.install(window)
    elsewhere = tmp_path / "共享盘"
    elsewhere.mkdir()
    dialogs.answer = str(elsewhere / "清单.xlsx")
    sheets.export_checklist()
    qtbot.waitUntil(lambda: not running_operations(), timeout=20000)
    assert (elsewhere / "清单.xlsx").is_file()
    dialogs.answer = ""
    sheets.import_checklist()  # import starts where the export went
    assert dialogs.last_folder() == elsewhere


def test_no_module_calls_qfiledialog_itself() -> None:
    ui = Path(prompts.__file__).parent
    callers = [p.name for p in ui.glob("*.py")
               if "QFileDialog." in p.read_text(encoding="utf-8") and p.name != "prompts.py"]
    assert callers == []
