"""Which key speaks for the supervising office, in the unit's workspace.

The mirror of ``trust`` (the office pinning each unit's key), for receipts:

- The first receipt pins the office's certificate, but only when the user has
  compared its fingerprint (read out by phone, printed on the office's letters) and
  accepted it explicitly; there is no silent trust on first use.
- A later receipt signed with any other key is refused, however valid, until that
  key is accepted the same way; the old key then stays as history (``retired_at``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from gongkai_desktop.bundle import key_pins
from gongkai_desktop.bundle.certs import CertificateInfo, certificate_info
from gongkai_desktop.bundle.key_pins import PinState, normalize_fingerprint
from gongkai_desktop.errors import InvalidInput, SignatureError
from gongkai_desktop.model import Unit
from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.wsconn import reading

# The one trust-on-first-use rule's states (``key_pins``), under the name this side uses.
OfficeKeyState = PinState


class OfficeKeySource(StrEnum):
    FIRST = "first"  # accepted with the first receipt
    CHANGED = "changed"  # a changed key, accepted explicitly

    @property
    def label(self) -> str:
        return {"first": "首次导入回执时确认", "changed": "更换密钥时确认"}[self.value]


@dataclass(frozen=True, slots=True)
class OfficeKey:
    office_id: str
    office_name: str
    cert: CertificateInfo
    source: OfficeKeySource
    added_at: dt.datetime
    added_by: str
    retired_at: dt.datetime | None = None

    @property
    def fingerprint(self) -> str:
        return self.cert.fingerprint

    def describe(self) -> str:
        """"市政府办公厅（王五），指纹 AB12 …，2026-11-29 首次导入回执时确认"."""
        signer = f"（{self.cert.signer}）" if self.cert.signer else ""
        when = self.added_at.astimezone().strftime("%Y-%m-%d")
        text = (f"{self.office_name}{signer}，指纹 {self.cert.grouped_fingerprint}，"
                f"{when} {self.source.label}")
        if self.retired_at is not None:
            text += f"，{self.retired_at.astimezone():%Y-%m-%d} 起停用"
        return text


@dataclass(frozen=True, slots=True)
class OfficeKeyCheck:
    """What a receipt's key is to this workspace, and what to show before accepting it."""

    state: OfficeKeyState
    office: Unit  # the office the receipt names
    cert: CertificateInfo  # the receipt's
    pinned: OfficeKey | None  # the office key pinned so far
    seen_before: bool = False  # receipts imported before pinning existed used this key

    @property
    def needs_acceptance(self) -> bool:
        return self.state.needs_acceptance

    @property
    def signer(self) -> str:
        return self.cert.signer or self.cert.unit

    def message(self) -> str:
        new = self.cert.grouped_fingerprint
        issued_to = (f"，证书单位：{self.cert.unit}"
                     if self.cert.unit and self.cert.unit != self.office.name else "")
        who = f"“{self.office.name}”（签名人：{self.signer}{issued_to}）"
        if self.state is OfficeKeyState.NEW:
            seen = "（与此前导入的回执所用证书相同）" if self.seen_before else ""
            return (f"首次收到{who}的回执，其证书指纹为 {new}{seen}。请与上级单位电话核对，"
                    "或与其来函上印的指纹比对；一致后明确接受此证书，否则不予导入")
        if self.state is OfficeKeyState.TRUSTED:
            return f"回执的签名证书与已确认的上级单位证书一致（指纹 {new}）"
        assert self.pinned is not None
        return (f"该回执不是用已确认的上级单位证书签名的：已确认的“{self.pinned.office_name}”"
                f"证书指纹 {self.pinned.cert.grouped_fingerprint}，此回执{who}的证书指纹 {new}。"
                "如上级单位确实更换了证书，请核实后明确接受新证书，否则不予导入")


class OfficeKeyNotAccepted(SignatureError):
    """The receipt's key is not the pinned office key and was not accepted explicitly."""

    def __init__(self, check: OfficeKeyCheck) -> None:
        super().__init__(check.message())
        self.check = check


# Said after a receipt or review file whose new office key the officer accepted.
KEY_CHANGED_NOTE = "已接受上级单位的新签名证书，原证书已停用"

# One office key for the whole workspace (no owner column): a new one retires the old.
PINS = key_pins.PinTable("unit_office_keys", None, "trust_office_key")

_COLUMNS = ("office_unit_id, office_name, certificate, source, added_at, added_by,"
            " retired_at")


def _row_key(row: tuple[object, ...]) -> OfficeKey:
    office_id, name, cert, source, added, by, retired = row
    assert isinstance(cert, bytes)
    return OfficeKey(str(office_id), str(name), certificate_info(cert),
                     OfficeKeySource(str(source)), db.datetime_from(str(added)), str(by),
                     db.datetime_from(str(retired)) if retired else None)


def active_office_key(conn: sqlite3.Connection) -> OfficeKey | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM unit_office_keys"
                       " WHERE retired_at IS NULL").fetchone()
    return _row_key(row) if row else None


def check_office_key(conn: sqlite3.Connection, office: Unit,
                     cert: CertificateInfo) -> OfficeKeyCheck:
    pinned = active_office_key(conn)
    state = key_pins.pin_state(pinned.fingerprint if pinned else None, cert.fingerprint)
    if state is OfficeKeyState.TRUSTED:
        return OfficeKeyCheck(state, office, cert, pinned)
    seen = conn.execute("SELECT 1 FROM bundle_receipts WHERE cert_fingerprint = ? LIMIT 1",
                        (cert.fingerprint,)).fetchone() is not None
    return OfficeKeyCheck(state, office, cert, pinned, seen_before=seen and pinned is None)


def require_accepted(check: OfficeKeyCheck, accept_key: str | None) -> bool:
    """Whether the receipt's key must be pinned now; raises when it may not be used.

    ``accept_key`` is the fingerprint the user compared and accepted (any grouping).
    """
    if (check.needs_acceptance and accept_key is not None
            and normalize_fingerprint(accept_key) != check.cert.fingerprint):
        raise InvalidInput(f"所接受的指纹与该回执的证书指纹（{check.cert.grouped_fingerprint}）"
                           "不符，未导入。请核对后重试")
    return key_pins.admit(check.state, accepted=accept_key is not None,
                          refusal=lambda: OfficeKeyNotAccepted(check))


def pin_office_key(conn: sqlite3.Connection, check: OfficeKeyCheck, *, actor: str,
                   at: dt.datetime) -> None:
    """Make the receipt's key the office key (inside the caller's transaction)."""
    source = OfficeKeySource.FIRST if check.pinned is None else OfficeKeySource.CHANGED
    key_pins.record_pin(conn, PINS, check.office.id, check.cert, actor=actor, at=at,
                        columns={"office_unit_id": check.office.id,
                                 "office_name": check.office.name, "source": source.value,
                                 "added_by": actor})


def office_keys(ws: Workspace, *, include_retired: bool = True) -> list[OfficeKey]:
    """The office keys this workspace accepted, oldest first (the active one last)."""
    sql = f"SELECT {_COLUMNS} FROM unit_office_keys"
    if not include_retired:
        sql += " WHERE retired_at IS NULL"
    with reading(ws) as conn:
        return [_row_key(r) for r in conn.execute(sql + " ORDER BY id")]


def office_key(ws: Workspace) -> OfficeKey | None:
    """The office key receipts must be signed with (None until the first is accepted)."""
    with reading(ws) as conn:
        return active_office_key(conn)
