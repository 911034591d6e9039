"""The signature (落款): unit name over the date at the right, the seal pressed over both.

GB/T 9704: the unit name is centred over the date; the date ends four
characters from the right edge when sealed, two when not; the seal covers
both so that they sit a little below its centre, its top within one line of
the text above.
"""

from __future__ import annotations

import io
import logging

from PIL import Image
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from gongkai_desktop.report.canvas_text import draw_runs
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontRole

log = logging.getLogger(__name__)

SEAL_DIAMETER = 42 * mm  # the usual round seal of a government body


def load_seal(png: bytes | None) -> ImageReader | None:
    """The seal as an image with its transparency; None when absent or unreadable."""
    if not png:
        return None
    try:
        with Image.open(io.BytesIO(png)) as im:
            im.load()
            rgba = im.convert("RGBA")
    except Exception as exc:  # an unreadable seal must not stop the report
        log.warning("seal image unreadable: %s", exc)
        return None
    return ImageReader(rgba)


class SignatureBlock(Flowable):
    def __init__(self, kit: TextKit, unit: str, date_text: str, seal: ImageReader | None) -> None:
        super().__init__()
        self.kit, self.unit, self.date_text, self.seal = kit, unit, date_text, seal
        # Blank lines above the name: room for the seal's upper half.
        self.lines = 4 if seal is not None else 3

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.lines * g.BODY_LEADING
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # never split the name from its date

    def draw(self) -> None:
        canv: Canvas = self.canv
        size, lead = g.BODY_SIZE, g.BODY_LEADING
        font = self.kit.font(FontRole.BODY)
        fonts, missing = self.kit.fonts, self.kit.missing
        right_space = (4 if self.seal is not None else 2) * size
        date_w = fonts.width(self.date_text, font, size)
        date_x = self.width - right_space - date_w
        centre = date_x + date_w / 2
        unit_w = fonts.width(self.unit, font, size)
        unit_x = min(centre - unit_w / 2, self.width - unit_w)
        descent = (lead - size) / 2 + 0.12 * size  # baseline within a grid line
        date_y = descent
        unit_y = lead + descent
        draw_runs(canv, fonts, self.unit, font, size, unit_x, unit_y, missing=missing)
        draw_runs(canv, fonts, self.date_text, font, size, date_x, date_y, missing=missing)
        if self.seal is not None:
            w, h = self.seal.getSize()
            dw = SEAL_DIAMETER
            dh = dw * h / w
            cy = 2 * lead  # the top of the name's line: name and date sit below the centre
            canv.drawImage(self.seal, centre - dw / 2, cy - dh / 2, dw, dh, mask="auto")
