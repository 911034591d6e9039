"""The page templates: GB/T 9704 portrait pages, landscape table pages, page numbers.

Page numbers are "— N —" in 14 pt, 7 mm below the type area; odd pages one
character in from the right edge of the type area, even pages one character
in from the left (GB/T 9704 §7.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from reportlab import rl_config
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from gongkai_desktop import __version__
from gongkai_desktop.errors import Cancelled
from gongkai_desktop.report.canvas_text import draw_runs
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontRole

# Binary image streams: ASCII85 (reportlab's default) is done in pure Python without the
# optional rl_accel extension (~0.15 s per photo) and makes the file 25 % larger.
rl_config.useA85 = 0

PORTRAIT_TEMPLATE = "portrait"
LANDSCAPE_TEMPLATE = "landscape"


def _frame(page: g.PageFrame, frame_id: str) -> Frame:
    return Frame(page.left, page.bottom, page.type_width, page.type_height, leftPadding=0,
                 rightPadding=0, topPadding=0, bottomPadding=0, id=frame_id, showBoundary=0)


class ReportDocTemplate(BaseDocTemplate):
    def __init__(self, filename: str | BinaryIO, kit: TextKit, *, title: str, author: str,
                 keywords: str, on_flowable: Callable[[], bool] | None = None) -> None:
        super().__init__(
            filename, pagesize=(g.PORTRAIT.width, g.PORTRAIT.height),
            leftMargin=g.PORTRAIT.left, rightMargin=g.PORTRAIT.right,
            topMargin=g.PORTRAIT.top, bottomMargin=g.PORTRAIT.bottom,
            title=title, author=author, subject="政务公开自查报告", keywords=keywords,
            creator=f"gongkai-desktop {__version__}", lang="zh-CN",
            # No Helvetica declared on any page: every font in the file is embedded.
            initialFontName=kit.font(FontRole.BODY),
        )
        self.kit = kit
        self.on_flowable = on_flowable
        self.pages = 0
        self.addPageTemplates([
            PageTemplate(PORTRAIT_TEMPLATE, [_frame(g.PORTRAIT, "p")], onPage=self._page_number,
                         pagesize=(g.PORTRAIT.width, g.PORTRAIT.height)),
            PageTemplate(LANDSCAPE_TEMPLATE, [_frame(g.LANDSCAPE, "l")],
                         onPage=self._page_number,
                         pagesize=(g.LANDSCAPE.width, g.LANDSCAPE.height)),
        ])

    def _page_number(self, canv: object, doc: BaseDocTemplate) -> None:
        from reportlab.pdfgen.canvas import Canvas

        assert isinstance(canv, Canvas)
        number = canv.getPageNumber()
        self.pages = max(self.pages, number)
        width, height = canv._pagesize
        page = g.frame_for(width, height)
        size = g.PAGE_NO_SIZE
        y = page.bottom - g.PAGE_NO_GAP - size * 0.8  # top of the digits 7 mm below the area
        font = self.kit.font(FontRole.BODY)
        text = f"— {number} —"
        if number % 2:
            draw_runs(canv, self.kit.fonts, text, font, size, width - page.right - size, y,
                      align="right")
        else:
            draw_runs(canv, self.kit.fonts, text, font, size, page.left + size, y)

    def afterFlowable(self, flowable: Flowable) -> None:
        if self.on_flowable is not None and not self.on_flowable():
            raise Cancelled("已取消生成报告")
