"""Evidence images for 附件2: loaded one at a time, shrunk, ready to embed.

A JPEG already small enough (≤ 1600 px, RGB/grey, upright) is embedded as is
(reportlab passes JPEG data through untouched); anything else is decoded,
turned upright (EXIF), flattened onto white, shrunk to ≤ 1600 px and saved as
JPEG, so the PDF stays small and fast to write. A file that cannot be read
becomes a note in the list, never an error.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, ImageOps

from gongkai_desktop.report.content import ReportEvidence

log = logging.getLogger(__name__)

MAX_PIXELS = 1600  # longest side embedded: ~260 dpi across the type area, plenty for print
JPEG_QUALITY = 85
BROKEN_NOTE = "（图片文件无法读取，未能显示）"


@dataclass(frozen=True, slots=True)
class PreparedImage:
    data: bytes  # JPEG
    width: int  # pixels
    height: int


def prepare_image(raw: bytes) -> PreparedImage:
    """The image ready for embedding; raises for data that is not a readable image."""
    with Image.open(io.BytesIO(raw)) as im:
        orientation = im.getexif().get(0x0112, 1)
        if (im.format == "JPEG" and im.mode in ("RGB", "L") and orientation == 1
                and max(im.size) <= MAX_PIXELS):
            width, height = im.size
            # Decode once at 1/8 scale (fast; every byte is still read) so a truncated
            # file fails here rather than printing half a picture.
            im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            im.load()
            return PreparedImage(raw, width, height)
        if im.format == "JPEG":
            im.draft("RGB", (MAX_PIXELS, MAX_PIXELS))  # decode at a reduced scale: much faster
        im.load()
        upright = ImageOps.exif_transpose(im) or im
        rgb = _flatten(upright)
    rgb.thumbnail((MAX_PIXELS, MAX_PIXELS), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # 4:4:4 for screenshots (coloured text stays sharp); photos were JPEG already.
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0 if im.format != "JPEG" else 2)
    return PreparedImage(out.getvalue(), rgb.width, rgb.height)


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def load_prepared(item: ReportEvidence) -> PreparedImage | None:
    """Load and prepare one evidence image; None when it cannot be shown."""
    if item.load_bytes is None:
        return None
    try:
        return prepare_image(item.load_bytes())
    except Exception as exc:  # a broken file is listed with a note, never a crash
        log.warning("evidence image %s not shown: %s", item.name, exc)
        return None
