"""Import (any workspace; the supervisor's main action): preview, then apply.

``preview_import`` verifies the bundle completely (``verify``), checks it against
this workspace (same plan and version; a unit the supervisor knows, under its own id;
a certificate valid when the bundle was made; the signer's key against the unit's
pinned key; not older than what was imported from that unit) and lists what would change.
A key not yet pinned for the unit (first contact, or a changed key) is accepted only
explicitly: ``accept_new_key`` / ``accept_keys`` (fingerprints), never by default.
``apply_import`` verifies the files again while copying them (they may have changed
since the preview) and applies everything in one transaction: the unit's records,
evidence list, audit log and evidence contents replace the previous ones.

Idempotent: a bundle already imported (same bundle hash) changes nothing; an older
bundle (lower sequence number) never overwrites a newer one from the same unit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from gongkai_desktop.bundle import key_pins, trust
from gongkai_desktop.bundle.batch import ALREADY_TEXT, IMPORTED_TEXT, OUTCOME_TEXT
from gongkai_desktop.bundle.decode import BundleProfile
from gongkai_desktop.bundle.import_copy import DbSink, OnePassSink
from gongkai_desktop.bundle.manifest import Manifest
from gongkai_desktop.bundle.open_untrusted import DEFAULT_LIMITS, Limits
from gongkai_desktop.bundle.trust import TrustCheck, TrustState
from gongkai_desktop.bundle.unit_identity import known_unit
from gongkai_desktop.bundle.verify import Collected, OpenedBundle, open_verified
from gongkai_desktop.errors import (
    InvalidInput,
    SignatureError,
    UnsafeInput,
)
from gongkai_desktop.model import MeasureRecord, Status, Unit
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.records import FIELD_LABELS, changed_fields
from gongkai_desktop.storage.wsconn import reading, writing
from gongkai_desktop.supervisor.store import SupervisorView
from gongkai_desktop.ticker import Progress
from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)
CHANGE_LABELS = {**FIELD_LABELS, "evidence": "佐证材料"}


class Outcome(StrEnum):
    READY = "ready"  # preview only: can be imported
    IMPORTED = "imported"
    ALREADY = "already"  # this very bundle was imported before: nothing changes
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return "可以导入" if self is Outcome.READY else OUTCOME_TEXT[self.value]


@dataclass(frozen=True, slots=True)
class MeasureChange:
    measure_id: str
    fields: tuple[str, ...]  # record fields that changed (``records.FIELDS``), "evidence"
    old_status: Status | None  # None: nothing from this unit before
    new_status: Status
    evidence_added: int = 0
    evidence_removed: int = 0

    def describe(self) -> str:
        """"完成状态：推进中→已完成；完成情况说明；佐证材料 +1 −1"."""
        parts = []
        for name in self.fields:
            if name == "status":
                old = self.old_status.label if self.old_status else "（无）"
                parts.append(f"完成状态：{old}→{self.new_status.label}")
            elif name == "evidence":
                parts.append(f"佐证材料 +{self.evidence_added} −{self.evidence_removed}")
            else:
                parts.append(CHANGE_LABELS.get(name, name))
        return "；".join(parts)


@dataclass(frozen=True, slots=True)
class ImportPreview:
    files: tuple[Path, ...]
    bundle_hash: str
    manifest: Manifest
    profile: BundleProfile
    trust: TrustCheck
    outcome: Outcome  # READY or ALREADY
    previous_sequence: int | None  # the unit's latest imported bundle, if any
    previous_exported_at: dt.datetime | None
    changes: tuple[MeasureChange, ...]
    records: int
    evidence_files: int
    evidence_links: int
    content_bytes: int
    size: int
    warnings: tuple[str, ...] = ()

    @property
    def unit(self) -> Unit:
        return self.manifest.unit

    @property
    def sequence(self) -> int:
        return self.manifest.sequence

    @property
    def exported_at(self) -> dt.datetime:
        return self.manifest.exported_at

    @property
    def needs_key_acceptance(self) -> bool:
        """First contact or a changed key: imported only when the key is accepted."""
        return self.trust.state.needs_acceptance

    def summary(self) -> str:
        when = _when(self.exported_at)
        head = f"{self.unit.name}，序号 {self.sequence}，导出于 {when}"
        if self.outcome is Outcome.ALREADY:
            return f"{head}：此数据包已导入过，不会改动任何内容"
        changed = f"{len(self.changes)} 项举措有变化" if self.changes else "举措记录没有变化"
        return f"{head}：{changed}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """One row of a batch import (or the result of one import)."""

    path: Path  # the file this row is about
    files: tuple[Path, ...]  # every file of its bundle (parts import together)
    outcome: Outcome  # IMPORTED, ALREADY or REFUSED
    message: str  # Chinese, for people: what happened or why it was refused
    unit: Unit | None = None
    sequence: int | None = None
    exported_at: dt.datetime | None = None
    bundle_hash: str | None = None
    changed_measures: int = 0
    fingerprint: str | None = None  # the signer's certificate (to accept a changed key)
    needs_key_acceptance: bool = False
    warnings: tuple[str, ...] = field(default=())


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone()
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


# --------------------------------------------------------------------- checks

def _check_unit(ws: Workspace, m: Manifest, directory: UnitDirectory | None) -> None:
    known_unit(m.unit, ws.plan, directory if directory is not None else UnitDirectory.load())


def _check_validity(opened: OpenedBundle, trust_check: TrustCheck) -> None:
    """The certificate was valid when the bundle was made; one expired (or not yet valid)
    now is still good for a key pinned earlier, never for a key trusted anew."""
    m, cert = opened.manifest, opened.cert
    what = f"“{m.unit.name}”的数据包（导出于 {_when(m.exported_at)}）"
    if not cert.valid_at(m.exported_at):
        raise SignatureError(
            f"{what}的签名证书在导出时不在有效期内（{cert.validity_text()}），未导入")
    if trust_check.state is not TrustState.TRUSTED:
        try:
            trust.check_validity(cert, db.now(), what)
        except SignatureError as err:
            raise SignatureError(f"{err}，未导入") from None


def _accepts(opened: OpenedBundle, accept_new_key: bool, accept_keys: Collection[str]) -> bool:
    return accept_new_key or opened.cert.fingerprint in key_pins.accepted_fingerprints(accept_keys)


def _check_plan(ws: Workspace, m: Manifest) -> None:
    info = ws.plan.info
    if (m.plan_id, m.plan_version) != (info.id, info.version):
        raise InvalidInput(
            f"数据包“{m.unit.name}”使用的任务分工是“{m.plan_id}”第 {m.plan_version} 版，"
            f"本工作区是“{info.id}”第 {info.version} 版，不能导入。"
            "请双方使用同一版本的任务分工")


def _previous(conn: sqlite3.Connection, unit_id: str) -> tuple[int, str, str] | None:
    row = conn.execute("SELECT u.sequence, u.exported_at, b.bundle_hash FROM sup_units u"
                       " JOIN sup_bundles b ON b.id = u.bundle_id WHERE u.unit_id = ?",
                       (unit_id,)).fetchone()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


def _already(conn: sqlite3.Connection, digest: str) -> bool:
    return conn.execute("SELECT 1 FROM sup_bundles WHERE bundle_hash = ?",
                        (digest,)).fetchone() is not None


def _check_order(conn: sqlite3.Connection, m: Manifest, digest: str) -> None:
    previous = _previous(conn, m.unit.id)
    if previous is None:
        return
    sequence, exported_at, _hash = previous
    if m.sequence < sequence:
        raise InvalidInput(
            f"已导入“{m.unit.name}”更新的数据包（序号 {sequence}，导出于"
            f" {_when(db.datetime_from(exported_at))}），此数据包（序号 {m.sequence}）较旧，未导入")
    if m.sequence == sequence:
        raise UnsafeInput(f"“{m.unit.name}”序号为 {m.sequence} 的数据包已导入，但与此数据包内容"
                          "不同（同一序号出现了两个数据包），未导入，请与该单位核实")


def _check_content(ws: Workspace, sink: Collected) -> None:
    known = {m.id for m in ws.plan.measures()}
    for record in sink.records:
        if record.measure_id not in known:
            raise UnsafeInput(f"数据包中的举措“{record.measure_id}”"
                              "不在本工作区的任务分工中，未导入")
    for item in sink.evidence_items:
        if item.measure_id not in known:
            raise UnsafeInput(f"数据包中的佐证材料属于举措“{item.measure_id}”，"
                              "该举措不在本工作区的任务分工中，未导入")


def _evidence_key(item: object) -> tuple[object, ...]:
    return (getattr(item, "kind", ""), getattr(item, "sha256", None) or getattr(item, "url", ""),
            getattr(item, "file_name", ""), getattr(item, "title", ""))


def _changes(view: SupervisorView, unit_id: str, first: bool, sink: Collected
             ) -> tuple[MeasureChange, ...]:
    old_records = {} if first else view.stored_records(unit_id)
    old_evidence: dict[str, set[tuple[object, ...]]] = {}
    if not first:
        for e in view.evidence(unit_id):
            old_evidence.setdefault(e.measure_id, set()).add(_evidence_key(e))
    new_evidence: dict[str, set[tuple[object, ...]]] = {}
    for item in sink.evidence_items:
        new_evidence.setdefault(item.measure_id, set()).add(_evidence_key(item))
    new_records = {r.measure_id: r for r in sink.records}
    order = {m.id: i for i, m in enumerate(view.plan.measures())}
    out = []
    for mid in sorted(set(new_records) | set(old_records) | set(new_evidence) | set(old_evidence),
                      key=lambda k: (order.get(k, len(order)), k)):
        new = new_records.get(mid, MeasureRecord(mid))
        old = old_records.get(mid)
        fields = changed_fields(old or MeasureRecord(mid), new)
        added = len(new_evidence.get(mid, set()) - old_evidence.get(mid, set()))
        removed = len(old_evidence.get(mid, set()) - new_evidence.get(mid, set()))
        if added or removed:
            fields.append("evidence")
        if fields:
            out.append(MeasureChange(mid, tuple(fields), old.status if old else None,
                                     new.status, added, removed))
    return tuple(out)


def _warnings(m: Manifest, trust_check: TrustCheck) -> tuple[str, ...]:
    out = []
    if trust_check.state.needs_acceptance and not trust.names_unit(trust_check.cert, m.unit):
        out.append(f"签名证书上的单位是“{trust_check.cert.unit or '（空）'}”，"
                   f"与数据包的单位“{m.unit.full_name}”不一致，请核实")
    if not m.evidence_included:
        out.append("这是不含佐证文件的数据包：只有文件名，没有文件内容")
    if m.images_shrunk:
        out.append("数据包中的部分图片（照片、截图）已压缩（长边不超过 2000 像素）")
    return tuple(out)


# -------------------------------------------------------------------- preview

def preview_import(ws: Workspace, files: Sequence[Path], *, limits: Limits = DEFAULT_LIMITS,
                   progress: Progress | None = None,
                   directory: UnitDirectory | None = None) -> ImportPreview:
    """Verify the bundle (all its parts) and show what importing it would change.

    Raises a ``GongkaiError`` (Chinese message) when it must be refused: a unit the
    supervisor does not know (``directory``, default the bundled one, or the plan), an
    expired certificate, another unit's key. A key not pinned for the unit (first
    contact, or a changed key) is *not* refused here: ``needs_key_acceptance`` is set and
    ``apply_import`` needs that key accepted.
    """
    with open_verified(files, limits) as opened:
        return _preview(ws, opened, progress, directory)


def _preview(ws: Workspace, opened: OpenedBundle, progress: Progress | None,
             directory: UnitDirectory | None) -> ImportPreview:
    m = opened.manifest
    _check_plan(ws, m)
    _check_unit(ws, m, directory)
    digest = opened.bundle_hash
    with reading(ws) as conn:
        trust_check = trust.check(conn, m.unit.id, opened.cert, m.unit.name)
        already = _already(conn, digest)
        if not already:
            _check_order(conn, m, digest)
        previous = _previous(conn, m.unit.id)
    if not already:
        _check_validity(opened, trust_check)
    sink = Collected()
    opened.read(sink, progress)  # every hash and field checked before anything is used
    _check_content(ws, sink)
    assert sink.profile_value is not None
    changes = () if already else _changes(SupervisorView(ws), m.unit.id, previous is None, sink)
    files = [e for e in sink.evidence_items if e.is_file]
    return ImportPreview(
        files=opened.files, bundle_hash=digest, manifest=m, profile=sink.profile_value,
        trust=trust_check, outcome=Outcome.ALREADY if already else Outcome.READY,
        previous_sequence=previous[0] if previous else None,
        previous_exported_at=db.datetime_from(previous[1]) if previous else None,
        changes=changes, records=len(sink.records), evidence_files=len(files),
        evidence_links=len(sink.evidence_items) - len(files),
        content_bytes=sum(sink.blobs.values()), size=opened.size,
        warnings=_warnings(m, trust_check),
    )


# ---------------------------------------------------------------------- apply

def apply_import(ws: Workspace, preview: ImportPreview, *, accept_new_key: bool = False,
                 accept_keys: Collection[str] = (), actor: str = "",
                 limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
                 directory: UnitDirectory | None = None) -> ImportResult:
    """Import what ``preview`` showed, in one transaction; ``GongkaiError`` when refused.

    A key not pinned for the unit (first contact or a changed key) is trusted only when
    ``accept_new_key`` is set or its fingerprint is in ``accept_keys``; it is then
    pinned. The files are verified again while they are copied; if they changed since
    the preview, or the workspace changed meanwhile, nothing is applied.
    """
    with open_verified(preview.files, limits) as opened:
        if opened.bundle_hash != preview.bundle_hash:
            raise UnsafeInput("数据包文件在预览之后被改动过，未导入，请重新选择文件")
        accept = _accepts(opened, accept_new_key, accept_keys)
        return _apply(ws, opened, preview, accept, actor, progress, directory)


def _apply(ws: Workspace, opened: OpenedBundle, preview: ImportPreview, accept_new_key: bool,
           actor: str, progress: Progress | None,
           directory: UnitDirectory | None) -> ImportResult:
    m = opened.manifest
    digest = opened.bundle_hash
    base = ImportResult(path=opened.files[0], files=opened.files, outcome=Outcome.IMPORTED,
                        message="", unit=m.unit, sequence=m.sequence, exported_at=m.exported_at,
                        bundle_hash=digest, fingerprint=opened.cert.fingerprint,
                        warnings=preview.warnings)
    _check_plan(ws, m)
    _check_unit(ws, m, directory)
    at = db.now()
    with writing(ws) as conn:
        if _already(conn, digest):
            return dataclasses.replace(base, outcome=Outcome.ALREADY, message=_already_text(m))
        _check_order(conn, m, digest)
        # Checked again here: an earlier bundle of the batch may have pinned this key.
        trust_check = trust.check(conn, m.unit.id, opened.cert, m.unit.name)
        _check_validity(opened, trust_check)
        key_pins.admit(trust_check.state, accepted=accept_new_key,
                       refusal=lambda: SignatureError(trust_check.message(m.unit.name)))
        _write_bundle_rows(conn, opened, preview.profile, actor, at)
        opened.read(DbSink(conn, m.unit.id), progress)  # raises (→ rollback) on any mismatch
        _finish_apply(conn, opened, trust_check, actor, at)
    changed = len(preview.changes)
    return dataclasses.replace(base, changed_measures=changed,
                               message=_imported_text(m, changed))


def _imported_text(m: Manifest, changed: int) -> str:
    return (f"{IMPORTED_TEXT}：{m.unit.name}，序号 {m.sequence}，导出于 {_when(m.exported_at)}，"
            f"{changed} 项举措有变化")


def _write_bundle_rows(conn: sqlite3.Connection, opened: OpenedBundle, p: BundleProfile,
                       actor: str, at: dt.datetime) -> None:
    """The bundle and unit rows; the unit's previous records, evidence list and log go."""
    m = opened.manifest
    bundle_id = int(conn.execute(
        "INSERT INTO sup_bundles (bundle_hash, unit_id, sequence, exported_at, imported_at,"
        " imported_by, file_names, cert_fingerprint, evidence_included, manifest)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (opened.bundle_hash, m.unit.id, m.sequence, db.to_text(m.exported_at), db.to_text(at),
         actor, json.dumps([f.name for f in opened.files], ensure_ascii=False),
         opened.cert.fingerprint, int(m.evidence_included), m.body())).fetchone()[0])
    conn.execute(
        "INSERT INTO sup_units (unit_id, unit_name, full_name, unit_type, officer, contact,"
        " phone, bundle_id, sequence, exported_at, imported_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET"
        " unit_name = excluded.unit_name, full_name = excluded.full_name,"
        " unit_type = excluded.unit_type, officer = excluded.officer,"
        " contact = excluded.contact, phone = excluded.phone,"
        " bundle_id = excluded.bundle_id, sequence = excluded.sequence,"
        " exported_at = excluded.exported_at, imported_at = excluded.imported_at",
        (m.unit.id, m.unit.name, m.unit.full_name, m.unit.type.value, p.officer, p.contact,
         p.phone, bundle_id, m.sequence, db.to_text(m.exported_at), db.to_text(at)))
    for table in ("sup_records", "sup_evidence", "sup_audit"):
        conn.execute(f"DELETE FROM {table} WHERE unit_id = ?", (m.unit.id,))


def _finish_apply(conn: sqlite3.Connection, opened: OpenedBundle, trust_check: TrustCheck,
                  actor: str, at: dt.datetime) -> None:
    """After the contents: the key pinned, unused contents gone, the import logged."""
    m = opened.manifest
    if trust_check.state is TrustState.NEW:
        trust.pin(conn, m.unit.id, opened.cert, trust.KeySource.BUNDLE, actor=actor, at=at)
    elif trust_check.state is TrustState.KEY_CHANGED:
        trust.pin(conn, m.unit.id, opened.cert, trust.KeySource.ACCEPTED, actor=actor, at=at)
    # Contents no unit refers to any more (replaced evidence) go now.
    conn.execute("DELETE FROM sup_blobs WHERE NOT EXISTS"
                 " (SELECT 1 FROM sup_evidence e WHERE e.sha256 = sup_blobs.sha256)")
    audit.write(conn, actor=actor, action="import_bundle", field=m.unit.id,
                new=json.dumps({"unit": m.unit.name, "sequence": m.sequence,
                                "bundle_hash": opened.bundle_hash}, ensure_ascii=False), at=at)


def _apply_one_pass(ws: Workspace, opened: OpenedBundle, accept_new_key: bool, actor: str,
                    progress: Progress | None, directory: UnitDirectory | None) -> ImportResult:
    """Verify and import in one read of the files (the batch import, nothing to show first).

    The same checks as ``_preview`` then ``_apply``, in one transaction: the rows come
    first in a bundle and are checked and compared before any file content is written;
    any mismatch later (a content hash) raises and rolls everything back.
    """
    m = opened.manifest
    digest = opened.bundle_hash
    _check_plan(ws, m)
    _check_unit(ws, m, directory)
    at = db.now()
    changes: list[MeasureChange] = []
    with writing(ws) as conn:
        if _already(conn, digest):
            return ImportResult(opened.files[0], opened.files, Outcome.ALREADY, _already_text(m),
                                m.unit, m.sequence, m.exported_at, digest,
                                fingerprint=opened.cert.fingerprint)
        _check_order(conn, m, digest)
        trust_check = trust.check(conn, m.unit.id, opened.cert, m.unit.name)
        _check_validity(opened, trust_check)
        key_pins.admit(trust_check.state, accepted=accept_new_key,
                       refusal=lambda: SignatureError(trust_check.message(m.unit.name)))
        first = _previous(conn, m.unit.id) is None

        def on_rows(rows: Collected) -> None:
            _check_content(ws, rows)
            assert rows.profile_value is not None
            changes.extend(_changes(SupervisorView(ws), m.unit.id, first, rows))
            _write_bundle_rows(conn, opened, rows.profile_value, actor, at)

        sink = OnePassSink(conn, m.unit.id, on_rows)
        opened.read(sink, progress)  # raises (→ rollback) on any mismatch
        sink.flush()  # a bundle without file contents
        _finish_apply(conn, opened, trust_check, actor, at)
    return ImportResult(opened.files[0], opened.files, Outcome.IMPORTED,
                        _imported_text(m, len(changes)), m.unit, m.sequence, m.exported_at,
                        digest, len(changes), opened.cert.fingerprint,
                        warnings=_warnings(m, trust_check))


def _already_text(m: Manifest) -> str:
    # The window's words for the row (``batch.state_text``), then which bundle it was.
    return f"{ALREADY_TEXT}：{m.unit.name}，序号 {m.sequence}"


def import_bundle(ws: Workspace, files: Sequence[Path], *, accept_new_key: bool = False,
                  accept_keys: Collection[str] = (), actor: str = "",
                  limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
                  directory: UnitDirectory | None = None) -> ImportResult:
    """Preview and apply one bundle; raises when refused (a key not pinned for the unit,
    first contact included, needs acceptance)."""
    preview = preview_import(ws, files, limits=limits, progress=_half(progress, 0),
                             directory=directory)
    if preview.outcome is Outcome.ALREADY:
        return ImportResult(path=preview.files[0], files=preview.files, outcome=Outcome.ALREADY,
                            message=_already_text(preview.manifest), unit=preview.unit,
                            sequence=preview.sequence, exported_at=preview.exported_at,
                            bundle_hash=preview.bundle_hash,
                            fingerprint=preview.trust.cert.fingerprint)
    return apply_import(ws, preview, accept_new_key=accept_new_key, accept_keys=accept_keys,
                        actor=actor, limits=limits, progress=_half(progress, 1),
                        directory=directory)


def _half(progress: Progress | None, which: int) -> Progress | None:
    """Report a step of two as one half of a single bar."""
    if progress is None:
        return None

    def report(done: int, total: int) -> bool:
        return progress(which * total + done, 2 * total)
    return report

