"""Verifying a bundle (one file or all parts of a split one) before anything is used.

Two steps, both without touching any workspace:

1. ``open_verified``: every file passes ``open_untrusted`` (header, exact schema,
   integrity, row bounds); its manifest parses strictly, names the certificate stored
   beside it, and the signature over it verifies with that certificate; the parts
   agree with each other (same export, same signer) and none is missing.
2. ``OpenedBundle.read(sink)``: streams every row and chunk in hash order, checks each
   field (``decode``), recomputes each part hash and each evidence file's SHA-256,
   and hands the values to ``sink``. A mismatch raises before the read returns, so a
   sink that writes inside a transaction simply rolls back.

Trust in the certificate (is it this unit's key?) is the importer's job (``trust``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from gongkai_desktop.bundle import decode as content
from gongkai_desktop.bundle.certs import CertificateInfo, certificate_info
from gongkai_desktop.bundle.decode import BundleProfile
from gongkai_desktop.bundle.format import CHUNKS_PART, TABLES
from gongkai_desktop.bundle.manifest import (
    Manifest,
    bundle_hash,
    chunk_header,
    hash_mismatch,
    row_bytes,
    sha256_hex,
)
from gongkai_desktop.bundle.open_untrusted import (
    DEFAULT_LIMITS,
    Limits,
    UntrustedBundle,
    open_bundle,
)
from gongkai_desktop.errors import Cancelled, GongkaiError, SignatureError, UnsafeInput
from gongkai_desktop.model import MeasureRecord
from gongkai_desktop.signing.identity import verify_bytes
from gongkai_desktop.storage.entities import AuditEntry, EvidenceItem
from gongkai_desktop.ticker import Progress

MAX_SIGNATURE = 4096


class Sink(Protocol):
    """Receives verified values in order; ``blob_start`` returns whether it wants the bytes."""

    def profile(self, value: BundleProfile) -> None: ...
    def record(self, value: MeasureRecord) -> None: ...
    def evidence(self, value: EvidenceItem) -> None: ...
    def audit(self, value: AuditEntry) -> None: ...
    def blob_start(self, sha256: str, size: int) -> bool: ...
    def blob_chunk(self, seq: int, data: bytes) -> None: ...
    def blob_end(self, sha256: str) -> None: ...


@dataclass(slots=True)
class Collected:
    """A sink that keeps the data rows (not the audit log or the file contents)."""

    profile_value: BundleProfile | None = None
    records: list[MeasureRecord] = field(default_factory=list)
    evidence_items: list[EvidenceItem] = field(default_factory=list)
    audit_rows: int = 0
    blobs: dict[str, int] = field(default_factory=dict)  # sha256 → size

    def profile(self, value: BundleProfile) -> None:
        self.profile_value = value

    def record(self, value: MeasureRecord) -> None:
        self.records.append(value)

    def evidence(self, value: EvidenceItem) -> None:
        self.evidence_items.append(value)

    def audit(self, value: AuditEntry) -> None:
        self.audit_rows += 1

    def blob_start(self, sha256: str, size: int) -> bool:
        self.blobs[sha256] = size
        return False

    def blob_chunk(self, seq: int, data: bytes) -> None:
        pass

    def blob_end(self, sha256: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class BundlePart:
    path: Path
    manifest: Manifest
    body_sha256: str
    size: int


def _tampered(name: str, what: str) -> UnsafeInput:
    return UnsafeInput(f"数据包“{name}”{what}，可能被改动过，未导入")


def _check_part(bundle: UntrustedBundle) -> tuple[BundlePart, bytes]:
    name = bundle.path.name
    body, signature, certificate = bundle.manifest_row()
    if not isinstance(body, str) or not isinstance(certificate, bytes) or not certificate:
        raise _tampered(name, "的清单或证书缺失")
    if not isinstance(signature, bytes) or not signature:
        raise UnsafeInput(f"数据包“{name}”没有签名，无法确认来源，未导入")
    if len(signature) > MAX_SIGNATURE:
        raise _tampered(name, "的签名格式不对")
    manifest = Manifest.parse(body)
    body_bytes = body.encode("utf-8")
    if sha256_hex(certificate) != manifest.certificate_sha256:
        raise _tampered(name, "所附的证书与清单不符（证书被替换）")
    certificate_info(certificate)  # readable at all
    try:
        valid = verify_bytes(certificate, body_bytes, signature)
    except SignatureError as exc:
        raise _tampered(name, "的证书无效") from exc
    if not valid:
        raise UnsafeInput(f"数据包“{name}”的签名无效：清单在签名后被改动过，"
                          "或签名不是用所附证书的密钥做的，未导入")
    counts = bundle.counts
    actual = {**{t: counts[t] for t in TABLES}, CHUNKS_PART: counts["blob_chunks"]}
    if dict(manifest.counts) != actual:
        raise _tampered(name, "的行数与清单不符")
    return BundlePart(bundle.path, manifest, sha256_hex(body_bytes), bundle.size), certificate


def _check_set(parts: list[BundlePart]) -> None:
    first = parts[0].manifest
    count = first.part_count
    indexes = sorted(p.manifest.part_index for p in parts)
    for p in parts:
        m = p.manifest
        same = (m.bundle_id, m.part_count, m.unit, m.plan_id, m.plan_version, m.sequence,
                m.exported_at, m.evidence_included, m.images_shrunk, m.certificate_sha256)
        if same != (first.bundle_id, first.part_count, first.unit, first.plan_id,
                    first.plan_version, first.sequence, first.exported_at,
                    first.evidence_included, first.images_shrunk, first.certificate_sha256):
            raise UnsafeInput("所选的几个文件不属于同一次导出的数据包，请分别导入")
    if len(set(indexes)) != len(indexes):
        raise UnsafeInput("同一数据包的某个部分被选择了两次")
    missing = [i for i in range(1, count + 1) if i not in indexes]
    if missing:
        shown = "、".join(f"第{i}部分" for i in missing)
        raise UnsafeInput(f"数据包“{first.unit.name}”（序号 {first.sequence}）共 {count} 个部分，"
                          f"缺少{shown}，请把所有部分一起导入")
    for p in parts:
        m = p.manifest
        data_rows = sum(m.counts[t] for t in ("profile", "records", "evidence", "audit"))
        if (m.part_index == 1) != (m.counts["profile"] == 1) or (
                m.part_index > 1 and data_rows):
            raise _tampered(p.path.name, "的分卷内容与清单不符")


@dataclass
class OpenedBundle:
    """A bundle whose structure and signature checked out; call ``read`` for the content."""

    parts: list[BundlePart]
    certificate: bytes
    cert: CertificateInfo
    _handles: list[UntrustedBundle]
    limits: Limits = DEFAULT_LIMITS

    @property
    def manifest(self) -> Manifest:
        return self.parts[0].manifest

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(p.path for p in self.parts)

    @property
    def bundle_hash(self) -> str:
        return bundle_hash([p.body_sha256 for p in self.parts])

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)

    @property
    def content_bytes(self) -> int:
        return sum(p.manifest.chunk_bytes for p in self.parts)

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        self._handles.clear()

    def __enter__(self) -> OpenedBundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, sink: Sink, progress: Progress | None = None) -> None:
        """Stream, check and hash everything into ``sink``; raises on the first mismatch."""
        _Reader(self, sink, progress).run()


def open_verified(paths: Sequence[Path], limits: Limits = DEFAULT_LIMITS) -> OpenedBundle:
    """Open one bundle (all its parts); structure, manifests and signature checked."""
    if not paths:
        raise UnsafeInput("没有选择数据包文件")
    handles: list[UntrustedBundle] = []
    try:
        parts, certs = [], set()
        for path in paths:
            handle = open_bundle(Path(path), limits)
            handles.append(handle)
            part, certificate = _check_part(handle)
            parts.append(part)
            certs.add(certificate)
        order = sorted(range(len(parts)), key=lambda i: parts[i].manifest.part_index)
        parts = [parts[i] for i in order]
        handles = [handles[i] for i in order]
        _check_set(parts)
        certificate = certs.pop()  # one certificate: _check_set compared their hashes
        return OpenedBundle(parts, certificate, certificate_info(certificate), handles, limits)
    except BaseException:
        for handle in handles:
            handle.close()
        raise


class _Reader:
    def __init__(self, bundle: OpenedBundle, sink: Sink, progress: Progress | None) -> None:
        self.bundle, self.sink, self.progress = bundle, sink, progress
        self.total = max(1, bundle.content_bytes + sum(
            sum(p.manifest.counts[t] for t in TABLES) for p in bundle.parts))
        self.done = 0
        self.file_shas: dict[str, int] = {}  # evidence file contents the rows refer to
        self.blob_shas: dict[str, int] = {}
        # The blob being streamed: it may continue into the next part.
        self.current: str | None = None
        self.current_size = 0
        self.current_seq = -1
        self.current_bytes = 0
        self.current_hash = hashlib.sha256()
        self.wanted = False  # whether the sink takes the current blob's bytes

    def tick(self, amount: int) -> None:
        self.done += amount
        if self.progress is not None and self.progress(min(self.done, self.total),
                                                       self.total) is False:
            raise Cancelled("已取消导入数据包")

    def run(self) -> None:
        first = self.bundle.parts[0]
        handle = self.bundle._handles[0]
        self._table(handle, first.manifest, "profile", self._profile)
        self._table(handle, first.manifest, "records", self._record)
        self._table(handle, first.manifest, "evidence", self._evidence)
        self._table(handle, first.manifest, "audit", self._audit)
        for part, handle in zip(self.bundle.parts, self.bundle._handles, strict=True):
            self._blobs(part, handle)
        self._finish_blob()
        self._check_evidence_set()
        if self.progress is not None:
            self.progress(self.total, self.total)

    def _table(self, handle: UntrustedBundle, manifest: Manifest, table: str,
               take: Callable[[tuple[object, ...], int], None]) -> None:
        digest = hashlib.sha256()
        for n, row in enumerate(handle.rows(table), start=1):
            digest.update(row_bytes(row))
            take(row, n)
            if n % 1000 == 0:
                self.tick(1000)
        self.tick(manifest.counts[table] % 1000)
        if digest.hexdigest() != manifest.hashes[table]:
            raise hash_mismatch(table)

    def _profile(self, row: tuple[object, ...], n: int) -> None:
        profile = content.profile_from_row(row)
        if profile.unit != self.bundle.manifest.unit:
            raise UnsafeInput("数据包的单位信息与清单不符，可能被改动过，未导入")
        self.sink.profile(profile)

    def _record(self, row: tuple[object, ...], n: int) -> None:
        self.sink.record(content.record_from_row(row, n))

    def _evidence(self, row: tuple[object, ...], n: int) -> None:
        item = content.evidence_from_row(row, n)
        if item.is_file and item.sha256:
            known = self.file_shas.setdefault(item.sha256, item.size or 0)
            if known != item.size:
                raise content.row_error("佐证材料清单", n, "同一文件的大小不一致")
        self.sink.evidence(item)

    def _audit(self, row: tuple[object, ...], n: int) -> None:
        self.sink.audit(content.audit_from_row(row, n))

    def _blobs(self, part: BundlePart, handle: UntrustedBundle) -> None:
        manifest = part.manifest
        digest = hashlib.sha256()
        numbers: dict[int, tuple[str, int]] = {}
        seen: set[str] = set()
        for n, row in enumerate(handle.rows("blobs"), start=1):
            digest.update(row_bytes(row))
            no, sha, size = content.blob_from_row(row, n, self.bundle.limits.blob_bytes)
            if sha in seen:
                raise content.row_error("佐证文件目录", n, "同一文件出现两次")
            seen.add(sha)
            numbers[no] = (sha, size)
        if digest.hexdigest() != manifest.hashes["blobs"]:
            raise hash_mismatch("blobs")
        chunk_digest = hashlib.sha256()
        used: set[int] = set()
        for blob_no, seq, data in handle.chunks():
            entry = numbers.get(blob_no)
            if entry is None:
                raise _tampered(part.path.name, "含有不属于任何佐证文件的内容")
            used.add(blob_no)
            sha, size = entry
            chunk_digest.update(chunk_header(sha, seq, len(data)))
            self._chunk(sha, size, seq, data)
            self.tick(len(data))
        if chunk_digest.hexdigest() != manifest.hashes[CHUNKS_PART]:
            raise hash_mismatch(CHUNKS_PART)
        if used != set(numbers):
            raise _tampered(part.path.name, "的佐证文件目录与内容不符")

    def _chunk(self, sha: str, size: int, seq: int, data: bytes) -> None:
        if sha != self.current:
            self._finish_blob()
            if sha in self.blob_shas or seq != 0:
                raise UnsafeInput("数据包中的佐证文件内容顺序不对，可能被改动过，未导入")
            self.blob_shas[sha] = size
            self.current, self.current_size, self.current_seq = sha, size, -1
            self.current_bytes, self.current_hash = 0, hashlib.sha256()
            self.wanted = self.sink.blob_start(sha, size)
        elif size != self.current_size:
            raise UnsafeInput("数据包中同一佐证文件的大小前后不一致，未导入")
        if seq != self.current_seq + 1:
            raise UnsafeInput("数据包中的佐证文件内容不完整或顺序不对，未导入")
        self.current_seq = seq
        self.current_bytes += len(data)
        if self.current_bytes > size:
            raise UnsafeInput("数据包中的佐证文件内容比声明的更长，未导入")
        self.current_hash.update(data)
        if self.wanted:
            self.sink.blob_chunk(seq, data)

    def _finish_blob(self) -> None:
        sha = self.current
        if sha is None:
            return
        if self.current_bytes != self.current_size:
            raise UnsafeInput("数据包中的佐证文件内容不完整，未导入")
        if self.current_hash.hexdigest() != sha:
            raise UnsafeInput("数据包中有佐证文件的内容与其校验值不符（文件已损坏或被改动），"
                              "未导入")
        self.current = None
        self.sink.blob_end(sha)

    def _check_evidence_set(self) -> None:
        manifest = self.bundle.manifest
        if not manifest.evidence_included:
            if self.blob_shas:
                raise UnsafeInput("数据包声明不含佐证文件，却带有文件内容，未导入")
            return
        if self.file_shas != self.blob_shas:
            missing = len(set(self.file_shas) - set(self.blob_shas))
            if missing:
                raise UnsafeInput(f"数据包缺少 {missing} 个佐证文件的内容，未导入")
            raise UnsafeInput("数据包中的佐证文件与清单不符，未导入")


@dataclass(frozen=True, slots=True)
class BundleCheck:
    """What ``verify BUNDLE`` reports (signature checked; trust not decided here)."""

    files: tuple[Path, ...]
    manifest: Manifest
    bundle_hash: str
    cert: CertificateInfo
    records: int
    evidence: int
    audit: int
    blobs: int
    content_bytes: int
    size: int


def verify_bundle(paths: Sequence[Path], *, limits: Limits = DEFAULT_LIMITS,
                  progress: Progress | None = None) -> BundleCheck:
    """Check a bundle completely without importing it; ``UnsafeInput`` on any problem."""
    try:
        with open_verified(paths, limits) as opened:
            sink = Collected()
            opened.read(sink, progress)
            return BundleCheck(opened.files, opened.manifest, opened.bundle_hash, opened.cert,
                               len(sink.records), len(sink.evidence_items), sink.audit_rows,
                               len(sink.blobs), sum(sink.blobs.values()), opened.size)
    except GongkaiError:
        raise
    except Exception as exc:  # a failure no check anticipated: still a refusal, not a crash
        name = Path(paths[0]).name if paths else ""
        raise UnsafeInput(f"数据包“{name}”无法核验（内容异常：{type(exc).__name__}），"
                          "可能已损坏或被改动") from exc

