"""Reading cell values of a loaded (already checked) workbook."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from gongkai_desktop.errors import TooLarge

MAX_MERGED_CELLS = 1_000_000

# What XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, plus lone surrogates,
# which cannot be encoded, and U+FFFE/U+FFFF, which Excel refuses to open).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Word's manual line break (vertical tab) and a page break pasted into a note: new lines.
_AS_NEW_LINE = frozenset("\x0b\x0c")


def stored_value(sheet: Any, row: int, column: int) -> object:
    """A cell's value without creating the cell (``sheet.cell`` would add empty ones)."""
    cell = sheet._cells.get((row, column))
    return None if cell is None else cell.value


def xml_text(text: str) -> str:
    """Text any typed or received string can be written as: never an openpyxl
    ``IllegalCharacterError`` or an unreadable file. Vertical tabs and form feeds
    become new lines; the other control characters are dropped."""
    return _NOT_IN_XML.sub(lambda m: "\n" if m.group() in _AS_NEW_LINE else "", text)


def xml_value(value: object) -> object:
    """``xml_text`` for strings; other values unchanged."""
    return xml_text(value) if isinstance(value, str) else value


def cell_text(value: object) -> str:
    """A value as the text a person sees: numbers without ".0", dates as 2021-06-30."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def header_key(value: object) -> str:
    """A header cell compared without any whitespace ("贯 彻 举 措" = "贯彻举措")."""
    return "".join(cell_text(value).split())


def merged_values(sheet: Any) -> dict[tuple[int, int], object]:
    """Every stored value, with a merged range's value copied into all its cells."""
    values: dict[tuple[int, int], object] = {
        key: cell.value for key, cell in sheet._cells.items() if cell.value is not None
    }
    filled = 0
    for merged in sheet.merged_cells.ranges:
        top_left = values.get((merged.min_row, merged.min_col))
        if top_left is None:
            continue
        # Many large overlapping ranges could otherwise fill memory.
        filled += merged.size["rows"] * merged.size["columns"]
        if filled > MAX_MERGED_CELLS:
            raise TooLarge(f"工作表“{sheet.title}”的合并单元格过多，不予读取")
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                values[(row, column)] = top_left
    return values
