"""Fonts for the report: the 公文 fonts when installed, the bundled ones otherwise.

Each role (title 小标宋, heading1 黑体, heading2 楷体, body 仿宋, table text)
takes the first installed font that loads, else a bundled font. reportlab can
embed only TrueType outlines, and it silently drops characters a font lacks:
so every run of text goes through :meth:`FontBook.runs`, which hands each
character to the first font of a fallback chain that has it, and records the
characters no font has (they print as 〓, the typesetter's missing-glyph mark).
"""

from __future__ import annotations

import logging
import os
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from gongkai_desktop.errors import NotFound
from gongkai_desktop.paths import resource_file

log = logging.getLogger(__name__)

MISSING_MARK = "〓"  # GB typesetting's mark for a character that cannot be set
BUNDLED_KAI = ("LXGWWenKai-Regular.ttf", 0)
BUNDLED_HEI = ("wqy-microhei.ttc", 0)


class FontRole(StrEnum):
    TITLE = "title"  # 小标宋
    HEADING1 = "heading1"  # 黑体: "一、"
    HEADING2 = "heading2"  # 楷体: "（一）"
    BODY = "body"  # 仿宋
    TABLE = "table"  # table cells: 仿宋 too


# Installed 公文 fonts by file name (matched case-insensitively), best first.
_FANGSONG = ("simfang.ttf", "仿宋_GB2312.ttf", "FS_GB2312.ttf", "STFANGSO.TTF")
_INSTALLED: dict[FontRole, tuple[tuple[str, int], ...]] = {
    FontRole.TITLE: tuple(
        (n, 0)
        for n in ("FZXBSJW.TTF", "方正小标宋简体.ttf", "FZXiaoBiaoSong-B05S.ttf",
                  "方正小标宋_GBK.TTF", "FZXBSK.TTF", "simhei.ttf")
    ),
    FontRole.HEADING1: (("simhei.ttf", 0),),
    FontRole.HEADING2: tuple((n, 0) for n in ("simkai.ttf", "楷体_GB2312.ttf", "STKAITI.TTF")),
    FontRole.BODY: tuple((n, 0) for n in _FANGSONG),
    FontRole.TABLE: tuple((n, 0) for n in _FANGSONG),
}
_BUNDLED: dict[FontRole, tuple[str, int]] = {
    FontRole.TITLE: BUNDLED_HEI,
    FontRole.HEADING1: BUNDLED_HEI,
    FontRole.HEADING2: BUNDLED_KAI,
    FontRole.BODY: BUNDLED_KAI,
    FontRole.TABLE: BUNDLED_KAI,
}
# Wide-coverage fonts tried for characters the role's font lacks (after the role fonts).
_COVERAGE: tuple[tuple[str, int], ...] = (
    ("simsun.ttc", 0), ("simsunb.ttf", 0), ("msyh.ttc", 0),
)


def default_font_dirs() -> list[Path]:
    """The usual font folders of Windows, Linux desktops and macOS."""
    home = Path.home()
    dirs: list[Path] = []
    if sys.platform.startswith("win"):
        dirs.append(Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), home / "Library" / "Fonts"]
    else:
        xdg = Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share"))
        dirs += [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                 home / ".fonts", xdg / "fonts"]
    return dirs


def _index_dirs(dirs: Sequence[Path]) -> dict[str, Path]:
    """Lower-cased file name → first path found."""
    found: dict[str, Path] = {}
    for base in dirs:
        if not base.is_dir():
            continue
        for root, _subdirs, files in os.walk(base):
            for name in files:
                found.setdefault(name.lower(), Path(root) / name)
    return found


def is_truetype(path: Path) -> bool:
    """TrueType outlines (or a collection of them); CFF ('OTTO') cannot be embedded."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError:
        return False
    return magic in (b"\x00\x01\x00\x00", b"true", b"ttcf")


_registered: dict[tuple[str, int], str | None] = {}


def register_font(path: Path, index: int = 0) -> str | None:
    """Register one font file with reportlab; its name, or None when it cannot be embedded."""
    key = (str(path), index)
    if key in _registered:
        return _registered[key]
    name: str | None = None
    if is_truetype(path):
        candidate = f"GK-{path.stem}-{index}"
        try:
            pdfmetrics.registerFont(TTFont(candidate, str(path), subfontIndex=index))
            name = candidate
        except Exception as exc:  # a broken or restricted font must never stop a report
            log.warning("font %s#%d skipped: %s", path, index, exc)
    else:
        log.info("font %s skipped: not TrueType outlines", path)
    _registered[key] = name
    return name


def _bundled_path(file_name: str) -> Path:
    path = resource_file(f"fonts/{file_name}")
    if not path.is_file():
        raise NotFound(f"缺少随程序提供的字体文件：{file_name}，请重新安装本程序")
    return path


def _coverage(name: str) -> frozenset[int] | dict[int, int]:
    font = pdfmetrics.getFont(name)
    return font.face.charToGlyph


@dataclass
class FontBook:
    """The fonts chosen for each role plus the fallback chain over every font loaded."""

    roles: dict[FontRole, str]
    chain: tuple[str, ...]
    files: dict[str, Path] = field(default_factory=dict)  # registered name → file

    def name(self, role: FontRole) -> str:
        return self.roles[role]

    def has(self, font: str, ch: str) -> bool:
        return ord(ch) in _coverage(font)

    def font_for(self, ch: str, preferred: str) -> str | None:
        if self.has(preferred, ch):
            return preferred
        for font in self.chain:
            if self.has(font, ch):
                return font
        return None

    def runs(self, text: str, preferred: str, missing: set[str] | None = None) -> list[
        tuple[str, str]
    ]:
        """Split text into (font, text) runs so that every character has a glyph."""
        out: list[tuple[str, str]] = []
        for ch in clean_text(text):
            font = out[-1][0] if ch == "\n" and out else self.font_for(ch, preferred)
            if ch == "\n" and font is None:
                font = preferred  # a line break needs no glyph
            if font is None:
                if missing is not None:
                    missing.add(ch)
                ch = MISSING_MARK
                font = self.font_for(ch, preferred) or preferred
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        return out

    def markup(self, text: str, preferred: str, missing: set[str] | None = None) -> str:
        """Paragraph markup of plain text: escaped, line breaks kept, fallback fonts tagged."""
        parts: list[str] = []
        for font, run in self.runs(text, preferred, missing):
            body = escape(run).replace("\n", "<br/>")
            parts.append(body if font == preferred else f'<font name="{font}">{body}</font>')
        return "".join(parts)

    def font_for_text(self, text: str, preferred: str, missing: set[str] | None = None) -> str:
        """One font for a whole label (charts): the preferred one if it has every character."""
        chars = {c for c in clean_text(text) if c != "\n"}
        for font in (preferred, *self.chain):
            if all(self.has(font, c) for c in chars):
                return font
        if missing is not None:
            missing.update(c for c in chars if self.font_for(c, preferred) is None)
        return preferred

    def width(self, text: str, preferred: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(run, font, size) for font, run in self.runs(text,
                                                                                       preferred))

    def file_of(self, font: str) -> Path:
        return self.files[font]


_DROP_CATEGORIES = {"Cc", "Cf", "Cs"}


def clean_text(text: str) -> str:
    """Normalise what a user typed: CRLF, tabs, and invisible format/control characters.

    Variation selectors and zero-width characters have no glyph of their own;
    dropping them changes nothing a reader sees.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(
        c for c in text
        if c == "\n" or not (
            unicodedata.category(c) in _DROP_CATEGORIES
            or 0xFE00 <= ord(c) <= 0xFE0F
            or 0xE0100 <= ord(c) <= 0xE01EF
        )
    )


def build_font_book(dirs: Iterable[Path] | None = None) -> FontBook:
    """Choose fonts by role; installed 公文 fonts first, then the bundled ones."""
    index = _index_dirs(list(dirs) if dirs is not None else default_font_dirs())
    roles: dict[FontRole, str] = {}
    chain: list[str] = []
    files: dict[str, Path] = {}

    def load(path: Path, sub: int) -> str | None:
        name = register_font(path, sub)
        if name:
            files[name] = path
            if name not in chain:
                chain.append(name)
        return name

    for role in FontRole:
        for file_name, sub in _INSTALLED[role]:
            path = index.get(file_name.lower())
            if path and (name := load(path, sub)):
                roles[role] = name
                break
        else:
            bundled = _BUNDLED[role]
            name = load(_bundled_path(bundled[0]), bundled[1])
            if name is None:
                raise NotFound(f"随程序提供的字体无法加载：{bundled[0]}，请重新安装本程序")
            roles[role] = name
    for file_name, sub in _COVERAGE:
        path = index.get(file_name.lower())
        if path:
            load(path, sub)
    last = [load(_bundled_path(f), i) for f, i in (BUNDLED_KAI, BUNDLED_HEI)]
    # Installed fonts first (they match the document's look), the bundled ones last.
    chain = [n for n in chain if n not in last] + [n for n in last if n]
    return FontBook(roles, tuple(chain), files)


@lru_cache(maxsize=1)
def default_font_book() -> FontBook:
    """The font book for this machine, built once per process."""
    return build_font_book()


def bundled_font_book() -> FontBook:
    """Only the bundled fonts: the same output on every machine (tests, previews)."""
    return build_font_book([])
