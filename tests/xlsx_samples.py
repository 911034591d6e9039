"""Realistic task-breakdown workbooks (任务分工), written with openpyxl as offices lay them out.

Not the 2020 table: two made-up 2021 breakdowns in the two layouts seen in practice.

- ``write_municipal_2021``: areas on rows of their own merged across the table,
  sub-tasks merged down over their measures, a 完成时限 and a 公开路径 column,
  a dash cell, units split by 、 ； and line breaks, one unit not in the directory
  (区教委, a slip for 市教委).
- ``write_district_2021``: a two-row header (责任单位 over 牵头单位 / 责任单位),
  area and sub-task together in one merged 工作任务 cell, a sub-task written again
  in each row instead of merged, labels "1." and "1、", two measures in one cell,
  a 时限要求 column, district units and group words.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

MUNICIPAL_TITLE = "贯彻落实2021年政务公开工作要点任务分工"

# (序号, 贯彻举措, 牵头单位, 责任单位, 完成时限, 公开路径) per measure row.
_MUNICIPAL: list[tuple[str, list[tuple[str, list[tuple[object, ...]]]]]] = [
    ("一、围绕“十四五”规划实施\n加强政策发布解读", [
        ("（一）做好规划公开。", [
            (1, "1．全文公开“十四五”规划纲要及专项规划，2021年6月底前完成。",
             "市发展改革委", "市政府有关部门\n各区县政府", None, "政府网站“规划信息”栏目"),
            (2, "2．规划实施情况的年度评估报告按要求公开。",
             "市发展改革委", "——", "年底前", None),
        ]),
        ("（二）加强政策解读。", [
            (3, "1．坚持政策性文件与解读方案、解读材料同步组织、同步审签、同步部署。",
             "市政府办公厅", "市政府各部门、各区县政府", None, "政策解读栏目"),
            (4, "2．围绕市场主体关切，制作图解、视频等多样化解读产品，"
                "2021年9月30日前形成工作机制。",
             "市政府办公厅、市政府新闻办", "市政府各部门", None, None),
        ]),
    ]),
    ("二、围绕保障和改善民生加强公开", [
        ("（一）推进教育领域信息公开。", [
            (5, "1．公开义务教育入学政策、招生范围和办学条件。",
             "市教委", "区教委", "2021年6月底前", None),
            (6, "2．及时公开学校食品安全、校园安全等情况。",
             "市教委", "市卫生健康委\n市市场监管局", "持续推进", None),
            (7, "3．做好高考招生信息公开，2021年8月底前公开录取结果统计。",
             "市教委", "—", None, None),
        ]),
        ("（二）加强社会保障信息公开。", [
            (8, "全面公开社会保险待遇标准、调整情况，年底前实现市、区县两级同步发布。",
             "市人力社保局", "各区县政府", None, None),
        ]),
    ]),
    ("三、加强政务公开平台和制度建设", [
        ("（一）加强政府网站和政务新媒体管理。", [
            (9, "1．开展政府网站和政务新媒体常态化监管，\n按季度通报检查情况。",
             "市政府办公厅\n市大数据发展局", "全市各级行政机关", None, None),
            (10, "2．优化政府信息公开平台，2021年10月31日前完成改版。",
             "市大数据发展局", "市政府各部门", "2021年10月31日前", None),
        ]),
        ("（二）完善依申请公开工作。", [
            (11, "1．规范依申请公开办理流程，统一答复文书格式。",
             "市司法局、市政府办公厅", "市政府各部门；各区县政府", "2021年9月30日前", None),
            (12, "2．依法妥善处理政府信息公开行政复议案件，自收到申请之日起20个工作日内予以答复。",
             "市司法局", "-", None, None),
        ]),
    ]),
]


def write_municipal_2021(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "任务分工"
    ws["A1"] = MUNICIPAL_TITLE
    ws.merge_cells("A1:G1")
    header = ["序号", "重点任务", "贯 彻 举 措", "牵头单位", "责任单位", "完成时限", "公开路径"]
    for column, text in enumerate(header, start=1):
        ws.cell(2, column, text)
    row = 3
    for area_title, subtasks in _MUNICIPAL:
        ws.cell(row, 1, area_title)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        row += 1
        for sub_title, measures in subtasks:
            ws.cell(row, 2, sub_title)
            if len(measures) > 1:
                ws.merge_cells(start_row=row, start_column=2, end_row=row + len(measures) - 1,
                               end_column=2)
            for no, measure, lead, responsible, deadline, public_path in measures:
                for column, value in ((1, no), (3, measure), (4, lead), (5, responsible),
                                      (6, deadline), (7, public_path)):
                    if value is not None:
                        ws.cell(row, column, value)
                row += 1
    _wrap(ws)
    wb.save(path)
    return path


DISTRICT_TITLE = "北碚区贯彻落实2021年政务公开工作要点任务分工"


def write_district_2021(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = DISTRICT_TITLE
    ws.merge_cells("A1:G1")
    for column, text in enumerate(["序号", "工作任务", "具体举措"], start=1):
        ws.cell(2, column, text)
        ws.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    ws["D2"] = "责任单位"
    ws.merge_cells("D2:E2")
    ws["D3"], ws["E3"] = "牵头单位", "责任单位"
    for column, label in ((6, "时限要求"), (7, "公开路径")):
        ws.cell(2, column, label)
        ws.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    rows: list[tuple[object, ...]] = [
        # 序号, 工作任务, 具体举措, 牵头单位, 责任单位, 时限要求
        (1, "一、深化重点领域信息公开\n（一）推进财政信息公开。",
         "1.区级部门预决算在批复后20日内公开。", "区财政局", "区级各部门", None),
        (2, None, "2.公开政府债务限额、余额等信息。", "区财政局", "——", "2021年9月30日前"),
        (3, "（二）推进重大建设项目信息公开。", "1、公开重大建设项目批准和实施信息。",
         "区发展改革委", "区住房城乡建委、区交通局", None),
        (4, "（二）推进重大建设项目信息公开。",
         "2、公开项目招标投标、征收土地等信息，2021年6月底前完成专栏建设。",
         "区发展改革委", "区规划自然资源局\n区公共资源交易中心", None),
        (5, "二、加强基层政务公开\n（一）推进基层政务公开标准化规范化。",
         "1．编制完善基层政务公开事项目录。\n2．在便民服务中心设置政务公开专区，年底前实现全覆盖。",
         "区政府办公室", "各镇街", None),
    ]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(4 + offset, column, value)
    ws.merge_cells("B4:B5")  # area + first sub-task over its two measures
    _wrap(ws)
    wb.save(path)
    return path


def _wrap(ws: object) -> None:
    for row in ws.iter_rows():  # type: ignore[attr-defined]
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
