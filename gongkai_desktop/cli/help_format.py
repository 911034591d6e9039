"""argparse's help wrapped by terminal columns, not characters.

A Chinese character takes two columns on a terminal, while argparse (``textwrap``) counts
one per character: Chinese help lines came out up to twice as wide as the terminal and
were broken anywhere by it. Here a line holds at most ``width`` columns, breaks between
words or between Chinese characters, and closing punctuation (，。）…) hangs at the end of
a line rather than starting the next one.
"""

from __future__ import annotations

import argparse
import re
import unicodedata

# A run of printable ASCII (a word, an option, a path), a run of white space, or one
# other character (a Chinese character, full-width punctuation).
_TOKEN = re.compile(r"[!-~]+|\s+|.", re.DOTALL)
_CLOSING = frozenset("，。、；：！？）》」』】”’…")


def columns(text: str) -> int:
    """Terminal columns ``text`` takes (wide and full-width characters two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` (white space collapsed) in lines of at most ``width`` columns; a word
    longer than the width keeps its own line, a closing punctuation mark may hang one
    mark past it."""
    width = max(width, 10)
    lines: list[str] = []
    line, used = "", 0
    for token in _TOKEN.findall(text):
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = columns(token)
        hangs = token in _CLOSING and used + size <= width + 2
        if line and used + size > width and not hangs:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


class WideHelpFormatter(argparse.HelpFormatter):
    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


class WideRawDescriptionHelpFormatter(WideHelpFormatter):
    """The description as written (a list of forms); argument help still wrapped."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))
