"""Export a unit's checklist as an .xlsx for colleagues who do not have the app.

One row per measure the unit must report on. Only the record columns are
editable (yellow, unlocked); the sheet is protected without a password, which
guards against slips, not against intent — the import validates everything anyway.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongkai_desktop import __version__, faults
from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import (
    Area,
    Measure,
    MeasureRecord,
    Plan,
    Role,
    Status,
    Subtask,
    Unit,
)
from gongkai_desktop.roles import must_report
from gongkai_desktop.typed_input import datetime_text
from gongkai_desktop.xlsx import checklist_layout as L
from gongkai_desktop.xlsx.cells import xml_value
from gongkai_desktop.xlsx.save import save_workbook
from gongkai_desktop.xlsx.units_text import join_units

_EDITABLE_FILL = PatternFill("solid", fgColor="FFF8DC")
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_EDITABLE_HEADER_FILL = PatternFill("solid", fgColor="FFE699")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_ROLE_ORDER = (Role.RESPONSIBLE, Role.CONCERNED, Role.LEAD)
_LINE_POINTS = 14.5  # one line of 11 pt text with CJK glyphs
_STATUS_CHOICES = ",".join(s.label for s in Status)


def exported_sentence(unit_name: str, count: int, out: Path) -> str:
    """"已导出“区教委”需填报的 12 项举措：…xlsx" — the window and the CLI say the same."""
    return f"已导出“{unit_name}”需填报的 {count} 项举措：{out}"


def export_checklist(
    plan: Plan,
    unit: Unit,
    roles: Mapping[str, frozenset[Role]],
    records: Mapping[str, MeasureRecord],
    out: Path,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Write the checklist workbook to ``out``; returns the number of measure rows.

    ``out`` is replaced only once the whole workbook is written.
    """
    rows = [
        (area, sub, m)
        for area in plan.areas
        for sub in area.subtasks
        for m in sub.measures
        if must_report(roles.get(m.id, frozenset()))
    ]
    moment = now or dt.datetime.now().astimezone()
    exported_at = moment.isoformat(timespec="seconds")  # read back by the import
    wb = Workbook()
    main = wb.active
    main.title = L.MAIN_SHEET
    _write_main(main, plan, unit, rows, roles, records)
    _write_guide(wb.create_sheet(L.GUIDE_SHEET), plan, unit, datetime_text(moment))
    meta = wb.create_sheet(L.META_SHEET)
    _write_meta(meta, plan, unit, exported_at, [m for _, _, m in rows], records)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    _save(wb, out)
    return len(rows)


def _write_main(
    ws: Any,
    plan: Plan,
    unit: Unit,
    rows: list[tuple[Area, Subtask, Measure]],
    roles: Mapping[str, frozenset[Role]],
    records: Mapping[str, MeasureRecord],
) -> None:
    last_col = get_column_letter(len(L.COLUMNS))
    ws.cell(L.TITLE_ROW, 1, f"{unit.name} 《{plan.info.title}》自查清单")
    ws.cell(L.TITLE_ROW, 1).font = Font(bold=True, size=14)
    ws.merge_cells(f"A{L.TITLE_ROW}:{get_column_letter(len(L.COLUMNS) - 1)}{L.TITLE_ROW}")
    ws.row_dimensions[L.TITLE_ROW].height = 24
    for index, column in enumerate(L.COLUMNS, start=1):
        cell = ws.cell(L.HEADER_ROW, index, column.header)
        cell.font = Font(bold=True)
        cell.fill = _EDITABLE_HEADER_FILL if column.editable else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.column_dimensions[last_col].hidden = True  # the row key: kept, not shown

    for offset, (area, sub, m) in enumerate(rows):
        row = L.FIRST_ROW + offset
        record = records.get(m.id) or MeasureRecord(m.id)
        values = _row_values(offset + 1, area, sub, m, roles.get(m.id, frozenset()), record)
        for index, (column, value) in enumerate(zip(L.COLUMNS, values, strict=True), start=1):
            cell = _set(ws, row, index, value)
            cell.alignment = _WRAP
            cell.border = _BORDER
            if column.editable:
                cell.protection = Protection(locked=False)
                cell.fill = _EDITABLE_FILL
        ws.cell(row, L.column_index(L.FIELD_LABELS["completed_on"])).number_format = "yyyy-mm-dd"
        # Spreadsheets do not grow rows for wrapped text on their own when opening a file.
        ws.row_dimensions[row].height = _row_height(values[:-1], [c.width for c in L.COLUMNS])

    last_row = L.FIRST_ROW + len(rows) - 1
    if rows:
        _add_validations(ws, last_row)
    ws.freeze_panes = ws.cell(L.FIRST_ROW, 1)
    ws.auto_filter.ref = f"A{L.HEADER_ROW}:{last_col}{max(last_row, L.HEADER_ROW)}"
    ws.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    # No password: protection only stops slips. Filtering and resizing stay allowed.
    protection = ws.protection
    protection.sheet = True
    protection.autoFilter = False
    protection.sort = False
    protection.formatColumns = False
    protection.formatRows = False


def _row_values(
    no: int, area: Area, sub: Subtask, m: Measure, roles: frozenset[Role], record: MeasureRecord
) -> list[object]:
    task = f"{area.label}、{area.title}\n{sub.label}{sub.title}" if area.label else sub.title
    return [
        no,
        task,
        f"{m.label}{m.text}",
        join_units(m.lead_units),
        join_units(m.responsible_units) or "——",
        _deadline_text(m),
        "、".join(r.label for r in _ROLE_ORDER if r in roles),
        record.status.label,
        record.completed_on,
        record.explanation,
        "\n".join(record.urls),
        record.reason,
        record.remarks,
        m.id,
    ]


def _deadline_text(m: Measure) -> str:
    parts = []
    if m.deadline.date:
        d = m.deadline.date
        parts.append(f"{d.year}年{d.month}月{d.day}日前")
    if m.deadline.note:
        parts.append(m.deadline.note)
    return "；".join(parts)


def _row_height(values: list[object], widths: list[float]) -> float:
    """Points for the tallest wrapped cell, estimating CJK characters as two width units."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, str) and value:
            usable = max(width - 1.5, 1.0)
            lines = max(lines, sum(
                max(1, math.ceil(_text_units(part) / usable)) for part in value.split("\n")
            ))
    return min(_LINE_POINTS * lines + 4, 409.0)  # 409 pt is Excel's maximum row height


def _text_units(text: str) -> float:
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _set(ws: Any, row: int, column: int, value: object) -> Any:
    cell = ws.cell(row, column)
    if isinstance(value, dt.datetime):
        value = value.date()
    value = xml_value(value)  # a note may hold any character an officer can type or paste
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        # Text typed by a person, never a formula: store it as a string.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _add_validations(ws: Any, last_row: int) -> None:
    status_col = get_column_letter(L.column_index("完成状态"))
    status = DataValidation(
        type="list", formula1=f'"{_STATUS_CHOICES}"', allow_blank=True,
        showDropDown=False,  # False shows the arrow (the attribute name is inverted)
        showErrorMessage=True, errorStyle="stop", errorTitle="完成状态",
        error=f"请从下拉列表中选择：{_STATUS_CHOICES.replace(',', '、')}",
        showInputMessage=True, promptTitle="完成状态", prompt="请从下拉列表中选择",
    )
    status.add(f"{status_col}{L.FIRST_ROW}:{status_col}{last_row}")
    date_col = get_column_letter(L.column_index(L.FIELD_LABELS["completed_on"]))
    # Dates between 2000-01-01 and 2099-12-31, as Excel serial numbers.
    date = DataValidation(
        type="date", operator="between", formula1="36526", formula2="73415",
        allow_blank=True, showErrorMessage=True, errorStyle="stop",
        errorTitle=L.FIELD_LABELS["completed_on"],
        error="请填写日期，例如 2021-06-30",
    )
    date.add(f"{date_col}{L.FIRST_ROW}:{date_col}{last_row}")
    ws.add_data_validation(status)
    ws.add_data_validation(date)


def _write_guide(ws: Any, plan: Plan, unit: Unit, exported_at: str) -> None:
    lines = [
        f"单位：{unit.name}",
        f"任务分工：{plan.info.title}（{plan.info.document_number}）",
        f"导出时间：{exported_at}",
        "",
        "本表由“政务公开自查”软件导出，供未安装软件的同事填写；填好后交回，"
        "在软件中用“报告与数据 → 导入Excel清单…”导入。",
        "只填写黄色的列：完成状态（从下拉列表选择）、完成时间（如 2021-06-30 或 2021年6月30日）、"
        "完成情况说明、公开网址（每行一个；只写 www.… 时自动补全 http://）、不适用理由、备注。",
        "完成状态选“不适用”时，必须填写“不适用理由”。",
        "其他列已锁定，以免误改；可以筛选。请勿删除行、隐藏列“举措编号”或隐藏的工作表，"
        "也不要填写公式，否则无法导入。",
        "本表只能导入本单位、本任务分工的自查记录。",
    ]
    width = 70
    for row, text in enumerate(lines, start=1):
        _set(ws, row, 1, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _row_height([text], [width])
    ws.column_dimensions["A"].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True


def _write_meta(
    ws: Any,
    plan: Plan,
    unit: Unit,
    exported_at: str,
    measures: list[Measure],
    records: Mapping[str, MeasureRecord],
) -> None:
    values = {
        "format": L.FORMAT,
        "format_version": str(L.FORMAT_VERSION),
        "plan_id": plan.info.id,
        "plan_version": str(plan.info.version),
        "plan_title": plan.info.title,
        "unit_id": unit.id,
        "unit_name": unit.name,
        "exported_at": exported_at,
        "app_version": __version__,
        "main_sheet": L.MAIN_SHEET,
    }
    row = 1
    for key in L.META_KEYS:
        _set(ws, row, 1, key)
        _set(ws, row, 2, values[key])
        row += 1
    row += 1
    for index, name in enumerate(L.SNAPSHOT_HEADER, start=1):
        _set(ws, row, index, name)
    for m in measures:
        row += 1
        record = records.get(m.id) or MeasureRecord(m.id)
        _set(ws, row, 1, m.id)
        for index, name in enumerate(L.FIELDS, start=2):
            _set(ws, row, index, L.snapshot_text(name, L.record_value(record, name)))


def _save(wb: Any, out: Path) -> None:
    out = Path(out)
    try:
        with atomic_output(out, suffix=".xlsx") as temp:
            save_workbook(wb, temp)
    except PermissionError as exc:
        if out.exists() and os.access(out.parent, os.W_OK):  # Windows: open in Excel
            raise InvalidInput(f"无法写入“{out.name}”：文件可能正在Excel中打开，请关闭后重试"
                               ) from exc
        raise faults.os_error(exc, out, "Excel清单") from exc
    except OSError as exc:
        raise faults.os_error(exc, out, "Excel清单") from exc
