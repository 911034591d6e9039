"""The checklist workbook: export, fill in as a person would, sort, import, apply."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gongkai_desktop.changes import Changes
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import (
    Area,
    Deadline,
    Measure,
    MeasureRecord,
    Plan,
    PlanInfo,
    Status,
    Subtask,
    Unit,
)
from gongkai_desktop.roles import roles_for_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.typed_input import DATE_FORMS
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx import (
    ChecklistImport,
    RecordChange,
    apply_checklist,
    export_checklist,
    read_checklist,
)
from gongkai_desktop.xlsx import checklist_layout as L

NOW = dt.datetime(2021, 9, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _plan(plan_id: str = "test-2021", title: str = "测试任务分工") -> Plan:
    def m(mid: str, label: str, text: str, lead: tuple[str, ...], resp: tuple[str, ...],
          deadline: Deadline | None = None) -> Measure:
        return Measure(mid, int(mid.rsplit(".", 1)[1]), label, text, lead, resp,
                       deadline or Deadline())

    return Plan(
        PlanInfo(plan_id, title, "渝府办发〔2021〕1号", dt.date(2021, 3, 1), "重庆市政府办公厅"),
        (
            Area("1", 1, "一", "加强用权公开", (
                Subtask("1.1", 1, "（一）", "加强权力配置信息公开。", (
                    m("1.1.1", "1．", "更新完善权责清单并按要求公开。",
                      ("市政府办公厅",), ("市政府各部门", "各区县政府")),
                    m("1.1.2", "2．", "做好行政复议决定公开。", ("市司法局",), ()),
                )),
                Subtask("1.2", 2, "（二）", "加强市场监管信息公开。", (
                    m("1.2.1", "", "公开行政处罚结果。", ("市市场监管局",), ("区县市场监管局",)),
                )),
            )),
            Area("2", 2, "二", "加强平台建设", (
                Subtask("2.1", 1, "（一）", "办好政府网站。", (
                    m("2.1.1", "1．", "2021年11月底前完成网站改版。", ("市政府办公厅",),
                      ("全市各级行政机关",), Deadline(dt.date(2021, 11, 30))),
                    m("2.1.2", "2．", "公开医疗机构信息。", ("市卫生健康委",), ("市卫生健康委",)),
                    m("2.1.3", "3．", "依申请公开自受理之日起20个工作日内答复。", ("市政府办公厅",),
                      ("各区县政府",), Deadline(note="自受理之日起20个工作日内")),
                )),
            )),
        ),
    )


# 万州区 reports on 1.1.1, 1.2.1 (concerned), 2.1.1 and 2.1.3.
REPORTED = ["1.1.1", "1.2.1", "2.1.1", "2.1.3"]


@pytest.fixture
def unit(directory: UnitDirectory) -> Unit:
    return directory.find("万州区")


@pytest.fixture
def plan() -> Plan:
    return _plan()


@pytest.fixture
def ws(tmp_path: Path, plan: Plan, unit: Unit) -> Iterator[Workspace]:
    with Workspace.create(tmp_path / "wanzhou.gongkai", plan, unit) as workspace:
        yield workspace


def _export(ws: Workspace, directory: UnitDirectory, out: Path) -> int:
    roles = roles_for_plan(ws.plan, ws.unit, directory)
    return export_checklist(ws.plan, ws.unit, roles, ws.records(), out, now=NOW)


def _read(ws: Workspace, path: Path) -> ChecklistImport:
    return read_checklist(path, ws.plan, ws.unit, ws.records())


# ---- what a person does with the workbook ------------------------------------------


def _header_columns(sheet: Any) -> dict[str, int]:
    return {
        str(c.value): c.column for c in sheet[L.HEADER_ROW] if c.value is not None
    }


def fill(path: Path, values: dict[str, dict[str, object]], *, out: Path | None = None) -> Path:
    """Type values into the rows of the given measure keys (by header), then save."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[L.MAIN_SHEET]
    columns = _header_columns(sheet)
    rows = {
        sheet.cell(r, columns[L.KEY_HEADER]).value: r
        for r in range(L.FIRST_ROW, sheet.max_row + 1)
    }
    for key, cells in values.items():
        for header, value in cells.items():
            sheet.cell(rows[key], columns[header]).value = value
    wb.save(out or path)
    wb.close()
    return out or path


def sort_rows(path: Path, *, reverse: bool = True) -> None:
    """Reorder the data rows (as 数据→排序 does): every cell of a row moves together."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[L.MAIN_SHEET]
    width = len(L.COLUMNS)
    rows = [
        [(sheet.cell(r, c).value, sheet.cell(r, c).data_type) for c in range(1, width + 1)]
        for r in range(L.FIRST_ROW, sheet.max_row + 1)
    ]
    rows.sort(key=lambda cells: str(cells[1][0]) + str(cells[2][0]), reverse=reverse)
    for offset, cells in enumerate(rows):
        for column, (value, data_type) in enumerate(cells, start=1):
            cell = sheet.cell(L.FIRST_ROW + offset, column)
            cell.value = value
            cell.data_type = data_type  # text "=…" stays text, as a spreadsheet keeps it
    wb.save(path)
    wb.close()


def keys_in_order(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    sheet = wb[L.MAIN_SHEET]
    column = _header_columns(sheet)[L.KEY_HEADER]
    keys = [sheet.cell(r, column).value for r in range(L.FIRST_ROW, sheet.max_row + 1)]
    wb.close()
    return [str(k) for k in keys]


def _changes(result: ChecklistImport) -> set[tuple[str, str, object, object]]:
    return {(c.measure_id, c.field, c.old, c.new) for c in result.changes}


# ---- export --------------------------------------------------------------------------


def test_export_writes_one_row_per_reported_measure(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    ws.update_record("1.1.1", status=Status.IN_PROGRESS, explanation="已梳理 43 项权力事项",
                     urls=["https://www.wz.gov.cn/qzqd/", "https://www.wz.gov.cn/zfxxgk/"])
    out = tmp_path / "清单.xlsx"
    assert _export(ws, directory, out) == 4
    wb = openpyxl.load_workbook(out)
    sheet = wb[L.MAIN_SHEET]
    assert [c.value for c in sheet[L.HEADER_ROW]] == [c.header for c in L.COLUMNS]
    assert keys_in_order(out) == REPORTED
    first = {h: sheet.cell(L.FIRST_ROW, i).value for i, h in enumerate(
        (c.header for c in L.COLUMNS), start=1)}
    assert first["序号"] == 1
    assert first["重点任务"] == "一、加强用权公开\n（一）加强权力配置信息公开。"
    assert first["贯彻举措"] == "1．更新完善权责清单并按要求公开。"
    assert first["牵头单位"] == "市政府办公厅"
    assert first["责任单位"] == "市政府各部门、各区县政府"
    assert first["本单位职责"] == "责任单位"
    assert first["完成状态"] == "推进中"
    assert first["完成情况说明"] == "已梳理 43 项权力事项"
    assert first["公开网址"] == "https://www.wz.gov.cn/qzqd/\nhttps://www.wz.gov.cn/zfxxgk/"
    # The concerned measure (区县市场监管局) and its single unnumbered label.
    assert sheet.cell(L.FIRST_ROW + 1, 3).value == "公开行政处罚结果。"
    assert sheet.cell(L.FIRST_ROW + 1, 7).value == "有关单位"
    assert sheet.cell(L.FIRST_ROW + 2, 6).value == "2021年11月30日前"
    assert sheet.cell(L.FIRST_ROW + 3, 6).value == "自受理之日起20个工作日内"
    wb.close()


def test_export_sheet_is_ready_to_fill_and_print(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    ws.update_record("2.1.1", status=Status.DONE, completed_on=dt.date(2021, 8, 20))
    out = tmp_path / "清单.xlsx"
    _export(ws, directory, out)
    wb = openpyxl.load_workbook(out)
    sheet = wb[L.MAIN_SHEET]
    last = L.FIRST_ROW + len(REPORTED) - 1
    assert sheet.freeze_panes == f"A{L.FIRST_ROW}"
    key_letter = openpyxl.utils.get_column_letter(len(L.COLUMNS))
    assert sheet.column_dimensions[key_letter].hidden
    # Dropdown with the four statuses, arrow visible (showDropDown must be False).
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"未开始,推进中,已完成,不适用"'
    assert not lists[0].showDropDown
    assert str(lists[0].sqref) == f"H{L.FIRST_ROW}:H{last}"
    # A real date cell.
    date_cell = sheet.cell(L.FIRST_ROW + 2, L.column_index("完成时间"))
    assert date_cell.value == dt.datetime(2021, 8, 20)
    assert date_cell.number_format == "yyyy-mm-dd"
    # Protected without password; only the record columns are unlocked.
    assert sheet.protection.sheet and not sheet.protection.password
    assert not sheet.protection.autoFilter
    for column in L.COLUMNS:
        cell = sheet.cell(L.FIRST_ROW, L.column_index(column.header))
        assert cell.protection.locked is not column.editable, column.header
        assert cell.alignment.wrap_text
    # Printing: A4 landscape, one page wide, header row repeated.
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}"
    # The identity sheet is very hidden.
    meta = wb[L.META_SHEET]
    assert meta.sheet_state == "veryHidden"
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, len(L.META_KEYS) + 1)}
    assert values["plan_id"] == "test-2021"
    assert values["unit_id"] == ws.unit.id and values["unit_name"] == "万州区"
    assert values["exported_at"] == "2021-09-01T09:30:00+08:00"
    wb.close()


def test_export_replaces_an_existing_file_only_when_complete(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    out = tmp_path / "清单.xlsx"
    out.write_bytes(b"old")
    _export(ws, directory, out)
    assert openpyxl.load_workbook(out).sheetnames[0] == L.MAIN_SHEET
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export-")] == []
    with pytest.raises(InvalidInput, match="无法写入"):
        _export(ws, directory, tmp_path / "没有这个文件夹" / "清单.xlsx")


def test_a_unit_with_nothing_to_report_gets_an_empty_checklist(
    tmp_path: Path, plan: Plan, directory: UnitDirectory
) -> None:
    unit = directory.find("市委党校（重庆行政学院）")  # not covered by any group word here
    out = tmp_path / "清单.xlsx"
    roles = roles_for_plan(plan, unit, directory)
    assert export_checklist(plan, unit, roles, {}, out) == 0
    result = read_checklist(out, plan, unit, {})
    assert (result.rows, result.changes, result.problems) == (0, [], [])


# ---- round trip ---------------------------------------------------------------------


def test_round_trip_after_sorting(tmp_path: Path, ws: Workspace, directory: UnitDirectory) -> None:
    ws.update_record("1.1.1", status=Status.IN_PROGRESS, remarks="=待核对")
    out = tmp_path / "万州区自查清单.xlsx"
    _export(ws, directory, out)
    fill(out, {
        "1.1.1": {"完成状态": "已完成", "完成时间": dt.date(2021, 6, 30),
                  "完成情况说明": "权责清单已更新\n并在网站公开",
                  "公开网址": "https://www.wz.gov.cn/qzqd/\nhttp://www.wz.gov.cn/zfxxgk/"},
        "1.2.1": {"完成状态": "不适用", "不适用理由": "本区行政处罚结果由区市场监管局公开"},
        "2.1.1": {"完成状态": "推进中", "备注": "11月上线"},
    })
    sort_rows(out)
    assert keys_in_order(out) != REPORTED  # the rows really moved
    result = _read(ws, out)
    assert result.problems == [] and result.warnings == []
    assert result.rows == 4 and result.source_name == "万州区自查清单.xlsx"
    assert _changes(result) == {
        ("1.1.1", "status", Status.IN_PROGRESS, Status.DONE),
        ("1.1.1", "completed_on", None, dt.date(2021, 6, 30)),
        ("1.1.1", "explanation", "", "权责清单已更新\n并在网站公开"),
        ("1.1.1", "urls", (), ("https://www.wz.gov.cn/qzqd/", "http://www.wz.gov.cn/zfxxgk/")),
        ("1.2.1", "status", Status.NOT_STARTED, Status.NOT_APPLICABLE),
        ("1.2.1", "reason", "", "本区行政处罚结果由区市场监管局公开"),
        ("2.1.1", "status", Status.NOT_STARTED, Status.IN_PROGRESS),
        ("2.1.1", "remarks", "", "11月上线"),
    }
    rows = {c.measure_id: c.row for c in result.changes}
    assert keys_in_order(out)[rows["1.1.1"] - L.FIRST_ROW] == "1.1.1"

    applied = apply_checklist(ws, result, "张三")
    assert applied.count == 8
    assert applied.changes == Changes.of_records(["1.1.1", "1.2.1", "2.1.1"])  # the window's
    records = ws.records()
    assert records["1.1.1"].status is Status.DONE
    assert records["1.1.1"].completed_on == dt.date(2021, 6, 30)
    assert records["1.1.1"].remarks == "=待核对"  # text starting with "=" is not a formula
    assert records["1.2.1"].reason == "本区行政处罚结果由区市场监管局公开"
    assert records["2.1.1"].remarks == "11月上线"
    assert records["2.1.3"] == MeasureRecord("2.1.3")
    imported = [e for e in ws.audit_log() if e.actor.startswith("Excel导入")]
    assert len(imported) == 8
    assert {e.actor for e in imported} == {"Excel导入：万州区自查清单.xlsx（张三）"}
    # Reading the same workbook again finds nothing left to change.
    assert _read(ws, out).changes == []


def test_untouched_fields_keep_what_the_app_changed_since_export(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    out = tmp_path / "清单.xlsx"
    _export(ws, directory, out)
    ws.update_record("2.1.1", status=Status.DONE, explanation="软件里写的说明")
    ws.update_record("1.1.1", remarks="软件里写的备注")
    fill(out, {"2.1.1": {"完成情况说明": "表格里写的说明"}, "1.1.1": {"备注": "软件里写的备注"}})
    result = _read(ws, out)
    assert result.changes == []  # status untouched in the sheet: the app's 已完成 stays
    assert [p.message for p in result.problems] == [
        f"第{L.FIRST_ROW + 2}行“完成情况说明”：导出后软件中已改为“软件里写的说明”，"
        "表格中又填为“表格里写的说明”，请核对后在软件中修改，或重新导出清单填写"
    ]


def test_clearing_a_date_in_the_sheet_clears_it(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    ws.update_record("2.1.1", status=Status.DONE, completed_on=dt.date(2021, 8, 1))
    out = tmp_path / "清单.xlsx"
    _export(ws, directory, out)
    fill(out, {"2.1.1": {"完成状态": "推进中", "完成时间": None}})
    result = _read(ws, out)
    assert _changes(result) == {
        ("2.1.1", "status", Status.DONE, Status.IN_PROGRESS),
        ("2.1.1", "completed_on", dt.date(2021, 8, 1), None),
    }
    apply_checklist(ws, result, "")
    assert ws.record("2.1.1").completed_on is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2021-06-30", dt.date(2021, 6, 30)),
        ("2021/6/3", dt.date(2021, 6, 3)),
        ("2021年6月30日", dt.date(2021, 6, 30)),
        ("20210630", dt.date(2021, 6, 30)),
        (44377, dt.date(2021, 6, 30)),  # a date cell whose format was lost
    ],
)
def test_dates_typed_as_text_or_numbers(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory, typed: object, expected: dt.date
) -> None:
    out = tmp_path / "清单.xlsx"
    _export(ws, directory, out)
    fill(out, {"1.1.1": {"完成时间": typed}})
    assert _changes(_read(ws, out)) == {("1.1.1", "completed_on", None, expected)}


# ---- problems ---------------------------------------------------------------------


def test_every_problem_is_located_and_nothing_is_applied(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    out = tmp_path / "清单.xlsx"
    _export(ws, directory, out)
    fill(out, {
        "1.1.1": {"完成状态": "完成了"},
        "1.2.1": {"完成状态": "不适用"},
        "2.1.1": {"完成时间": "6月底", "公开网址": "https://ok.example.cn/a\nftp://wz.gov.cn/a"},
        "2.1.3": {"完成情况说明": "已按时答复"},  # valid: applied with allow_partial
    })
    # A copied row (duplicate key), an unknown key and a row whose key was cleared.
    wb = openpyxl.load_workbook(out)
    sheet = wb[L.MAIN_SHEET]
    key = L.column_index(L.KEY_HEADER)
    extra = L.FIRST_ROW + len(REPORTED)
    added = [("2.1.3", "推进中"), ("9.9.9", "已完成"), (None, "已完成")]
    for offset, (mid, status) in enumerate(added):
        sheet.cell(extra + offset, key, mid)
        sheet.cell(extra + offset, L.column_index("完成状态"), status)
    wb.save(out)
    wb.close()

    result = _read(ws, out)
    r = L.FIRST_ROW
    assert [(p.sheet, p.row, p.column, p.message) for p in result.problems] == [
        (L.MAIN_SHEET, r, "完成状态",
         f"第{r}行“完成状态”为“完成了”，不是可选的状态（可选：未开始、推进中、已完成、不适用）"),
        (L.MAIN_SHEET, r + 1, "不适用理由",
         f"第{r + 1}行“完成状态”为“不适用”，但“不适用理由”没有填写"),
        (L.MAIN_SHEET, r + 2, "完成时间",
         f"第{r + 2}行：完成时间“6月底”格式不对，可写成 {DATE_FORMS}"),
        (L.MAIN_SHEET, r + 2, "公开网址",
         f"第{r + 2}行“公开网址”：网址“ftp://wz.gov.cn/a”无效：必须是以 http:// 或 https:// "
         "开头的完整网址"),
        (L.MAIN_SHEET, extra, L.KEY_HEADER, f"第{extra}行的举措编号“2.1.3”与第{r + 3}行重复"),
        (L.MAIN_SHEET, extra + 1, L.KEY_HEADER, f"第{extra + 1}行的举措编号“9.9.9”不在任务分工中"),
        (L.MAIN_SHEET, extra + 2, L.KEY_HEADER,
         f"第{extra + 2}行没有举措编号（隐藏列“举措编号”被清空，或这是新加的行），无法对应到举措"),
    ]
    before = ws.records()
    with pytest.raises(InvalidInput, match="没有导入任何内容"):
        apply_checklist(ws, result, "张三")
    assert ws.records() == before
    # Applying only the rows without problems.
    applied = apply_checklist(ws, result, "张三", allow_partial=True)
    assert applied.count == 1 and applied.changes == Changes.of_records(["2.1.3"])
    assert ws.record("2.1.3").explanation == "已按时答复"
    assert ws.record("1.2.1").status is Status.NOT_STARTED


def test_another_units_workbook_is_refused(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    out = tmp_path / "清单.xlsx"
    _export(ws, directory, out)
    other = directory.find("涪陵区")
    with pytest.raises(InvalidInput, match="这份清单是“万州区”的，当前单位是“涪陵区”"):
        read_checklist(out, ws.plan, other, {})
    other_plan = _plan("test-2022", "另一个任务分工")
    with pytest.raises(InvalidInput, match=r"“测试任务分工”.*“另一个任务分工”"):
        read_checklist(out, other_plan, ws.unit, {})


def test_a_workbook_not_exported_by_the_app_is_refused(tmp_path: Path, ws: Workspace) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "贯彻举措", L.KEY_HEADER, "完成状态"])
    wb.active.append([1, "更新完善权责清单", "1.1.1", "已完成"])
    path = tmp_path / "自己做的表.xlsx"
    wb.save(path)
    with pytest.raises(InvalidInput, match="不是本软件导出的自查清单"):
        _read(ws, path)


def test_apply_refuses_when_the_workspace_changed_after_reading(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    out = tmp_path / "清单.xlsx"
    _export(ws, directory, out)
    fill(out, {"1.1.1": {"完成状态": "已完成"}, "2.1.1": {"备注": "表格"}})
    result = _read(ws, out)
    ws.update_record("1.1.1", status=Status.IN_PROGRESS)
    with pytest.raises(InvalidInput, match="请重新读取表格"):
        apply_checklist(ws, result, "")
    assert ws.record("2.1.1").remarks == ""  # all or nothing


def test_result_of_another_workspace_is_refused(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    result = ChecklistImport("x.xlsx", "test-2021", "500102",
                             [RecordChange("1.1.1", "remarks", "", "x", 3)], [])
    with pytest.raises(InvalidInput, match="不属于当前工作区"):
        apply_checklist(ws, result, "")


# ---- LibreOffice --------------------------------------------------------------------


@pytest.mark.slow
def test_workbook_saved_again_by_libreoffice_still_maps_every_row(
    tmp_path: Path, ws: Workspace, directory: UnitDirectory
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) 未安装：apt-get install libreoffice-calc-nogui")
    source = tmp_path / "in" / "清单.xlsx"
    source.parent.mkdir()
    _export(ws, directory, source)
    fill(source, {
        "1.1.1": {"完成状态": "已完成", "完成时间": dt.date(2021, 6, 30),
                  "公开网址": "https://www.wz.gov.cn/a\nhttps://www.wz.gov.cn/b"},
        "1.2.1": {"完成状态": "不适用", "不适用理由": "无此职能"},
        "2.1.3": {"完成情况说明": "第一行\n第二行"},
    })
    sort_rows(source)
    out_dir = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    resaved = out_dir / "清单.xlsx"
    result = _read(ws, resaved)
    assert result.problems == [] and result.rows == 4
    assert _changes(result) == {
        ("1.1.1", "status", Status.NOT_STARTED, Status.DONE),
        ("1.1.1", "completed_on", None, dt.date(2021, 6, 30)),
        ("1.1.1", "urls", (), ("https://www.wz.gov.cn/a", "https://www.wz.gov.cn/b")),
        ("1.2.1", "status", Status.NOT_STARTED, Status.NOT_APPLICABLE),
        ("1.2.1", "reason", "", "无此职能"),
        ("2.1.3", "explanation", "", "第一行\n第二行"),
    }
