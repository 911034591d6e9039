"""The review file (``.gkreview``): the office's signed verdicts on one unit's bundle.

Like a receipt, a canonical JSON ``body`` with the office's signature over it and its
certificate, laid out for size: the first line is a small JSON header (``format``,
``signature``, ``certificate``), the rest of the file is the body's bytes as signed
(not a string inside JSON: 5,000 verdicts need no escaping). The body names the unit, the
reviewed bundle (the unit's latest the office imported: sequence and hash) and every
current verdict with its comment, by measure id, each an array
``[verdict id, measure id, verdict, comment, reviewed_at, bundle sequence]`` (arrays,
not objects: 5,000 of them are written and read quickly). For the unit it is hostile
input: size and nesting limits, exact keys and lengths, the signature checked before
the body is parsed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai_desktop import __version__, faults, file_kinds
from gongkai_desktop.atomic import atomic_output, fsync_dir, fsync_file, remove_temp, temp_beside
from gongkai_desktop.bundle.certs import CertificateInfo
from gongkai_desktop.bundle.manifest import canonical_json, sha256_hex
from gongkai_desktop.errors import InvalidInput, NotFound, UnsafeInput
from gongkai_desktop.model import Unit, UnitType
from gongkai_desktop.review.signed_file import HEX32, PLAN_ID, open_signed, signed_bytes
from gongkai_desktop.review.signed_file import Bad as _Bad
from gongkai_desktop.review.signed_file import text as _text
from gongkai_desktop.review.states import MAX_COMMENT, Verdict
from gongkai_desktop.safe_json import loads_limited
from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.storage import Workspace, safe_file_name
from gongkai_desktop.storage.wsconn import reading
from gongkai_desktop.supervisor.store import ImportedUnit, SupervisorView
from gongkai_desktop.ticker import Progress, Ticker

SUFFIX = file_kinds.REVIEW
FORMAT_NAME = "gongkai-review"
FORMAT_VERSION = 1
MAX_BYTES = 16 * 1024 * 1024  # 5,000 verdicts with long comments fit many times over
MAX_DEPTH = 6
MAX_HEADER = 16 * 1024  # the first line: format, signature and certificate
MAX_VERDICTS = 20_000
BROKEN = "整改意见文件无效（已损坏、被改动，或不是本程序生成的文件）"
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class FileVerdict:
    verdict_id: str
    measure_id: str
    verdict: Verdict
    comment: str
    reviewed_at: dt.datetime
    sequence: int  # the bundle it was given on


@dataclass(frozen=True, slots=True)
class ReviewFile:
    unit: Unit
    office: Unit
    officer: str
    plan_id: str
    sequence: int  # the reviewed bundle
    bundle_hash: str
    issued_at: dt.datetime
    verdicts: tuple[FileVerdict, ...]
    cert: CertificateInfo
    body: str  # as signed

    @property
    def review_hash(self) -> str:
        return sha256_hex(self.body.encode("utf-8"))

    @property
    def signer(self) -> str:
        return self.cert.signer or self.cert.unit


def default_review_name(unit_name: str, sequence: int) -> str:
    return safe_file_name(f"{unit_name}-整改意见-序号{sequence}{SUFFIX}")


def _unit_dict(unit: Unit) -> dict[str, str]:
    return {"id": unit.id, "name": unit.name, "full_name": unit.full_name,
            "type": UnitType(unit.type).value}


def _verdict_texts(ws: Workspace, unit_id: str | None = None) -> dict[str, bytes]:
    """unit id → its current verdicts as the file's JSON array elements, comma-joined.

    Each verdict's JSON was made when it was set (``sup_verdict_files``); SQLite joins
    them in one scan, so exporting 100 units × 5,000 verdicts encodes nothing per verdict.
    """
    where, params = ("", ()) if unit_id is None else (" WHERE unit_id = ?", (unit_id,))
    sql = ("SELECT unit_id, CAST(group_concat(file_json, ',') AS BLOB)"
           f" FROM sup_verdict_files{where} GROUP BY unit_id")  # bytes: nothing decoded
    with reading(ws) as conn:
        return {str(u): bytes(text) for u, text in conn.execute(sql, params)}


def review_bytes(ws: Workspace, unit_id: str, identity: SigningIdentity,
                 verdicts: bytes | None = None,
                 imported: ImportedUnit | None = None) -> tuple[bytes, str, int]:
    """The signed file's bytes, the unit's name and the reviewed bundle's sequence."""
    imported = imported or SupervisorView(ws).unit(unit_id)
    if verdicts is None:
        verdicts = _verdict_texts(ws, unit_id).get(unit_id, b"")
    if not verdicts:
        raise NotFound(f"尚未审核“{imported.unit.name}”的任何举措，没有可导出的整改意见")
    certificate = identity.certificate_der()
    body = _body(ws, imported, verdicts, certificate)
    return _signed(identity, certificate, body), imported.unit.name, imported.sequence


def _body(ws: Workspace, imported: ImportedUnit, verdicts: bytes, certificate: bytes) -> bytes:
    head = canonical_json({
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "unit": _unit_dict(imported.unit), "plan": ws.plan.info.id,
        "office": {**_unit_dict(ws.unit), "officer": ws.profile.officer},
        "bundle": {"sequence": imported.sequence, "hash": imported.bundle_hash},
        # Microseconds: two reviews of one afternoon must keep their order on the unit's side.
        "issued_at": dt.datetime.now().astimezone().isoformat(timespec="microseconds"),
        "app_version": __version__, "certificate_sha256": sha256_hex(certificate),
    })
    # "verdicts" sorts after every other key: appending it keeps the body canonical JSON.
    return b"".join((head[:-1].encode("utf-8"), b',"verdicts":[', verdicts, b"]}"))


def _signed(identity: SigningIdentity, certificate: bytes, body: bytes) -> bytes:
    return signed_bytes(FORMAT_NAME, identity, certificate, body)


def write_file(out: Path, data: bytes) -> None:
    """Written beside the target, flushed to disk, then renamed: never half a file."""
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    with atomic_output(out, what="整改意见文件") as temp:
        temp.write_bytes(data)


def write_review(ws: Workspace, unit_id: str, identity: SigningIdentity, out: Path) -> Path:
    """One unit's review file at ``out`` (a folder: named after the unit)."""
    data, name, sequence = review_bytes(ws, unit_id, identity)
    out = Path(out)
    if out.is_dir():
        out = out / default_review_name(name, sequence)
    write_file(out, data)
    return out


def write_all_reviews(ws: Workspace, identity: SigningIdentity, folder: Path,
                      progress: Progress | None = None) -> list[Path]:
    """One file per reviewed unit in ``folder``, named by unit.

    The verdicts are read in one sweep; two threads sign and write (and sync) the files
    under temporary names while the next ones are put together, so the export costs
    little more than the writing itself. Only when every file is complete do they get
    their names: a cancel (``progress`` answering False) or a failure leaves no file
    behind and the folder's earlier files as they were.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotFound(f"文件夹不存在：{folder}")
    units = {u.unit.id: u for u in SupervisorView(ws).units()}
    by_unit = _verdict_texts(ws)  # one sweep of the table, in key order
    reviewed = [u for u in sorted(by_unit) if u in units]
    if not reviewed:
        raise NotFound("尚未审核任何单位，没有可导出的整改意见")
    certificate = identity.certificate_der()
    ticker = Ticker(progress, len(reviewed) + 1, "已取消导出整改意见", hold_last=True)

    def sign_and_stage(out: Path, temp: Path, body: bytes) -> None:
        try:
            temp.write_bytes(_signed(identity, certificate, body))
            fsync_file(temp)
        except OSError as exc:
            raise faults.os_error(exc, out, "整改意见文件") from exc

    staged: list[tuple[Path, Path]] = []  # (temporary, target)
    in_flight: list[Future[None]] = []
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="review-export") as pool:
            try:
                for unit_id in reviewed:
                    imported = units[unit_id]
                    body = _body(ws, imported, by_unit.pop(unit_id), certificate)
                    out = folder / default_review_name(imported.unit.name, imported.sequence)
                    if len(in_flight) >= 3:  # a few files in memory at a time
                        in_flight.pop(0).result()  # a failed write stops the export
                        ticker.check()
                    temp = temp_beside(out)
                    staged.append((temp, out))
                    in_flight.append(pool.submit(sign_and_stage, out, temp, body))
                while in_flight:
                    in_flight.pop(0).result()
                    ticker.check()
            finally:
                for future in in_flight:  # the pool waits for them; their errors are moot
                    future.cancel()
        _name_all(staged)
    except BaseException:
        for temp, _ in staged:
            remove_temp(temp)
        raise
    ticker.finish()
    return [out for _, out in staged]


def _name_all(staged: list[tuple[Path, Path]]) -> None:
    """The complete files get their names (a rename: never a half-written file)."""
    done: list[Path] = []
    try:
        for temp, out in staged:
            os.replace(temp, out)
            done.append(out)
    except OSError as exc:
        for out in done:
            out.unlink(missing_ok=True)
        raise faults.os_error(exc, out, "整改意见文件") from exc
    if staged:
        fsync_dir(staged[0][1].parent)


# ---------------------------------------------------------------------------- reading


def _moment(raw: Any) -> dt.datetime:
    value = dt.datetime.fromisoformat(_text(raw, 40))
    if value.tzinfo is None:
        raise _Bad("time")
    return value


def _unit(raw: Any, extra: frozenset[str] = frozenset()) -> Unit:
    if not isinstance(raw, dict) or set(raw) != {"id", "name", "full_name", "type", *extra}:
        raise _Bad("unit")
    return Unit(_text(raw["id"], 200), _text(raw["name"], 200), _text(raw["full_name"], 200),
                UnitType(raw["type"]))


def _int(raw: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 < raw < 2**31:
        raise _Bad("int")
    return raw


def _file_verdict(raw: Any) -> FileVerdict:
    if not isinstance(raw, list) or len(raw) != 6:
        raise _Bad("verdict")
    vid, measure, kind, comment_raw, reviewed, sequence = raw
    if not isinstance(vid, str) or not HEX32.fullmatch(vid) or not isinstance(measure, str) \
            or not PLAN_ID.fullmatch(measure) or not isinstance(kind, str):
        raise _Bad("verdict id")
    verdict = Verdict(kind)
    comment = _text(comment_raw, MAX_COMMENT, empty=True)
    if verdict is Verdict.RETURNED and not comment.strip():
        raise UnsafeInput(f"整改意见文件中举措 {measure} 被退回却没有意见，文件无效，未导入")
    return FileVerdict(vid, measure, verdict, comment, _moment(reviewed), _int(sequence))


def _parse_body(body: str, cert: CertificateInfo) -> ReviewFile:
    data = loads_limited(body, max_depth=MAX_DEPTH, max_bytes=MAX_BYTES, message=BROKEN)
    keys = {"format", "format_version", "unit", "plan", "office", "bundle", "issued_at",
            "app_version", "certificate_sha256", "verdicts"}
    if not isinstance(data, dict) or set(data) != keys or data["format"] != FORMAT_NAME:
        raise _Bad("keys")
    if data["format_version"] != FORMAT_VERSION:
        if isinstance(data["format_version"], int) and data["format_version"] > FORMAT_VERSION:
            raise InvalidInput("该整改意见文件由更新版本的程序生成，请先升级本程序")
        raise _Bad("version")
    if data["certificate_sha256"] != cert.fingerprint:
        raise UnsafeInput("整改意见所附的证书与文件内容不符（证书被替换），不予接受")
    office = data["office"]
    bundle = data["bundle"]
    if not isinstance(bundle, dict) or set(bundle) != {"sequence", "hash"} \
            or not isinstance(bundle["hash"], str) or not _HEX64.fullmatch(bundle["hash"]):
        raise _Bad("bundle")
    raw_verdicts = data["verdicts"]
    if not isinstance(raw_verdicts, list) or not 0 < len(raw_verdicts) <= MAX_VERDICTS:
        raise _Bad("verdicts")
    verdicts = tuple(_file_verdict(v) for v in raw_verdicts)
    if len({v.measure_id for v in verdicts}) != len(verdicts):
        raise _Bad("duplicate measure")
    return ReviewFile(
        unit=_unit(data["unit"]), office=_unit(office, frozenset({"officer"})),
        officer=_text(office["officer"], 100, empty=True), plan_id=_text(data["plan"], 100),
        sequence=_int(bundle["sequence"]), bundle_hash=bundle["hash"],
        issued_at=_moment(data["issued_at"]), verdicts=verdicts, cert=cert, body=body)


def read_review(path: Path) -> ReviewFile:
    """A review whose signature verifies with its own certificate (trust is decided later)."""
    too_large = UnsafeInput(f"整改意见文件太大（超过 {MAX_BYTES // (1024 * 1024)} MB），"
                            "不是本程序生成的文件，未导入")
    raw = faults.read_bytes(Path(path), "整改意见文件", limit=MAX_BYTES,
                            too_large=lambda _size: too_large)
    return open_signed(raw, format_name=FORMAT_NAME, max_header=MAX_HEADER, broken=BROKEN,
                       bad_signature="整改意见的签名无效：内容在签名后被改动过，不予接受",
                       parse=_parse_body)
