"""JSON from a file made elsewhere: size and nesting bounded before the parser runs.

``json.loads`` recurses once per ``[`` or ``{``: 200,000 nested brackets raise
``RecursionError`` (or worse, exhaust the C stack) deep inside a check that only
expected ``ValueError``. So the depth is measured first by a linear scan that skips
string literals, and only a value within the limits reaches the parser.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gongkai_desktop.errors import UnsafeInput

DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_BYTES = 4 * 1024 * 1024

# A string literal (skipped whole: brackets inside it do not count) or a bracket.
# Possessive quantifiers: an unterminated string costs one pass, not a backtracking storm.
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]', re.DOTALL)


class UnsafeJson(UnsafeInput):
    """A JSON value that is too deep, too large or not JSON; ``detail`` is the short reason."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def nesting_depth(text: str, stop_above: int) -> int:
    """The deepest bracket nesting outside strings (scanning stops once above ``stop_above``)."""
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    break
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def _too_large(limit: int) -> str:
    shown = f"{limit // 1024} KB" if limit >= 1024 else f"{limit} 字节"
    return f"过大（超过 {shown}）"


def _no_constant(name: str) -> None:
    raise ValueError(name)  # NaN, Infinity: not JSON, and not in anything we write


def loads_limited(text: str | bytes, *, max_depth: int = DEFAULT_MAX_DEPTH,
                  max_bytes: int = DEFAULT_MAX_BYTES, what: str = "文件内容",
                  message: str | None = None) -> Any:
    """``json.loads`` for untrusted text; ``UnsafeJson`` when refused.

    Its message is ``message`` when given (the caller's own wording for a broken
    file), else "<what><reason>，不予读取"; ``detail`` always holds the reason.
    """

    def refused(detail: str) -> UnsafeJson:
        return UnsafeJson(message or f"{what}{detail}，不予读取", detail)

    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise refused(_too_large(max_bytes))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise refused("不是 UTF-8 编码") from exc
    elif len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise refused(_too_large(max_bytes))
    if nesting_depth(text, max_depth) > max_depth:
        raise refused(f"嵌套层数过多（超过 {max_depth} 层）")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError, MemoryError) as exc:
        raise refused("格式不对") from exc
