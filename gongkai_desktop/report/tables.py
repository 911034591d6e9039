"""The tables: 附件1 完成情况表 (landscape), the file list of 附件2 and 附件3 整改台账
(landscape, like 附件1).

Cells are Paragraphs (wrapped, never cut); rows may split across pages
(``splitInRow``) so a 3,000-character explanation flows over several pages;
the header row repeats on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from gongkai_desktop.model import Role
from gongkai_desktop.report.content import (
    ReportEvidence,
    ReportLedgerRow,
    ReportRow,
    chinese_date,
)
from gongkai_desktop.report.text import GREY, TextKit
from gongkai_desktop.typeset.fonts import FontRole

HEADER_FILL = Color(0.90, 0.90, 0.90)
MIN_SPLIT = 48  # pt: a row is split inside only if at least ~3 lines stay on the page

COMPLETION_COLUMNS: tuple[tuple[str, float], ...] = (
    # (header, share of the type area's width); "\n" breaks a header where it reads well
    ("序号", 0.043), ("重点任务", 0.12), ("贯彻举措", 0.26), ("牵头\n单位", 0.075),
    ("完成\n状态", 0.06), ("完成时间", 0.08), ("完成情况说明", 0.19), ("公开网址", 0.10),
    ("佐证\n材料", 0.072),
)
EVIDENCE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 0.07), ("名称", 0.33), ("类型", 0.14), ("大小", 0.13),
    ("SHA-256\n（前12位）", 0.21), ("附件1\n序号", 0.12),
)
LEDGER_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 0.045), ("附件1\n序号", 0.055), ("举措", 0.20), ("审核意见", 0.16),
    ("存在问题", 0.17), ("整改措施", 0.19), ("责任人", 0.07), ("整改时限", 0.08),
)
_ROLE_ORDER = (Role.LEAD, Role.RESPONSIBLE, Role.CONCERNED)


def _style(kit: TextKit, header_rows: int = 1) -> TableStyle:
    return TableStyle([
        # Every cell holds Paragraphs; the cell font only keeps Helvetica out of the file.
        ("FONTNAME", (0, 0), (-1, -1), kit.font(FontRole.TABLE)),
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])


def _header(kit: TextKit, columns: Sequence[tuple[str, float]]) -> list[Paragraph]:
    return [kit.cell(name, FontRole.HEADING1, align=TA_CENTER) for name, _ in columns]


def _widths(columns: Sequence[tuple[str, float]], width: float) -> list[float]:
    total = sum(share for _, share in columns)
    return [width * share / total for _, share in columns]


def _lines(kit: TextKit, items: Sequence[str]) -> str:
    return "<br/>".join(kit.markup(item, FontRole.TABLE) for item in items)


def _cell_lines(kit: TextKit, items: Sequence[str]) -> Paragraph:
    return Paragraph(_lines(kit, items), kit.style(FontRole.TABLE, size=10.5, leading=14, align=0))


def _units_cell(kit: TextKit, row: ReportRow) -> list[Flowable]:
    cell: list[Flowable] = [kit.cell("、".join(row.measure.lead_units) or "—")]
    roles = [r.label for r in _ROLE_ORDER if r in row.roles]
    if roles:
        cell.append(kit.cell(f"（本单位：{'、'.join(roles)}）", size=9, color=GREY))
    return cell


def completion_row(kit: TextKit, row: ReportRow, first_of_area: bool) -> list[list[Flowable]]:
    """One table row; the area's title only on the first row of each area (it is long)."""
    measure = row.measure
    task: list[Flowable] = [kit.cell(row.subtask_title)]
    if first_of_area:
        task.insert(0, kit.cell(row.area_title, FontRole.HEADING1, size=9.5))
    return [
        [kit.cell(str(row.seq), align=TA_CENTER)],
        task,
        [kit.cell(f"{measure.label}{measure.text}")],
        _units_cell(kit, row),
        [kit.cell(row.status.label, align=TA_CENTER)],
        [kit.cell(_table_date(row.completed_on), align=TA_CENTER)],
        [kit.cell(row.explanation.strip() or "—")],
        [_cell_lines(kit, row.urls) if row.urls else kit.cell("—")],
        [_cell_lines(kit, row.evidence_names) if row.evidence_names else kit.cell("—")],
    ]


def _table_date(day: dt.date | None) -> str:
    """"2020年\n9月5日": the narrow column turns after the year, not inside a number."""
    return chinese_date(day).replace("年", "年\n", 1) if day else "—"


def completion_table(kit: TextKit, rows: Sequence[ReportRow], width: float) -> Table:
    data: list[list[Any]] = [_header(kit, COMPLETION_COLUMNS)]
    previous = None
    for row in rows:
        data.append(completion_row(kit, row, row.area_title != previous))
        previous = row.area_title
    return Table(data, colWidths=_widths(COMPLETION_COLUMNS, width), repeatRows=1,
                 splitInRow=MIN_SPLIT, style=_style(kit), hAlign="CENTER")


def info_line(kit: TextKit, left: str, right: str, width: float) -> Table:
    """One line with text at both ends (填报单位 … 填报日期 …)."""
    cells = [[kit.cell(left, size=12), kit.cell(right, size=12, align=TA_RIGHT)]]
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.font(FontRole.TABLE)),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return Table(cells, colWidths=[width * 0.6, width * 0.4], style=style)


def media_label(media_type: str) -> str:
    kind = media_type.lower()
    known = {
        "image/jpeg": "JPEG图片", "image/jpg": "JPEG图片", "image/png": "PNG图片",
        "image/gif": "GIF图片", "image/bmp": "BMP图片", "image/webp": "WebP图片",
        "image/tiff": "TIFF图片", "application/pdf": "PDF文件",
        "application/msword": "Word文档",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word文档",
        "application/vnd.ms-excel": "Excel表格",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel表格",
        "application/zip": "压缩包", "text/plain": "文本文件",
        "application/ofd": "OFD文件",
    }
    return known.get(kind, kind or "未知")


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size, 0) / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def evidence_table(kit: TextKit, evidence: Sequence[ReportEvidence],
                   seq_of: dict[str, int], width: float, notes: dict[int, str]) -> Table:
    """The file list; ``notes`` marks files (by index) whose image could not be shown."""
    data: list[list[object]] = [_header(kit, EVIDENCE_COLUMNS)]
    for i, item in enumerate(evidence):
        where = str(seq_of[item.measure_id]) if item.measure_id in seq_of else "—"
        name: list[Flowable] = [kit.cell(item.name)]
        if i in notes:
            name.append(kit.cell(notes[i], size=9, color=GREY))
        data.append([
            [kit.cell(str(i + 1), align=TA_CENTER)], name,
            [kit.cell(media_label(item.media_type), align=TA_CENTER)],
            [kit.cell(human_size(item.size), align=TA_CENTER)],
            [kit.cell(item.sha256.lower()[:12] or "—", align=TA_CENTER)],
            [kit.cell(where, align=TA_CENTER)],
        ])
    return Table(data, colWidths=_widths(EVIDENCE_COLUMNS, width), repeatRows=1,
                 splitInRow=MIN_SPLIT, style=_style(kit), hAlign="CENTER")


OFFICE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 0.05), ("下级单位", 0.12), ("举措", 0.30), ("职责", 0.06), ("内部时限", 0.09),
    ("完成状态", 0.08), ("完成情况说明", 0.24), ("佐证\n材料", 0.06),
)


def offices_table(kit: TextKit, rows: Sequence[Any], width: float) -> Table:
    """下级单位完成情况: one row per office and assigned measure (delegation.reporting)."""
    data: list[list[Any]] = [_header(kit, OFFICE_COLUMNS)]
    for i, row in enumerate(rows, start=1):
        data.append([
            [kit.cell(str(i), align=TA_CENTER)],
            [kit.cell(row.office)],
            [kit.cell(f"{row.measure_id}　{row.measure_text}")],
            [kit.cell(row.role, align=TA_CENTER)],
            [kit.cell(_table_date(row.deadline), align=TA_CENTER)],
            [kit.cell(row.status, align=TA_CENTER)],
            [kit.cell(row.explanation or "—")],
            [kit.cell(f"{row.evidence} 件" if row.evidence else "—", align=TA_CENTER)],
        ])
    return Table(data, colWidths=_widths(OFFICE_COLUMNS, width), repeatRows=1,
                 splitInRow=MIN_SPLIT, style=_style(kit), hAlign="CENTER")


def ledger_table(kit: TextKit, ledger: Sequence[ReportLedgerRow], width: float) -> Table:
    """附件3: one row per returned or unfinished measure; an overdue 时限 is marked."""
    data: list[list[Any]] = [_header(kit, LEDGER_COLUMNS)]
    for i, row in enumerate(ledger, start=1):
        review: list[Flowable] = [kit.cell(row.review or "—", align=TA_CENTER)]
        if row.comment:
            review.append(kit.cell(row.comment, size=9, color=GREY))
        deadline: list[Flowable] = [kit.cell(_table_date(row.deadline), align=TA_CENTER)]
        if row.overdue:
            deadline.append(kit.cell("（已逾期）", size=9, align=TA_CENTER))
        data.append([
            [kit.cell(str(i), align=TA_CENTER)],
            [kit.cell(str(row.seq) if row.seq else "—", align=TA_CENTER)],
            [kit.cell(f"{row.measure_id}　{row.measure_text}")],
            review,
            [kit.cell(row.problem or "—")],
            [kit.cell(row.action or "—")],
            [kit.cell(row.owner or "—", align=TA_CENTER)],
            deadline,
        ])
    return Table(data, colWidths=_widths(LEDGER_COLUMNS, width), repeatRows=1,
                 splitInRow=MIN_SPLIT, style=_style(kit), hAlign="CENTER")
