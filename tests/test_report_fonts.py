"""Font resolution by role and the no-dropped-character guarantee."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from gongkai_desktop.paths import resource_file
from gongkai_desktop.typeset.fonts import (
    MISSING_MARK,
    FontBook,
    FontRole,
    build_font_book,
    bundled_font_book,
    clean_text,
    is_truetype,
)

RARE = "镕堃喆珺昇赟"
KAI = resource_file("fonts/LXGWWenKai-Regular.ttf")
HEI = resource_file("fonts/wqy-microhei.ttc")


@pytest.fixture(scope="module")
def book() -> FontBook:
    return bundled_font_book()


def test_bundled_fonts_exist_with_licences() -> None:
    folder = resource_file("fonts")
    assert KAI.is_file() and HEI.is_file()
    assert (folder / "LXGWWenKai-LICENSE.txt").read_text().count("OFL") > 0
    assert "Apache" in (folder / "wqy-microhei-LICENSE.txt").read_text()
    assert (folder / "README.md").is_file()
    assert is_truetype(KAI) and is_truetype(HEI)


def test_every_role_has_a_bundled_font(book: FontBook) -> None:
    assert book.name(FontRole.BODY) == book.name(FontRole.HEADING2)  # 楷体 fallback
    assert book.name(FontRole.TITLE) == book.name(FontRole.HEADING1)  # 黑体 fallback
    assert book.name(FontRole.BODY) != book.name(FontRole.TITLE)
    assert len(book.chain) == 2


def test_rare_name_characters_are_covered(book: FontBook) -> None:
    missing: set[str] = set()
    runs = book.runs(f"王{RARE}同志", book.name(FontRole.BODY), missing)
    assert not missing
    assert "".join(text for _, text in runs) == f"王{RARE}同志"


def test_a_character_the_role_font_lacks_falls_back_to_another_font(book: FontBook) -> None:
    title = book.name(FontRole.TITLE)  # 黑体 (WenQuanYi)
    other = book.name(FontRole.BODY)  # 楷体 (LXGW WenKai)
    title_map = pdfmetrics.getFont(title).face.charToGlyph
    kai_only = next(chr(c) for c in pdfmetrics.getFont(other).face.charToGlyph
                    if 0x3400 <= c <= 0x9FFF and c not in title_map)
    missing: set[str] = set()
    runs = book.runs(f"甲{kai_only}乙", title, missing)
    assert runs == [(title, "甲"), (other, kai_only), (title, "乙")]
    assert not missing
    assert f'<font name="{other}">{kai_only}</font>' in book.markup(f"甲{kai_only}乙", title)


def test_a_character_no_font_has_is_recorded_and_marked(book: FontBook) -> None:
    nothing = chr(0x10FFFD)  # private use: in no font
    missing: set[str] = set()
    runs = book.runs(f"甲{nothing}乙", book.name(FontRole.BODY), missing)
    assert missing == {nothing}
    assert "".join(t for _, t in runs) == f"甲{MISSING_MARK}乙"


def test_markup_escapes_and_keeps_line_breaks(book: FontBook) -> None:
    text = book.markup("a<b & c>\n第二行", book.name(FontRole.BODY))
    assert text == "a&lt;b &amp; c&gt;<br/>第二行"


def test_clean_text_drops_invisible_characters() -> None:
    assert clean_text("甲\u200b乙\ufe0f丙\r\n丁\t戊") == "甲乙丙\n丁    戊"


def _link(folder: Path, name: str, target: Path) -> None:
    os.symlink(target, folder / name)


def test_installed_gongwen_fonts_are_preferred(tmp_path: Path) -> None:
    fonts = tmp_path / "Fonts"
    fonts.mkdir()
    _link(fonts, "SIMFANG.TTF", KAI)  # matched case-insensitively
    _link(fonts, "simhei.ttf", KAI)
    book = build_font_book([tmp_path])
    assert book.name(FontRole.BODY) == "GK-SIMFANG-0"
    assert book.name(FontRole.TABLE) == "GK-SIMFANG-0"
    assert book.name(FontRole.HEADING1) == "GK-simhei-0"
    assert book.name(FontRole.TITLE) == "GK-simhei-0"  # no 小标宋: 黑体
    assert book.file_of("GK-SIMFANG-0").name == "SIMFANG.TTF"
    # bundled fonts stay in the fallback chain, after the installed ones
    assert book.chain[-2:] == tuple(bundled_font_book().chain)


def test_fonts_that_cannot_be_embedded_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "simkai.ttf").write_bytes(b"OTTO" + b"\0" * 200)  # CFF outlines
    (tmp_path / "FZXBSJW.TTF").write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 200)  # broken
    (tmp_path / "simfang.ttf").write_bytes(b"")  # empty
    book = build_font_book([tmp_path])
    bundled = bundled_font_book()
    for role in FontRole:
        assert book.name(role) == bundled.name(role)
