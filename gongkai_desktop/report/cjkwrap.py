"""Chinese line breaking rules (禁则) and justification for reportlab paragraphs.

reportlab's CJK wrap knows the Japanese list of characters that may not start
a line, which lacks the full-width comma, semicolon, colon, closing quotes and
book-title marks, and it never checks what a line ends with. This module
replaces the two functions reportlab's ``Paragraph.breakLinesCJK`` calls
(``wordSplit`` for one-font text, ``cjkFragSplit`` for mixed fonts) with the
same greedy algorithm plus: closing punctuation never starts a line (the
character before it moves down with it, 推出, so no line is wider than the
measure), and opening brackets or quotes never end one (they move down with
the character they open).

reportlab justifies by widening spaces, and Chinese has none: a justified
Chinese paragraph comes out ragged on the right. Justified lines containing
Chinese are therefore spread with character spacing (PDF ``Tc``) instead, as
公文 are typeset (两端对齐); the last line of a paragraph stays flush left.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as _paragraph
from reportlab.rl_config import _FUZZ

CANNOT_START = ALL_CANNOT_START + "，。、；：？！”’》〉」』】〕）…·%‰℃"
CANNOT_END = ALL_CANNOT_END + "“‘《〈「『【〔（"
_LATIN_BREAK_AFTER = frozenset("/-_.?&=")  # inside URLs and file names


def _is_space(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch) == "Zs"


def break_lines(chars: Sequence[str], widths: Sequence[float],
                max_widths: Sequence[float]) -> list[tuple[int, int, float, float]]:
    """Greedy line breaks: (start, end, extra space, width used) per line."""
    out: list[tuple[int, int, float, float]] = []
    i = start = 0
    used = 0.0
    max_width = max_widths[0]
    while i < len(chars):
        c = chars[i]
        used += widths[i]
        i += 1
        if used <= max_width + _FUZZ or used <= 0:
            continue
        extra = max_width - used
        if c and ord(c[0]) < 0x3000:
            # Inside Latin text (a URL, a word): break after the last space, slash, dot…
            # or Chinese character in the second half of the line, if there is one.
            for j in range(i - 1, (start + i) >> 1, -1):
                cj = chars[j]
                if _is_space(cj) or cj in _LATIN_BREAK_AFTER or (cj and ord(cj[0]) >= 0x3000):
                    k = j + 1
                    if k < i:
                        extra += sum(widths[k + 1 : i])
                        i = k + 1
                    break
        if i > start + 1:
            i -= 1  # this character starts the next line ...
            extra += widths[i]
            # ... but closing punctuation may not: the character before it goes down too
            # (推出), so no line is wider than the measure.
            while i > start + 1 and chars[i] and chars[i] in CANNOT_START:
                i -= 1
                extra += widths[i]
            while i > start + 1 and chars[i - 1] and chars[i - 1] in CANNOT_END:
                i -= 1  # an opening bracket or quote goes down with what it opens
                extra += widths[i]
        out.append((start, i, extra, used))
        max_width = max_widths[min(len(out), len(max_widths) - 1)]
        start, used = i, 0.0
    if start < len(chars):
        out.append((start, len(chars), max_width - used, used))
    return out


def word_split(word: str, maxWidths: Any, fontName: str, fontSize: float,
               encoding: str = "utf8") -> list[list[Any]]:
    """Drop-in for ``reportlab.lib.textsplit.wordSplit`` (one font)."""
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    widths = [stringWidth(ch, fontName, fontSize, encoding) for ch in word]
    return [[extra, word[s:e].strip()] for s, e, extra, _ in break_lines(word, widths, maxWidths)]


def cjk_frag_split(frags: Any, maxWidths: Any, calcBounds: Any,
                   encoding: str = "utf8") -> Any:
    """Drop-in for ``reportlab.platypus.paragraph.cjkFragSplit`` (mixed fonts)."""
    units: list[Any] = []
    for f in frags:
        text = f.text.decode(encoding) if isinstance(f.text, bytes) else f.text
        if text:
            units.extend(_paragraph.cjkU(t, f, encoding) for t in text)
        else:
            units.append(_paragraph.cjkU(text, f, encoding))
    widths = [_width(u, maxWidths[0]) for u in units]
    lines = [
        _paragraph.makeCJKParaLine(units[s:e], maxWidths[min(n, len(maxWidths) - 1)], used,
                                   extra, any(hasattr(u.frag, "lineBreak") for u in units[s:e]),
                                   calcBounds)
        for n, (s, e, extra, used) in enumerate(_frag_breaks(units, widths, maxWidths))
    ]
    return _paragraph.ParaLines(kind=1, lines=lines)


def _width(u: Any, max_width: float) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = max_width
        return float(w.normalizedValue(max_width))
    return float(w)


def _frag_breaks(units: list[Any], widths: list[float],
                 max_widths: Sequence[float]) -> list[tuple[int, int, float, float]]:
    """Like :func:`break_lines`, honouring forced line breaks (<br/>) between segments."""
    out: list[tuple[int, int, float, float]] = []
    start = 0
    for i, u in enumerate(units):
        if hasattr(u.frag, "lineBreak"):
            out += _shifted(units, widths, max_widths, start, i + 1, len(out))
            start = i + 1
    if start < len(units):
        out += _shifted(units, widths, max_widths, start, len(units), len(out))
    return out


def _shifted(units: list[Any], widths: list[float], max_widths: Sequence[float], start: int,
             end: int, line_no: int) -> list[tuple[int, int, float, float]]:
    chars = [str(u) for u in units[start:end]]
    remaining = list(max_widths[line_no:]) or [max_widths[-1]]
    lines = break_lines(chars, widths[start:end], remaining) or [(0, end - start,
                                                                   remaining[0], 0.0)]
    return [(start + s, start + e, extra, used) for s, e, extra, used in lines]


_plain_justify = _paragraph._justifyDrawParaLine
_plain_justify_x = _paragraph._justifyDrawParaLineX
MAX_SPREAD = 0.25  # of the font size per character; a sparser line stays flush left


def _spread(text: str, extra: float, size: float) -> float | None:
    """The character spacing that justifies a Chinese line, or None to leave it alone."""
    if extra <= 1e-8 or len(text) < 2 or not any(ord(c) >= 0x2E80 for c in text):
        return None
    spacing = extra / (len(text) - 1)
    return spacing if size and spacing <= MAX_SPREAD * size else None


def justify_line(tx: Any, offset: float, extraspace: float, words: list[str],
                 last: int = 0) -> float:
    """Drop-in for ``_justifyDrawParaLine`` (one font)."""
    text = " ".join(words)
    plain = last or getattr(tx, "preformatted", False)
    spacing = None if plain else _spread(text, extraspace, tx._fontsize or 0)
    if spacing is None:
        return float(_plain_justify(tx, offset, extraspace, words, last))
    _paragraph.setXPos(tx, offset)
    tx.setCharSpace(spacing)
    tx._textOut(text, 1)
    tx.setCharSpace(0)
    _paragraph.setXPos(tx, -offset)
    return offset


def justify_line_x(tx: Any, offset: float, line: Any, last: int = 0) -> None:
    """Drop-in for ``_justifyDrawParaLineX`` (mixed fonts)."""
    text = "".join(w.text for w in line.words if not hasattr(w, "cbDefn"))
    plain = last or line.lineBreak
    spacing = None if plain else _spread(text, line.extraSpace, line.fontSize)
    if spacing is None:
        _plain_justify_x(tx, offset, line, last)
        return
    tx._x_offset = offset
    _paragraph.setXPos(tx, offset)
    tx.setCharSpace(spacing)
    _paragraph._putFragLine(offset, tx, line, last, "justify")
    tx.setCharSpace(0)
    _paragraph.setXPos(tx, -offset)


_plain_break_lines_cjk = _paragraph.Paragraph.breakLinesCJK


def break_lines_cjk(self: Any, maxWidths: Any) -> Any:
    """``Paragraph.breakLinesCJK`` that keeps a split paragraph's multi-font lines.

    When a mixed-font paragraph is split at a page break and a part is in one
    font, reportlab relabels that part's already-broken multi-font lines as
    single-font ones and drawing them fails. (Its ``kind`` label on split parts
    is always 1, so the line objects themselves tell what they are.)
    """
    bl_para = getattr(self, "blPara", None)
    lines = getattr(bl_para, "lines", None)
    if getattr(self, "_splitpara", 0) and lines and isinstance(lines[0], _paragraph.FragLine):
        assert bl_para is not None  # it holds the lines just read
        bl_para.kind = 1
        return bl_para
    return _plain_break_lines_cjk(self, maxWidths)


def install() -> None:
    """Use these rules for every CJK paragraph in this process (idempotent)."""
    _paragraph.wordSplit = word_split
    _paragraph.cjkFragSplit = cjk_frag_split
    _paragraph._justifyDrawParaLine = justify_line
    _paragraph._justifyDrawParaLineX = justify_line_x
    _paragraph.Paragraph.breakLinesCJK = break_lines_cjk
