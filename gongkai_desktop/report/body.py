"""The report's main text: title, addressee, opening, sections, attachment note, signature."""

from __future__ import annotations

import math
import re

from reportlab.lib.enums import TA_LEFT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from gongkai_desktop.report.content import ReportContent, chinese_date
from gongkai_desktop.report.first_draft import CHINESE_ORDINALS
from gongkai_desktop.report.signature_block import SignatureBlock, load_seal
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontRole, clean_text

_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")
# Good places to turn a title line: after these words (GB/T 9704: keep words whole).
_BREAK_AFTER = ("关于", "贯彻落实", "工作要点", "要点", "任务分工", "情况", "的")


def attachment_names(content: ReportContent) -> tuple[str, ...]:
    year = content.plan.info.issued.year
    names: tuple[str, ...] = (f"贯彻落实{year}年政务公开工作要点任务分工完成情况表", "佐证材料清单")
    names = (*names, "整改台账") if content.ledger else names
    return (*names, "下级单位完成情况") if content.offices else names


def title_lines(title: str, kit: TextKit) -> list[str]:
    """Split a title into balanced lines, turning before "关于" and after whole words."""
    font = kit.font(FontRole.TITLE)
    title = " ".join(clean_text(title).split())
    head, sep, tail = title.partition("关于")
    if sep and head and kit.fonts.width(head, font, g.TITLE_SIZE) <= PORTRAIT_WIDTH:
        return [head, *_balance(sep + tail, kit, font)]
    return _balance(title, kit, font)


PORTRAIT_WIDTH = g.PORTRAIT.type_width


def _balance(text: str, kit: TextKit, font: str) -> list[str]:
    total = kit.fonts.width(text, font, g.TITLE_SIZE)
    n = max(1, math.ceil(total / PORTRAIT_WIDTH))
    if n == 1:
        return [text]
    lines: list[str] = []
    rest = text
    for remaining in range(n, 1, -1):
        target = len(rest) / remaining
        cut = _best_cut(rest, target)
        # Never exceed the line width, whatever the word breaks say.
        while cut > 1 and kit.fonts.width(rest[:cut], font, g.TITLE_SIZE) > PORTRAIT_WIDTH:
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return [line for line in lines if line]


def _best_cut(text: str, target: float) -> int:
    """The break closest to the balanced point, preferring one after a whole word."""
    best, best_cost = round(target), 1e9
    for word in _BREAK_AFTER:
        for m in re.finditer(re.escape(word), text):
            pos = m.end()
            if 0 < pos < len(text):
                cost = abs(pos - target)
                if cost < best_cost and cost <= 4:
                    best, best_cost = pos, cost
    return max(1, min(best, len(text) - 1))


def _section_heading(index: int, heading: str) -> str:
    heading = heading.strip()
    if _NUMBERED.match(heading):
        return heading
    ordinal = CHINESE_ORDINALS[index] if index < len(CHINESE_ORDINALS) else str(index + 1)
    return f"{ordinal}、{heading}"


def _paragraphs(text: str) -> list[str]:
    """Every line with text is a paragraph (Enter starts one; blank lines are spacing)."""
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def body_story(content: ReportContent, kit: TextKit) -> list[Flowable]:
    size = g.BODY_SIZE
    story: list[Flowable] = [kit.title(title_lines(content.title, kit)), Spacer(1, g.BODY_LEADING)]
    addressee = content.addressee.strip().rstrip("：:")
    if addressee:
        story.append(kit.para(addressee + "：", align=TA_LEFT))
    story += [kit.body_paragraph(p) for p in _paragraphs(content.opening)]
    for i, section in enumerate(content.sections):
        story.append(kit.heading1(_section_heading(i, section.heading)))
        story += [kit.body_paragraph(p) for p in _paragraphs(section.body)]
    story.append(Spacer(1, g.BODY_LEADING))
    # 附件说明: "附件：1．…" with the following items aligned under the first.
    label_w = stringWidth("附件：", kit.font(FontRole.BODY), size)
    note: list[Flowable] = []
    for i, name in enumerate(attachment_names(content), start=1):
        prefix = "附件：" if i == 1 else ""
        style = kit.style(FontRole.BODY, align=TA_LEFT, leftIndent=2 * size + label_w,
                          indent_chars=-(label_w / size) if i == 1 else 0)
        note.append(Paragraph(kit.markup(f"{prefix}{i}．{name}", FontRole.BODY), style))
    seal = load_seal(content.seal_png)
    signature = SignatureBlock(kit, content.unit_full_name.strip(),
                               chinese_date(content.signed_on), seal)
    story.append(KeepTogether([*note, signature]))
    return story
