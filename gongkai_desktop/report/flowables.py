"""Custom flowables: an evidence figure, and the closing block of the last page."""

from __future__ import annotations

import io

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Paragraph

from gongkai_desktop.report.images import PreparedImage
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontRole

DISPLAY_DPI = 120  # small images are not blown up beyond this
CAPTION_SIZE = 10.5


class JpegReader(ImageReader):
    """An ImageReader for JPEG data that reportlab embeds as is.

    ``Canvas.drawImage`` names an image by the MD5 of ``getRGBData()``, which
    decodes the whole picture (~10 ms a photo) only to hash it; the JPEG bytes
    identify it just as well.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._jpeg = data

    def getRGBData(self) -> bytes:
        self._dataA = None
        return self._jpeg


class EvidenceFigure(Flowable):
    """One image at a readable size (type-area width at most, aspect kept) with its caption."""

    def __init__(self, kit: TextKit, image: PreparedImage, caption: str,
                 max_height: float) -> None:
        super().__init__()
        self.image = image
        self.max_height = max_height
        style = kit.style(FontRole.TABLE, size=CAPTION_SIZE, leading=15, align=TA_CENTER)
        self.caption = Paragraph(kit.markup(caption, FontRole.TABLE), style)

    def _size(self, avail_width: float) -> tuple[float, float]:
        w = min(avail_width, self.image.width * 72 / DISPLAY_DPI)
        h = w * self.image.height / self.image.width
        if h > self.max_height:
            h = self.max_height
            w = h * self.image.width / self.image.height
        return w, h

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.img_w, self.img_h = self._size(availWidth)
        _, self.cap_h = self.caption.wrap(availWidth, availHeight)
        self.height = self.img_h + 6 + self.cap_h + 12
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        # The reader is made here, at drawing time, so only compressed bytes wait in memory.
        reader = JpegReader(self.image.data)
        x = (self.width - self.img_w) / 2
        y = self.cap_h + 6 + 12
        self.canv.drawImage(reader, x, y, self.img_w, self.img_h)
        self.caption.drawOn(self.canv, 0, 12)


class ClosingBlock(Flowable):
    """The fingerprint line above the space kept free for the signing stamp.

    It takes the rest of the last frame, so the stamp's box (see
    :func:`geometry.signature_box`) is always at the bottom of the type area.
    """

    def __init__(self, kit: TextKit, note: str | None) -> None:
        super().__init__()
        style = kit.style(FontRole.TABLE, size=10.5, leading=15, align=TA_LEFT)
        self.note = Paragraph(kit.markup(note, FontRole.TABLE), style) if note else None

    def _needed(self, availWidth: float) -> float:
        note_h = self.note.wrap(availWidth, 1e6)[1] if self.note else 0.0
        return note_h + 8 + g.STAMP_HEIGHT

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        needed = self._needed(availWidth)
        self.height = max(availHeight, needed)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        if self.note is not None:
            self.note.wrap(self.width, 1e6)
            self.note.drawOn(self.canv, 0, g.STAMP_HEIGHT + 8)
