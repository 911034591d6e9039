"""Which key speaks for which office, in the parent's workspace.

The mirror of ``bundle.trust`` for the unit's own offices: no key is trusted silently
(an office's first bundle, or a changed key, is refused until its fingerprint is
accepted after comparing it by phone); one key speaks for one office; replaced keys
stay as history. Kept apart from the city-level ``sup_trusted_keys`` so offices never
appear among the units a supervisor consolidates.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from gongkai_desktop.bundle.certs import CertificateInfo, certificate_info
from gongkai_desktop.delegation.offices import Office
from gongkai_desktop.errors import SignatureError
from gongkai_desktop.storage import audit, db


@dataclass(frozen=True, slots=True)
class OfficeKeyStanding:
    office: Office
    cert: CertificateInfo
    pinned: CertificateInfo | None  # the office's current key, if any

    @property
    def trusted(self) -> bool:
        return self.pinned is not None and self.pinned.fingerprint == self.cert.fingerprint

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


def pinned_key(conn: sqlite3.Connection, office_id: str) -> CertificateInfo | None:
    row = conn.execute("SELECT certificate FROM office_keys WHERE office_id = ?"
                       " AND retired_at IS NULL", (office_id,)).fetchone()
    return certificate_info(bytes(row[0])) if row else None


def standing(conn: sqlite3.Connection, office: Office, cert: CertificateInfo
             ) -> OfficeKeyStanding:
    """The key's standing for ``office``; ``SignatureError`` when it is another office's key
    (or this workspace's own parent-facing key would be impersonated)."""
    other = conn.execute(
        "SELECT o.name FROM office_keys k JOIN offices o ON o.office_id = k.office_id"
        " WHERE k.fingerprint = ? AND k.retired_at IS NULL AND k.office_id <> ?",
        (cert.fingerprint, office.office_id)).fetchone()
    if other is not None:
        raise SignatureError(
            f"此数据包的签名证书（指纹 {cert.grouped_fingerprint}）已被接受为下级单位"
            f"“{other[0]}”的证书，不能代表“{office.name}”，未导入（一个密钥只能代表一个单位）")
    return OfficeKeyStanding(office, cert, pinned_key(conn, office.office_id))


def pin(conn: sqlite3.Connection, office: Office, cert: CertificateInfo, *, actor: str,
        at: dt.datetime) -> None:
    """Make ``cert`` the office's key (inside the caller's transaction)."""
    old = pinned_key(conn, office.office_id)
    conn.execute("UPDATE office_keys SET retired_at = ? WHERE office_id = ?"
                 " AND retired_at IS NULL", (db.to_text(at), office.office_id))
    conn.execute("INSERT INTO office_keys (office_id, fingerprint, certificate, subject,"
                 " added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)",
                 (office.office_id, cert.fingerprint, cert.der, cert.summary(), db.to_text(at),
                  actor))
    audit.write(conn, actor=actor, action="trust_office_key", field=office.office_id,
                old=old.fingerprint if old else None, new=cert.fingerprint, at=at)
