"""Parsing JSON from another machine with a nesting limit checked before ``json.loads``.

(A local helper; the lead may swap it for the shared JSON depth helper.)
"""

from __future__ import annotations

import json
import re
from typing import Any

from gongkai_desktop.errors import UnsafeInput

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def depth(text: str) -> int:
    """How deeply arrays and objects nest (strings removed first: their brackets do not count)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    level = deepest = 0
    for char in brackets:
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def loads_limited(text: str, max_depth: int, message: str) -> Any:
    """``json.loads`` refusing anything nested deeper than ``max_depth`` (or NaN/Infinity)."""
    if depth(text) > max_depth:
        raise UnsafeInput(message)

    def no_constants(_name: str) -> Any:
        raise ValueError("constant")

    return json.loads(text, parse_constant=no_constants)
