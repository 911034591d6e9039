"""Text from elsewhere (bundles, receipts, workbooks, certificates) made safe to print.

``printable`` is for display only: it never changes what is stored. A name with a
newline would otherwise forge an extra output line (``bundle import`` prints one
line per file); a right-to-left override (U+202E) or a zero-width character would
make one name look like another.
"""

from __future__ import annotations

import unicodedata

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    # Cc: C0/C1 controls and DEL; Cf: bidi overrides, zero-width joiners, BOM …;
    # Zl/Zp: the Unicode line and paragraph separators; Cs: lone surrogates.
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def printable(text: object) -> str:
    """``text`` on one line, every control or invisible format character written as an
    escape (``\\n``, ``\\u202e``). Backslashes stay as they are (Windows paths)."""
    value = str(text)
    if value.isprintable():
        return value  # the common case: nothing to do
    return "".join(_escaped(c) if _unsafe(c) else c for c in value)
