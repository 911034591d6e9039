"""Unit cells of a table (牵头单位 / 责任单位) ↔ lists of unit names.

A cell lists names separated by 、，,；; or line breaks; a cell holding only a dash
(——, —, -, －) means "no unit". Separators inside brackets do not split, so
``市委党校（重庆行政学院）`` stays one name.
"""

from __future__ import annotations

import re

_SEPARATORS = frozenset("、，,；;\n\r")
_OPEN = "（(〔【"
_CLOSE = "）)〕】"
_DASH_ONLY = re.compile(r"^[\s\-－—–―‐‑_/／无]*$")
# Only the ends of a name are trimmed: spaces and stray full stops.
_TRIM = " \t\u3000。.：:"


def is_dash(text: str) -> bool:
    """True for an empty cell or one holding only dashes (or 无): no unit."""
    return bool(_DASH_ONLY.match(text))


def split_units(text: object) -> tuple[str, ...]:
    """The names a unit cell lists, in order, each once; ``()`` for empty or dash cells."""
    if text is None:
        return ()
    raw = str(text)
    if is_dash(raw):
        return ()
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for char in raw:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        if char in _SEPARATORS and depth == 0:
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    out: list[str] = []
    for name in names:
        # A name wrapped inside its cell ("市委组织部（市公务员\n局）") is joined again.
        cleaned = "".join(name.split()).strip(_TRIM)
        if cleaned and not is_dash(cleaned) and cleaned not in out:
            out.append(cleaned)
    return tuple(out)


def join_units(names: tuple[str, ...] | list[str]) -> str:
    """How a list is written back into one cell."""
    return "、".join(names)
