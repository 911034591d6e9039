"""Reading what a workspace imported from units (read-only; the importer writes).

Everything a consolidation view, a unit's read-only record window or the
``summary --all-units`` command needs. Evidence contents live in the workspace's
own supervisor blob store (``sup_blobs``), deduplicated across units and bundles.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai_desktop.errors import InvalidInput, NotFound, TooLarge, WorkspaceError
from gongkai_desktop.model import MeasureRecord, Plan, Status, Unit, UnitType
from gongkai_desktop.storage import Workspace, db, safe_file_name
from gongkai_desktop.storage.entities import AuditEntry, EvidenceItem
from gongkai_desktop.storage.evidence import megabytes, write_new_file
from gongkai_desktop.storage.records import RECORD_COLUMNS, from_row
from gongkai_desktop.storage.wsconn import reading
from gongkai_desktop.summary import workspace_summary
from gongkai_desktop.units import UnitDirectory


@dataclass(frozen=True, slots=True)
class ImportedUnit:
    """A unit as its latest imported bundle describes it."""

    unit: Unit
    officer: str
    contact: str
    phone: str
    sequence: int
    exported_at: dt.datetime
    imported_at: dt.datetime
    bundle_hash: str
    cert_fingerprint: str
    evidence_included: bool


@dataclass(frozen=True, slots=True)
class ImportedBundle:
    """One import, kept as history (every bundle ever imported)."""

    id: int
    bundle_hash: str
    unit_id: str
    sequence: int
    exported_at: dt.datetime
    imported_at: dt.datetime
    imported_by: str
    file_names: tuple[str, ...]
    cert_fingerprint: str
    evidence_included: bool


_UNIT_COLUMNS = ("u.unit_id, u.unit_name, u.full_name, u.unit_type, u.officer, u.contact,"
                 " u.phone, u.sequence, u.exported_at, u.imported_at, b.bundle_hash,"
                 " b.cert_fingerprint, b.evidence_included")
_EVIDENCE_COLUMNS = ("e.unit_id, e.id, e.measure_id, e.kind, e.file_name, e.media_type, e.size,"
                     " e.sha256, e.url, e.title, e.note, e.added_at, e.added_by,"
                     " e.original_sha256, e.original_size, b.id IS NOT NULL")


def _unit(row: tuple[object, ...]) -> ImportedUnit:
    (uid, name, full, kind, officer, contact, phone, seq, exported, imported, digest, finger,
     included) = row
    return ImportedUnit(Unit(str(uid), str(name), str(full), UnitType(str(kind))), str(officer),
                        str(contact), str(phone), int(str(seq)), db.datetime_from(str(exported)),
                        db.datetime_from(str(imported)), str(digest), str(finger),
                        bool(included))


def _evidence(row: tuple[object, ...]) -> EvidenceItem:
    (unit_id, eid, mid, kind, name, media, size, sha, url, title, note, added, by, orig_sha,
     orig_size, present) = row
    if kind == "file":  # imported before hidden characters were refused: shown clean
        name = safe_file_name(str(name))
    return EvidenceItem(
        int(str(eid)), str(mid), str(kind), str(name), str(media),
        None if size is None else int(str(size)), None if sha is None else str(sha), str(url),
        str(title), str(note), db.datetime_from(str(added)), str(by),
        original_sha256=None if orig_sha is None else str(orig_sha),
        original_size=None if orig_size is None else int(str(orig_size)),
        unit_id=str(unit_id), has_content=bool(present))


class UnitSource:
    """One imported unit, shaped like a workspace for ``summary.workspace_summary``."""

    def __init__(self, view: SupervisorView, unit: Unit) -> None:
        self._view, self._unit = view, unit

    @property
    def plan(self) -> Plan:
        return self._view.plan

    @property
    def unit(self) -> Unit:
        return self._unit

    def records(self) -> dict[str, MeasureRecord]:
        return self._view.records(self._unit.id)

    def evidence(self, measure_id: str | None = None) -> list[EvidenceItem]:
        return self._view.evidence(self._unit.id, measure_id)


class SupervisorView:
    """Read API over the imported data of a workspace (any thread; the workspace's lock)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def plan(self) -> Plan:
        return self.ws.plan

    # ------------------------------------------------------------------ units

    def units(self) -> list[ImportedUnit]:
        """Every unit with an imported bundle, by unit id."""
        with reading(self.ws) as conn:
            rows = conn.execute(f"SELECT {_UNIT_COLUMNS} FROM sup_units u JOIN sup_bundles b"
                                " ON b.id = u.bundle_id ORDER BY u.unit_id").fetchall()
        return [_unit(r) for r in rows]

    def unit(self, unit_id: str) -> ImportedUnit:
        with reading(self.ws) as conn:
            row = conn.execute(f"SELECT {_UNIT_COLUMNS} FROM sup_units u JOIN sup_bundles b"
                               " ON b.id = u.bundle_id WHERE u.unit_id = ?",
                               (unit_id,)).fetchone()
        if row is None:
            raise NotFound(f"尚未导入单位“{unit_id}”的数据包")
        return _unit(row)

    def source(self, unit_id: str) -> UnitSource:
        return UnitSource(self, self.unit(unit_id).unit)

    def bundles(self, unit_id: str | None = None) -> list[ImportedBundle]:
        sql = ("SELECT id, bundle_hash, unit_id, sequence, exported_at, imported_at, imported_by,"
               " file_names, cert_fingerprint, evidence_included FROM sup_bundles")
        params: tuple[str, ...] = ()
        if unit_id is not None:
            sql += " WHERE unit_id = ?"
            params = (unit_id,)
        with reading(self.ws) as conn:
            rows = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [ImportedBundle(int(r[0]), str(r[1]), str(r[2]), int(r[3]),
                               db.datetime_from(r[4]), db.datetime_from(r[5]), str(r[6]),
                               tuple(json.loads(r[7])), str(r[8]), bool(r[9])) for r in rows]

    # ---------------------------------------------------------------- records

    def records(self, unit_id: str) -> dict[str, MeasureRecord]:
        """Every measure of the plan in plan order (measures the unit did not send: defaults)."""
        with reading(self.ws) as conn:
            stored = {
                str(row[0]): from_row(row)
                for row in conn.execute(
                    f"SELECT {RECORD_COLUMNS} FROM sup_records WHERE unit_id = ?", (unit_id,))
            }
        return {m.id: stored.get(m.id, MeasureRecord(m.id)) for m in self.plan.measures()}

    def stored_records(self, unit_id: str) -> dict[str, MeasureRecord]:
        """Only the rows the unit's latest bundle held."""
        with reading(self.ws) as conn:
            return {
                str(row[0]): from_row(row)
                for row in conn.execute(
                    f"SELECT {RECORD_COLUMNS} FROM sup_records WHERE unit_id = ?", (unit_id,))
            }

    def record(self, unit_id: str, measure_id: str) -> MeasureRecord:
        with reading(self.ws) as conn:
            row = conn.execute(f"SELECT {RECORD_COLUMNS} FROM sup_records WHERE unit_id = ?"
                               " AND measure_id = ?", (unit_id, measure_id)).fetchone()
        return from_row(row) if row else MeasureRecord(measure_id)

    def statuses(self) -> dict[str, dict[str, Status]]:
        """unit id → measure id → status, every imported unit in one query (for the matrix)."""
        out: dict[str, dict[str, Status]] = {}
        with reading(self.ws) as conn:
            for unit_id, measure_id, status in conn.execute(
                    "SELECT unit_id, measure_id, status FROM sup_records"):
                out.setdefault(unit_id, {})[measure_id] = Status(status)
        return out

    # --------------------------------------------------------------- evidence

    def evidence(self, unit_id: str, measure_id: str | None = None) -> list[EvidenceItem]:
        sql = (f"SELECT {_EVIDENCE_COLUMNS} FROM sup_evidence e LEFT JOIN sup_blobs b"
               " ON b.sha256 = e.sha256 WHERE e.unit_id = ?")
        params: tuple[str, ...] = (unit_id,)
        if measure_id is not None:
            sql += " AND e.measure_id = ?"
            params = (unit_id, measure_id)
        with reading(self.ws) as conn:
            return [_evidence(r) for r in conn.execute(sql + " ORDER BY e.id", params)]

    def evidence_counts(self) -> dict[tuple[str, str], int]:
        """(unit id, measure id) → number of evidence items."""
        with reading(self.ws) as conn:
            return {(str(u), str(m)): int(n) for u, m, n in conn.execute(
                "SELECT unit_id, measure_id, count(*) FROM sup_evidence"
                " GROUP BY unit_id, measure_id")}

    def audit_log(self, unit_id: str, measure_id: str | None = None) -> list[AuditEntry]:
        sql = ("SELECT id, at, actor, action, measure_id, field, old, new FROM sup_audit"
               " WHERE unit_id = ?")
        params: tuple[str, ...] = (unit_id,)
        if measure_id is not None:
            sql += " AND measure_id = ?"
            params = (unit_id, measure_id)
        with reading(self.ws) as conn:
            return [AuditEntry(r[0], db.datetime_from(r[1]), *r[2:])
                    for r in conn.execute(sql + " ORDER BY id", params)]

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        """An imported evidence file's content, chunk by chunk."""
        with reading(self.ws) as conn:
            row = conn.execute("SELECT id, size FROM sup_blobs WHERE sha256 = ?",
                               (str(sha256).lower(),)).fetchone()
        if row is None:
            raise NotFound("该佐证文件的内容没有随数据包提供（对方导出的是不含佐证文件的数据包）")
        blob_id, size = int(row[0]), int(row[1])
        done = seq = 0
        while done < size:
            with reading(self.ws) as conn:
                chunk = conn.execute("SELECT data FROM sup_blob_chunks WHERE blob_id = ?"
                                     " AND seq = ?", (blob_id, seq)).fetchone()
            if chunk is None:
                raise WorkspaceError("佐证文件的数据不完整，工作区可能已损坏")
            done += len(chunk[0])
            seq += 1
            yield bytes(chunk[0])

    def read_blob(self, sha256: str, max_bytes: int) -> bytes:
        with reading(self.ws) as conn:
            row = conn.execute("SELECT size FROM sup_blobs WHERE sha256 = ?",
                               (str(sha256).lower(),)).fetchone()
        if row is not None and int(row[0]) > max_bytes:
            raise TooLarge(f"文件太大（{megabytes(int(row[0]))}），无法预览")
        return b"".join(self.iter_blob(sha256))

    def export_evidence(self, unit_id: str, evidence_id: int, folder: Path) -> Path:
        """Write an imported evidence file into ``folder`` (never outside it, never over a file)."""
        found = [e for e in self.evidence(unit_id) if e.id == evidence_id]
        if not found:
            raise NotFound(f"没有编号为 {evidence_id} 的佐证材料")
        item = found[0]
        if not item.is_file or not item.sha256:
            raise InvalidInput("这条佐证是网址链接，没有可导出的文件")
        folder = Path(folder)
        if not folder.is_dir():
            raise NotFound(f"文件夹不存在：{folder}")
        return write_new_file(folder, item.file_name, item.sha256, self.iter_blob(item.sha256))


def all_units_summary(ws: Workspace, directory: UnitDirectory, today: dt.date) -> dict[str, Any]:
    """``summary --json --all-units``: each imported unit's summary and its latest bundle.

    ``{"units": {unit id: {"unit_id", "name", "full_name", "counts", "applicable",
    "overdue", "measures", "bundle": {"sequence", "exported_at", "imported_at"}}}}``.
    Keyed by unit id, never by name: two units called alike stay two entries.
    """
    view = SupervisorView(ws)
    units: dict[str, Any] = {}
    for imported in view.units():
        data = workspace_summary(UnitSource(view, imported.unit), directory, today)
        units[imported.unit.id] = {
            "unit_id": imported.unit.id,
            "name": imported.unit.name,
            "full_name": imported.unit.full_name,
            "counts": data["counts"],
            "applicable": data["applicable"],
            "overdue": data["overdue"],
            "measures": data["measures"],
            "bundle": {"sequence": imported.sequence,
                       "exported_at": db.to_text(imported.exported_at),
                       "imported_at": db.to_text(imported.imported_at)},
        }
    return {"plan": ws.plan.info.id, "units": units}
