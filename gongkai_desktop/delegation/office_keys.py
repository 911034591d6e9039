"""Which key speaks for which office, in the parent's workspace.

The mirror of ``bundle.trust`` for the unit's own offices: no key is trusted silently
(an office's first bundle, or a changed key, is refused until its fingerprint is
accepted after comparing it by phone); one key speaks for one office, and never the
unit's own key or its parent's; replaced keys stay as history. Kept apart from the
city-level ``sup_trusted_keys`` so offices never appear among the units a supervisor
consolidates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from gongkai_desktop.bundle import key_pins
from gongkai_desktop.bundle.certs import CertificateInfo, certificate_from_bytes, certificate_info
from gongkai_desktop.bundle.key_pins import PinState
from gongkai_desktop.bundle.office_key import active_office_key
from gongkai_desktop.delegation.offices import Office
from gongkai_desktop.errors import SignatureError, UnsafeInput
from gongkai_desktop.signing.store import SETTING_KEY, certificate_pem


@dataclass(frozen=True, slots=True)
class OfficeKeyStanding:
    office: Office
    cert: CertificateInfo
    pinned: CertificateInfo | None  # the office's current key, if any

    @property
    def state(self) -> PinState:
        return key_pins.pin_state(self.pinned.fingerprint if self.pinned else None,
                                  self.cert.fingerprint)

    @property
    def trusted(self) -> bool:
        return not self.state.needs_acceptance

    def message(self) -> str:
        fp = self.cert.grouped_fingerprint
        if self.pinned is None:
            return (f"首次收到下级单位“{self.office.name}”的数据包，其证书指纹为 {fp}。"
                    "请与该单位电话核对指纹，一致后用 --accept-key 指纹 明确接受，否则不予导入")
        return (f"“{self.office.name}”的数据包不是用已接受的证书签名的（已接受的指纹 "
                f"{self.pinned.grouped_fingerprint}，此数据包 {fp}）。如该单位确实更换了证书，"
                "请核实后用 --accept-key 指纹 明确接受，否则不予导入")


class OfficeKeyNeeded(SignatureError):
    """The return's key is not the office's pinned one and was not accepted."""

    def __init__(self, standing: OfficeKeyStanding) -> None:
        super().__init__(standing.message())
        self.standing = standing


PINS = key_pins.PinTable("office_keys", "office_id", "trust_office_key")


def pinned_key(conn: sqlite3.Connection, office_id: str) -> CertificateInfo | None:
    row = conn.execute("SELECT certificate FROM office_keys WHERE office_id = ?"
                       " AND retired_at IS NULL", (office_id,)).fetchone()
    return certificate_info(bytes(row[0])) if row else None


def standing(conn: sqlite3.Connection, office: Office, cert: CertificateInfo
             ) -> OfficeKeyStanding:
    """The key's standing for ``office``; ``SignatureError`` when it is another office's key,
    this workspace's own key or its parent's (``_own_side_keys``)."""
    own = _own_side_keys(conn).get(cert.fingerprint)
    if own is not None:
        raise SignatureError(
            f"此数据包的签名证书（指纹 {cert.grouped_fingerprint}）是{own}，不能代表下级单位"
            f"“{office.name}”，未导入（一个密钥只能代表一个单位）")
    other = key_pins.owner_elsewhere(conn, PINS, cert.fingerprint, office.office_id)
    if other is not None:
        name = conn.execute("SELECT name FROM offices WHERE office_id = ?", (other,)).fetchone()
        raise SignatureError(
            f"此数据包的签名证书（指纹 {cert.grouped_fingerprint}）已被接受为下级单位"
            f"“{name[0] if name else other}”的证书，不能代表“{office.name}”，未导入"
            "（一个密钥只能代表一个单位）")
    return OfficeKeyStanding(office, cert, pinned_key(conn, office.office_id))


def _own_side_keys(conn: sqlite3.Connection) -> dict[str, str]:
    """The keys that already speak for this workspace's side, so never for one of its
    offices: its own signing key and its parent's pinned key (fingerprint → what it is)."""
    keys: dict[str, str] = {}
    parent = active_office_key(conn)
    if parent is not None:
        keys[parent.fingerprint] = f"本单位的上级单位“{parent.office_name}”的证书"
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (SETTING_KEY,)).fetchone()
    pem = certificate_pem(json.loads(row[0])) if row else None
    if pem is not None:
        # A damaged identity signs nothing (and is reported where it is used).
        with contextlib.suppress(UnsafeInput, UnicodeEncodeError):
            keys[certificate_from_bytes(pem.encode("ascii")).fingerprint] = "本单位自己的签名证书"
    return keys


def pin(conn: sqlite3.Connection, office: Office, cert: CertificateInfo, *, actor: str,
        at: dt.datetime) -> None:
    """Make ``cert`` the office's key (inside the caller's transaction)."""
    key_pins.record_pin(conn, PINS, office.office_id, cert, actor=actor, at=at,
                        columns={"added_by": actor})
