"""Receipts: the supervisor confirms which bundle it received; the unit's window shows it.

A receipt file (``.gkreceipt``) is small JSON: a canonical JSON ``body`` (which
bundle — by its hash, unit, sequence and export time —, when it was imported, by
which office), the supervisor's signature over the body and its certificate. The
unit accepts it only for a bundle its own workspace exported, signed with the key of
its supervising office that it pinned explicitly (``office_key``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai_desktop import __version__, faults, file_kinds
from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.bundle.certs import CertificateInfo, certificate_info

# Re-exported: the reading side lives apart so start-up need not import cryptography.
from gongkai_desktop.bundle.export_history import RECEIPT_COLUMNS as _RECEIPT_COLUMNS
from gongkai_desktop.bundle.export_history import ExportRecord as ExportRecord
from gongkai_desktop.bundle.export_history import ReceivedReceipt as ReceivedReceipt
from gongkai_desktop.bundle.export_history import export_history as export_history
from gongkai_desktop.bundle.export_history import last_receipt as last_receipt
from gongkai_desktop.bundle.export_history import receipts as receipts
from gongkai_desktop.bundle.export_history import received as _received
from gongkai_desktop.bundle.manifest import canonical_json, sha256_hex
from gongkai_desktop.bundle.office_key import (
    OfficeKeyState,
    check_office_key,
    pin_office_key,
    require_accepted,
)
from gongkai_desktop.errors import GongkaiError, InvalidInput, NotFound, SignatureError, UnsafeInput
from gongkai_desktop.model import Unit, UnitType
from gongkai_desktop.safe_json import loads_limited
from gongkai_desktop.signing.identity import SigningIdentity, verify_bytes
from gongkai_desktop.storage import Workspace, audit, db, safe_file_name
from gongkai_desktop.storage.wsconn import writing
from gongkai_desktop.supervisor.store import SupervisorView

SUFFIX = file_kinds.RECEIPT
FORMAT_NAME = "gongkai-receipt"
FORMAT_VERSION = 1
MAX_BYTES = 256 * 1024
BROKEN = "回执文件无效（已损坏、被改动，或不是本程序生成的回执）"


@dataclass(frozen=True, slots=True)
class Receipt:
    bundle_hash: str
    unit: Unit  # who sent the bundle
    sequence: int
    exported_at: dt.datetime
    received_at: dt.datetime  # when the supervisor imported it
    receiver: Unit  # the office that received it
    receiver_officer: str
    issued_at: dt.datetime
    app_version: str
    cert: CertificateInfo  # the receiver's signing certificate
    body: str  # as signed

    @property
    def receipt_hash(self) -> str:
        return sha256_hex(self.body.encode("utf-8"))

    @property
    def signer(self) -> str:
        return self.cert.signer or self.cert.unit


def default_receipt_name(unit_name: str, sequence: int) -> str:
    return safe_file_name(f"{unit_name}-回执-序号{sequence}{SUFFIX}")


def _unit_dict(unit: Unit) -> dict[str, str]:
    return {"id": unit.id, "name": unit.name, "full_name": unit.full_name,
            "type": UnitType(unit.type).value}


def write_receipt(ws: Workspace, unit_id: str, identity: SigningIdentity, out: Path, *,
                  bundle_hash: str | None = None) -> Receipt:
    """A signed receipt for the unit's latest imported bundle (or the one with ``bundle_hash``)."""
    view = SupervisorView(ws)
    bundles = [b for b in view.bundles(unit_id)
               if bundle_hash is None or b.bundle_hash == bundle_hash]
    if not bundles:
        raise NotFound("没有找到该单位已导入的数据包，无法生成回执")
    bundle = max(bundles, key=lambda b: b.sequence)
    imported = view.unit(unit_id)
    unit = imported.unit
    issued = db.now()
    certificate = identity.certificate_der()
    body = canonical_json({
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "bundle_hash": bundle.bundle_hash, "unit": _unit_dict(unit),
        "sequence": bundle.sequence, "exported_at": db.to_text(bundle.exported_at),
        "received_at": db.to_text(bundle.imported_at),
        "receiver": {**_unit_dict(ws.unit), "officer": ws.profile.officer},
        "issued_at": db.to_text(issued), "app_version": __version__,
        "certificate_sha256": sha256_hex(certificate),
    })
    data = json.dumps({
        "format": FORMAT_NAME, "body": body,
        "signature": base64.b64encode(identity.sign_bytes(body.encode("utf-8"))).decode(),
        "certificate": base64.b64encode(certificate).decode(),
    }, ensure_ascii=False, indent=1).encode("utf-8")
    out = Path(out)
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    with atomic_output(out, what="回执文件") as temp:
        temp.write_bytes(data)
    return _parse_body(body, certificate_info(certificate))


def _parse_body(body: str, cert: CertificateInfo) -> Receipt:
    data = loads_limited(body, max_depth=4, max_bytes=MAX_BYTES, message=BROKEN)
    keys = {"format", "format_version", "bundle_hash", "unit", "sequence", "exported_at",
            "received_at", "receiver", "issued_at", "app_version", "certificate_sha256"}
    if not isinstance(data, dict) or set(data) != keys or data["format"] != FORMAT_NAME \
            or data["format_version"] != FORMAT_VERSION:
        raise ValueError("keys")
    if data["certificate_sha256"] != cert.fingerprint:
        raise UnsafeInput("回执所附的证书与回执内容不符（证书被替换），不予接受")

    def unit(raw: Any, extra: frozenset[str] = frozenset()) -> Unit:
        if not isinstance(raw, dict) or set(raw) != {"id", "name", "full_name", "type", *extra}:
            raise ValueError("unit")
        values = [raw[k] for k in ("id", "name", "full_name", "type")]
        if not all(isinstance(v, str) and 0 < len(v) <= 200 for v in values):
            raise ValueError("unit")
        return Unit(values[0], values[1], values[2], UnitType(values[3]))

    def moment(raw: Any) -> dt.datetime:
        value = dt.datetime.fromisoformat(str(raw))
        if value.tzinfo is None:
            raise ValueError("time")
        return value

    officer = data["receiver"].get("officer") if isinstance(data["receiver"], dict) else None
    if not isinstance(officer, str) or not isinstance(data["bundle_hash"], str) \
            or len(data["bundle_hash"]) != 64 or not isinstance(data["sequence"], int):
        raise ValueError("fields")
    return Receipt(
        bundle_hash=data["bundle_hash"], unit=unit(data["unit"]), sequence=data["sequence"],
        exported_at=moment(data["exported_at"]), received_at=moment(data["received_at"]),
        receiver=unit(data["receiver"], frozenset({"officer"})), receiver_officer=officer[:100],
        issued_at=moment(data["issued_at"]), app_version=str(data["app_version"])[:40],
        cert=cert, body=body,
    )


def read_receipt(path: Path) -> Receipt:
    """A receipt whose signature verifies with its own certificate (trust is not decided here)."""
    raw = faults.read_bytes(Path(path), "回执文件", limit=MAX_BYTES,
                            too_large=lambda _size: UnsafeInput(BROKEN))
    try:
        outer = loads_limited(raw, max_depth=2, max_bytes=MAX_BYTES, message=BROKEN)
        if not isinstance(outer, dict) or set(outer) != {"format", "body", "signature",
                                                         "certificate"}:
            raise ValueError("outer")
        body = outer["body"]
        signature = base64.b64decode(str(outer["signature"]), validate=True)
        certificate = base64.b64decode(str(outer["certificate"]), validate=True)
        if not isinstance(body, str) or not signature:
            raise ValueError("parts")
        cert = certificate_info(certificate)
        if not verify_bytes(certificate, body.encode("utf-8"), signature):
            raise SignatureError("回执的签名无效：内容在签名后被改动过，不予接受")
        return _parse_body(body, cert)
    except GongkaiError:
        raise
    except (ValueError, TypeError, KeyError, RecursionError, binascii.Error,
            UnicodeError) as exc:
        raise UnsafeInput(BROKEN) from exc


# A receipt cannot be signed before the bundle it confirms was exported; a day of slack
# covers two offices whose clocks disagree. This bounds how far back a holder of an
# expired key could date a receipt to fit the certificate's validity.
CLOCK_SLACK = dt.timedelta(days=1)


def _check_validity(receipt: Receipt) -> None:
    """The certificate must have been valid when the receipt says it was signed."""
    problem = receipt.cert.problem_at(receipt.issued_at)
    if problem is not None:
        raise SignatureError(f"回执的签名{problem}，不予接受")


def check_own_export(conn: sqlite3.Connection, bundle_hash: str, sequence: int,
                     moments: Iterable[dt.datetime], *, lead: str, what: str,
                     refused: str) -> None:
    """A signed file from the office (receipt, review) names one of this workspace's exports,
    as this workspace recorded it: same sequence, and not dated before that export."""
    row = conn.execute("SELECT sequence, exported_at FROM bundle_exports WHERE bundle_hash = ?",
                       (bundle_hash,)).fetchone()
    if row is None:
        raise InvalidInput(f"{lead}的数据包（序号 {sequence}）不是本工作区导出的，{refused}")
    exported = db.datetime_from(row[1])
    if int(row[0]) != sequence or any(m < exported - CLOCK_SLACK for m in moments):
        raise UnsafeInput(f"{what}中的序号或时间与本工作区的导出记录不符，{refused}")


def import_receipt(ws: Workspace, path: Path, *, accept_key: str | None = None,
                   actor: str = "") -> ReceivedReceipt:
    """Store a receipt for one of this workspace's exports, signed with the office's key.

    Refused (``GongkaiError``, nothing changed) unless the signature verifies, the receipt
    is for this unit and one of its exports, its certificate was valid when it was
    signed, and its key is the pinned office key. The first office key, and any change
    of it, needs ``accept_key``: the fingerprint the user compared with the office's
    (``OfficeKeyNotAccepted`` carries what to show). Importing the same receipt again,
    or one older than a receipt already stored for that bundle, changes nothing.
    """
    receipt = read_receipt(path)
    if receipt.unit.id != ws.unit.id:
        raise InvalidInput(f"该回执是给“{receipt.unit.name}”的，不是本单位（{ws.unit.name}）的")
    with writing(ws) as conn:
        existing = conn.execute(f"SELECT {_RECEIPT_COLUMNS} FROM bundle_receipts"
                                " WHERE receipt_hash = ?", (receipt.receipt_hash,)).fetchone()
        if existing is not None:
            return _received(existing, new=False)
        check_own_export(conn, receipt.bundle_hash, receipt.sequence,
                         (receipt.issued_at, receipt.received_at), lead="该回执对应",
                         what="回执", refused="不予接受")
        _check_validity(receipt)
        check = check_office_key(conn, receipt.receiver, receipt.cert)
        pin = require_accepted(check, accept_key)
        newer = [r for r in (_received(row) for row in conn.execute(
            f"SELECT {_RECEIPT_COLUMNS} FROM bundle_receipts WHERE bundle_hash = ?",
            (receipt.bundle_hash,))) if r.issued_at >= receipt.issued_at]
        if newer:  # a replayed older receipt must not push the newer one aside
            latest = max(newer, key=lambda r: r.issued_at)
            return dataclasses.replace(latest, new=False, stale=True)
        now = db.now()
        if pin:
            pin_office_key(conn, check, actor=actor, at=now)
        conn.execute(
            f"INSERT INTO bundle_receipts ({_RECEIPT_COLUMNS}, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (receipt.receipt_hash, receipt.bundle_hash, receipt.sequence, receipt.receiver.id,
             receipt.receiver.name, receipt.signer, receipt.cert.fingerprint,
             db.to_text(receipt.received_at), db.to_text(receipt.issued_at), db.to_text(now),
             receipt.body))
        audit.write(conn, actor=actor, action="import_receipt", field="sequence",
                    new=f"{receipt.sequence}（{receipt.receiver.name}）", at=now)
        stored = conn.execute(f"SELECT {_RECEIPT_COLUMNS} FROM bundle_receipts"
                              " WHERE receipt_hash = ?", (receipt.receipt_hash,)).fetchone()
    return _received(stored, key_changed=check.state is OfficeKeyState.KEY_CHANGED)
