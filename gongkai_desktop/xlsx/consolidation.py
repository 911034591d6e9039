"""The consolidation as an .xlsx workbook (openpyxl, streamed in write-only mode).

Sheets: 汇总 (per unit), 按举措 (per measure across units), 单位×举措 (the matrix:
measures down, units across, cells coloured by status, overdue in red) and 明细
(one row per unit and measure with the explanation and URLs). Chinese headers,
frozen panes, column widths, A4 landscape fitted to the page width, header rows
repeated on every printed page. Text from bundles is always written as text (a
leading "=" never becomes a formula).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.errors import NotFound
from gongkai_desktop.model import COUNT_ORDER, NOT_REPORTED, STATUS_LABELS, Plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.consolidation import CellState, Consolidation, Counts
from gongkai_desktop.supervisor.store import SupervisorView
from gongkai_desktop.ticker import Progress, Ticker
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx.cells import xml_text
from gongkai_desktop.xlsx.save import save_workbook

MAX_CELL_TEXT = 32_000
PAPERSIZE_A4 = "9"  # the OOXML paper size code of A4

FILLS = {
    CellState.DONE: PatternFill("solid", fgColor="C6EFCE"),
    CellState.IN_PROGRESS: PatternFill("solid", fgColor="FFEB9C"),
    CellState.NOT_STARTED: PatternFill("solid", fgColor="EDEDED"),
    CellState.NOT_APPLICABLE: PatternFill("solid", fgColor="DDEBF7"),
    CellState.MISSING: PatternFill("solid", fgColor="F8CBAD"),
}
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE")
OVERDUE_FONT = Font(color="9C0006", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
TYPE_LABELS = {"district": "区县政府", "department": "市政府部门", "other": "其他单位"}


@dataclass(frozen=True, slots=True)
class XlsxResult:
    path: Path
    units: int
    measures: int
    detail_rows: int

    def sentence(self) -> str:
        """The one line the window and the CLI show once it is written."""
        return f"已导出汇总表（{self.units} 个单位，{self.measures} 项举措）：{self.path}"


def _clean(value: object) -> object:
    if isinstance(value, str):
        text = xml_text(value)
        return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT - 1] + "…"
    return value


class _Sheet:
    """A write-only sheet with the house style."""

    def __init__(self, book: Workbook, title: str, widths: Sequence[float], header_row: int,
                 freeze: str) -> None:
        self.ws = book.create_sheet(title)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = freeze
        self.ws.print_title_rows = f"{header_row}:{header_row}"
        setup = self.ws.page_setup
        setup.orientation = "landscape"
        setup.paperSize = PAPERSIZE_A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.horizontalCentered = True
        margins = self.ws.page_margins
        margins.left = margins.right = 0.4
        margins.top = margins.bottom = 0.6

    def cell(self, value: object, *, fill: PatternFill | None = None, font: Font | None = None,
             align: Alignment = WRAP, border: bool = True, fmt: str | None = None) -> Any:
        value = _clean(value)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and value.startswith("="):  # after cleaning: "\x01=…" too
            cell.data_type = "s"  # text from a bundle, never a formula
        if fill is not None:
            cell.fill = fill
        if font is not None:
            cell.font = font
        cell.alignment = align
        if border:
            cell.border = BORDER
        if fmt is not None:
            cell.number_format = fmt
        return cell

    def title(self, text: str, note: str) -> None:
        self.ws.append([self.cell(text, font=TITLE_FONT, align=Alignment(), border=False)])
        self.ws.append([self.cell(note, align=Alignment(), border=False)])

    def header(self, names: Sequence[str]) -> None:
        self.ws.append([self.cell(n, fill=HEADER_FILL, font=HEADER_FONT, align=CENTER)
                        for n in names])

    def row(self, values: Sequence[object]) -> None:
        self.ws.append([v if isinstance(v, Cell) else self.cell(v) for v in values])


def _when(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _count_cells(counts: Counts) -> list[object]:
    return [counts.cells, counts.done, counts.in_progress, counts.not_started,
            counts.not_applicable, counts.missing, counts.overdue, counts.completion]


def _subtask_titles(plan: Plan) -> dict[str, str]:
    return {m.id: f"{s.label}{s.title}" for s in plan.subtasks() for m in s.measures}


def export_consolidation_xlsx(cons: Consolidation, ws: Workspace, out: Path, *,
                              progress: Progress | None = None,
                              generated_at: dt.datetime | None = None) -> XlsxResult:
    """Write the workbook to ``out`` (via a temporary file; replaced only when complete)."""
    out = Path(out)
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    view = SupervisorView(ws)
    when = (generated_at or dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    scope = f"仅含{cons.led_by.name}牵头的举措" if cons.led_by else "全部举措"
    info = cons.plan.info
    note = (f"任务分工：{info.title}（{info.document_number}，第{info.version}版）；{scope}；"
            f"统计日期：{cons.today.isoformat()}；生成时间：{when}")
    ticker = Ticker(progress, 2 * len(cons.units) + 2 * len(cons.measures)
                    + sum(r.counts.cells for r in cons.units), "已取消导出汇总表")
    book = Workbook(write_only=True)
    _units_sheet(book, cons, note, ticker)
    _measures_sheet(book, cons, note, ticker)
    _matrix_sheet(book, cons, ticker)
    details = _detail_sheet(book, cons, view, ticker)
    _ledger_sheet(book, cons, ws)
    with atomic_output(out, what="汇总表") as temp:
        save_workbook(book, temp)
    return XlsxResult(out, len(cons.units), len(cons.measures), details)


_COUNT_HEADERS = ["应报举措", *(STATUS_LABELS[s] for s in COUNT_ORDER), NOT_REPORTED,
                  "逾期", "完成率"]


def _counts_row(sheet: _Sheet, counts: Counts) -> list[object]:
    values = _count_cells(counts)
    cells: list[object] = [sheet.cell(v, align=CENTER) for v in values[:-1]]
    cells[-1] = sheet.cell(counts.overdue, align=CENTER,
                           font=OVERDUE_FONT if counts.overdue else None)
    cells.append(sheet.cell(values[-1], align=CENTER, fmt="0.0%"))
    return cells


def _units_sheet(book: Workbook, cons: Consolidation, note: str, ticker: Ticker) -> None:
    sheet = _Sheet(book, "汇总", [6, 16, 11, 10, 9, 17, 17, 9, 8, 8, 8, 8, 8, 8, 9], 4, "C5")
    sheet.title("政务公开自查情况汇总（按单位）", note)
    sheet.ws.append([])
    sheet.header(["序号", "单位", "单位类型", "报送情况", "数据包序号", "导出时间", "导入时间",
                  *_COUNT_HEADERS])
    for n, row in enumerate(cons.units, start=1):
        got = row.imported
        status = sheet.cell("已报送" if got else NOT_REPORTED, align=CENTER,
                            fill=None if got else FILLS[CellState.MISSING])
        sheet.row([sheet.cell(n, align=CENTER), row.shown_name,
                   TYPE_LABELS.get(row.unit.type.value, ""), status,
                   sheet.cell(got.sequence if got else "", align=CENTER),
                   _when(got.exported_at if got else None),
                   _when(got.imported_at if got else None), *_counts_row(sheet, row.counts)])
        ticker.check()
    total = cons.totals()
    bold = Font(bold=True)
    sheet.row([sheet.cell(""), sheet.cell("合计", font=bold), "", "", "", "", "",
               *_counts_row(sheet, total)])


def _measures_sheet(book: Workbook, cons: Consolidation, note: str, ticker: Ticker) -> None:
    sheet = _Sheet(book, "按举措", [6, 9, 24, 50, 16, 12, *([8] * 8), 30], 4, "C5")
    sheet.title("政务公开自查情况汇总（按举措）", note)
    sheet.ws.append([])
    sheet.header(["序号", "举措编号", "重点任务", "贯彻举措", "牵头单位", "截止时间",
                  "应报单位", *_COUNT_HEADERS[1:], "未报送单位"])
    titles = _subtask_titles(cons.plan)
    names = {row.unit.id: row.shown_name for row in cons.units}
    for n, col in enumerate(cons.measures, start=1):
        m = col.measure
        deadline = m.deadline.date.isoformat() if m.deadline.date else m.deadline.note
        missing = "、".join(names[uid] for uid in col.missing_unit_ids)
        sheet.row([sheet.cell(n, align=CENTER), m.id, titles.get(m.id, ""), m.text,
                   "、".join(m.lead_units), deadline, *_counts_row(sheet, col.counts), missing])
        ticker.check()


def _matrix_sheet(book: Workbook, cons: Consolidation, ticker: Ticker) -> None:
    sheet = _Sheet(book, "单位×举措", [9, 40, *([9] * len(cons.units)), 9], 1, "C2")
    sheet.header(["举措编号", "贯彻举措", *[row.shown_name for row in cons.units], "完成率"])
    states = [cons.row_codes(r) for r in range(cons.row_count)]
    for c, col in enumerate(cons.measures):
        cells: list[object] = [sheet.cell(col.measure.id), sheet.cell(col.measure.text)]
        for r in range(cons.row_count):
            state = CellState(states[r][c])
            if state is CellState.NONE:
                cells.append(sheet.cell(None))
            elif cons.is_overdue(r, c):
                cells.append(sheet.cell(f"{state.label}（逾期）", fill=OVERDUE_FILL,
                                        font=OVERDUE_FONT, align=CENTER))
            else:
                cells.append(sheet.cell(state.label, fill=FILLS[state], align=CENTER))
        cells.append(sheet.cell(col.counts.completion, align=CENTER, fmt="0.0%"))
        sheet.row(cells)
        ticker.check()
    legend = [sheet.cell("图例", font=HEADER_FONT, border=False), sheet.cell("", border=False)]
    legend += [sheet.cell(s.label, fill=FILLS[s], align=CENTER) for s in FILLS]
    legend.append(sheet.cell("逾期", fill=OVERDUE_FILL, font=OVERDUE_FONT, align=CENTER))
    sheet.ws.append([])
    sheet.ws.append(legend)


def _detail_sheet(book: Workbook, cons: Consolidation, view: SupervisorView,
                  ticker: Ticker) -> int:
    sheet = _Sheet(book, "明细", [14, 9, 40, 9, 6, 11, 50, 36, 24, 20, 8, 8], 1, "C2")
    sheet.header(["单位", "举措编号", "贯彻举措", "完成状态", "逾期", "完成时间", "完成情况说明",
                  "公开网址", "不适用理由", "备注", "佐证材料", "数据包序号"])
    evidence = view.evidence_counts()
    written = 0
    for r, row in enumerate(cons.units):
        records = view.records(row.unit.id) if row.reported else {}
        codes = cons.row_codes(r)
        for c, col in enumerate(cons.measures):
            state = CellState(codes[c])
            if state is CellState.NONE:
                continue
            late = cons.is_overdue(r, c)
            record = records.get(col.measure.id)
            fill = OVERDUE_FILL if late else FILLS[state]
            values: list[object] = [
                row.shown_name, col.measure.id, col.measure.text,
                sheet.cell(state.label, fill=fill, align=CENTER,
                           font=OVERDUE_FONT if late else None),
                sheet.cell("是" if late else "", align=CENTER,
                           font=OVERDUE_FONT if late else None),
            ]
            if record is not None:
                values += [record.completed_on.isoformat() if record.completed_on else "",
                           record.explanation, "\n".join(record.urls), record.reason,
                           record.remarks,
                           sheet.cell(evidence.get((row.unit.id, col.measure.id), 0),
                                      align=CENTER),
                           sheet.cell(row.imported.sequence if row.imported else "",
                                      align=CENTER)]
            else:
                values += ["", "", "", "", "", "", ""]
            sheet.row(values)
            written += 1
            ticker.check()
    return written


def _ledger_sheet(book: Workbook, cons: Consolidation, ws: Workspace) -> None:
    """整改台账: every unit's rectification ledger and the office's open verdicts."""
    from gongkai_desktop.review.all_units import all_units_ledger

    sheet = _Sheet(book, "整改台账", [6, 14, 9, 40, 14, 30, 30, 30, 10, 12, 6], 1, "C2")
    sheet.header(["序号", "单位", "举措编号", "贯彻举措", "审核结论", "审核意见", "存在问题",
                  "整改措施", "责任人", "整改时限", "逾期"])
    for n, row in enumerate(all_units_ledger(ws, cons), start=1):
        late = OVERDUE_FONT if row.overdue else None
        sheet.row([sheet.cell(n, align=CENTER), row.unit_name, row.measure_id,
                   row.measure_text, sheet.cell(row.review, align=CENTER), row.comment,
                   row.problem, row.action, sheet.cell(row.owner, align=CENTER),
                   sheet.cell(row.deadline.isoformat() if row.deadline else "", align=CENTER,
                              font=late),
                   sheet.cell("是" if row.overdue else "", align=CENTER, font=late)])


def consolidation_workbook(ws: Workspace, directory: UnitDirectory, out: Path, *,
                           today: dt.date | None = None, led_only: bool = False,
                           progress: Progress | None = None) -> XlsxResult:
    """Consolidate and write in one call (the command line's way)."""
    from gongkai_desktop.supervisor.consolidation import consolidate

    cons = consolidate(ws, directory, today or dt.date.today(),
                       led_by=ws.unit if led_only else None)
    return export_consolidation_xlsx(cons, ws, out, progress=progress)
