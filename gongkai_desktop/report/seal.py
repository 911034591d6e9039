"""The unit's seal image (a PNG, ideally on a transparent background), kept in the workspace.

A workspace setting holds at most 1 MB, so the PNG is stored base64-encoded in
parts written in one transaction, with its SHA-256 to notice damage.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from gongkai_desktop import faults
from gongkai_desktop.errors import InvalidInput, TooLarge

log = logging.getLogger(__name__)

SETTING_KEY = "report.seal"
PART_KEY = "report.seal.part.{}"
PART_BYTES = 512 * 1024  # base64 of this stays well under a setting's 1 MB
MAX_SEAL_BYTES = 2 * 1024 * 1024
MIN_SIDE = 64
MAX_SIDE = 4000  # a 42 mm seal at 600 dpi is ~1000 px; 4000² RGBA decodes to 64 MB
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class SealStore(Protocol):
    def get_setting(self, key: str, default: Any = None) -> Any: ...
    def set_setting(self, key: str, value: object) -> None: ...


@dataclass(frozen=True, slots=True)
class SealInfo:
    width: int
    height: int
    size: int  # bytes
    transparent: bool  # has an alpha channel (or a transparent colour): prints over the text


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_seal(data: bytes) -> SealInfo:
    """A readable PNG of sensible size; InvalidInput/TooLarge with a Chinese message otherwise."""
    if len(data) > MAX_SEAL_BYTES:
        raise TooLarge(f"印章图片不能超过 2 MB（所选图片为 {_megabytes(len(data))}）")
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput("印章图片必须是 PNG 格式（建议使用透明背景的 PNG 图片）")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.format != "PNG":
                    raise InvalidInput("印章图片必须是 PNG 格式")
                width, height = im.size
                if max(width, height) > MAX_SIDE:
                    raise InvalidInput(
                        f"印章图片尺寸过大（{width}×{height} 像素），"
                        f"请使用不超过 {MAX_SIDE} 像素的图片")
                if min(width, height) < MIN_SIDE:
                    raise InvalidInput(
                        f"印章图片太小（{width}×{height} 像素），打印会模糊，"
                        f"请使用至少 {MIN_SIDE} 像素的图片")
                im.load()  # a truncated or damaged file fails here, not in the report
                transparent = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    except InvalidInput:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise InvalidInput("印章图片尺寸过大，请使用较小的 PNG 图片") from exc
    except Exception as exc:  # Pillow raises many kinds for damaged files
        raise InvalidInput("印章图片已损坏或无法读取，请重新选择 PNG 图片") from exc
    return SealInfo(width, height, len(data), transparent)


def set_seal(ws: SealStore, data: bytes) -> SealInfo:
    """Store ``data`` as the seal (checked first: a refused image changes nothing)."""
    data = bytes(data)
    info = check_seal(data)
    encoded = base64.b64encode(data).decode("ascii")
    step = math.ceil(PART_BYTES * 4 / 3)
    parts = [encoded[i:i + step] for i in range(0, len(encoded), step)]
    with _transaction(ws):
        old = _meta(ws)
        for i, part in enumerate(parts):
            ws.set_setting(PART_KEY.format(i), part)
        for i in range(len(parts), int(old.get("parts", 0)) if old else 0):
            ws.set_setting(PART_KEY.format(i), None)
        ws.set_setting(SETTING_KEY, {"sha256": hashlib.sha256(data).hexdigest(),
                                     "size": len(data), "parts": len(parts),
                                     "width": info.width, "height": info.height})
    return info


def set_seal_file(ws: SealStore, path: Path) -> SealInfo:
    """Store the PNG at ``path`` as the seal (its size checked before reading it)."""
    path = Path(path)
    data = faults.read_bytes(path, "图片", limit=MAX_SEAL_BYTES, missing=f"找不到文件：{path}",
                             too_large=lambda size: TooLarge(
                                 f"印章图片不能超过 2 MB（所选图片为 {_megabytes(size)}）"))
    return set_seal(ws, data)


def clear_seal(ws: SealStore) -> None:
    with _transaction(ws):
        old = _meta(ws)
        for i in range(int(old.get("parts", 0)) if old else 0):
            ws.set_setting(PART_KEY.format(i), None)
        ws.set_setting(SETTING_KEY, None)


def has_seal(ws: SealStore) -> bool:
    return _meta(ws) is not None


def get_seal(ws: SealStore) -> bytes | None:
    """The stored seal PNG; None when there is none (or it was damaged: logged)."""
    meta = _meta(ws)
    if meta is None:
        return None
    try:
        encoded = "".join(str(ws.get_setting(PART_KEY.format(i)))
                          for i in range(int(meta["parts"])))
        data = base64.b64decode(encoded, validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("stored seal unreadable: %s", exc)
        return None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        log.warning("stored seal damaged (hash mismatch); not used")
        return None
    return data


def _meta(ws: SealStore) -> dict[str, Any] | None:
    value = ws.get_setting(SETTING_KEY)
    return value if isinstance(value, dict) else None


@contextlib.contextmanager
def _transaction(ws: SealStore) -> Iterator[None]:
    """All parts or none: the workspace's transaction when it has one."""
    begin = getattr(ws, "transaction", None)
    if begin is None:
        yield
        return
    with begin():
        yield
