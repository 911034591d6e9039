"""Writing a verified bundle into the supervisor tables (inside the caller's transaction).

``DbSink`` takes what ``verify`` streams, in order. ``OnePassSink`` (the batch import)
holds the small rows until the first file content arrives, so the caller can check
them and compare them with what the unit sent before (``on_rows``) while the contents
go straight into the workspace: the bundle is read, verified and copied in one pass.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from gongkai_desktop.bundle.decode import BundleProfile
from gongkai_desktop.bundle.verify import Collected
from gongkai_desktop.model import MeasureRecord
from gongkai_desktop.storage import db
from gongkai_desktop.storage.entities import AuditEntry, EvidenceItem
from gongkai_desktop.storage.records import RECORD_COLUMNS, to_row

RECORD_SQL = (f"INSERT INTO sup_records (unit_id, {RECORD_COLUMNS})"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
EVIDENCE_SQL = ("INSERT INTO sup_evidence (unit_id, id, measure_id, kind, file_name, media_type,"
                " size, sha256, url, title, note, added_at, added_by, original_sha256,"
                " original_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
AUDIT_SQL = ("INSERT INTO sup_audit (unit_id, id, at, actor, action, measure_id, field, old, new)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


class DbSink:
    """Writes verified values into the supervisor tables (inside the caller's transaction)."""

    def __init__(self, conn: sqlite3.Connection, unit_id: str) -> None:
        self.conn, self.unit_id = conn, unit_id
        self.blob_id = 0

    def profile(self, value: BundleProfile) -> None:
        pass  # written with the bundle row (sup_units)

    def record(self, r: MeasureRecord) -> None:
        self.conn.execute(RECORD_SQL, self._record_row(r))

    def evidence(self, e: EvidenceItem) -> None:
        self.conn.execute(EVIDENCE_SQL, self._evidence_row(e))

    def audit(self, a: AuditEntry) -> None:
        self.conn.execute(AUDIT_SQL, self._audit_row(a))

    def _record_row(self, r: MeasureRecord) -> tuple[object, ...]:
        return (self.unit_id, *to_row(r))

    def _evidence_row(self, e: EvidenceItem) -> tuple[object, ...]:
        return (self.unit_id, e.id, e.measure_id, e.kind, e.file_name, e.media_type, e.size,
                e.sha256, e.url, e.title, e.note, db.to_text(e.added_at), e.added_by,
                e.original_sha256, e.original_size)

    def _audit_row(self, a: AuditEntry) -> tuple[object, ...]:
        return (self.unit_id, a.id, db.to_text(a.at), a.actor, a.action, a.measure_id, a.field,
                a.old, a.new)

    def blob_start(self, sha256: str, size: int) -> bool:
        if self.conn.execute("SELECT 1 FROM sup_blobs WHERE sha256 = ?",
                             (sha256,)).fetchone():
            return False  # already held (another unit, an earlier bundle): read, not stored
        self.blob_id = int(self.conn.execute(
            "INSERT INTO sup_blobs (sha256, size, created_at) VALUES (?, ?, ?) RETURNING id",
            (sha256, size, db.to_text(db.now()))).fetchone()[0])
        return True

    def blob_chunk(self, seq: int, data: bytes) -> None:
        self.conn.execute("INSERT INTO sup_blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)",
                          (self.blob_id, seq, data))

    def blob_end(self, sha256: str) -> None:
        pass


class OnePassSink(DbSink):
    """Rows are collected (``collected``) and written by ``flush``; contents go straight in.

    ``on_rows(collected)`` runs once, before the first content is written (or at the
    end when there is none): it checks the rows and writes the bundle's own rows; then
    the unit's records, evidence list and audit log are written, one statement per table.
    """

    def __init__(self, conn: sqlite3.Connection, unit_id: str,
                 on_rows: Callable[[Collected], None]) -> None:
        super().__init__(conn, unit_id)
        self.collected = Collected()
        self.audit_rows: list[AuditEntry] = []
        self.on_rows = on_rows
        self.flushed = False

    def profile(self, value: BundleProfile) -> None:
        self.collected.profile(value)

    def record(self, r: MeasureRecord) -> None:
        self.collected.record(r)

    def evidence(self, e: EvidenceItem) -> None:
        self.collected.evidence(e)

    def audit(self, a: AuditEntry) -> None:
        self.audit_rows.append(a)

    def flush(self) -> None:
        if self.flushed:
            return
        self.flushed = True
        self.on_rows(self.collected)
        self.conn.executemany(RECORD_SQL, (self._record_row(r) for r in self.collected.records))
        self.conn.executemany(EVIDENCE_SQL,
                              (self._evidence_row(e) for e in self.collected.evidence_items))
        self.conn.executemany(AUDIT_SQL, (self._audit_row(a) for a in self.audit_rows))

    def blob_start(self, sha256: str, size: int) -> bool:
        self.flush()
        self.collected.blob_start(sha256, size)
        return super().blob_start(sha256, size)
