"""A role's printable two-page quick start (快速入门) from the guide's quickstart Markdown.

A4 with the report's fonts (installed 公文 fonts first, the bundled ones always
there), so it prints on any machine without boxes. Written to a temporary file
beside the target and moved into place, so a failure never leaves half a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer

from gongkai_desktop import APP_NAME, __version__, guide
from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.typeset.fonts import FontBook, FontRole, default_font_book

ACCENT = Color(0.62, 0.07, 0.07)  # the red of 公文 headings on a printed page
BODY = 12.5
LEADING = 21


WIDTH = A4[0] - 44 * mm
MAX_IMAGE_HEIGHT = 95 * mm


def _screenshot(kit: TextKit, path: Path, caption: str) -> list[Flowable]:
    """A screenshot of the real window, scaled to the column, with its caption."""
    if not path.is_file():  # a checkout before scripts/guide_screenshots.py ran
        return []
    picture = Image(str(path))
    scale = min(WIDTH / picture.imageWidth, MAX_IMAGE_HEIGHT / picture.imageHeight)
    picture.drawWidth = picture.imageWidth * scale
    picture.drawHeight = picture.imageHeight * scale
    return [Spacer(0, 4 * mm), picture,
            kit.para(f"图：{caption}", FontRole.BODY, size=10, leading=16, align=TA_CENTER)]


@dataclass(frozen=True, slots=True)
class QuickstartResult:
    path: Path
    pages: int
    missing: frozenset[str]  # characters no font could set (printed as 〓)


def write_quickstart(role: guide.Role, out: Path, fonts: FontBook | None = None
                     ) -> QuickstartResult:
    """Write the quick start of ``role`` to ``out`` (a PDF); returns its page count."""
    kit = TextKit(fonts or default_font_book())
    blocks = guide.parse(guide.read(guide.quickstart_file(role)))
    story = []
    for block in blocks:
        if block.kind == "title":
            story.append(kit.para(block.text, FontRole.HEADING1, size=20, leading=30,
                                  align=TA_CENTER))
            story.append(Spacer(0, 6 * mm))
        elif block.kind == "heading":
            style = kit.style(FontRole.HEADING1, size=15, leading=24, align=TA_LEFT,
                              spaceBefore=4 * mm, spaceAfter=1 * mm, keepWithNext=1)
            style.textColor = ACCENT
            story.append(Paragraph(kit.markup(block.text, FontRole.HEADING1), style))
        elif block.kind in ("item", "bullet"):
            mark = f"{block.number}．" if block.kind == "item" else "• "
            story.append(kit.para(mark + block.text, FontRole.BODY, size=BODY, leading=LEADING,
                                  align=TA_LEFT, leftIndent=2 * BODY, indent_chars=-1))
        elif block.kind == "image":
            story.extend(_screenshot(kit, guide.folder() / block.target, block.text))
        elif block.kind == "text":
            story.append(kit.para(block.text, FontRole.BODY, size=BODY, leading=LEADING,
                                  indent_chars=2))
    out = Path(out)
    pages = 0

    def footer(canvas: object, doc: SimpleDocTemplate) -> None:
        nonlocal pages
        pages = doc.page
        text = f"— {doc.page} —"
        name = kit.font(FontRole.BODY)
        canvas.setFont(name, 11)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 15 * mm, text)  # type: ignore[attr-defined]

    with atomic_output(out) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                                topMargin=20 * mm, bottomMargin=24 * mm,
                                title=f"快速入门（{role.label}）", author=APP_NAME,
                                creator=f"{APP_NAME} {__version__}",
                                initialFontName=kit.font(FontRole.BODY))  # all embedded
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return QuickstartResult(out, pages, frozenset(kit.missing))
