"""Evidence images built to exhaust memory: the report stays bounded and says what it left out.

A 13,000 × 13,000 PNG compresses to well under a megabyte but decodes to 3 GB as
RGB. ``attach`` stores it like any file; ``report`` lists it with a note instead of
decoding it, and the whole command stays under 400 MB (measured in a child process).
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image

from gongkai_desktop.report.images import (
    MAX_PIXELS,
    TOO_LARGE_NOTE,
    ImageTooLarge,
    prepare_image,
)
from tests.bundle_fixtures import jpeg
from tests.test_cli_report import flat, make_workspace, pdftotext

MIB = 1024 * 1024


def png(width: int, height: int, *, color_type: int = 0) -> bytes:
    """A PNG of blank rows, compressed row by row (the test never holds the pixels)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" * (1 + width * channels)  # filter byte 0, then the samples
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def bomb_png() -> bytes:
    data = png(13_000, 13_000)
    assert len(data) < MIB
    return data


def test_a_huge_png_is_not_decoded(bomb_png: bytes) -> None:
    with pytest.raises(ImageTooLarge):
        prepare_image(bomb_png)


def test_a_big_jpeg_is_decoded_at_a_reduced_scale() -> None:
    """12 megapixels over a 16 MB budget: a JPEG decodes at half scale (3 MP, 15 MB)
    and is shown; a PNG cannot be decoded smaller and is refused."""
    prepared = prepare_image(jpeg(4000, 3000), max_decode_bytes=16_000_000)
    assert (prepared.width, prepared.height) == (MAX_PIXELS, 1200)
    with pytest.raises(ImageTooLarge):
        prepare_image(png(4000, 3000), max_decode_bytes=16_000_000)
    # A long strip still decodes at a reduced scale (the short side need not reach 1600).
    strip = prepare_image(jpeg(8000, 300), max_decode_bytes=6_000_000)
    assert strip.width == MAX_PIXELS


@pytest.mark.parametrize("orientation", [6, 8])
def test_orientation_is_applied_after_reducing(orientation: int) -> None:
    prepared = prepare_image(jpeg(3600, 2400, orientation=orientation))
    assert prepared.height > prepared.width  # sideways on disk, upright in the report


def test_a_transparent_palette_png_is_flattened() -> None:
    im = Image.new("P", (4000, 100))
    im.info["transparency"] = 0
    buffer = io.BytesIO()
    im.save(buffer, "PNG", transparency=0)
    prepared = prepare_image(buffer.getvalue())
    assert (prepared.width, prepared.height) == (MAX_PIXELS, 40)
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert out.convert("RGB").getpixel((10, 10)) == (255, 255, 255)  # on white


def _report_in_a_child(tmp_path: Path, image: bytes, name: str) -> tuple[int, int, str]:
    """(exit code, peak RSS in KiB, stderr) of ``report … --no-sign`` run as the only child
    of a fresh process, so ``RUSAGE_CHILDREN`` measures that command alone."""
    from gongkai_desktop.storage import Workspace

    ws_path = make_workspace(tmp_path / "万州区.gkws")
    with Workspace.open(ws_path) as ws:
        measure = ws.evidence()[0].measure_id
        ws.add_evidence_bytes(measure, image, name, actor="张三")
    out = tmp_path / "报告.pdf"
    wrapper = textwrap.dedent(f"""
        import resource, subprocess, sys
        done = subprocess.run([sys.executable, "-m", "gongkai_desktop", "report",
                               {str(ws_path)!r}, "-o", {str(out)!r}, "--no-sign"],
                              capture_output=True, text=True)
        sys.stderr.write(done.stderr)
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """)
    result = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True,
                            check=True)
    code, peak = map(int, result.stdout.split())
    return code, peak, result.stderr


def test_report_with_a_13000_pixel_png_stays_bounded(tmp_path: Path, bomb_png: bytes) -> None:
    code, peak_kib, err = _report_in_a_child(tmp_path, bomb_png, "巨幅截图.png")
    assert code == 0, err
    assert peak_kib < 400 * 1024, f"peak {peak_kib // 1024} MB"
    assert "巨幅截图.png" in err  # named among the images not shown
    text = flat(pdftotext(tmp_path / "报告.pdf"))
    assert "巨幅截图.png" in text and TOO_LARGE_NOTE.strip("（）") in text


def test_report_with_an_image_at_the_decode_limit_stays_bounded(tmp_path: Path) -> None:
    """The largest RGBA image still decoded (20 megapixels, the most bytes a pixel)."""
    code, peak_kib, err = _report_in_a_child(tmp_path, png(4500, 4500, color_type=6),
                                             "大截图.png")
    assert code == 0, err
    assert peak_kib < 400 * 1024, f"peak {peak_kib // 1024} MB"
    assert "大截图.png" not in err


def test_shrinking_a_long_strip_photo_decodes_it_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a bundle, a 12,000 × 400 JPEG is decoded at 1/4 scale, not at full size."""
    from PIL import ImageFile

    from gongkai_desktop.bundle import shrink

    decoded: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        decoded.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    photo = jpeg(12_000, 400)
    out = shrink.shrink_image(photo, "image/jpeg")
    assert out is not None
    assert decoded and max(w * h for w, h in decoded) <= 3000 * 100
    with Image.open(io.BytesIO(out)) as im:
        assert im.size == (2000, 67)
