"""Completion by area: one stacked horizontal bar per area (已完成/推进中/未开始/不适用).

Drawn with reportlab.graphics shapes rather than the stock chart classes so the
two-line Chinese area labels, the counts inside the bars and the legend sit
exactly where they should. Shades stay distinct when printed in grey.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.colors import Color, black, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from gongkai_desktop.model import COUNT_ORDER, Plan, Status
from gongkai_desktop.report.content import ReportRow
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.typeset.fonts import FontRole

ORDER = COUNT_ORDER
COLOURS = {
    Status.DONE: Color(0.16, 0.33, 0.55),
    Status.IN_PROGRESS: Color(0.42, 0.62, 0.80),
    Status.NOT_STARTED: Color(0.80, 0.86, 0.92),
    Status.NOT_APPLICABLE: Color(0.72, 0.72, 0.72),
}
LABEL_SIZE = 9.0
BAR_HEIGHT = 15.0
ROW_HEIGHT = 26.0
LABEL_CHARS = 18  # per line of an area's label


def area_counts(plan: Plan, rows: Sequence[ReportRow]) -> list[tuple[str, dict[Status, int]]]:
    """(label, counts) per area of the plan that has rows, in plan order."""
    out: list[tuple[str, dict[Status, int]]] = []
    for area in plan.areas:
        mine = [r for r in rows if r.measure.id.split(".")[0] == area.id]
        if mine:
            counts = {s: sum(1 for r in mine if r.status is s) for s in ORDER}
            out.append((f"{area.label}、{area.title}", counts))
    return out


def _wrap_label(label: str) -> list[str]:
    lines = [label[i : i + LABEL_CHARS] for i in range(0, len(label), LABEL_CHARS)]
    if len(lines) > 2:
        lines = [lines[0], lines[1][:-1] + "…"]
    return lines


def completion_chart(plan: Plan, rows: Sequence[ReportRow], kit: TextKit,
                     width: float) -> Drawing | None:
    data = area_counts(plan, rows)
    if not data:
        return None
    font = kit.font(FontRole.TABLE)
    label_w = LABEL_CHARS * LABEL_SIZE + 8
    legend_h, axis_h = 22.0, 16.0
    height = legend_h + len(data) * ROW_HEIGHT + axis_h
    d = Drawing(width, height)
    d.initialFontName = font  # otherwise the renderer declares Helvetica, which is not embedded
    plot_x, plot_w = label_w, width - label_w - 20
    peak = max(sum(c.values()) for _, c in data)
    step = max(1, math.ceil(peak / 10))
    top = step * math.ceil(peak / step)
    scale = plot_w / top

    def text(x: float, y: float, s: str, *, anchor: str = "start", fill: Color = black) -> None:
        name = kit.fonts.font_for_text(s, font, kit.missing)
        d.add(String(x, y, s, fontName=name, fontSize=LABEL_SIZE, textAnchor=anchor,
                     fillColor=fill))

    # Legend across the top.
    x = plot_x
    for status in ORDER:
        d.add(Rect(x, height - 14, 10, 10, fillColor=COLOURS[status], strokeColor=None))
        text(x + 14, height - 12, status.label)
        x += 14 + stringWidth(status.label, font, LABEL_SIZE) + 18
    # Value grid.
    for v in range(0, top + 1, step):
        gx = plot_x + v * scale
        d.add(Line(gx, axis_h, gx, height - legend_h, strokeColor=Color(0.8, 0.8, 0.8),
                   strokeWidth=0.5))
        text(gx, axis_h - 11, str(v), anchor="middle")
    for i, (label, counts) in enumerate(data):
        y = height - legend_h - (i + 1) * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        lines = _wrap_label(label)
        for j, line in enumerate(lines):
            offset = (len(lines) - 1) * (LABEL_SIZE + 1) / 2 - j * (LABEL_SIZE + 1)
            text(plot_x - 6, y + BAR_HEIGHT / 2 - 3 + offset, line, anchor="end")
        bx = plot_x
        for status in ORDER:
            n = counts[status]
            if not n:
                continue
            w = n * scale
            d.add(Rect(bx, y, w, BAR_HEIGHT, fillColor=COLOURS[status], strokeColor=white,
                       strokeWidth=0.5))
            fill = white if status in (Status.DONE, Status.IN_PROGRESS) else black
            text(bx + w / 2, y + BAR_HEIGHT / 2 - 3, str(n), anchor="middle", fill=fill)
            bx += w
    d.add(Line(plot_x, axis_h, plot_x, height - legend_h, strokeColor=black, strokeWidth=0.6))
    return d
