"""Page geometry of the report, GB/T 9704-2012 (points unless named *_mm).

Portrait: top 37 mm, left 28 mm, right 26 mm, bottom 35 mm → type area
156 × 225 mm. Landscape pages (the completion table) turn the portrait page a
quarter clockwise, so the binding edge (left) becomes the top: top 28,
right 37, bottom 26, left 35 → type area 225 × 156 mm.

The signing stamp's box is fixed here too: the renderer reserves it at the
bottom of the last page's type area, the signer puts the stamp there.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm


@dataclass(frozen=True, slots=True)
class PageFrame:
    width: float
    height: float
    top: float
    right: float
    bottom: float
    left: float

    @property
    def type_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def type_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def landscape(self) -> bool:
        return self.width > self.height


PORTRAIT = PageFrame(A4[0], A4[1], top=37 * mm, right=26 * mm, bottom=35 * mm, left=28 * mm)
_WIDE, _HIGH = landscape(A4)
LANDSCAPE = PageFrame(_WIDE, _HIGH, top=28 * mm, right=37 * mm, bottom=26 * mm, left=35 * mm)

BODY_SIZE = 16.0  # 3号
# 22 lines in the 225 mm type area: 637.8 pt / 22 = 28.99 pt; a hair less so rounding never
# pushes the 22nd line over.
BODY_LEADING = 28.9
TITLE_SIZE = 22.0  # 2号
TITLE_LEADING = 33.0
PAGE_NO_SIZE = 14.0  # 4号
PAGE_NO_GAP = 7 * mm  # below the type area
TABLE_SIZE = 10.5  # 五号
TABLE_LEADING = 14.0

# The visible signature stamp: lower right of the last page's type area.
STAMP_WIDTH = 100 * mm
STAMP_HEIGHT = 27 * mm


def frame_for(width: float, height: float) -> PageFrame:
    """The frame of a page of this size; A4 either way round, else the portrait margins."""
    return LANDSCAPE if width > height else PORTRAIT


def signature_box(width: float, height: float) -> tuple[float, float, float, float]:
    """(x1, y1, x2, y2) of the signing stamp on a page of this size."""
    frame = frame_for(width, height)
    x2 = width - frame.right
    y1 = frame.bottom
    return (x2 - STAMP_WIDTH, y1, x2, y1 + STAMP_HEIGHT)
