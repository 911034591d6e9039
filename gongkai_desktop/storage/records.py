"""Measure records: validation of a change, row mapping, field-by-field diff."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import unicodedata
from collections.abc import Sequence
from urllib.parse import urlsplit

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.storage import audit
from gongkai_desktop.storage.db import to_text
from gongkai_desktop.storage.entities import Clear

MAX_TEXT = 20_000
MAX_URL = 2_000
MAX_URLS = 50
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)

FIELD_LABELS = {
    "status": "完成状态",
    "reason": "不适用理由",
    "completed_on": "完成时间",
    "explanation": "完成情况说明",
    "urls": "公开网址",
    "remarks": "备注",
}
FIELDS = tuple(FIELD_LABELS)


def check_text(value: str, label: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"“{label}”必须是文字")
    if len(value) > limit:
        raise InvalidInput(f"“{label}”过长（{len(value)} 字），最多 {limit} 字")
    if "\x00" in value:
        raise InvalidInput(f"“{label}”含有无法保存的控制字符")
    return value


def check_url(value: str) -> str:
    url = value.strip() if isinstance(value, str) else ""
    shown = url if len(url) <= 80 else url[:77] + "…"
    if len(url) > MAX_URL:
        raise InvalidInput(f"网址过长（{len(url)} 个字符），最多 {MAX_URL} 个字符")
    bad_char = any(c.isspace() or unicodedata.category(c) == "Cc" for c in url)
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not bad_char
    except ValueError:
        ok = False
    if not ok:
        raise InvalidInput(f"网址“{shown}”无效：必须是以 http:// 或 https:// 开头的完整网址")
    return url


def check_urls(values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    urls = tuple(check_url(v) for v in values if isinstance(v, str) and v.strip())
    if len(urls) > MAX_URLS:
        raise InvalidInput(f"公开网址过多（{len(urls)} 个），最多 {MAX_URLS} 个")
    return tuple(dict.fromkeys(urls))  # drop repeats, keep order


def check_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise InvalidInput("完成时间必须是日期")
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(f"完成时间“{value.isoformat()}”不合理（应在 2000 年到 2099 年之间）")
    return value


def proposed_completion_date(record: MeasureRecord, status: Status,
                             requested: dt.date | None, today: dt.date) -> dt.date | None:
    """Today's date when a measure becomes 已完成 with no date typed or stored, else None."""
    if status is Status.DONE and record.completed_on is None and requested is None:
        return today
    return None


def apply_change(current: MeasureRecord, *, status: Status | str | None,
                 reason: str | None, completed_on: dt.date | Clear | None,
                 explanation: str | None, urls: Sequence[str] | None,
                 remarks: str | None, today: dt.date | None = None) -> MeasureRecord:
    """The record after the change, validated; None leaves a field as it is.

    With ``today``, a change to 已完成 with no date given or stored takes today's date
    (``proposed_completion_date``): the window and ``set`` share this one rule.
    """
    changes: dict[str, object] = {}
    if status is not None:
        chosen = status if isinstance(status, Status) else Status.parse(str(status))
        changes["status"] = chosen
        if today is not None and completed_on is None:
            completed_on = proposed_completion_date(current, chosen, None, today)
    if reason is not None:
        changes["reason"] = check_text(reason, FIELD_LABELS["reason"])
    if isinstance(completed_on, Clear):
        changes["completed_on"] = None
    elif completed_on is not None:
        changes["completed_on"] = check_date(completed_on)
    if explanation is not None:
        changes["explanation"] = check_text(explanation, FIELD_LABELS["explanation"])
    if urls is not None:
        changes["urls"] = check_urls(urls)
    if remarks is not None:
        changes["remarks"] = check_text(remarks, FIELD_LABELS["remarks"])
    new = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
    if new.status is Status.NOT_APPLICABLE and not new.reason.strip():
        raise InvalidInput("标记为“不适用”必须填写理由")
    return new


def field_text(record: MeasureRecord, field: str) -> str | None:
    """A field as stored in the audit log."""
    value = getattr(record, field)
    if field == "urls":
        return json.dumps(list(value), ensure_ascii=False)
    if field == "completed_on":
        return value.isoformat() if value else None
    return str(value)


def changed_fields(old: MeasureRecord, new: MeasureRecord) -> list[str]:
    return [f for f in FIELDS if getattr(old, f) != getattr(new, f)]


# The one mapping between a record and a row, in RECORD_COLUMNS order: the workspace's
# ``records``, a bundle's ``records`` and the supervisor's ``sup_records`` (after its
# unit id) all hold these columns. ``bundle.decode`` reads a bundle's rows with checks.
RECORD_COLUMNS = "measure_id, status, reason, completed_on, explanation, urls, remarks, updated_at"
RecordRow = tuple[str, str, str, str | None, str, str, str, str | None]


def to_row(record: MeasureRecord) -> RecordRow:
    return (
        record.measure_id,
        record.status.value,
        record.reason,
        record.completed_on.isoformat() if record.completed_on else None,
        record.explanation,
        json.dumps(list(record.urls), ensure_ascii=False),
        record.remarks,
        to_text(record.updated_at) if record.updated_at else None,
    )


def from_row(row: sqlite3.Row | tuple[object, ...]) -> MeasureRecord:
    mid, status, reason, completed, explanation, urls, remarks, updated = row
    return MeasureRecord(
        measure_id=str(mid),
        status=Status(str(status)),
        reason=str(reason),
        completed_on=dt.date.fromisoformat(str(completed)) if completed else None,
        explanation=str(explanation),
        urls=tuple(json.loads(str(urls))),
        remarks=str(remarks),
        updated_at=dt.datetime.fromisoformat(str(updated)) if updated else None,
    )


def add_blank(conn: sqlite3.Connection, measure_ids: Sequence[str]) -> None:
    """A blank record (未开始, nothing filled in) for each measure that has none yet: a new
    workspace's, or the measures a re-issued task adds to an office's."""
    conn.executemany("INSERT OR IGNORE INTO records (measure_id) VALUES (?)",
                     [(mid,) for mid in measure_ids])


def save(conn: sqlite3.Connection, record: MeasureRecord) -> None:
    assert record.updated_at is not None
    conn.execute(
        f"INSERT OR REPLACE INTO records ({RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        to_row(record),
    )


def save_changed(conn: sqlite3.Connection, current: MeasureRecord, new: MeasureRecord,
                 changed: Sequence[str], *, actor: str, at: dt.datetime) -> MeasureRecord:
    """Save ``new`` (stamped ``at``) over ``current`` with one audit line per changed field;
    returns what was saved."""
    new = dataclasses.replace(new, updated_at=at)
    save(conn, new)
    for field in changed:
        audit.write(conn, actor=actor, action="update_record", measure_id=new.measure_id,
                    field=field, old=field_text(current, field),
                    new=field_text(new, field), at=at)
    return new


def load(conn: sqlite3.Connection, measure_id: str) -> MeasureRecord:
    row = conn.execute(
        f"SELECT {RECORD_COLUMNS} FROM records WHERE measure_id = ?", (measure_id,)
    ).fetchone()
    return from_row(row) if row else MeasureRecord(measure_id)


def load_all(conn: sqlite3.Connection) -> dict[str, MeasureRecord]:
    return {
        str(row[0]): from_row(row)
        for row in conn.execute(f"SELECT {RECORD_COLUMNS} FROM records")
    }
