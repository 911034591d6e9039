"""Smaller photos for a bundle: long side at most 2000 px, re-encoded; off by default.

Never enlarges (neither pixels nor bytes: a result that is not smaller is dropped),
applies the EXIF orientation to the pixels (so the picture stands the right way
without the tag) and drops the rest of the EXIF data (GPS position, camera). One
image is decoded at a time; JPEGs are decoded at a reduced scale (``draft``), so a
40-megapixel photo never needs its full-size pixels in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from gongkai_desktop.errors import Cancelled, GongkaiError
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ticker import Progress

LONG_SIDE = 2000
MAX_SOURCE_BYTES = 64 * 1024 * 1024
MAX_PIXELS = 30_000_000  # decoded at full size (PNG, WebP): ~120 MB of RGBA at most
MAX_JPEG_PIXELS = 200_000_000  # decoded at 1/2 … 1/8 scale
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
JPEG_QUALITY = 85



def _is_candidate(media_type: str) -> bool:
    return media_type in FORMATS


def shrink_image(data: bytes, media_type: str) -> bytes | None:
    """The re-encoded image, or None when it stays as it is (small enough already, not a
    JPEG/PNG/WebP, unreadable, too big to decode safely, or not smaller after all)."""
    kind = FORMATS.get(media_type)
    if kind is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            out = _reencode(data, kind)
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError, MemoryError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    return out if out is not None and len(out) < len(data) else None


def _reencode(data: bytes, kind: str) -> bytes | None:
    with Image.open(io.BytesIO(data)) as img:
        if img.format != kind:
            return None  # named as one format, holding another: leave it alone
        width, height = img.size
        if max(width, height) <= LONG_SIDE:
            return None
        limit = MAX_JPEG_PIXELS if kind == "JPEG" else MAX_PIXELS
        if width * height > limit or getattr(img, "n_frames", 1) > 1:
            return None
        if kind == "JPEG":
            # Decode at a reduced scale that still covers the final size (a long strip
            # too: asking for 2000 × 2000 would keep it at full scale).
            scale = LONG_SIDE / max(width, height)
            img.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
            if img.width * img.height > MAX_PIXELS:
                return None
        icc = img.info.get("icc_profile")
        img.load()
        # Shrunk in place first, so turning it upright copies the small picture only.
        img.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        upright = ImageOps.exif_transpose(img)
        buffer = io.BytesIO()
        options: dict[str, object] = {"icc_profile": icc} if icc else {}
        if kind == "JPEG":
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, **options)
        elif kind == "PNG":
            upright.save(buffer, "PNG", optimize=True, **options)
        else:
            upright.save(buffer, "WEBP", quality=JPEG_QUALITY, **options)
        return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class ShrunkFile:
    original_sha256: str
    original_size: int
    sha256: str
    size: int
    path: Path  # a temporary file holding the new bytes


@dataclass(slots=True)
class ShrinkPlan:
    """Photos re-encoded ahead of an export; owns a temporary folder (``close()``)."""

    folder: Path
    files: dict[str, ShrunkFile] = field(default_factory=dict)  # by original SHA-256
    images: int = 0  # JPEG/PNG/WebP evidence files looked at (distinct contents)

    @property
    def shrunk(self) -> int:
        return len(self.files)

    @property
    def bytes_before(self) -> int:
        return sum(f.original_size for f in self.files.values())

    @property
    def bytes_after(self) -> int:
        return sum(f.size for f in self.files.values())

    @property
    def saved(self) -> int:
        return self.bytes_before - self.bytes_after

    def close(self) -> None:
        self.files.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ShrinkPlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prepare_shrink(ws: Workspace, *, progress: Progress | None = None) -> ShrinkPlan:
    """Re-encode every large photo of the workspace's evidence (for "show the saving").

    ``progress(done, total)`` counts images; returning False cancels (``Cancelled``).
    """
    seen: dict[str, tuple[str, int]] = {}
    for item in ws.evidence():
        if item.is_file and item.sha256 and _is_candidate(item.media_type):
            seen.setdefault(item.sha256, (item.media_type, item.size or 0))
    plan = ShrinkPlan(Path(tempfile.mkdtemp(prefix="gongkai-shrink-")), images=len(seen))
    try:
        for done, (sha, (media_type, size)) in enumerate(seen.items()):
            if progress is not None and progress(done, len(seen)) is False:
                raise Cancelled()
            if size > MAX_SOURCE_BYTES:
                continue
            with contextlib.suppress(GongkaiError):  # a purged or damaged blob stays as is
                result = shrink_image(ws.read_blob(sha, MAX_SOURCE_BYTES), media_type)
                if result is not None:
                    path = plan.folder / f"{len(plan.files)}.img"
                    path.write_bytes(result)
                    plan.files[sha] = ShrunkFile(sha, size, hashlib.sha256(result).hexdigest(),
                                                 len(result), path)
        if progress is not None:
            progress(len(seen), len(seen))
    except BaseException:
        plan.close()
        raise
    return plan
