"""Render a :class:`ReportContent` to an (unsigned) PDF.

What is fingerprinted: the report's *content* (every text, every table row,
each evidence file by its SHA-256, the seal image), as canonical JSON, hashed
with SHA-256 (:func:`content.content_fingerprint`). It is printed on the last
page, written into the PDF's Keywords (``gongkai-content-sha256=…``) and, when
signed, into the signature's Reason. Hashing the PDF bytes instead would be
circular (the hash would have to be printed inside the bytes it hashes) and
would change with every re-rendering of the same content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.enums import TA_LEFT
from reportlab.platypus import Flowable, KeepTogether, NextPageTemplate, PageBreak, Spacer

from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.errors import Cancelled, NotFound
from gongkai_desktop.report.body import attachment_names, body_story
from gongkai_desktop.report.chart import completion_chart
from gongkai_desktop.report.content import (
    ReportContent,
    ReportEvidence,
    chinese_date,
    content_fingerprint,
    group_hex,
)
from gongkai_desktop.report.document import (
    LANDSCAPE_TEMPLATE,
    PORTRAIT_TEMPLATE,
    ReportDocTemplate,
)
from gongkai_desktop.report.flowables import ClosingBlock, EvidenceFigure
from gongkai_desktop.report.images import load_prepared
from gongkai_desktop.report.tables import completion_table, evidence_table, info_line
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.ticker import Progress, Ticker
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontBook, FontRole, default_font_book
from gongkai_desktop.typeset.marks import CONTENT_KEYWORD


@dataclass(frozen=True, slots=True)
class RenderResult:
    path: Path
    pages: int
    fingerprint: str  # SHA-256 hex of the content (see module doc)
    missing_chars: frozenset[str]  # characters no font could set (printed as 〓); normally empty
    images_not_shown: tuple[str, ...]  # evidence images that could not be read


def fingerprint_line(fingerprint: str) -> str:
    return (f"报告内容指纹（SHA-256）：{group_hex(fingerprint)}。"
            "与电子文件签名信息中的内容指纹一致，即为同一份报告。")


def _attachment_head(kit: TextKit, number: int, name: str) -> list[Flowable]:
    return [
        kit.para(f"附件{number}", FontRole.HEADING1, align=TA_LEFT),
        Spacer(1, g.BODY_LEADING / 2),
        kit.title([name]),
        Spacer(1, g.BODY_LEADING / 2),
    ]


def _table_part(content: ReportContent, kit: TextKit) -> list[Flowable]:
    width = g.LANDSCAPE.type_width
    story = _attachment_head(kit, 1, attachment_names(content)[0])
    story.append(info_line(kit, f"填报单位：{content.unit_full_name}",
                           f"填报日期：{chinese_date(content.signed_on)}", width))
    chart = completion_chart(content.plan, content.rows, kit, width)
    if chart is None:
        story.append(kit.body_paragraph("本单位在本次任务分工中未承担具体举措。"))
        return story
    story += [Spacer(1, 6), chart, Spacer(1, 10), completion_table(kit, content.rows, width)]
    return story


def _evidence_part(content: ReportContent, kit: TextKit, ticker: Ticker) -> tuple[
    list[Flowable], list[str]
]:
    width = g.PORTRAIT.type_width
    story = _attachment_head(kit, 2, attachment_names(content)[1])
    if not content.evidence:
        story.append(kit.body_paragraph("本单位未提交佐证材料。"))
        return story, []
    seq_of = {r.measure.id: r.seq for r in content.rows}
    figures: list[Flowable] = []
    notes: dict[int, str] = {}
    broken: list[str] = []
    for i, item in enumerate(content.evidence):
        if not item.is_image:
            continue
        ticker.check()
        prepared = load_prepared(item)
        if isinstance(prepared, str):  # the note that says why (unreadable, too large)
            notes[i] = prepared
            broken.append(item.name)
            continue
        caption = f"图{len(figures) + 1}　{item.name}（{_where(item, seq_of)}）"
        # Wide pictures two to a page; tall ones (phone screenshots) may take most of one.
        share = 0.44 if prepared.width >= prepared.height else 0.8
        figures.append(EvidenceFigure(kit, prepared, caption, g.PORTRAIT.type_height * share))
    story.append(evidence_table(kit, content.evidence, seq_of, width, notes))
    if figures:
        heading = kit.para("图片材料", FontRole.HEADING1, align=TA_LEFT)
        story += [Spacer(1, g.BODY_LEADING / 2),
                  KeepTogether([heading, Spacer(1, 6), figures[0]]), *figures[1:]]
    return story, broken


def _ledger_part(content: ReportContent, kit: TextKit) -> list[Flowable]:
    from gongkai_desktop.report.tables import ledger_table

    width = g.LANDSCAPE.type_width
    story = _attachment_head(kit, 3, attachment_names(content)[2])
    story.append(info_line(kit, f"填报单位：{content.unit_full_name}",
                           f"填报日期：{chinese_date(content.signed_on)}", width))
    return [*story, Spacer(1, 6), ledger_table(kit, content.ledger, width)]


def _offices_part(content: ReportContent, kit: TextKit) -> list[Flowable]:
    from gongkai_desktop.report.tables import offices_table

    width = g.LANDSCAPE.type_width
    names = attachment_names(content)
    story = _attachment_head(kit, len(names), names[-1])
    story.append(info_line(kit, f"填报单位：{content.unit_full_name}",
                           f"填报日期：{chinese_date(content.signed_on)}", width))
    return [*story, Spacer(1, 6), offices_table(kit, content.offices, width)]


def _where(item: ReportEvidence, seq_of: dict[str, int]) -> str:
    if item.measure_id in seq_of:
        return f"附件1第{seq_of[item.measure_id]}项"
    return "未关联举措" if not item.measure_id else f"举措{item.measure_id}"


def _count_images(evidence: Sequence[ReportEvidence]) -> int:
    return sum(1 for e in evidence if e.is_image)


def render_report(content: ReportContent, out: Path, *, progress: Progress | None = None,
                  fonts: FontBook | None = None) -> RenderResult:
    """Write the report PDF to ``out``; ``progress(done, total)`` returning False cancels.

    Written to a temporary file beside ``out`` and moved into place at the end,
    so a cancelled or failed rendering leaves no partial file.
    """
    out = Path(out)
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    kit = TextKit(fonts or default_font_book())
    fingerprint = content_fingerprint(content)
    # Work units: each image, then each flowable laid out (estimated from the rows).
    ticker = Ticker(progress, _count_images(content.evidence) + len(content.rows) + 40,
                    "已取消生成报告", hold_last=True)
    story = body_story(content, kit)
    story += [NextPageTemplate(LANDSCAPE_TEMPLATE), PageBreak(), *_table_part(content, kit)]
    evidence, broken = _evidence_part(content, kit, ticker)
    story += [NextPageTemplate(PORTRAIT_TEMPLATE), PageBreak(), *evidence]
    if content.ledger:
        story += [NextPageTemplate(LANDSCAPE_TEMPLATE), PageBreak(), *_ledger_part(content, kit)]
    if content.offices:
        story += [NextPageTemplate(LANDSCAPE_TEMPLATE), PageBreak(), *_offices_part(content, kit)]
    note = fingerprint_line(fingerprint) if content.fingerprint_note else None
    story.append(ClosingBlock(kit, note))
    with atomic_output(out, what="报告文件") as tmp:
        # Our own handle, closed whatever happens: reportlab leaves its own open when a
        # write fails (a full disk), and an open file cannot be removed on Windows.
        with tmp.open("wb") as handle:
            doc = ReportDocTemplate(handle, kit, title=content.title,
                                    author=content.unit_full_name,
                                    keywords=CONTENT_KEYWORD + fingerprint,
                                    on_flowable=ticker.step)
            doc.build(story)
        if not ticker.step():
            raise Cancelled("已取消生成报告")
    ticker.finish()
    return RenderResult(out, doc.pages, fingerprint, frozenset(kit.missing), tuple(broken))
