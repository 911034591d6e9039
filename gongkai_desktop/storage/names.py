"""File names that are safe to store and to write on Windows, macOS and Linux."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from gongkai_desktop.errors import InvalidInput

DEFAULT_NAME = "佐证材料"
MAX_NAME_BYTES = 180  # ext4 allows 255 bytes; Chinese takes 3 bytes per character in UTF-8

_FORBIDDEN = re.compile(r'[<>:"|?*]')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])$",
                       re.IGNORECASE)


# Characters a name may not keep: controls (C0, C1), format characters (bidi overrides
# such as U+202E that make "报告\u202efdp.exe" display as "报告exe.pdf", zero-width
# spaces and joiners, U+FEFF), lone surrogates (undecodable bytes of a Linux file name),
# and line or paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def is_hidden_char(c: str) -> bool:
    """A character that is invisible or changes how the rest of a name is displayed."""
    return unicodedata.category(c) in _HIDDEN_CATEGORIES


def escaped_name(name: str, limit: int = 80) -> str:
    """The name with every hidden character written out (``\u202e``), for messages."""
    text = str(name)[:limit]
    return "".join(f"\\u{ord(c):04x}" if is_hidden_char(c) else c for c in text)


def safe_file_name(name: str, default: str = DEFAULT_NAME) -> str:
    """A base name without folders, drive letters, hidden, control or reserved characters.

    The result never names a folder, never is ``.``/``..``, never is a reserved
    Windows device name, and its last suffix is the one a person sees (no character
    in it reorders or hides text); idempotent.
    """
    # Hidden characters go before NFC: one between two others could block a composition.
    text = unicodedata.normalize("NFC", "".join(c for c in str(name) if not is_hidden_char(c)))
    text = re.split(r"[\\/]", text)[-1]  # base name only, whichever separator was used
    text = _FORBIDDEN.sub("_", text).strip().rstrip(". ").lstrip(" ")
    if text.startswith("."):
        text = "_" + text.lstrip(".") if text.strip(".") else ""
    if not text:
        return default
    stem = text.partition(".")[0]
    if _RESERVED.match(stem.rstrip(" ")):
        text = "_" + text
    return _shorten(text)


def _shorten(text: str) -> str:
    if len(text.encode("utf-8")) <= MAX_NAME_BYTES:
        return text
    suffix = Path(text).suffix if len(Path(text).suffix) <= 16 else ""
    stem = text[: len(text) - len(suffix)]
    while stem and len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip(". ") or DEFAULT_NAME) + suffix


def candidates(folder: Path, name: str) -> Iterator[Path]:
    """``folder/name``, then ``folder/name (2)`` … ; every one directly inside ``folder``."""
    base = Path(safe_file_name(name))
    stem, suffix = base.stem, base.suffix
    for n in itertools.count(1):
        candidate = folder / (base.name if n == 1 else f"{stem} ({n}){suffix}")
        if candidate.parent != folder or candidate.name in ("", ".", ".."):
            raise InvalidInput("导出文件名无效")  # cannot happen after safe_file_name
        yield candidate
