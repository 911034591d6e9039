"""The unit's own 任务分解表 as xlsx, in the city's layout (序号、重点任务、贯彻举措、
牵头单位、责任单位、完成时限), so that ``plan import`` reads it back: areas on rows of
their own, the sub-task repeated in the 重点任务 column of each of its rows, the
measure with its label, the offices joined by 、, the internal deadline as 2020年10月23日前."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.delegation.assignment import Assignment, OfficeRole, assignments
from gongkai_desktop.errors import NotFound
from gongkai_desktop.storage import Workspace
from gongkai_desktop.xlsx.cells import xml_text
from gongkai_desktop.xlsx.save import save_workbook

HEADER = ("序号", "重点任务", "贯彻举措", "牵头单位", "责任单位", "完成时限")
WIDTHS = (6, 30, 60, 18, 24, 16)
_WRAP = Alignment(wrap_text=True, vertical="top")


def deadline_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日前" if day else ""


def _measure_text(label: str, text: str) -> str:
    # "3．2020年10月30日前…": a space keeps the label apart from the year for plan import.
    gap = " " if label and text[:1].isdigit() else ""
    return f"{label}{gap}{text}"


def export_breakdown(ws: Workspace, out: Path, *, title: str | None = None) -> int:
    """Write the breakdown of every assigned measure; returns the number of measures."""
    by_measure: dict[str, list[Assignment]] = {}
    for a in assignments(ws):
        by_measure.setdefault(a.measure_id, []).append(a)
    if not by_measure:
        raise NotFound("尚未把任何举措分配给下级单位，没有可导出的任务分解表")
    wb = Workbook()
    sheet = wb.active
    sheet.title = "任务分解表"
    heading = title or f"{ws.unit.name}贯彻落实《{ws.plan.info.title}》任务分解表"
    sheet.cell(1, 1, xml_text(heading)).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for column, (text, width) in enumerate(zip(HEADER, WIDTHS, strict=True), start=1):
        sheet.cell(2, column, text).font = Font(bold=True)
        sheet.column_dimensions[chr(64 + column)].width = width
    row, number = 3, 0
    for area in ws.plan.areas:
        subtasks = [s for s in area.subtasks if any(m.id in by_measure for m in s.measures)]
        if not subtasks:
            continue
        sheet.cell(row, 1, xml_text(f"{area.label}、{area.title}")).font = Font(bold=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADER))
        row += 1
        for sub in subtasks:
            task = xml_text(f"{sub.label}{sub.title}")
            for m in sub.measures:
                found = by_measure.get(m.id)
                if not found:
                    continue
                number += 1
                lead = "、".join(a.office.name for a in found if a.role is OfficeRole.LEAD)
                responsible = "、".join(a.office.name for a in found
                                       if a.role is OfficeRole.RESPONSIBLE)
                dates = [a.deadline for a in found if a.deadline]
                values = (number, task, xml_text(_measure_text(m.label, m.text)),
                          lead or responsible,
                          responsible if lead else "", deadline_text(min(dates) if dates else None))
                for column, value in enumerate(values, start=1):
                    sheet.cell(row, column, value).alignment = _WRAP
                row += 1
    with atomic_output(Path(out), what="任务分解表", suffix=".xlsx") as temp:
        save_workbook(wb, temp)
    return number
