"""Excel from the command line, as an office would use it end to end.

A new task breakdown comes in as a workbook → ``plan import`` → ``plan list`` →
``plan export --json`` → ``init`` a workspace for a unit only that plan names →
``set`` → ``xlsx export`` → a colleague fills the workbook in → ``xlsx import``
(first to look, then ``--yes``). Bad workbooks change nothing and say why in Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.plan.library import PlanLibrary
from gongkai_desktop.storage import Workspace
from gongkai_desktop.xlsx import checklist_layout as L
from tests.xlsx_samples import MUNICIPAL_TITLE, write_municipal_2021

PLAN_ID = "cq-2021-test"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def content(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every user table's rows: what 'nothing changed' means to a user."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
            " AND name NOT LIKE 'search_index%' ORDER BY name")]
        return [(t, conn.execute(f"SELECT * FROM [{t}]").fetchall()) for t in tables]
    finally:
        conn.close()


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def fill(path: Path, values: dict[str, dict[str, object]]) -> Path:
    """Type into the rows of the given measures (found by the hidden key), then save."""
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


def import_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[int, str, str]:
    source = write_municipal_2021(tmp_path / "2021年任务分工.xlsx")
    return run(capsys, "plan", "import", source, "--id", PLAN_ID, "--title", MUNICIPAL_TITLE,
               "--document-number", "渝府办发〔2021〕99号", "--issued", "2021-06-01",
               "--issuer", "重庆市人民政府办公厅")


@pytest.fixture
def jw(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A workspace of 区教委 (named only by the imported plan) with 2.1.1 in progress."""
    code, _, err = import_plan(capsys, tmp_path)
    assert code == 0, err
    path = tmp_path / "区教委.gkws"
    code, out, err = run(capsys, "init", path, "--unit", "区教委", "--plan", PLAN_ID,
                         "--officer", "周敏")
    assert code == 0, err
    assert "区教委" in out
    code, out, err = run(capsys, "set", path, "2.1.1", "--status", "推进中")
    assert (code, out.strip()) == (0, "2.1.1：推进中"), err
    return path


def test_plan_import_prints_the_tree_and_stores_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = import_plan(capsys, tmp_path)
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == (f"任务分工：{MUNICIPAL_TITLE}（渝府办发〔2021〕99号），印发日期 2021-06-01")
    assert "一、围绕“十四五”规划实施加强政策发布解读（2 项子任务，4 项举措）" in lines
    assert "  （一）推进教育领域信息公开。（3 项举措）" in lines
    assert "共 3 项重点任务、6 项子任务、12 项举措" in lines
    # The unknown unit is shown for review, on the line after its heading.
    heading = next(i for i, line in enumerate(lines) if "不在单位名录中" in line)
    assert lines[heading + 1].strip() == "区教委"
    assert "提示：“公开路径”列不属于任务分工的内容，没有导入" in lines
    assert f"已保存到计划库：{PLAN_ID}" in out
    assert PlanLibrary().get(PLAN_ID).info.title == MUNICIPAL_TITLE

    # The same id again is refused unless --replace; the stored plan stays.
    stored = PlanLibrary().path_for(PLAN_ID).read_bytes()
    code, _, err = import_plan(capsys, tmp_path)
    assert code == 1
    assert err.strip() == (f"错误：计划库中已有编号为“{PLAN_ID}”的任务分工；如要覆盖，请选择替换")
    assert PlanLibrary().path_for(PLAN_ID).read_bytes() == stored


def test_plan_list_and_export_of_an_imported_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_plan(capsys, tmp_path)[0] == 0
    code, out, _ = run(capsys, "plan", "list")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert [r[0] for r in rows] == ["cq-2020-89", PLAN_ID]  # bundled plan first
    assert rows[1] == [PLAN_ID, "渝府办发〔2021〕99号", "2021-06-01", MUNICIPAL_TITLE]

    code, out, _ = run(capsys, "plan", "export", "--json", "--plan", PLAN_ID)
    assert code == 0
    data = json.loads(out)
    code, bundled_out, _ = run(capsys, "plan", "export", "--json")
    bundled = json.loads(bundled_out)
    # The same shape as the bundled plan's, key for key.
    assert set(data) == set(bundled)
    assert set(data["plan"]) == set(bundled["plan"])
    assert set(data["areas"][0]) == set(bundled["areas"][0])
    assert set(data["areas"][0]["subtasks"][0]) == set(bundled["areas"][0]["subtasks"][0])
    measures = [m for a in data["areas"] for s in a["subtasks"] for m in s["measures"]]
    bundled_measure = bundled["areas"][0]["subtasks"][0]["measures"][0]
    assert all(set(m) == set(bundled_measure) for m in measures)
    assert data["plan"]["id"] == PLAN_ID and len(measures) == 12
    assert measures[4]["responsible_units"] == ["区教委"]
    assert measures[4]["deadline"] == "2021-06-30"

    # Roles of a unit that only the imported plan names.
    code, out, err = run(capsys, "plan", "export", "--json", "--plan", PLAN_ID, "--unit", "区教委")
    assert code == 0, err
    roles = {m["id"]: m["roles"] for a in json.loads(out)["areas"]
             for s in a["subtasks"] for m in s["measures"]}
    assert roles["2.1.1"] == ["responsible"]
    assert sum(1 for r in roles.values() if r) == 1


def test_unknown_plan_and_unit_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", tmp_path / "x.gkws", "--unit", "区教委")
    assert code == 1 and err.startswith("错误：") and has_chinese(err)  # not in the 2020 plan
    code, _, err = run(capsys, "init", tmp_path / "x.gkws", "--unit", "万州区", "--plan", "nope")
    assert code == 1 and "计划库中没有编号为“nope”的任务分工" in err
    assert not (tmp_path / "x.gkws").exists()


def test_checklist_round_trip_for_a_unit_of_the_imported_plan(
    jw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "区教委-自查清单.xlsx"
    code, out, err = run(capsys, "xlsx", "export", jw, "-o", out_file)
    assert code == 0, err
    assert out.strip() == f"已导出“区教委”需填报的 1 项举措：{out_file}"
    fill(out_file, {"2.1.1": {"完成状态": "已完成", "完成时间": "2021-06-20",
                              "完成情况说明": "已在区教委网站公开入学政策",
                              "公开网址": "https://jw.example.gov.cn/rx/"}})
    before = content(jw)

    # Without --yes: the changes are listed, nothing is written.
    code, out, err = run(capsys, "xlsx", "import", jw, out_file)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "读取“区教委-自查清单.xlsx”：1 项举措，4 处更改",
        "  2.1.1 完成状态：“推进中” → “已完成”",
        "  2.1.1 完成时间：“” → “2021-06-20”",
        "  2.1.1 完成情况说明：“” → “已在区教委网站公开入学政策”",
        "  2.1.1 公开网址：“” → “https://jw.example.gov.cn/rx/”",
        "将更改 4 处；确认无误后加 --yes 导入",
    ]
    assert content(jw) == before

    code, out, err = run(capsys, "xlsx", "import", jw, out_file, "--yes")
    assert code == 0, err
    assert out.splitlines()[-1] == "已导入 4 处更改，涉及 1 项举措"
    with Workspace.open(jw, readonly=True) as ws:
        record = ws.record("2.1.1")
        assert record.status.label == "已完成"
        assert record.explanation == "已在区教委网站公开入学政策"
        assert record.urls == ("https://jw.example.gov.cn/rx/",)
        actors = {e.actor for e in ws.audit_log("2.1.1")}
    assert any(a.startswith("Excel导入：区教委-自查清单.xlsx（命令行") for a in actors)

    # Importing the same workbook again finds nothing left to change.
    code, out, _ = run(capsys, "xlsx", "import", jw, out_file)
    assert code == 0
    assert out.splitlines()[-1] == "表格与工作区一致，没有需要导入的更改"


def test_problems_are_listed_and_nothing_is_changed(
    jw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "清单.xlsx"
    assert run(capsys, "xlsx", "export", jw, "-o", out_file)[0] == 0
    fill(out_file, {"2.1.1": {"完成状态": "完成了", "公开网址": "ftp://www.jw.gov.cn"}})
    before = content(jw)
    for extra in ((), ("--yes",)):
        code, _, err = run(capsys, "xlsx", "import", jw, out_file, *extra)
        assert code == 1
        lines = err.splitlines()
        assert lines == [
            "问题：工作表“自查清单”第3行“完成状态”列：第3行“完成状态”为“完成了”，"
            "不是可选的状态（可选：未开始、推进中、已完成、不适用）",
            "问题：工作表“自查清单”第3行“公开网址”列：第3行“公开网址”：网址“ftp://www.jw.gov.cn”"
            "无效：必须是以 http:// 或 https:// 开头的完整网址",
            "错误：表格中有 2 处问题，没有导入任何内容。请在Excel中改正后重新导入"
            "（或加 --yes --partial 只导入没有问题的行）",
        ]
        assert content(jw) == before


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("不是表格.xlsx", lambda p: p.write_bytes(b"PK\x03\x04 not really"),
         "不是有效的Excel工作簿"),
        ("公式.xlsx", "formula", "含有公式"),
        ("别的表.xlsx", "plain", "不是本软件导出的自查清单"),
        ("不存在.xlsx", None, "找不到文件"),
    ],
)
def test_hostile_or_foreign_workbooks_change_nothing(
    jw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    name: str, make: object, expected: str,
) -> None:
    path = tmp_path / name
    if make == "formula":
        assert run(capsys, "xlsx", "export", jw, "-o", path)[0] == 0
        fill(path, {"2.1.1": {"完成情况说明": "=HYPERLINK(\"http://evil.example\")"}})
        wb = openpyxl.load_workbook(path)  # the fill wrote it as text; make it a formula
        sheet = wb[L.MAIN_SHEET]
        cell = sheet.cell(L.FIRST_ROW, L.column_index("完成情况说明"))
        cell.value = "=1+1"
        cell.data_type = "f"
        wb.save(path)
        wb.close()
    elif make == "plain":
        wb = openpyxl.Workbook()
        wb.active.append(["举措编号", "完成状态"])
        wb.active.append(["2.1.1", "已完成"])
        wb.save(path)
        wb.close()
    elif callable(make):
        make(path)
    before = content(jw)
    code, out, err = run(capsys, "xlsx", "import", jw, path, "--yes")
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith("错误：") and expected in err
    assert "已导入" not in out
    assert content(jw) == before


def test_partial_import_applies_only_rows_without_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "万州区.gkws"
    assert run(capsys, "init", path, "--unit", "万州区", "--officer", "张三")[0] == 0
    out_file = tmp_path / "万州区.xlsx"
    assert run(capsys, "xlsx", "export", path, "-o", out_file)[0] == 0
    fill(out_file, {"1.1.1": {"完成状态": "已完成"}, "1.1.2": {"完成状态": "做完了"}})
    code, _, err = run(capsys, "xlsx", "import", path, out_file, "--partial")
    assert code == 1 and "--partial 需要与 --yes 一起使用" in err
    code, out, err = run(capsys, "xlsx", "import", path, out_file, "--yes", "--partial")
    assert code == 0
    assert "第4行“完成状态”为“做完了”" in err
    assert out.splitlines()[-1] == "已导入 1 处更改，涉及 1 项举措"
    with Workspace.open(path, readonly=True) as ws:
        assert ws.record("1.1.1").status.label == "已完成"
        assert ws.record("1.1.2").status.label == "未开始"


def test_plan_import_with_problems_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = openpyxl.Workbook()
    for row in (
        ["重点任务", "贯彻举措", "牵头单位", "责任单位", "完成时限"],
        ["一、任务\n（一）子任务。", "1．第一项。", "市司法局", "各区县政府", "2021年2月30日前"],
        ["（二）另一个子任务。", None, "市司法局", "各区县政府", None],
    ):
        wb.active.append(row)
    source = tmp_path / "有错的任务分工.xlsx"
    wb.save(source)
    wb.close()
    code, out, err = run(capsys, "plan", "import", source, "--id", "bad-2021", "--title",
                         "2021年任务分工")
    assert code == 1
    assert "共 1 项重点任务" in out  # the tree is still shown for review
    lines = err.splitlines()
    assert lines[0] == ("问题：工作表“Sheet”第2行“完成时限”列：第2行“完成时限”中的时限有误："
                        "“2021年2月30日前”不是有效的日期")
    assert lines[-1].startswith("错误：任务分工表中有 ")
    assert all(has_chinese(line) for line in lines)
    assert not PlanLibrary().path_for("bad-2021").exists()
    assert [p.id for p in PlanLibrary().list_plans()] == ["cq-2020-89"]


def test_plan_import_refuses_a_bad_id_or_date_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_municipal_2021(tmp_path / "t.xlsx")
    code, out, err = run(capsys, "plan", "import", source, "--id", "计划2021", "--title", "t")
    assert code == 1 and out == "" and "计划编号“计划2021”无效" in err
    code, out, err = run(capsys, "plan", "import", source, "--id", "p", "--title", "t",
                         "--issued", "六月一日")
    assert code == 1 and out == "" and "印发日期“六月一日”格式不对" in err
    code, out, err = run(capsys, "plan", "import", source, "--id", "cq-2020-89", "--title", "t")
    assert code == 1 and "内置任务分工的编号" in err
    assert [p.id for p in PlanLibrary().list_plans()] == ["cq-2020-89"]


def test_plan_import_of_a_hostile_workbook_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "任务分工.xlsx"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an old .xls
    code, out, err = run(capsys, "plan", "import", source, "--id", "p-2021", "--title", "t")
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1 and "旧版 .xls 文件" in err
    assert [p.id for p in PlanLibrary().list_plans()] == ["cq-2020-89"]


def test_checklist_takes_addresses_dates_and_texts_as_the_window_does(
    jw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `set` and the window accept, the filled-in checklist accepts: a bare
    www.… address is completed, 2021年6月20日 is a date, a 15 000-character text fits."""
    out_file = tmp_path / "清单.xlsx"
    assert run(capsys, "xlsx", "export", jw, "-o", out_file)[0] == 0
    long_text = "已公开。" * 3750  # 15 000 characters: within the record's 20 000
    fill(out_file, {"2.1.1": {"完成状态": "已完成", "完成时间": "2021年6月20日",
                              "完成情况说明": long_text,
                              "公开网址": "www.jw.gov.cn/rx；https://jw.example.gov.cn/a"}})
    code, _, err = run(capsys, "xlsx", "import", jw, out_file, "--yes")
    assert code == 0, err
    with Workspace.open(jw, readonly=True) as ws:
        record = ws.record("2.1.1")
    assert record.urls == ("http://www.jw.gov.cn/rx", "https://jw.example.gov.cn/a")
    assert record.completed_on == dt.date(2021, 6, 20) and record.explanation == long_text
    code, _, err = run(capsys, "set", jw, "2.1.1", "--status", "已完成",
                       "--url", "www.jw.gov.cn/rx", "--url", "https://jw.example.gov.cn/a",
                       "--date", "2021年6月20日")
    assert code == 0, err
    with Workspace.open(jw, readonly=True) as ws:
        assert ws.record("2.1.1") == record  # the same input, the same record


@pytest.mark.parametrize(("typed", "words"), [
    ("1999-12-31", "完成时间“1999-12-31”不合理（应在 2000 年到 2099 年之间）"),
    (dt.datetime(2100, 1, 1), "完成时间“2100-01-01”不合理（应在 2000 年到 2099 年之间）"),
    ("6月底", "完成时间“6月底”格式不对"),
])
def test_checklist_date_out_of_range_is_refused_and_nothing_changes(
    jw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: object, words: str
) -> None:
    out_file = tmp_path / "清单.xlsx"
    assert run(capsys, "xlsx", "export", jw, "-o", out_file)[0] == 0
    fill(out_file, {"2.1.1": {"完成状态": "已完成", "完成时间": typed}})
    before = content(jw)
    code, _, err = run(capsys, "xlsx", "import", jw, out_file, "--yes")
    assert code == 1
    [problem, error] = err.splitlines()
    assert problem.startswith("问题：工作表“自查清单”第3行“完成时间”列：第3行：")
    assert words in problem
    assert error.startswith("错误：") and "没有导入任何内容" in error
    assert content(jw) == before


def test_a_checklist_exported_before_the_column_was_renamed_still_imports(
    jw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workbooks already handed out head the column 完成日期: still read as 完成时间."""
    out_file = tmp_path / "清单.xlsx"
    assert run(capsys, "xlsx", "export", jw, "-o", out_file)[0] == 0
    wb = openpyxl.load_workbook(out_file)
    sheet = wb[L.MAIN_SHEET]
    sheet.cell(L.HEADER_ROW, L.column_index("完成时间")).value = "完成日期"
    wb.save(out_file)
    wb.close()
    fill(out_file, {"2.1.1": {"完成状态": "已完成", "完成日期": "2021-06-20"}})
    code, _, err = run(capsys, "xlsx", "import", jw, out_file, "--yes")
    assert code == 0, err
    with Workspace.open(jw, readonly=True) as ws:
        assert ws.record("2.1.1").completed_on == dt.date(2021, 6, 20)
