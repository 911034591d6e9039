"""The append-only audit log (triggers refuse UPDATE and DELETE on the table)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from gongkai_desktop.storage.db import now, to_text
from gongkai_desktop.storage.entities import AuditEntry


def write(conn: sqlite3.Connection, *, actor: str, action: str, measure_id: str | None = None,
          field: str | None = None, old: str | None = None, new: str | None = None,
          at: dt.datetime | None = None) -> None:
    """Append one row; the caller owns the transaction so the change and its log commit together."""
    conn.execute(
        "INSERT INTO audit (at, actor, action, measure_id, field, old, new)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (to_text(at or now()), actor, action, measure_id, field, old, new),
    )


def read(conn: sqlite3.Connection, measure_id: str | None = None) -> list[AuditEntry]:
    sql = "SELECT id, at, actor, action, measure_id, field, old, new FROM audit"
    params: tuple[str, ...] = ()
    if measure_id is not None:
        sql += " WHERE measure_id = ?"
        params = (measure_id,)
    return [
        AuditEntry(row[0], dt.datetime.fromisoformat(row[1]), *row[2:])
        for row in conn.execute(sql + " ORDER BY id", params)
    ]
