"""Importing a task breakdown (任务分工) table from a workbook as a new Plan."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import Deadline, Plan
from gongkai_desktop.plan.store import read_plan, write_plan
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx import PlanImport, read_plan_workbook
from tests.xlsx_samples import write_district_2021, write_municipal_2021

D = dt.date


def _shape(plan: Plan) -> list[tuple[str, str, str]]:
    return [(a.id, a.label, a.title) for a in plan.areas] + [
        (s.id, s.label, s.title) for s in plan.subtasks()
    ]


def _measures(plan: Plan) -> list[tuple[object, ...]]:
    return [
        (m.id, m.no, m.label, m.text, m.lead_units, m.responsible_units, m.deadline)
        for m in plan.measures()
    ]


@pytest.fixture
def municipal(tmp_path: Path, directory: UnitDirectory) -> PlanImport:
    path = write_municipal_2021(tmp_path / "2021年任务分工.xlsx")
    return read_plan_workbook(
        path, plan_id="cq-2021-test", title="贯彻落实2021年政务公开工作要点任务分工",
        document_number="渝府办发〔2021〕99号", issued=D(2021, 6, 1),
        issuer="重庆市人民政府办公厅", directory=directory,
    )


def test_municipal_layout_areas_and_subtasks(municipal: PlanImport) -> None:
    assert municipal.problems == []
    assert _shape(municipal.plan) == [
        ("1", "一", "围绕“十四五”规划实施加强政策发布解读"),
        ("2", "二", "围绕保障和改善民生加强公开"),
        ("3", "三", "加强政务公开平台和制度建设"),
        ("1.1", "（一）", "做好规划公开。"),
        ("1.2", "（二）", "加强政策解读。"),
        ("2.1", "（一）", "推进教育领域信息公开。"),
        ("2.2", "（二）", "加强社会保障信息公开。"),
        ("3.1", "（一）", "加强政府网站和政务新媒体管理。"),
        ("3.2", "（二）", "完善依申请公开工作。"),
    ]


def test_municipal_layout_every_measure(municipal: PlanImport) -> None:
    assert _measures(municipal.plan) == [
        ("1.1.1", 1, "1．", "全文公开“十四五”规划纲要及专项规划，2021年6月底前完成。",
         ("市发展改革委",), ("市政府有关部门", "各区县政府"), Deadline(D(2021, 6, 30))),
        ("1.1.2", 2, "2．", "规划实施情况的年度评估报告按要求公开。",
         ("市发展改革委",), (), Deadline(D(2021, 12, 31))),  # "——"; 年底前 in the column
        ("1.2.1", 1, "1．", "坚持政策性文件与解读方案、解读材料同步组织、同步审签、同步部署。",
         ("市政府办公厅",), ("市政府各部门", "各区县政府"), Deadline()),
        ("1.2.2", 2, "2．",
         "围绕市场主体关切，制作图解、视频等多样化解读产品，2021年9月30日前形成工作机制。",
         ("市政府办公厅", "市政府新闻办"), ("市政府各部门",), Deadline(D(2021, 9, 30))),
        ("2.1.1", 1, "1．", "公开义务教育入学政策、招生范围和办学条件。",
         ("市教委",), ("区教委",), Deadline(D(2021, 6, 30))),
        ("2.1.2", 2, "2．", "及时公开学校食品安全、校园安全等情况。",
         ("市教委",), ("市卫生健康委", "市市场监管局"), Deadline(note="持续推进")),
        ("2.1.3", 3, "3．", "做好高考招生信息公开，2021年8月底前公开录取结果统计。",
         ("市教委",), (), Deadline(D(2021, 8, 31))),
        ("2.2.1", 1, "", "全面公开社会保险待遇标准、调整情况，年底前实现市、区县两级同步发布。",
         ("市人力社保局",), ("各区县政府",), Deadline(D(2021, 12, 31))),
        ("3.1.1", 1, "1．", "开展政府网站和政务新媒体常态化监管，按季度通报检查情况。",
         ("市政府办公厅", "市大数据发展局"), ("全市各级行政机关",), Deadline()),
        ("3.1.2", 2, "2．", "优化政府信息公开平台，2021年10月31日前完成改版。",
         ("市大数据发展局",), ("市政府各部门",), Deadline(D(2021, 10, 31))),
        ("3.2.1", 1, "1．", "规范依申请公开办理流程，统一答复文书格式。",
         ("市司法局", "市政府办公厅"), ("市政府各部门", "各区县政府"), Deadline(D(2021, 9, 30))),
        ("3.2.2", 2, "2．",
         "依法妥善处理政府信息公开行政复议案件，自收到申请之日起20个工作日内予以答复。",
         ("市司法局",), (), Deadline(note="自收到申请之日起20个工作日内")),
    ]


def test_municipal_layout_review_lists(municipal: PlanImport) -> None:
    assert municipal.unknown_units == ["区教委"]  # group words are not unknown
    assert municipal.warnings == ["“公开路径”列不属于任务分工的内容，没有导入"]
    info = municipal.plan.info
    assert (info.id, info.document_number, info.issued, info.issuer, info.version) == (
        "cq-2021-test", "渝府办发〔2021〕99号", D(2021, 6, 1), "重庆市人民政府办公厅", 1)
    assert municipal.sheet == "任务分工"


def test_imported_plan_survives_the_plan_tables(municipal: PlanImport) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        with conn:
            write_plan(conn, municipal.plan)
        assert read_plan(conn, "cq-2021-test") == municipal.plan
    finally:
        conn.close()


def test_district_layout_every_measure(tmp_path: Path, directory: UnitDirectory) -> None:
    path = write_district_2021(tmp_path / "北碚区.xlsx")
    result = read_plan_workbook(path, plan_id="bb-2021", title="北碚区任务分工",
                                directory=directory)
    assert result.problems == []
    assert _shape(result.plan) == [
        ("1", "一", "深化重点领域信息公开"),
        ("2", "二", "加强基层政务公开"),
        ("1.1", "（一）", "推进财政信息公开。"),
        ("1.2", "（二）", "推进重大建设项目信息公开。"),
        ("2.1", "（一）", "推进基层政务公开标准化规范化。"),
    ]
    assert _measures(result.plan) == [
        ("1.1.1", 1, "1.", "区级部门预决算在批复后20日内公开。",
         ("区财政局",), ("区级各部门",), Deadline()),
        ("1.1.2", 2, "2.", "公开政府债务限额、余额等信息。",
         ("区财政局",), (), Deadline(D(2021, 9, 30))),
        ("1.2.1", 1, "1、", "公开重大建设项目批准和实施信息。",
         ("区发展改革委",), ("区住房城乡建委", "区交通局"), Deadline()),
        ("1.2.2", 2, "2、", "公开项目招标投标、征收土地等信息，2021年6月底前完成专栏建设。",
         ("区发展改革委",), ("区规划自然资源局", "区公共资源交易中心"), Deadline(D(2021, 6, 30))),
        ("2.1.1", 1, "1．", "编制完善基层政务公开事项目录。",
         ("区政府办公室",), ("各镇街",), Deadline()),
        ("2.1.2", 2, "2．", "在便民服务中心设置政务公开专区，年底前实现全覆盖。",
         ("区政府办公室",), ("各镇街",), Deadline(D(2021, 12, 31))),
    ]
    assert result.unknown_units == [
        "区财政局", "区发展改革委", "区住房城乡建委", "区交通局", "区规划自然资源局",
        "区公共资源交易中心", "区政府办公室",
    ]
    # No issue date given: the year comes from the table's title row.
    assert result.plan.info.issued == D(2021, 1, 1)
    assert result.warnings == [
        "“公开路径”列不属于任务分工的内容，没有导入",
        "没有填写印发日期，暂记为2021年1月1日，请核对",
    ]


def _table(tmp_path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return path


def test_no_header_row(tmp_path: Path, directory: UnitDirectory) -> None:
    path = _table(tmp_path, [["姓名", "电话"], ["张三", "123"]])
    with pytest.raises(InvalidInput, match="没有找到任务分工表"):
        read_plan_workbook(path, plan_id="p", title="t", directory=directory)


def test_header_without_measures(tmp_path: Path, directory: UnitDirectory) -> None:
    path = _table(tmp_path, [["重点任务", "贯彻举措", "牵头单位", "责任单位"]])
    with pytest.raises(InvalidInput, match="没有读到任何举措"):
        read_plan_workbook(path, plan_id="p", title="t", directory=directory)


def test_faults_are_located(tmp_path: Path, directory: UnitDirectory) -> None:
    path = _table(tmp_path, [
        ["重点任务", "贯彻举措", "牵头单位", "责任单位", "完成时限"],
        ["一、任务\n（一）子任务。", "1．第一项。", "市司法局", "各区县政府", "2021年2月30日前"],
        ["一、任务\n（一）子任务。", "3．第三项。", "市司法局", "各区县政府", None],
        ["（二）另一个子任务。", None, "市司法局", "各区县政府", None],
        ["（三）", "1．有内容。", "市司法局", None, None],
        ["没有编号的任务", "1．举措。", "市司法局", None, None],
    ])
    result = read_plan_workbook(path, plan_id="p", title="2021年任务分工", directory=directory)
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "完成时限", "第2行“完成时限”中的时限有误：“2021年2月30日前”不是有效的日期"),
        (4, "贯彻举措", "第4行有责任单位，但“贯彻举措”为空"),
        (6, "重点任务", "第6行“重点任务”中的“没有编号的任务”没有编号（一、或（一））"),
        (4, "重点任务", "第4行的“（二）另一个子任务。”下面没有举措"),
    ]
    assert "第2行起的“（一）”下举措编号不连续（1．、3．），请核对是否漏行" in result.warnings
    assert result.plan.info.issued == D(2021, 1, 1)


def test_empty_plan_id_or_title(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="计划编号和标题"):
        read_plan_workbook(tmp_path / "x.xlsx", plan_id=" ", title="t")
