"""The font for the signing stamp's text, cut down to the characters it needs.

pyHanko's OpenType engine reads one font (not a .ttc collection) and has no
fallback, so the first TrueType font with every character of the stamp is
used: the bundled 楷体 normally, an installed one for a character it lacks.
HarfBuzz subsets it to those characters first (a few KB, ~20 ms): fontTools
in pyHanko then never parses the 16 MB original, which saves ~0.5 s and
~60 MB per signature.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from reportlab.pdfbase import pdfmetrics

from gongkai_desktop.paths import resource_file
from gongkai_desktop.typeset.fonts import BUNDLED_KAI, default_font_book

log = logging.getLogger(__name__)

# What pyHanko's timestamp adds to the template (digits, separators, the UTC offset).
TIMESTAMP_CHARS = "0123456789-:+ （）UTC"


def stamp_font_file(text: str) -> Path:
    """The bundled 楷体 when it has every character, else an installed .ttf that does."""
    bundled = resource_file(f"fonts/{BUNDLED_KAI[0]}")
    book = default_font_book()
    chars = {ord(c) for c in text + TIMESTAMP_CHARS if not c.isspace()}
    candidates = [(name, path) for name, path in book.files.items()
                  if path.suffix.lower() == ".ttf"]
    candidates.sort(key=lambda item: item[1] != bundled)
    for name, path in candidates:
        cmap = pdfmetrics.getFont(name).face.charToGlyph
        if all(c in cmap for c in chars):
            return path
    return bundled


def subset_font(data: bytes, text: str) -> bytes:
    """Only the glyphs of ``text`` (plus the timestamp's); the whole font if that fails."""
    try:
        plan = hb.SubsetInput()
        plan.unicode_set.update(ord(c) for c in set(text + TIMESTAMP_CHARS))
        return bytes(hb.subset(hb.Face(data), plan).blob.data)
    except Exception as exc:  # a font HarfBuzz cannot subset is still usable whole
        log.warning("stamp font not subset: %s", exc)
        return data


@dataclass(frozen=True)
class StampFontFactory(FontEngineFactory):
    """A pyHanko font engine over font bytes in memory (its own factory opens a file and
    never closes it)."""

    font_data: bytes
    font_size: int = 8

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(self.font_data),
                                font_size=self.font_size, obj_stream=obj_stream)


def stamp_font(text: str, size: int) -> StampFontFactory:
    path = stamp_font_file(text)
    return StampFontFactory(subset_font(path.read_bytes(), text), size)
