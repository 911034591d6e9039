"""The unit's exports and the receipts stored for them: reading only, no cryptography.

Split from ``receipt`` so the window's status bar can show the last export and
receipt at start-up without importing ``cryptography`` (~180 ms) before the first
paint; the receipts were verified when they were imported.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.wsconn import reading


@dataclass(frozen=True, slots=True)
class ReceivedReceipt:
    """A receipt stored in the unit's workspace."""

    receipt_hash: str
    bundle_hash: str
    sequence: int
    receiver_unit_id: str
    receiver_name: str
    signer: str
    cert_fingerprint: str
    received_at: dt.datetime
    issued_at: dt.datetime
    imported_at: dt.datetime
    new: bool = True  # False when nothing was stored (the same receipt, or an older one)
    key_changed: bool = False  # this import accepted a new office key (the old one retired)
    stale: bool = False  # the receipt was older than this one, stored for the same bundle

    def text(self) -> str:
        """"序号 3 的数据包已由“市政府办公厅”（王五）于 2026-11-29 10:05 收到"."""
        when = self.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
        who = f"（{self.signer}）" if self.signer and self.signer != self.receiver_name else ""
        return f"序号 {self.sequence} 的数据包已由“{self.receiver_name}”{who}于 {when} 收到"

    def sentence(self) -> str:
        """What importing this receipt did, the one line the window and the CLI show."""
        if self.stale:
            return f"此回执比已记录的回执旧，未作改动。已记录：{self.text()}"
        if not self.new:
            return f"该回执此前已记录，未作改动：{self.text()}"
        return f"已记录回执：{self.text()}"


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One export of the unit's workspace, with the receipts that came back for it."""

    sequence: int
    reserved_at: dt.datetime
    exported_at: dt.datetime | None  # None: the export did not complete
    bundle_hash: str | None
    file_names: tuple[str, ...]
    size: int | None
    evidence_included: bool
    receipts: tuple[ReceivedReceipt, ...] = ()

    @property
    def received(self) -> bool:
        return bool(self.receipts)


RECEIPT_COLUMNS = ("receipt_hash, bundle_hash, sequence, receiver_unit_id, receiver_name,"
                    " signer, cert_fingerprint, received_at, issued_at, imported_at")


def received(row: tuple[Any, ...], **extra: bool) -> ReceivedReceipt:
    return ReceivedReceipt(row[0], row[1], int(row[2]), row[3], row[4], row[5], row[6],
                           db.datetime_from(row[7]), db.datetime_from(row[8]),
                           db.datetime_from(row[9]), **extra)


def receipts(ws: Workspace) -> list[ReceivedReceipt]:
    """Every stored receipt; for one bundle the most recently issued comes last."""
    with reading(ws) as conn:
        rows = conn.execute(f"SELECT {RECEIPT_COLUMNS} FROM bundle_receipts").fetchall()
    return sorted((received(r) for r in rows),
                  key=lambda r: (r.received_at, r.issued_at, r.receipt_hash))


def export_history(ws: Workspace) -> list[ExportRecord]:
    """Every export of this workspace, newest first, each with its receipts."""
    by_bundle: dict[str, list[ReceivedReceipt]] = {}
    for r in receipts(ws):
        by_bundle.setdefault(r.bundle_hash, []).append(r)
    with reading(ws) as conn:
        rows = conn.execute("SELECT sequence, reserved_at, exported_at, bundle_hash, file_names,"
                            " size, evidence_included FROM bundle_exports"
                            " ORDER BY sequence DESC").fetchall()
    return [ExportRecord(int(r[0]), db.datetime_from(r[1]),
                         db.datetime_from(r[2]) if r[2] else None, r[3],
                         tuple(json.loads(r[4])), r[5], bool(r[6]),
                         tuple(by_bundle.get(r[3] or "", ()))) for r in rows]


def last_receipt(ws: Workspace) -> ReceivedReceipt | None:
    """The receipt for the newest bundle that was received (for the unit's window)."""
    for record in export_history(ws):
        if record.receipts:
            return record.receipts[-1]
    return None
