"""Importing what offices return: signed bundles and filled checklists → contributions.

Rules (the same as for bundles between units):
- A bundle must verify completely (signature, every hash) and speak for one of this
  workspace's offices under its own ``office_id`` and name; the id is random and made
  by this workspace, so a bundle for another parent's office is refused. It must use
  this plan (id and version). The key must be the office's pinned key; a first or
  changed key is refused until accepted by fingerprint; one key speaks for one office.
- A checklist (xlsx) must be one exported for one of this workspace's offices (its
  hidden identity names the office id) and is read with every workbook check.
- Idempotent: the same file twice changes nothing. Older never overwrites newer: a bundle
  with a lower sequence than one imported from that office is refused; so is a checklist
  exported before the last one imported from that office.
- Only the measures assigned to the office are taken; the unit's own records are never
  touched. A measure whose contribution changed is flagged 下级有新填报.
- One file, one transaction: refused means nothing changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from gongkai_desktop import file_kinds
from gongkai_desktop.bundle import key_pins
from gongkai_desktop.bundle.batch import ALREADY_TEXT, OUTCOME_TEXT
from gongkai_desktop.bundle.decode import BundleProfile
from gongkai_desktop.bundle.open_untrusted import DEFAULT_LIMITS, Limits
from gongkai_desktop.bundle.verify import open_verified
from gongkai_desktop.changes import NOTHING, Changes
from gongkai_desktop.delegation import office_keys
from gongkai_desktop.delegation.assignment import assignments_in
from gongkai_desktop.delegation.contributions import (
    EVIDENCE_SQL,
    RECORD_SQL,
    evidence_from,
    record_from,
    save_contribution,
)
from gongkai_desktop.delegation.office_plan import office_plan, office_unit, roles_of
from gongkai_desktop.delegation.offices import Office, offices_in
from gongkai_desktop.errors import GongkaiError, InvalidInput, SignatureError, UnsafeInput
from gongkai_desktop.model import MeasureRecord
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.entities import AuditEntry, EvidenceItem
from gongkai_desktop.storage.evidence import put_chunk, start_verified_blob
from gongkai_desktop.storage.records import FIELDS
from gongkai_desktop.storage.wsconn import writing

log = logging.getLogger(__name__)


class ReturnOutcome(StrEnum):
    IMPORTED = "imported"
    ALREADY = "already"  # this very file was imported before: nothing changed
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return OUTCOME_TEXT[self.value]  # the words of units' bundles (one vocabulary)


@dataclass(frozen=True, slots=True)
class ReturnResult:
    path: Path
    outcome: ReturnOutcome
    message: str  # Chinese, one line
    office: Office | None = None
    kind: str = ""  # "bundle" | "xlsx"
    changed: tuple[str, ...] = ()  # measure ids whose contribution changed
    fingerprint: str | None = None  # the bundle's key (to accept it)
    needs_key_acceptance: bool = False
    key: office_keys.OfficeKeyStanding | None = None  # what to show before accepting it

    @property
    def changes(self) -> Changes:
        """An imported return changes offices' answers and the 下级有新填报 flags."""
        if self.outcome is ReturnOutcome.IMPORTED:
            return Changes(contributions=True)
        return NOTHING


# ------------------------------------------------------------------------ helpers

def _office_for(conn: sqlite3.Connection, claimed_id: str, claimed_name: str) -> Office:
    for office in offices_in(conn):
        if office.office_id == claimed_id:
            if office.name != claimed_name:
                raise UnsafeInput(f"文件自称是下级单位“{claimed_name}”，但该编号属于"
                                  f"“{office.name}”，编号与名称不符，未导入")
            return office
    raise UnsafeInput(f"“{claimed_name}”不是本单位的下级单位（或是其他上级单位分配的任务），"
                      "未导入")


def _assigned(conn: sqlite3.Connection, office: Office) -> set[str]:
    return {a.measure_id for a in assignments_in(conn, office.office_id)}


def _old(conn: sqlite3.Connection, office_id: str
         ) -> tuple[dict[str, MeasureRecord], dict[str, set[tuple[object, ...]]]]:
    records = {r.measure_id: r for r in (record_from(row) for row in conn.execute(
        RECORD_SQL + " WHERE office_id = ?", (office_id,)))}
    evidence: dict[str, set[tuple[object, ...]]] = {}
    for row in conn.execute(EVIDENCE_SQL + " WHERE office_id = ?", (office_id,)):
        item = evidence_from(row)
        evidence.setdefault(item.measure_id, set()).add(_key(item))
    return records, evidence


def _key(item: object) -> tuple[object, ...]:
    return (getattr(item, "kind", ""), getattr(item, "sha256", None) or getattr(item, "url", ""),
            getattr(item, "file_name", ""), getattr(item, "title", ""))


def _same(a: MeasureRecord | None, b: MeasureRecord) -> bool:
    return a is not None and all(getattr(a, f) == getattr(b, f) for f in FIELDS)


def _write(conn: sqlite3.Connection, office: Office, return_id: int,
           records: dict[str, MeasureRecord], evidence: list[EvidenceItem] | None,
           at: dt.datetime) -> tuple[str, ...]:
    """Replace the office's contributions for ``records`` (and, when given, its evidence);
    flag and return the measures that changed."""
    old_records, old_evidence = _old(conn, office.office_id)
    new_evidence: dict[str, set[tuple[object, ...]]] = {}
    for item in evidence or ():
        new_evidence.setdefault(item.measure_id, set()).add(_key(item))
    changed = []
    for mid, r in records.items():
        same_evidence = evidence is None or old_evidence.get(mid, set()) == new_evidence.get(
            mid, set())
        blank = (old_records.get(mid) is None and _same(MeasureRecord(mid), r)
                 and not new_evidence.get(mid))  # a first, untouched answer: nothing new
        if not (_same(old_records.get(mid), r) and same_evidence) and not blank:
            changed.append(mid)
        save_contribution(conn, office.office_id, r, return_id, at)
    if evidence is not None:
        conn.execute("DELETE FROM contribution_evidence WHERE office_id = ?", (office.office_id,))
        for e in evidence:
            conn.execute(
                "INSERT INTO contribution_evidence (office_id, id, measure_id, kind, file_name,"
                " media_type, size, sha256, url, title, note, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (office.office_id, e.id, e.measure_id, e.kind, e.file_name, e.media_type, e.size,
                 e.sha256, e.url, e.title, e.note, db.to_text(e.added_at)))
    for mid in changed:
        conn.execute("INSERT OR IGNORE INTO rollup_flags (measure_id, since) VALUES (?, ?)",
                     (mid, db.to_text(at)))
    return tuple(changed)


def _return_row(conn: sqlite3.Connection, office: Office, kind: str, digest: str,
                sequence: int | None, made_at: dt.datetime, at: dt.datetime, actor: str,
                fingerprint: str | None, name: str) -> int:
    return int(conn.execute(
        "INSERT INTO office_returns (office_id, kind, content_hash, sequence, made_at,"
        " imported_at, imported_by, cert_fingerprint, file_name)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (office.office_id, kind, digest, sequence, db.to_text(made_at), db.to_text(at), actor,
         fingerprint, name)).fetchone()[0])


def _already(conn: sqlite3.Connection, digest: str) -> str | None:
    row = conn.execute("SELECT o.name FROM office_returns r JOIN offices o"
                       " ON o.office_id = r.office_id WHERE r.content_hash = ?",
                       (digest,)).fetchone()
    return None if row is None else str(row[0])


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone()
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


# ------------------------------------------------------------------------ bundles

class _Sink:
    """Verified bundle values: records and evidence kept (small), wanted contents streamed
    into the unit's blob store inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection, assigned: set[str]) -> None:
        self.conn, self.assigned = conn, assigned
        self.records: dict[str, MeasureRecord] = {}
        self.items: list[EvidenceItem] = []
        self.wanted: set[str] = set()
        self.blob_id = 0

    def profile(self, value: BundleProfile) -> None:
        pass

    def record(self, value: MeasureRecord) -> None:
        if value.measure_id in self.assigned:
            self.records[value.measure_id] = value

    def evidence(self, value: EvidenceItem) -> None:
        if value.measure_id in self.assigned:
            self.items.append(value)
            if value.is_file and value.sha256:
                self.wanted.add(value.sha256)

    def audit(self, value: AuditEntry) -> None:
        pass

    def blob_start(self, sha256: str, size: int) -> bool:
        if sha256 not in self.wanted:
            return False
        blob_id = start_verified_blob(self.conn, sha256, size)
        if blob_id is None:
            return False
        self.blob_id = blob_id
        return True

    def blob_chunk(self, seq: int, data: bytes) -> None:
        put_chunk(self.conn, self.blob_id, seq, data)

    def blob_end(self, sha256: str) -> None:
        pass


def import_office_bundle(ws: Workspace, files: Sequence[Path], *,
                         accept_keys: Collection[str] = (), actor: str = "",
                         limits: Limits = DEFAULT_LIMITS) -> ReturnResult:
    """Import one office bundle (all its parts) as that office's contributions; raises a
    ``GongkaiError`` when refused (``OfficeKeyNeeded`` for a key not yet accepted)."""
    accepted = key_pins.accepted_fingerprints(accept_keys)
    with open_verified(files, limits) as opened:
        m = opened.manifest
        info = ws.plan.info
        if (m.plan_id, m.plan_version) != (info.id, info.version):
            raise InvalidInput(f"“{m.unit.name}”的数据包使用的任务分工是“{m.plan_id}”第"
                               f" {m.plan_version} 版，与本工作区不同，未导入")
        digest, cert = opened.bundle_hash, opened.cert
        at = db.now()
        with writing(ws) as conn:
            if m.unit.id == ws.unit.id:  # e.g. the file meant for the parent, picked by mistake
                raise InvalidInput(f"这是本单位“{ws.unit.name}”自己导出的数据包，"
                                   "不是下级单位的填报，未导入")
            office = _office_for(conn, m.unit.id, m.unit.name)
            base = ReturnResult(opened.files[0], ReturnOutcome.IMPORTED, "", office, "bundle",
                                fingerprint=cert.fingerprint)
            if _already(conn, digest) is not None:
                return dataclasses.replace(
                    base, outcome=ReturnOutcome.ALREADY,
                    message=f"{ALREADY_TEXT}：{office.name}，序号 {m.sequence}")
            last = conn.execute("SELECT max(sequence) FROM office_returns WHERE office_id = ?"
                                " AND kind = 'bundle'", (office.office_id,)).fetchone()[0]
            if last is not None and m.sequence <= int(last):
                if m.sequence == int(last):
                    raise UnsafeInput(f"“{office.name}”序号为 {m.sequence} 的数据包已导入，但与此"
                                      "数据包内容不同，未导入，请与该单位核实")
                raise InvalidInput(f"已导入“{office.name}”更新的数据包（序号 {last}），"
                                   f"此数据包（序号 {m.sequence}）较旧，未导入")
            if not cert.valid_at(m.exported_at):
                raise SignatureError(f"“{office.name}”的数据包的签名证书在导出时不在有效期内"
                                     f"（{cert.validity_text()}），未导入")
            key = office_keys.standing(conn, office, cert)
            pin = key_pins.admit(key.state, accepted=cert.fingerprint in accepted,
                                 refusal=lambda: office_keys.OfficeKeyNeeded(key))
            if pin and not cert.valid_at(at):
                raise SignatureError(f"“{office.name}”的签名证书已不在有效期内"
                                     f"（{cert.validity_text()}），不能接受，未导入")
            sink = _Sink(conn, _assigned(conn, office))
            return_id = _return_row(conn, office, "bundle", digest, m.sequence, m.exported_at,
                                    at, actor, cert.fingerprint,
                                    json.dumps([p.name for p in opened.files], ensure_ascii=False))
            opened.read(sink)  # every hash checked; raises (→ rollback) on any mismatch
            known = {mm.id for mm in ws.plan.measures()}
            if any(mid not in known for mid in sink.records):
                raise UnsafeInput("数据包中有不在本工作区任务分工中的举措，未导入")
            if not m.evidence_included:
                # A bundle without contents (--no-evidence) still lists the office's files:
                # keep those it already sent us, so its evidence is not lost from view.
                had = {str(r[0]) for r in conn.execute(
                    "SELECT sha256 FROM contribution_evidence WHERE office_id = ?"
                    " AND sha256 IS NOT NULL", (office.office_id,))}
                sink.items = [e for e in sink.items if not e.is_file or e.sha256 in had]
            changed = _write(conn, office, return_id, sink.records, sink.items, at)
            if pin:
                office_keys.pin(conn, office, cert, actor=actor, at=at)
            audit.write(conn, actor=actor, action="import_office_return", field=office.office_id,
                        new=json.dumps({"office": office.name, "kind": "bundle",
                                        "sequence": m.sequence, "hash": digest},
                                       ensure_ascii=False), at=at)
    return dataclasses.replace(
        base, changed=changed,
        message=f"已导入：{office.name}，序号 {m.sequence}，导出于 {_when(m.exported_at)}，"
                f"{len(changed)} 项举措有新填报")


# ---------------------------------------------------------------------- checklists

def _checklist_office(conn: sqlite3.Connection, path: Path
                      ) -> tuple[Office, dt.datetime | None, dict[str, dict[str, object]]]:
    from gongkai_desktop.xlsx.checklist_import import _read_meta
    from gongkai_desktop.xlsx.safety import open_workbook

    meta, snapshot = _read_meta(open_workbook(path))
    claimed = meta.get("unit_id", "")
    office = next((o for o in offices_in(conn) if o.office_id == claimed), None)
    if office is None:
        raise InvalidInput(f"这份清单是“{meta.get('unit_name') or '未知单位'}”的，"
                           "不是本单位下级单位的任务清单，未导入")
    try:
        made = dt.datetime.fromisoformat(meta.get("exported_at", ""))
    except ValueError:
        made = None
    return office, made if made is not None and made.tzinfo is not None else None, snapshot


def import_office_checklist(ws: Workspace, path: Path, *, actor: str = "") -> ReturnResult:
    """Import a filled checklist exported for one office; raises when refused (not an
    office's checklist, rows with problems, an older checklist than one imported)."""
    from gongkai_desktop.xlsx import read_checklist

    path = Path(path)
    digest = _file_hash(path)
    at = db.now()
    with writing(ws) as conn:
        office, made, snapshot = _checklist_office(conn, path)
        base = ReturnResult(path, ReturnOutcome.IMPORTED, "", office, "xlsx")
        if _already(conn, digest) is not None:
            return dataclasses.replace(base, outcome=ReturnOutcome.ALREADY,
                                       message=f"{ALREADY_TEXT}：{office.name} 的清单")
        last = conn.execute("SELECT max(made_at) FROM office_returns WHERE office_id = ?"
                            " AND kind = 'xlsx'", (office.office_id,)).fetchone()[0]
        if last is not None and made is not None and made < db.datetime_from(str(last)):
            raise InvalidInput(f"已导入“{office.name}”更新的清单，此清单（导出于 {_when(made)}）"
                               "较旧，未导入")
        assigned = assignments_in(conn, office.office_id)
        plan = office_plan(ws.plan, office.name, roles_of(assigned))
        old, _evidence = _old(conn, office.office_id)
        current = {m.id: old.get(m.id, MeasureRecord(m.id)) for m in plan.measures()}
        refilled = made is not None and last is not None and made == db.datetime_from(str(last))
        if refilled:
            # The office corrected the workbook it already sent ("附件为更新版"): compare with
            # what it was given, so its corrections replace its first answer instead of
            # reading as conflicts with it.
            current = {mid: _as_exported(r, snapshot.get(mid, {})) for mid, r in current.items()}
        result = read_checklist(path, plan, office_unit(office), current)
        if result.problems:
            first = result.problems[0]
            # the problem's message already names its row and column
            raise InvalidInput(f"清单中有 {len(result.problems)} 处问题"
                               f"（第一处：{first.message}），未导入")
        updated = dict(current)
        touched: set[str] = set()
        for change in result.changes:
            updated[change.measure_id] = dataclasses.replace(
                updated[change.measure_id], **{change.field: change.new})  # type: ignore[arg-type]
            touched.add(change.measure_id)
        if refilled:  # a value put back as exported differs from the first answer too
            touched |= {mid for mid, r in updated.items()
                        if mid in old and not _same(old[mid], r)}
        fresh = {mid: dataclasses.replace(r, updated_at=at) for mid, r in updated.items()
                 if mid in touched}
        return_id = _return_row(conn, office, "xlsx", digest, None, made or at, at, actor, None,
                                path.name)
        changed = _write(conn, office, return_id, fresh, None, at)
        audit.write(conn, actor=actor, action="import_office_return", field=office.office_id,
                    new=json.dumps({"office": office.name, "kind": "xlsx", "hash": digest},
                                   ensure_ascii=False), at=at)
    return dataclasses.replace(base, changed=changed,
                               message=f"已导入：{office.name} 的清单，"
                                       f"{len(changed)} 项举措有新填报")


def _as_exported(record: MeasureRecord, values: dict[str, object]) -> MeasureRecord:
    from gongkai_desktop.xlsx.checklist_layout import FIELDS as SHEET_FIELDS

    wanted = {k: v for k, v in values.items() if k in SHEET_FIELDS}
    return dataclasses.replace(record, **wanted)  # type: ignore[arg-type]


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError as exc:
        from gongkai_desktop.errors import NotFound

        raise NotFound(f"找不到文件：{path}") from exc
    except OSError as exc:
        raise InvalidInput(f"无法读取文件“{path.name}”：{exc.strerror or exc}") from exc
    return digest.hexdigest()


# --------------------------------------------------------------------------- batch

def import_returns(ws: Workspace, paths: Sequence[Path], *, accept_keys: Collection[str] = (),
                   actor: str = "", limits: Limits = DEFAULT_LIMITS) -> list[ReturnResult]:
    """Import many returns (``.gkbundle`` or ``.xlsx``); one row per file, never raises for a
    bad file (its row says why). The parts of a split bundle are imported together; an
    office's bundles in sequence order (so an old and a new one both count). A file of
    another kind is refused."""
    from gongkai_desktop.bundle.import_batch import peek_manifest

    rows: dict[int, ReturnResult] = {}
    try:
        accepted = key_pins.accepted_fingerprints(accept_keys)
    except GongkaiError:
        accepted = set()  # each bundle's row says which fingerprint is malformed
    signers: list[tuple[str, str, str]] = []
    groups: dict[str, list[tuple[int, Path]]] = {}
    order: dict[str, tuple[str, int]] = {}
    singles: list[tuple[int, Path]] = []
    for i, raw in enumerate(paths):
        path = Path(raw)
        if path.suffix.lower() != file_kinds.BUNDLE:
            singles.append((i, path))
            continue
        try:
            manifest = peek_manifest(path, limits)
        except Exception as exc:
            rows[i] = _refusal(path, exc)
            continue
        groups.setdefault(manifest.bundle_id, []).append((i, path))
        order[manifest.bundle_id] = (manifest.unit.id, manifest.sequence)
        signers.append((manifest.certificate_sha256, manifest.unit.id, manifest.unit.name))
    # A key the batch shows signing for two offices is accepted for neither (as for units).
    shared = key_pins.shared_keys(signers)
    for bundle_id in sorted(groups, key=lambda b: order[b]):
        members = groups[bundle_id]
        files = [p for _i, p in members]
        try:
            result: ReturnResult = import_office_bundle(
                ws, files, actor=actor, limits=limits,
                accept_keys=[k for k in accept_keys if key_pins.normalize_fingerprint(k)
                             not in shared])
        except office_keys.OfficeKeyNeeded as exc:
            fp = exc.standing.cert.fingerprint
            shared_key = fp in shared and fp in accepted
            result = _refusal(files[0], SignatureError(
                key_pins.shared_key_text(fp, shared[fp], "各下级单位")) if shared_key else exc)
        except Exception as exc:
            result = _refusal(files[0], exc)
        for i, path in members:
            rows[i] = dataclasses.replace(result, path=path)
    for i, path in singles:
        try:
            if path.suffix.lower() != file_kinds.XLSX:
                raise InvalidInput(f"“{path.name}”不是下级单位的数据包（.gkbundle）"
                                   "或清单（.xlsx），未导入")
            rows[i] = import_office_checklist(ws, path, actor=actor)
        except Exception as exc:
            rows[i] = _refusal(path, exc)
    return [rows[i] for i in range(len(paths))]


def _refusal(path: Path, exc: Exception) -> ReturnResult:
    if isinstance(exc, office_keys.OfficeKeyNeeded):
        return ReturnResult(path, ReturnOutcome.REFUSED, str(exc), exc.standing.office,
                            "bundle", fingerprint=exc.standing.cert.fingerprint,
                            needs_key_acceptance=True, key=exc.standing)
    if isinstance(exc, GongkaiError):
        return ReturnResult(path, ReturnOutcome.REFUSED, str(exc))
    # One hostile file never stops the others; the transaction has rolled back.
    log.warning("office return %s refused after %s", path, type(exc).__name__, exc_info=exc)
    return ReturnResult(path, ReturnOutcome.REFUSED,
                        f"文件“{path.name}”无法处理（内容异常：{type(exc).__name__}），"
                        "可能已损坏或被改动，未导入")
