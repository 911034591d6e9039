"""What the offices returned, per measure: their records and evidence, read-only."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from gongkai_desktop.delegation.offices import Office, offices_in
from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.records import RECORD_COLUMNS, from_row, to_row
from gongkai_desktop.storage.wsconn import reading

# A contribution row is the office id, then the record in the one record<->row mapping
# (``storage.records``: the unit's ``records`` and a bundle's hold the same columns),
# then where and when it came in.
RECORD_SQL = (f"SELECT office_id, {RECORD_COLUMNS}, imported_at, return_id"
              " FROM contributions")
SAVE_SQL = (f"INSERT OR REPLACE INTO contributions (office_id, {RECORD_COLUMNS}, return_id,"
            " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
EVIDENCE_SQL = ("SELECT office_id, id, measure_id, kind, file_name, media_type, size, sha256,"
                " url, title, note, added_at FROM contribution_evidence")


@dataclass(frozen=True, slots=True)
class ContributionEvidence:
    office_id: str
    id: int  # the office's own evidence id
    measure_id: str
    kind: str  # "file" | "link"
    file_name: str
    media_type: str
    size: int | None
    sha256: str | None
    url: str
    title: str
    note: str
    added_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Contribution:
    """One office's answer for one measure, as last imported."""

    office: Office
    record: MeasureRecord
    evidence: tuple[ContributionEvidence, ...]
    imported_at: dt.datetime
    source: str  # "bundle" | "xlsx"

    @property
    def status(self) -> Status:
        return self.record.status


def record_from(row: tuple[object, ...]) -> MeasureRecord:
    """The record of a ``RECORD_SQL`` row."""
    return from_row(row[1:9])


def save_contribution(conn: sqlite3.Connection, office_id: str, record: MeasureRecord,
                      return_id: int, at: dt.datetime) -> None:
    """Store (or replace) an office's answer for one measure, imported ``at``."""
    conn.execute(SAVE_SQL, (office_id, *to_row(record), return_id, db.to_text(at)))


def evidence_from(row: tuple[object, ...]) -> ContributionEvidence:
    oid, eid, mid, kind, name, media, size, sha, url, title, note, added = row
    return ContributionEvidence(str(oid), int(str(eid)), str(mid), str(kind), str(name),
                                str(media), int(str(size)) if size is not None else None,
                                str(sha) if sha else None, str(url), str(title), str(note),
                                db.datetime_from(str(added)))


def contributions_in(conn: sqlite3.Connection, measure_id: str | None = None
                     ) -> list[Contribution]:
    offices = {o.office_id: o for o in offices_in(conn)}
    where, params = ("", ()) if measure_id is None else (" WHERE measure_id = ?", (measure_id,))
    kinds = {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, kind FROM office_returns")}
    evidence: dict[tuple[str, str], list[ContributionEvidence]] = {}
    for row in conn.execute(EVIDENCE_SQL + where + " ORDER BY office_id, id", params):
        item = evidence_from(row)
        evidence.setdefault((item.office_id, item.measure_id), []).append(item)
    out = []
    for row in conn.execute(RECORD_SQL + where, params):
        office = offices.get(str(row[0]))
        if office is None:
            continue
        record = record_from(row)
        out.append(Contribution(office, record,
                                tuple(evidence.get((office.office_id, record.measure_id), [])),
                                db.datetime_from(str(row[9])), kinds.get(int(str(row[10])), "")))
    position = {oid: i for i, oid in enumerate(offices)}
    out.sort(key=lambda c: (c.record.measure_id, position[c.office.office_id]))
    return out


def contributions(ws: Workspace, measure_id: str | None = None) -> list[Contribution]:
    """Every office's contribution (or those for one measure), offices in their order."""
    with reading(ws) as conn:
        return contributions_in(conn, measure_id)

