"""The supervising office's consolidated summary (汇总表) as a GB/T 9704 PDF.

Same fonts, margins and "— N —" page numbers as the self-inspection report: a
portrait first page (title, scope, the overall figures in prose), then three
attached tables — 附表1 by unit and 附表2 by measure on landscape pages, 附表3
the units expected to report that sent nothing yet. Every cell wraps, nothing
is cut; long tables are ``LongTable`` s (row heights measured one page at a
time) so 5,000 measures do not cost quadratic layout time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.platypus import (
    Flowable,
    LongTable,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    TableStyle,
)

from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.errors import Cancelled, NotFound
from gongkai_desktop.model import COUNT_ORDER, NOT_REPORTED, STATUS_LABELS, Plan
from gongkai_desktop.report.content import chinese_date
from gongkai_desktop.report.document import (
    LANDSCAPE_TEMPLATE,
    PORTRAIT_TEMPLATE,
    ReportDocTemplate,
)
from gongkai_desktop.report.tables import HEADER_FILL, MIN_SPLIT, info_line
from gongkai_desktop.report.text import GREY, TextKit
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.consolidation import Consolidation, Counts
from gongkai_desktop.ticker import Progress, Ticker
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontBook, FontRole, default_font_book
from gongkai_desktop.units import UnitDirectory

TITLE = "政务公开自查情况汇总表"
SUBJECT = "政务公开自查情况汇总"
CELL_SIZE = 10.5  # 五号, as the report's tables
SMALL_SIZE = 9.0  # the grey second lines (full names, lead units, deadlines)
AREA_FILL = Color(0.95, 0.95, 0.95)
MISSING_FILL = Color(0.99, 0.90, 0.86)  # the workbook's 未报送 shade, lighter
OVERDUE_TEXT = Color(0.61, 0.0, 0.02)
TYPE_LABELS = {"district": "区县政府", "department": "市政府部门", "other": "其他单位"}
CHECK_EVERY = 100  # rows built between two looks at the cancel button

# Count columns shared by the unit and the measure tables: (header, width in points).
_COUNTS: tuple[tuple[str, float], ...] = (
    ("应报\n项次", 34), *((STATUS_LABELS[s], 34) for s in COUNT_ORDER),
    (NOT_REPORTED, 34), ("逾期", 34), ("完成率", 44),
)


@dataclass(frozen=True, slots=True)
class ConsolidatedResult:
    path: Path
    pages: int
    units: int
    measures: int
    missing_chars: frozenset[str]  # characters no font could set (printed as 〓)

    def sentence(self) -> str:
        """The one line the window and the CLI show once it is written."""
        return (f"已导出汇总表（{self.units} 个单位，{self.measures} 项举措，"
                f"共 {self.pages} 页）：{self.path}")


def percent(value: float | None) -> str:
    """"37.5%"; "—" when nothing applies."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _when(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


class _Builder:
    """Paragraph and table helpers for one rendering."""

    def __init__(self, kit: TextKit) -> None:
        self.kit = kit
        self._styles: dict[tuple[float, int, bool], Any] = {}

    def p(self, text: str, *, size: float = CELL_SIZE, align: int = TA_LEFT,
          grey: bool = False, role: FontRole = FontRole.TABLE) -> Paragraph:
        key = (size, align, grey)
        style = self._styles.get(key) if role is FontRole.TABLE else None
        if style is None:
            style = self.kit.style(role, size=size, leading=size * 4 / 3, align=align)
            if grey:
                style.textColor = GREY
            if role is FontRole.TABLE:
                self._styles[key] = style
        return Paragraph(self.kit.markup(text, role), style)

    def header(self, columns: Sequence[tuple[str, float]]) -> list[Paragraph]:
        return [self.p(name, size=SMALL_SIZE + 0.5, align=TA_CENTER, role=FontRole.HEADING1)
                for name, _ in columns]

    def style(self, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
        return TableStyle([
            # Numbers are plain strings set in the table font (embedded, no Helvetica).
            ("FONTNAME", (0, 0), (-1, -1), self.kit.font(FontRole.TABLE)),
            ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
            ("LEADING", (0, 0), (-1, -1), CELL_SIZE * 4 / 3),
            ("GRID", (0, 0), (-1, -1), 0.5, black),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ])


def _counts(counts: Counts) -> list[str]:
    return [str(counts.cells), str(counts.done), str(counts.in_progress),
            str(counts.not_started), str(counts.not_applicable), str(counts.missing),
            str(counts.overdue), percent(counts.completion)]


def _stretch(columns: list[tuple[str, float]], flexible: int, width: float) -> list[float]:
    """Column widths in points; column ``flexible`` takes what the others leave."""
    widths = [w for _, w in columns]
    widths[flexible] = width - (sum(widths) - widths[flexible])
    return widths


# ----------------------------------------------------------------------------- first page

def _scope(cons: Consolidation) -> str:
    return f"{cons.led_by.name}牵头的举措" if cons.led_by else "全部举措"


def _overview(cons: Consolidation, b: _Builder) -> list[Flowable]:
    kit = b.kit
    info = cons.plan.info
    total = cons.totals()
    reported = sum(1 for r in cons.units if r.reported)
    waiting = len(cons.units) - reported
    day = chinese_date(cons.today)
    story: list[Flowable] = [kit.heading1("一、总体情况")]
    story.append(kit.body_paragraph(
        f"截至{day}，本次汇总范围为《{info.title}》（{info.document_number}）中的"
        f"{_scope(cons)}，共{len(cons.measures)}项；涉及报送单位{len(cons.units)}个，"
        f"已收到{reported}个单位的数据包，尚有{waiting}个单位未报送。"))
    if total.cells:
        story.append(kit.body_paragraph(
            f"各单位应填报{total.cells}项次，其中已完成{total.done}项次，推进中"
            f"{total.in_progress}项次，未开始{total.not_started}项次，不适用"
            f"{total.not_applicable}项次，尚未报送{total.missing}项次；扣除不适用后"
            f"完成率为{percent(total.completion)}。已过截止时间仍未完成的共"
            f"{total.overdue}项次。"))
    lagging = sorted((r for r in cons.units if r.reported and r.counts.completion is not None),
                     key=lambda r: (r.counts.completion or 0.0, -r.counts.overdue))[:5]
    late = sorted((r for r in cons.units if r.reported and r.counts.overdue),
                  key=lambda r: -r.counts.overdue)[:5]
    story.append(kit.heading1("二、需要关注的情况"))
    notes = []
    if lagging:
        notes.append("已报送单位中完成率较低的是" + "、".join(
            f"{r.shown_name}（{percent(r.counts.completion)}）" for r in lagging))
    if late:
        notes.append("逾期未完成项次较多的是" + "、".join(
            f"{r.shown_name}（{r.counts.overdue}项）" for r in late))
    if waiting:
        notes.append(f"尚有{waiting}个应报送单位未提交数据包（名单见附表3），请督促尽快报送")
    story.append(kit.body_paragraph("；".join(notes) + "。" if notes
                                    else "暂无需要特别关注的情况。"))
    story.append(kit.body_paragraph(
        "各单位完成情况见附表1，各项举措完成情况见附表2，尚未报送的单位见附表3。"))
    return story


def _front(cons: Consolidation, b: _Builder, office: str, generated: str) -> list[Flowable]:
    kit = b.kit
    info = cons.plan.info
    width = g.PORTRAIT.type_width
    story: list[Flowable] = [
        kit.title([TITLE]),
        Spacer(1, 4),
        kit.para(f"（{info.title}）", FontRole.HEADING2, size=14, leading=22, align=TA_CENTER),
        Spacer(1, g.BODY_LEADING / 2),
        info_line(kit, f"汇总单位：{office}", f"统计日期：{chinese_date(cons.today)}", width),
        Spacer(1, g.BODY_LEADING / 2),
        *_overview(cons, b),
        Spacer(1, g.BODY_LEADING / 2),
        b.p(f"任务分工版本：第{info.version}版；生成时间：{generated}；由政务公开自查软件汇总"
            "各单位签名数据包生成。", size=SMALL_SIZE, align=TA_RIGHT, grey=True),
    ]
    return story


def _attachment(b: _Builder, number: int, name: str) -> list[Flowable]:
    kit = b.kit
    return [kit.para(f"附表{number}", FontRole.HEADING1, align=TA_LEFT),
            Spacer(1, g.BODY_LEADING / 3), kit.title([name]), Spacer(1, g.BODY_LEADING / 3)]


# ------------------------------------------------------------------------------ 附表1

_UNIT_COLUMNS: list[tuple[str, float]] = [
    ("序号", 28), ("单位", 0), ("报送\n情况", 38), ("数据包\n序号", 40), ("导出时间", 82),
    *_COUNTS,
]


def _units_table(cons: Consolidation, b: _Builder, ticker: Ticker) -> Flowable:
    width = g.LANDSCAPE.type_width
    data: list[list[Any]] = [b.header(_UNIT_COLUMNS)]
    extra: list[tuple[Any, ...]] = []
    for n, row in enumerate(cons.units, start=1):
        got = row.imported
        when = b.p(_when(got.exported_at), size=SMALL_SIZE, align=TA_CENTER) if got else "—"
        data.append([str(n), b.p(row.shown_name), "已报送" if got else NOT_REPORTED,
                     str(got.sequence) if got else "—", when, *_counts(row.counts)])
        if not got:
            extra.append(("BACKGROUND", (2, n), (2, n), MISSING_FILL))
        if row.counts.overdue:
            extra.append(("TEXTCOLOR", (11, n), (11, n), OVERDUE_TEXT))
        if n % CHECK_EVERY == 0:
            ticker.check(CHECK_EVERY)
    if not cons.units:
        data.append(["", b.p("尚未收到任何单位的数据包，也没有应报送的单位。"), *[""] * 11])
        extra.append(("SPAN", (1, 1), (-1, 1)))
    else:
        total = len(data)
        data.append(["", b.p("合计", role=FontRole.HEADING1, align=TA_CENTER), "", "", "",
                     *_counts(cons.totals())])
        extra += [("SPAN", (1, total), (4, total)), ("BACKGROUND", (0, total), (-1, total),
                                                       AREA_FILL)]
    return LongTable(data, colWidths=_stretch(_UNIT_COLUMNS, 1, width), repeatRows=1,
                     style=b.style(extra), hAlign="CENTER", splitInRow=MIN_SPLIT)


# ------------------------------------------------------------------------------ 附表2

_MEASURE_COLUMNS: list[tuple[str, float]] = [
    ("序号", 28), ("贯彻举措", 0), *_COUNTS, ("未报送单位", 130),
]


def _area_of(plan: Plan) -> dict[str, str]:
    return {m.id: f"{a.label}、{a.title}" for a in plan.areas for s in a.subtasks
            for m in s.measures}


def _measure_cell(b: _Builder, cons: Consolidation, c: int) -> list[Flowable]:
    m = cons.measures[c].measure
    cell: list[Flowable] = [b.p(f"{m.id}　{m.text}")]
    notes = []
    if m.lead_units:
        notes.append(f"牵头：{'、'.join(m.lead_units)}")
    if m.deadline.date is not None:
        notes.append(f"截止：{chinese_date(m.deadline.date)}")
    elif m.deadline.note:
        notes.append(f"时限：{m.deadline.note}")
    if notes:
        cell.append(b.p("；".join(notes), size=SMALL_SIZE, grey=True))
    return cell


def _missing_text(ids: Sequence[str], cons: Consolidation, waiting: dict[str, list[str]]) -> str:
    """The units of one measure with no bundle; when that is every unreported unit of a type
    (a measure for 各区县政府 or 全市各级行政机关), say so instead of repeating 附表3."""
    if not ids:
        return "—"
    names = {row.unit.id: row.shown_name for row in cons.units}
    types = {row.unit.id: row.unit.type.value for row in cons.units}
    by_type: dict[str, list[str]] = {}
    for uid in ids:
        by_type.setdefault(types[uid], []).append(uid)
    parts = []
    for kind in ("district", "department", "other"):
        got = by_type.get(kind, [])
        if len(got) > 3 and len(got) == len(waiting.get(kind, ())):
            parts.append(f"附表3所列全部{TYPE_LABELS[kind]}（{len(got)}个）")
        elif got:
            parts.append("、".join(names[uid] for uid in got))
    return "；".join(parts)


def _measures_table(cons: Consolidation, b: _Builder, ticker: Ticker) -> Flowable:
    width = g.LANDSCAPE.type_width
    widths = _stretch(_MEASURE_COLUMNS, 1, width)
    data: list[list[Any]] = [b.header(_MEASURE_COLUMNS)]
    extra: list[tuple[Any, ...]] = [("ALIGN", (1, 1), (1, -1), "LEFT"),
                                    ("VALIGN", (1, 1), (1, -1), "TOP")]
    areas = _area_of(cons.plan)
    waiting: dict[str, list[str]] = {}
    for row in cons.units:
        if not row.reported:
            waiting.setdefault(row.unit.type.value, []).append(row.unit.id)
    previous = None
    for c, col in enumerate(cons.measures):
        area = areas.get(col.measure.id, "")
        if area and area != previous:
            r = len(data)
            data.append([b.p(area, role=FontRole.HEADING1), *[""] * (len(widths) - 1)])
            extra += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), AREA_FILL)]
            previous = area
        r = len(data)
        missing = _missing_text(col.missing_unit_ids, cons, waiting)
        data.append([str(c + 1), _measure_cell(b, cons, c), *_counts(col.counts),
                     b.p(missing, size=SMALL_SIZE)])
        if col.counts.overdue:
            extra.append(("TEXTCOLOR", (8, r), (8, r), OVERDUE_TEXT))
        if (c + 1) % CHECK_EVERY == 0:
            ticker.check(CHECK_EVERY)
    return LongTable(data, colWidths=widths, repeatRows=1, style=b.style(extra),
                     hAlign="CENTER", splitInRow=MIN_SPLIT)


# ------------------------------------------------------------------------------ 附表3

_MISSING_COLUMNS: list[tuple[str, float]] = [
    ("序号", 32), ("单位", 0), ("单位类型", 76), ("应报\n项次", 48), ("其中\n逾期", 48),
]


def _missing_table(cons: Consolidation, b: _Builder) -> Flowable:
    width = g.PORTRAIT.type_width
    data: list[list[Any]] = [b.header(_MISSING_COLUMNS)]
    extra: list[tuple[Any, ...]] = [("ALIGN", (1, 1), (1, -1), "LEFT")]
    rows = [r for r in cons.units if not r.reported]
    for n, row in enumerate(rows, start=1):
        name: list[Flowable] = [b.p(row.shown_name)]
        if row.unit.full_name and row.unit.full_name != row.unit.name:
            name.append(b.p(row.unit.full_name, size=SMALL_SIZE, grey=True))
        data.append([str(n), name, TYPE_LABELS.get(row.unit.type.value, ""),
                     str(row.counts.missing), str(row.counts.overdue)])
        if row.counts.overdue:
            extra.append(("TEXTCOLOR", (4, n), (4, n), OVERDUE_TEXT))
    return LongTable(data, colWidths=_stretch(_MISSING_COLUMNS, 1, width), repeatRows=1,
                     style=b.style(extra), hAlign="CENTER", splitInRow=MIN_SPLIT)


# ------------------------------------------------------------------------------ 附表4

_LEDGER_COLUMNS: list[tuple[str, float]] = [
    ("序号", 28), ("单位", 70), ("举措", 0), ("审核结论", 62), ("审核意见", 110),
    ("存在问题", 110), ("整改措施", 120), ("责任人", 48), ("整改时限", 62),
]


def _ledger_table(ledger: Sequence[Any], b: _Builder) -> Flowable:
    width = g.LANDSCAPE.type_width
    data: list[list[Any]] = [b.header(_LEDGER_COLUMNS)]
    extra: list[tuple[Any, ...]] = [("ALIGN", (2, 1), (6, -1), "LEFT"),
                                    ("VALIGN", (0, 1), (-1, -1), "TOP")]
    for n, row in enumerate(ledger, start=1):
        deadline = row.deadline.isoformat() if row.deadline else "—"
        data.append([str(n), b.p(row.unit_name), b.p(f"{row.measure_id}　{row.measure_text}"),
                     b.p(row.review or "—", align=TA_CENTER), b.p(row.comment or "—"),
                     b.p(row.problem or "—"), b.p(row.action or "—"),
                     b.p(row.owner or "—", align=TA_CENTER),
                     b.p(deadline + ("（逾期）" if row.overdue else ""), align=TA_CENTER)])
        if row.overdue:
            extra.append(("TEXTCOLOR", (8, n), (8, n), OVERDUE_TEXT))
    return LongTable(data, colWidths=_stretch(_LEDGER_COLUMNS, 2, width), repeatRows=1,
                     style=b.style(extra), hAlign="CENTER", splitInRow=MIN_SPLIT)


# ------------------------------------------------------------------------------ render

def render_consolidation_pdf(cons: Consolidation, out: Path, *, office: str,
                             progress: Progress | None = None, fonts: FontBook | None = None,
                             generated_at: dt.datetime | None = None,
                             ledger: Sequence[Any] = ()) -> ConsolidatedResult:
    """Write the summary PDF to ``out`` (via a temporary file; replaced only when complete).

    ``office`` names the supervising office (the workspace's unit); ``progress(done,
    total)`` returning False cancels (``Cancelled``), leaving no file behind.
    """
    out = Path(out)
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    kit = TextKit(fonts or default_font_book())
    b = _Builder(kit)
    # Work: building the rows (in blocks), then laying out every flowable and page.
    rows = len(cons.units) + len(cons.measures)
    ticker = Ticker(progress, 2 * rows + 60, "已取消生成汇总表", hold_last=True)
    generated = (generated_at or dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M")
    story: list[Flowable] = _front(cons, b, office, generated)
    story += [NextPageTemplate(LANDSCAPE_TEMPLATE), PageBreak(),
              *_attachment(b, 1, "各单位完成情况")]
    story.append(b.p(f"统计日期：{chinese_date(cons.today)}；完成率＝已完成÷（应报项次－不适用），"
                     "未报送的项次按未完成计；“逾期”指已过截止时间仍未完成的项次。",
                     size=SMALL_SIZE, grey=True))
    story += [Spacer(1, 6), _units_table(cons, b, ticker)]
    story += [PageBreak(), *_attachment(b, 2, "各项举措完成情况")]
    if cons.measures:
        story.append(b.p(f"范围：{_scope(cons)}。每项举措统计对其负有填报责任的各单位。",
                         size=SMALL_SIZE, grey=True))
        story += [Spacer(1, 6), _measures_table(cons, b, ticker)]
    else:
        story.append(kit.body_paragraph("本次汇总范围内没有举措。"))
    story += [NextPageTemplate(PORTRAIT_TEMPLATE), PageBreak(),
              *_attachment(b, 3, "尚未报送的单位")]
    if any(not r.reported for r in cons.units):
        story.append(b.p("下列单位对本次汇总范围内的举措负有填报责任，但尚未收到其数据包。",
                         size=SMALL_SIZE, grey=True))
        story += [Spacer(1, 6), _missing_table(cons, b)]
    else:
        story.append(kit.body_paragraph("应报送的单位均已报送。"))
    if ledger:  # review.all_units.UnitLedgerRow
        story += [NextPageTemplate(LANDSCAPE_TEMPLATE), PageBreak(),
                  *_attachment(b, 4, "各单位整改台账"), Spacer(1, 6), _ledger_table(ledger, b)]

    with atomic_output(out, what="汇总表") as tmp:
        try:
            with tmp.open("wb") as handle:  # closed even when a write fails (full disk)
                doc = ReportDocTemplate(handle, kit, title=TITLE, author=office,
                                        keywords="gongkai-consolidation",
                                        on_flowable=ticker.step)
                doc.subject = SUBJECT
                doc.build(story)
        except Cancelled as exc:
            raise Cancelled("已取消生成汇总表") from exc
        if not ticker.step():
            raise Cancelled("已取消生成汇总表")
    ticker.finish()
    return ConsolidatedResult(out, doc.pages, len(cons.units), len(cons.measures),
                              frozenset(kit.missing))


def consolidation_pdf(ws: Workspace, directory: UnitDirectory, out: Path, *,
                      today: dt.date | None = None, led_only: bool = False,
                      progress: Progress | None = None,
                      fonts: FontBook | None = None) -> ConsolidatedResult:
    """Consolidate ``ws`` (a supervisor ``Workspace``) and write the PDF (the command line's
    way); ``led_only`` keeps the measures the workspace's unit leads."""
    from gongkai_desktop.supervisor.consolidation import consolidate

    cons = consolidate(ws, directory, today or dt.date.today(),
                       led_by=ws.unit if led_only else None)
    from gongkai_desktop.review.all_units import all_units_ledger

    return render_consolidation_pdf(cons, out, office=ws.unit.full_name, progress=progress,
                                    fonts=fonts, ledger=all_units_ledger(ws, cons))
