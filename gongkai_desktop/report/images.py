"""Evidence images for 附件2: loaded one at a time, shrunk, ready to embed.

A JPEG already small enough (≤ 1600 px, RGB/grey, upright) is embedded as is
(reportlab passes JPEG data through untouched); anything else is decoded,
turned upright (EXIF), flattened onto white, shrunk to ≤ 1600 px and saved as
JPEG, so the PDF stays small and fast to write. A file that cannot be read
becomes a note in the list, never an error.

Memory is bounded per image whatever the file claims: the size is read from the
header before a pixel is decoded; JPEGs are decoded at a reduced scale (``draft``);
an image whose decoding would still take more than ``MAX_DECODE_BYTES`` or
``MAX_DECODE_PIXELS`` (a 13,000 × 13,000 PNG of 700 KB: 3 GB as RGB) is not decoded
at all but listed with a note.
What is decoded is shrunk first, so rotating and flattening work on the small copy.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from dataclasses import dataclass

from PIL import Image

from gongkai_desktop.report.content import ReportEvidence

log = logging.getLogger(__name__)

MAX_PIXELS = 1600  # longest side embedded: ~260 dpi across the type area, plenty for print
MAX_DECODE_PIXELS = 40_000_000  # decoded at most (time: about a second)
MAX_DECODE_BYTES = 180 * 1024 * 1024  # the decoded pixels and their working copies
JPEG_QUALITY = 85
BROKEN_NOTE = "（图片文件无法读取，未能显示）"
TOO_LARGE_NOTE = "（图片过大，未嵌入）"
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}
_REDUCIBLE = frozenset({"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "I", "F"})
# Decoded pixels plus the full-size working copies, per pixel (measured with Pillow 13:
# RGB is kept in 4 bytes, shrinking first reduces by an integer factor into a quarter
# size copy, alpha is premultiplied in a full copy, a palette is converted first).
_BYTES_PER_PIXEL = {"L": 2, "RGB": 5, "RGBX": 5, "CMYK": 5, "YCbCr": 5, "I": 5, "F": 5,
                    "LA": 9, "RGBA": 9, "P": 6, "1": 6}
_OTHER_MODES = 10  # 16-bit, palette with transparency: converted to RGBA first


class ImageTooLarge(ValueError):
    """The decoded picture would exceed ``MAX_DECODE_PIXELS``."""


@dataclass(frozen=True, slots=True)
class PreparedImage:
    data: bytes  # JPEG
    width: int  # pixels
    height: int


def prepare_image(raw: bytes, max_decode_bytes: int = MAX_DECODE_BYTES) -> PreparedImage:
    """The image ready for embedding; raises for data that is not a readable image
    (``ImageTooLarge`` when decoding it would take too much memory)."""
    try:
        with warnings.catch_warnings():
            # The size is checked below, before decoding; Pillow's global guard only warns.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(raw))
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(str(exc)) from exc
    with im:
        orientation = 1
        if im.format == "JPEG":  # its EXIF was read with the header: nothing is decoded
            orientation = im.getexif().get(0x0112, 1)
            if im.mode in ("RGB", "L") and orientation == 1 and max(im.size) <= MAX_PIXELS:
                return _checked_as_is(im, raw)
            # Decode at 1/2 … 1/8 scale, as long as the result still covers the final size.
            scale = MAX_PIXELS / max(im.size)
            if scale < 1:
                im.draft("RGB", (math.ceil(im.width * scale), math.ceil(im.height * scale)))
        _check_cost(im, max_decode_bytes)  # what decoding will take (after draft)
        if im.format != "JPEG":  # only now: a PNG's getexif() decodes the whole image
            orientation = im.getexif().get(0x0112, 1)
        im.load()
        screenshot = im.format != "JPEG"
        # Shrunk first, in its own mode (in place; reduced by an integer factor before
        # filtering): rotating and flattening then work on the small picture only.
        small = im if im.mode in _REDUCIBLE else _flatten_keep_alpha(im)
        small.thumbnail((MAX_PIXELS, MAX_PIXELS), Image.Resampling.LANCZOS)
        method = _TRANSPOSE.get(orientation if isinstance(orientation, int) else 1)
        if method is not None:
            small = small.transpose(method)
        rgb = _flatten(small)
    out = io.BytesIO()
    # 4:4:4 for screenshots (coloured text stays sharp); photos were JPEG already.
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0 if screenshot else 2)
    return PreparedImage(out.getvalue(), rgb.width, rgb.height)


def _checked_as_is(im: Image.Image, raw: bytes) -> PreparedImage:
    width, height = im.size
    # Decode once at 1/8 scale (fast; every byte is still read) so a truncated
    # file fails here rather than printing half a picture.
    im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
    im.load()
    return PreparedImage(raw, width, height)


def decode_cost(im: Image.Image) -> int:
    """Bytes the decoded pixels and their working copies take, at most."""
    per_pixel = _BYTES_PER_PIXEL.get(im.mode, _OTHER_MODES)
    if im.mode == "P" and "transparency" in im.info:
        per_pixel = _OTHER_MODES
    return im.width * im.height * per_pixel


def _check_cost(im: Image.Image, max_decode_bytes: int) -> None:
    width, height = im.size
    if width * height > MAX_DECODE_PIXELS or decode_cost(im) > max_decode_bytes:
        raise ImageTooLarge(f"{width}×{height}（{im.mode}）")


def _flatten_keep_alpha(im: Image.Image) -> Image.Image:
    transparent = im.mode in ("PA", "La") or (im.mode == "P" and "transparency" in im.info)
    return im.convert("RGBA" if transparent else "RGB")


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def load_prepared(item: ReportEvidence) -> PreparedImage | str:
    """Load and prepare one evidence image; the note to list instead when it cannot be shown."""
    if item.load_bytes is None:
        return BROKEN_NOTE
    try:
        return prepare_image(item.load_bytes())
    except ImageTooLarge as exc:
        log.warning("evidence image %s not embedded, too large: %s", item.name, exc)
        return TOO_LARGE_NOTE
    except Exception as exc:  # a broken file is listed with a note, never a crash
        log.warning("evidence image %s not shown: %s", item.name, exc)
        return BROKEN_NOTE
