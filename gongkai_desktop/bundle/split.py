"""Splitting a bundle into numbered parts under a mail size limit.

Part 1 holds the unit's data and as much evidence content as fits; later parts hold
the rest, chunk by chunk (a big file continues into the next part). Every part is a
complete, signed bundle file with the same ``bundle_id``; they import together.
"""

from __future__ import annotations

import re
from pathlib import Path

from gongkai_desktop.bundle.format import PAGE_SIZE, SUFFIX
from gongkai_desktop.errors import InvalidInput

MIB = 1024 * 1024
MIN_PART_BYTES = 2 * MIB
DEFAULT_MAIL_LIMIT_MB = 20
SLACK = 96 * 1024  # the manifest row and the pages SQLite adds when it commits
_PART_NAME = re.compile(r"^(?P<stem>.+)\.part(?P<index>\d+)of(?P<count>\d+)$")


def check_part_limit(max_bytes: int) -> int:
    if max_bytes < MIN_PART_BYTES:
        raise InvalidInput(f"拆分后每个文件至少 {MIN_PART_BYTES // MIB} MB")
    return max_bytes


def part_path(out: Path, index: int, count: int) -> Path:
    """``万州区-自查-2026-11-28.gkbundle`` → ``….part2of3.gkbundle`` (unchanged when one part)."""
    if count == 1:
        return out
    suffix = out.suffix or SUFFIX
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{stem}.part{index}of{count}{suffix}")


def chunk_fits(current_size: int, chunk_len: int, limit: int) -> bool:
    """Whether a chunk still fits in a part of ``current_size`` bytes.

    A chunk takes its length plus a little per page (overflow-page pointers) plus at
    most two pages for the row and the index entry.
    """
    pages = -(-chunk_len // (PAGE_SIZE - 8))
    return current_size + pages * PAGE_SIZE + 2 * PAGE_SIZE + SLACK <= limit


def mb_to_bytes(megabytes: float) -> int:
    if not megabytes > 0:
        raise InvalidInput("大小必须是正数（单位 MB）")
    return int(megabytes * MIB)
