"""The unit's own offices (下级单位): free names kept in the workspace, never in the city's
unit directory. Each gets a random ``office_id`` once; it travels in the office's task file
and comes back in its bundle or checklist, binding every return to this office of this
parent (another parent's office of the same name has another id)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.wsconn import reading, writing
from gongkai_desktop.units import normalize_name

OFFICE_PREFIX = "office:"
MAX_NAME = 50
MAX_OFFICES = 2_000
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_NAME_HEADERS = ("下级单位", "单位名称", "单位", "部门", "名称", "科室", "责任单位")


@dataclass(frozen=True, slots=True)
class Office:
    office_id: str  # "office:" + 32 hex, made by this workspace
    name: str  # as the officer typed it: 区司法局, 龙都街道
    created_at: dt.datetime


def new_office_id() -> str:
    import secrets  # here: it pulls in hashlib and hmac, which the plan tree's start-up need not

    return OFFICE_PREFIX + secrets.token_hex(16)


def check_name(raw: str) -> str:
    """An office name as stored: one line, trimmed, at most 50 characters."""
    name = " ".join(str(raw).split())
    if not name:
        raise InvalidInput("下级单位名称不能为空")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"下级单位名称“{name[:20]}…”过长，最多 {MAX_NAME} 个字")
    # Every invisible format/control/private character (soft hyphen, zero-width, bidi
    # marks...): a name differing only by one would make a second, look-alike office.
    # Commas and 顿号 separate names in --to and in a workbook cell: a name holding one
    # could never be assigned.
    if any(unicodedata.category(c) in _HIDDEN or c in ",，、" for c in name):
        raise InvalidInput(f"下级单位名称“{name}”含有不允许的字符"
                           "（控制字符、不可见字符、逗号或顿号）")
    return name


def _row(row: tuple[object, ...]) -> Office:
    return Office(str(row[0]), str(row[1]), db.datetime_from(str(row[2])))


def offices_in(conn: sqlite3.Connection) -> list[Office]:
    return [_row(r) for r in conn.execute(
        "SELECT office_id, name, created_at FROM offices ORDER BY position, name")]


def list_offices(ws: Workspace) -> list[Office]:
    """The workspace's offices in the order they were added."""
    with reading(ws) as conn:
        return offices_in(conn)


def find_office(ws: Workspace, name: str) -> Office:
    """The office called ``name`` (spaces and full-width forms ignored); ``NotFound``."""
    key = normalize_name(name)
    for office in list_offices(ws):
        if normalize_name(office.name) == key or office.office_id == name:
            return office
    raise NotFound(f"本工作区没有名为“{name.strip()}”的下级单位（可用 office add 添加）")


def add_offices(ws: Workspace, names: Iterable[str], *, actor: str = "") -> list[Office]:
    """Add offices (one transaction); names already there are skipped. Returns the new ones."""
    wanted = [check_name(n) for n in names]
    if not wanted:
        raise InvalidInput("请给出至少一个下级单位名称")
    added: list[Office] = []
    with writing(ws) as conn:
        existing = {normalize_name(o.name) for o in offices_in(conn)}
        position = int(conn.execute("SELECT coalesce(max(position), 0) FROM offices")
                       .fetchone()[0])
        if len(existing) + len(wanted) > MAX_OFFICES:
            raise InvalidInput(f"下级单位过多，最多 {MAX_OFFICES} 个")
        at = db.now()
        for name in wanted:
            key = normalize_name(name)
            if key in existing:
                continue
            existing.add(key)
            position += 1
            office = Office(new_office_id(), name, at)
            conn.execute("INSERT INTO offices (office_id, name, position, created_at)"
                         " VALUES (?, ?, ?, ?)", (office.office_id, name, position,
                                                  db.to_text(at)))
            audit.write(conn, actor=actor, action="add_office", field=office.office_id,
                        new=name, at=at)
            added.append(office)
    return added


def read_office_names(path: Path) -> list[str]:
    """Office names from a workbook column: the column headed 下级单位/单位名称/单位/部门/名称
    (first sheet), else the first column. The workbook is checked like any from elsewhere."""
    from gongkai_desktop.xlsx.cells import cell_text, stored_value
    from gongkai_desktop.xlsx.safety import open_workbook

    wb = open_workbook(Path(path))
    sheet = wb.worksheets[0]
    column, first = 1, 1
    for row in range(1, min(sheet.max_row, 10) + 1):
        for col in range(1, min(sheet.max_column, 30) + 1):
            if cell_text(stored_value(sheet, row, col)).replace(" ", "") in _NAME_HEADERS:
                column, first = col, row + 1
                break
        else:
            continue
        break
    names: list[str] = []
    for row in range(first, sheet.max_row + 1):
        text = cell_text(stored_value(sheet, row, column))
        if text:
            names.extend(part for part in text.replace("，", "、").replace(",", "、").split("、")
                         if part.strip())
    if not names:
        raise InvalidInput(f"表格“{Path(path).name}”中没有找到下级单位名称")
    return names


def import_offices(ws: Workspace, path: Path, *, actor: str = "") -> list[Office]:
    """``read_office_names`` then ``add_offices``: all or nothing."""
    return add_offices(ws, read_office_names(path), actor=actor)
