"""Export (the unit's side): the workspace as one signed bundle file, or numbered parts.

Flow for a window: ``estimate_export`` (size, photos, mail limit) → optionally
``shrink.prepare_shrink`` (shows the saving) → ``export_bundle``. Evidence content is
streamed chunk by chunk from the workspace into the bundle: memory stays flat
whatever the evidence size.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gongkai_desktop import __version__, faults
from gongkai_desktop.bundle.format import CHUNK_SIZE, CHUNKS_PART, PAGE_SIZE, TABLES
from gongkai_desktop.bundle.manifest import Manifest, bundle_hash, sha256_hex
from gongkai_desktop.bundle.prefetch import prefetch
from gongkai_desktop.bundle.shrink import FORMATS, ShrinkPlan, prepare_shrink
from gongkai_desktop.bundle.split import (
    DEFAULT_MAIL_LIMIT_MB,
    MIB,
    check_part_limit,
    chunk_fits,
    part_path,
)
from gongkai_desktop.bundle.writer import PartWriter, write_manifest
from gongkai_desktop.errors import InvalidInput, NotFound, WorkspaceError
from gongkai_desktop.model import UnitType
from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.storage import Workspace, audit, db, safe_file_name
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.storage.records import to_row
from gongkai_desktop.storage.wsconn import reading, writing
from gongkai_desktop.ticker import Progress, Ticker

MAIL_LIMIT_SETTING = "bundle.mail_limit_mb"
EMPTY_PART_BYTES = (len(TABLES) + 4) * PAGE_SIZE  # a part with no rows yet: its schema pages


@dataclass(frozen=True, slots=True)
class ExportOptions:
    include_evidence: bool = True  # False: an evidence-free bundle (file names, no content)
    shrink_images: bool = False  # re-encode photos over 2000 px (when no ShrinkPlan is given)
    max_part_bytes: int | None = None  # split into numbered parts of at most this size


@dataclass(frozen=True, slots=True)
class ExportEstimate:
    records: int
    evidence_files: int
    evidence_links: int
    blob_count: int  # distinct evidence contents
    blob_bytes: int  # their bytes (after shrinking, when a plan was given)
    images: int  # distinct JPEG/PNG/WebP contents (candidates for shrinking)
    image_bytes: int
    estimated_bytes: int  # the bundle with evidence
    estimated_bytes_without_evidence: int
    mail_limit: int
    blob_sizes: tuple[int, ...] = ()  # each distinct content, in export order

    @property
    def exceeds_mail_limit(self) -> bool:
        return self.estimated_bytes > self.mail_limit

    def parts_needed(self, max_part_bytes: int | None = None) -> int:
        """The parts ``export_bundle`` will write at this limit (it packs the same way)."""
        limit = max_part_bytes or self.mail_limit
        parts, size, chunks_here = 1, self.estimated_bytes_without_evidence, 0
        for blob_size in self.blob_sizes:
            full, rest = divmod(blob_size, CHUNK_SIZE)
            for length in [CHUNK_SIZE] * full + ([rest] if rest else []):
                if chunks_here and not chunk_fits(size, length, limit):
                    parts, size, chunks_here = parts + 1, EMPTY_PART_BYTES, 0
                size += -(-length // (PAGE_SIZE - 8)) * PAGE_SIZE
                chunks_here += 1
        return parts


@dataclass(frozen=True, slots=True)
class ExportResult:
    files: tuple[Path, ...]  # one, or the numbered parts in order
    sequence: int
    bundle_hash: str
    exported_at: dt.datetime
    size: int  # all files together, bytes
    blob_count: int
    blob_bytes: int
    evidence_included: bool
    shrunk_images: int
    bytes_saved: int
    mail_limit: int
    warnings: tuple[str, ...] = ()  # Chinese, for people (e.g. over the mail limit)

    @property
    def parts(self) -> int:
        return len(self.files)

    def sentences(self) -> tuple[str, ...]:
        """What the export did, the lines the window and the CLI both show (the files are
        listed by each front end its own way)."""
        mib = 1024 * 1024
        out = [f"已导出数据包（序号 {self.sequence}，佐证文件 {self.blob_count} 个，"
               f"{self.blob_bytes / mib:.1f} MB）"]
        if self.parts > 1:
            out.append(f"数据包已拆分为 {self.parts} 个文件，请全部发送，对方一起导入")
        if self.shrunk_images:
            out.append(f"已压缩图片 {self.shrunk_images} 张，节省 {self.bytes_saved / mib:.1f} MB")
        return tuple(out)

    @property
    def exceeds_mail_limit(self) -> bool:
        return any(f.stat().st_size > self.mail_limit for f in self.files if f.exists())


def default_bundle_name(unit_name: str, day: dt.date | None = None) -> str:
    """``万州区-自查-2026-11-28.gkbundle`` (the rule: ``storage.default_names``)."""
    from gongkai_desktop.storage.default_names import unit_bundle_name

    return unit_bundle_name(unit_name, day or dt.date.today())


def mail_limit_bytes(ws: Workspace) -> int:
    value = ws.get_setting(MAIL_LIMIT_SETTING, DEFAULT_MAIL_LIMIT_MB)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return int((value if ok else DEFAULT_MAIL_LIMIT_MB) * MIB)


MAIL_LIMIT_MIN_MB = 1
MAIL_LIMIT_MAX_MB = 10_000


def set_mail_limit_mb(ws: Workspace, megabytes: float) -> None:
    if not (isinstance(megabytes, int | float)
            and MAIL_LIMIT_MIN_MB <= megabytes <= MAIL_LIMIT_MAX_MB):
        raise InvalidInput(f"邮件附件上限应在 {MAIL_LIMIT_MIN_MB} 到 {MAIL_LIMIT_MAX_MB} MB 之间")
    ws.set_setting(MAIL_LIMIT_SETTING, megabytes)


# ------------------------------------------------------------------ gathering

@dataclass(frozen=True, slots=True)
class _Blob:
    sha256: str  # as stored in the bundle (the shrunk content's, when shrunk)
    size: int
    source_sha256: str  # the workspace's
    shrunk_path: Path | None


Row = tuple[object, ...]


def _record_rows(ws: Workspace) -> list[Row]:
    records = ws.records()
    return [to_row(records[mid]) for mid in sorted(records)]


def _evidence_rows(items: list[EvidenceItem],
                   shrink: ShrinkPlan | None) -> list[Row]:
    rows: list[Row] = []
    for e in sorted(items, key=lambda item: item.id):
        sha, size, original_sha, original_size = e.sha256, e.size, None, None
        shrunk = shrink.files.get(e.sha256 or "") if shrink is not None else None
        if shrunk is not None:
            sha, size = shrunk.sha256, shrunk.size
            original_sha, original_size = shrunk.original_sha256, shrunk.original_size
        # A name stored before hidden characters were stripped goes out clean (else refused).
        name = safe_file_name(e.file_name) if e.kind == "file" else e.file_name
        rows.append((e.id, e.measure_id, e.kind, name, e.media_type, size, sha, e.url,
                     e.title, e.note, db.to_text(e.added_at), e.added_by, original_sha,
                     original_size))
    return rows


def _blobs(items: list[EvidenceItem], shrink: ShrinkPlan | None) -> list[_Blob]:
    out: dict[str, _Blob] = {}
    for e in sorted(items, key=lambda item: item.id):
        if not e.is_file or not e.sha256 or e.sha256 in out:
            continue
        shrunk = shrink.files.get(e.sha256) if shrink is not None else None
        if shrunk is not None:
            out[e.sha256] = _Blob(shrunk.sha256, shrunk.size, e.sha256, shrunk.path)
        else:
            out[e.sha256] = _Blob(e.sha256, e.size or 0, e.sha256, None)
    # Two originals can shrink to the same bytes: keep one copy.
    return list({b.sha256: b for b in out.values()}.values())


def _chunks(ws: Workspace, blob: _Blob) -> Iterator[bytes]:
    if blob.shrunk_path is None:
        yield from ws.iter_blob(blob.source_sha256)
        return
    with blob.shrunk_path.open("rb") as handle:
        while data := handle.read(CHUNK_SIZE):
            yield data


def _all_chunks(ws: Workspace, blobs: list[_Blob]) -> Iterator[tuple[_Blob, int, bytes]]:
    for blob in blobs:
        for seq, data in enumerate(_chunks(ws, blob)):
            yield blob, seq, data


def _incomplete() -> WorkspaceError:
    return WorkspaceError("佐证文件的数据不完整，工作区可能已损坏，未导出")


def _check_complete(blob: _Blob | None, size: int) -> None:
    if blob is not None and size != blob.size:
        raise _incomplete()


def estimate_export(ws: Workspace, *, shrink: ShrinkPlan | None = None) -> ExportEstimate:
    """Sizes before exporting (for the export dialog); reads no evidence content."""
    items = ws.evidence()
    blobs = _blobs(items, shrink)
    images = {e.sha256: e.size or 0 for e in items
              if e.is_file and e.sha256 and e.media_type in FORMATS}
    records = ws.records()
    text_bytes = sum(len(r.explanation) + len(r.remarks) + len(r.reason) + 150
                     + sum(len(u) for u in r.urls) for r in records.values())
    text_bytes = text_bytes * 3 + sum(300 + len(e.note) * 3 for e in items)
    text_bytes += sum(200 + len(a.old or "") * 3 + len(a.new or "") * 3 for a in ws.audit_log())
    base = text_bytes + 16 * PAGE_SIZE + 8 * 1024
    blob_bytes = sum(b.size for b in blobs)
    with_evidence = base + blob_bytes + (blob_bytes // (PAGE_SIZE - 8) + 2 * len(blobs)) * 8
    return ExportEstimate(
        records=len(records), evidence_files=sum(1 for e in items if e.is_file),
        evidence_links=sum(1 for e in items if not e.is_file), blob_count=len(blobs),
        blob_bytes=blob_bytes, images=len(images), image_bytes=sum(images.values()),
        estimated_bytes=with_evidence, estimated_bytes_without_evidence=base,
        mail_limit=mail_limit_bytes(ws), blob_sizes=tuple(b.size for b in blobs),
    )


# ------------------------------------------------------------------ writing

def _next_sequence(ws: Workspace) -> tuple[int, dt.datetime]:
    """The sequence number this export will carry (recorded only once its files are
    complete, so a failed export leaves the workspace as it was)."""
    with reading(ws) as conn:
        sequence = int(conn.execute(
            "SELECT COALESCE(MAX(sequence), 0) + 1 FROM bundle_exports").fetchone()[0])
    return sequence, db.now()


def _record(ws: Workspace, sequence: int, at: dt.datetime, digest: str, files: list[Path],
            size: int, evidence_included: bool, actor: str) -> None:
    """The finished export, recorded before its files get their names: a crash between
    the two leaves a used number with no file (harmless), never a published bundle whose
    number the next export would use again."""
    with writing(ws) as conn:
        taken = conn.execute("SELECT 1 FROM bundle_exports WHERE sequence = ?",
                             (sequence,)).fetchone()
        if taken is not None:
            raise WorkspaceError("另一次导出刚刚用了同一个序号，本次未导出，请重新导出")
        conn.execute(
            "INSERT INTO bundle_exports (sequence, reserved_at, exported_at, bundle_hash,"
            " file_names, size, evidence_included) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sequence, db.to_text(at), db.to_text(at), digest,
             json.dumps([f.name for f in files], ensure_ascii=False), size,
             int(evidence_included)))
        audit.write(conn, actor=actor, action="export_bundle", field="sequence",
                    new=str(sequence), at=at)


def _unrecord(ws: Workspace, sequence: int) -> None:
    """Publishing failed after recording: the number stays used, shown as not exported."""
    with contextlib.suppress(WorkspaceError), writing(ws) as conn:
        conn.execute("UPDATE bundle_exports SET exported_at = NULL, bundle_hash = NULL,"
                     " file_names = '[]', size = NULL WHERE sequence = ?", (sequence,))


def export_bundle(ws: Workspace, out: Path, identity: SigningIdentity,
                  options: ExportOptions = ExportOptions(), *,
                  shrink: ShrinkPlan | None = None, actor: str = "",
                  progress: Progress | None = None) -> ExportResult:
    """Write the workspace as a signed bundle to ``out`` (or numbered parts beside it).

    ``shrink``: photos re-encoded beforehand (``prepare_shrink``); with
    ``options.shrink_images`` and no plan one is made here. ``progress(done, total)``
    returning False cancels: no file is left behind. An existing file at a target name
    is replaced (the save dialog asks first).
    """
    out = Path(out)
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    if options.max_part_bytes is not None:
        check_part_limit(options.max_part_bytes)
    own_plan = None
    if shrink is None and options.shrink_images and options.include_evidence:
        own_plan = shrink = prepare_shrink(ws)
    try:
        return _export(ws, out, identity, options, shrink if options.include_evidence else None,
                       actor, progress)
    finally:
        if own_plan is not None:
            own_plan.close()


def _export(ws: Workspace, out: Path, identity: SigningIdentity, options: ExportOptions,
            shrink: ShrinkPlan | None, actor: str, progress: Progress | None) -> ExportResult:
    sequence, exported_at = _next_sequence(ws)
    profile = ws.profile
    items = ws.evidence()
    blobs = _blobs(items, shrink) if options.include_evidence else []
    data_rows: dict[str, list[Row]] = {
        "profile": [(profile.unit_id, profile.unit_name, profile.full_name,
                     UnitType(profile.unit_type).value, profile.officer, profile.contact,
                     profile.phone, db.to_text(profile.created_at))],
        "records": _record_rows(ws),
        "evidence": _evidence_rows(items, shrink),
        "audit": [(a.id, db.to_text(a.at), a.actor, a.action, a.measure_id, a.field, a.old,
                   a.new) for a in ws.audit_log()],
    }
    assert set(data_rows) < set(TABLES)
    ticker = Ticker(progress, sum(b.size for b in blobs) + sum(map(len, data_rows.values())),
                    "已取消导出数据包")
    bundle_id = uuid.uuid4().hex
    stamp = uuid.uuid4().hex[:8]
    writers: list[PartWriter] = []

    def new_part() -> PartWriter:
        writer = PartWriter(out.with_name(f".{out.name}.{stamp}.{len(writers) + 1}.tmp"))
        writers.append(writer)
        return writer

    try:
        writer = new_part()
        for table, rows in data_rows.items():
            for n, row in enumerate(rows, start=1):
                writer.add_row(table, row)
                if n % 2000 == 0:
                    ticker.check(2000)
            ticker.check(len(rows) % 2000)
        limit = options.max_part_bytes
        current: _Blob | None = None
        blob_no: int | None = None  # the current blob's number in the current part
        size = started = 0
        # closing(): the reading thread stops at once when writing fails or is cancelled.
        with contextlib.closing(prefetch(_all_chunks(ws, blobs))) as chunks:
            for blob, seq, data in chunks:
                if blob is not current:
                    _check_complete(current, size)
                    current, blob_no, size, started = blob, None, 0, started + 1
                if (limit is not None and writer.counts[CHUNKS_PART]
                        and not chunk_fits(writer.size(), len(data), limit)):
                    writer.seal()
                    writer = new_part()
                    blob_no = None
                if blob_no is None:
                    blob_no = writer.start_blob(blob.sha256, blob.size)
                writer.add_chunk(blob_no, blob.sha256, seq, data)
                size += len(data)
                ticker.check(len(data))
        _check_complete(current, size)
        if started != len(blobs):
            raise _incomplete()
        writer.seal()
        body_hashes = _sign_parts(writers, identity, sequence, exported_at, ws, options,
                                  shrink, bundle_id)
        digest = bundle_hash(body_hashes)
        files = [part_path(out, i, len(writers)) for i in range(1, len(writers) + 1)]
        total = sum(w.path.stat().st_size for w in writers)
        _record(ws, sequence, exported_at, digest, files, total, options.include_evidence,
                actor)
    except BaseException as exc:
        for w in writers:
            w.abort()
        mapped = faults.any_error(exc, out, "数据包文件")
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc
    _name_parts(ws, writers, files, out, sequence)
    limit_bytes = mail_limit_bytes(ws)
    return ExportResult(
        files=tuple(files), sequence=sequence, bundle_hash=digest, exported_at=exported_at,
        size=total, blob_count=len(blobs), blob_bytes=sum(b.size for b in blobs),
        evidence_included=options.include_evidence,
        shrunk_images=shrink.shrunk if shrink is not None else 0,
        bytes_saved=shrink.saved if shrink is not None else 0, mail_limit=limit_bytes,
        warnings=_warnings(files, limit_bytes, options),
    )


def _sign_parts(writers: list[PartWriter], identity: SigningIdentity, sequence: int,
                exported_at: dt.datetime, ws: Workspace, options: ExportOptions,
                shrink: ShrinkPlan | None, bundle_id: str) -> list[str]:
    certificate = identity.certificate_der()
    count = len(writers)
    body_hashes = []
    for index, writer in enumerate(writers, start=1):
        manifest = Manifest(
            bundle_id=bundle_id, part_index=index, part_count=count, app_version=__version__,
            unit=ws.unit, plan_id=ws.plan.info.id, plan_version=ws.plan.info.version,
            sequence=sequence, exported_at=exported_at,
            evidence_included=options.include_evidence,
            images_shrunk=bool(shrink is not None and shrink.shrunk),
            counts=writer.counts, chunk_bytes=writer.chunk_bytes, hashes=writer.hashes(),
            certificate_sha256=sha256_hex(certificate), signer=identity.signer,
        )
        body = manifest.body()
        write_manifest(writer.path, body, identity.sign_bytes(body.encode("utf-8")),
                       certificate)
        body_hashes.append(sha256_hex(body.encode("utf-8")))
    return body_hashes


def _name_parts(ws: Workspace, writers: list[PartWriter], files: list[Path], out: Path,
             sequence: int) -> None:
    """The complete, signed parts get their names (a rename: never a half-written file)."""
    try:
        for writer, target in zip(writers, files, strict=True):
            os.replace(writer.path, target)
    except OSError as exc:
        for target in files:
            target.unlink(missing_ok=True)
        for w in writers:
            w.abort()
        _unrecord(ws, sequence)
        raise faults.os_error(exc, out, "数据包文件") from exc


def _warnings(files: list[Path], limit: int, options: ExportOptions) -> tuple[str, ...]:
    out = []
    sizes = [f.stat().st_size for f in files]
    shown = f"{limit / MIB:g} MB"
    if len(files) == 1 and sizes[0] > limit:
        out.append(f"数据包大小 {sizes[0] / MIB:.1f} MB，超过邮件附件上限 {shown}："
                   "可拆分为多个文件，或导出不含佐证文件的数据包")
    elif options.max_part_bytes is not None and any(s > options.max_part_bytes for s in sizes):
        out.append("第1个文件仅举措记录和修改记录就超过了拆分大小，请调大拆分大小")
    return tuple(out)
