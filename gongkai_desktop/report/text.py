"""Paragraph styles and paragraphs of the report, every one through the font fallback.

:class:`TextKit` is made once per rendering: it carries the fonts and collects
characters no font could set, which the render result reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from gongkai_desktop.report import cjkwrap
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontBook, FontRole

_HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")
GREY = Color(0.35, 0.35, 0.35)

cjkwrap.install()  # Chinese line-breaking rules for every paragraph we set


@dataclass
class TextKit:
    fonts: FontBook
    missing: set[str] = field(default_factory=set)

    def font(self, role: FontRole) -> str:
        return self.fonts.name(role)

    def markup(self, text: str, role: FontRole) -> str:
        return self.fonts.markup(text, self.font(role), self.missing)

    # -- styles ---------------------------------------------------------------
    def style(self, role: FontRole, *, size: float = g.BODY_SIZE, leading: float = g.BODY_LEADING,
              indent_chars: float = 0, align: int = TA_JUSTIFY, **extra: object) -> ParagraphStyle:
        return ParagraphStyle(
            f"{role}-{size}-{indent_chars}-{align}", fontName=self.font(role), fontSize=size,
            leading=leading, firstLineIndent=indent_chars * size, alignment=align,
            wordWrap="CJK", allowOrphans=1, allowWidows=1, **extra,
        )

    def para(self, text: str, role: FontRole = FontRole.BODY, **style: object) -> Paragraph:
        return Paragraph(self.markup(text, role), self.style(role, **style))  # type: ignore[arg-type]

    # -- document parts ---------------------------------------------------------
    def title(self, lines: list[str]) -> Paragraph:
        body = "<br/>".join(self.markup(line, FontRole.TITLE) for line in lines)
        style = self.style(FontRole.TITLE, size=g.TITLE_SIZE, leading=g.TITLE_LEADING,
                           align=TA_CENTER)
        return Paragraph(body, style)

    def body_paragraph(self, text: str) -> Paragraph:
        """A body paragraph; a leading "一、" or "（一）" heading gets its own font up to "。"."""
        text = text.strip()
        role = None
        if _HEADING1.match(text):
            role = FontRole.HEADING1
        elif _HEADING2.match(text):
            role = FontRole.HEADING2
        style = self.style(FontRole.BODY, indent_chars=2)
        if role is None:
            return Paragraph(self.markup(text, FontRole.BODY), style)
        head, sep, rest = text.partition("。")
        head += sep
        markup = f'<font name="{self.font(role)}">{self.markup(head, role)}</font>'
        return Paragraph(markup + self.markup(rest, FontRole.BODY), style)

    def heading1(self, text: str) -> Paragraph:
        return self.para(text, FontRole.HEADING1, indent_chars=2, align=TA_LEFT)

    def cell(self, text: str, role: FontRole = FontRole.TABLE, *, align: int = TA_LEFT,
             size: float = g.TABLE_SIZE, color: Color | None = None) -> Paragraph:
        style = self.style(role, size=size, leading=size * 4 / 3, align=align)
        if color is not None:
            style.textColor = color
        return Paragraph(self.markup(text, role), style)
