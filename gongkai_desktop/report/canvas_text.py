"""Text drawn straight on the canvas (page numbers, signature), with font fallback."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from gongkai_desktop.typeset.fonts import FontBook


def draw_runs(canv: Canvas, fonts: FontBook, text: str, font: str, size: float, x: float,
              y: float, *, align: str = "left", missing: set[str] | None = None) -> float:
    """Draw text starting (left), ending (right) or centred (centre) at x; returns its width."""
    runs = fonts.runs(text, font, missing)
    width = sum(stringWidth(run, f, size) for f, run in runs)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for f, run in runs:
        canv.setFont(f, size)
        canv.drawString(x, y, run)
        x += stringWidth(run, f, size)
    return width
