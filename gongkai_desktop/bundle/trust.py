"""Which key speaks for which unit, in the supervisor's workspace.

- No key is trusted silently. The first bundle from a unit is refused until the
  supervisor accepts its key (by fingerprint, compared with the one printed on the last
  page of the unit's sealed paper report or read out over the phone), exactly like a
  bundle signed with a key other than the unit's pinned one. Accepting pins the key.
- A certificate file (.cer) received separately can be trusted ahead of time; doing
  so is explicit too, so it replaces any key pinned for that unit.
- One key speaks for one unit: a key pinned (active) for one unit is refused for any
  other, whether in a bundle, an accepted fingerprint or a .cer. There is no one-step
  transfer: once the old unit's key is replaced (its new .cer trusted, or a new key
  accepted), the old key is retired and may be accepted for another unit.
- A certificate outside its validity period is never trusted anew.
Replaced keys stay in the table as history (``retired_at``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from gongkai_desktop.bundle import key_pins
from gongkai_desktop.bundle.certs import CertificateInfo, certificate_info
from gongkai_desktop.bundle.key_pins import PinState
from gongkai_desktop.errors import GongkaiError, NotFound, SignatureError
from gongkai_desktop.model import Unit
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.wsconn import reading, writing
from gongkai_desktop.units import UnitDirectory, normalize_name

PINS = key_pins.PinTable("sup_trusted_keys", "unit_id", "trust_key")

COMPARE_HINT = ("请与该单位核对指纹（该单位盖章的纸质报告最后一页印有证书指纹，"
                "或由该单位经办人电话念出）")


# The one trust-on-first-use rule's states (``key_pins``), under the name this side uses.
TrustState = PinState


class KeySource(StrEnum):
    BUNDLE = "bundle"  # the key of the unit's first bundle, accepted by the supervisor
    CER = "cer"  # a certificate file trusted ahead of time
    ACCEPTED = "accepted"  # a changed key the supervisor accepted

    @property
    def label(self) -> str:
        return {"bundle": "首次导入时核对后接受", "cer": "由证书文件导入",
                "accepted": "更换密钥时确认"}[self.value]


@dataclass(frozen=True, slots=True)
class TrustedKey:
    unit_id: str
    cert: CertificateInfo
    source: KeySource
    added_at: dt.datetime
    retired_at: dt.datetime | None = None

    @property
    def fingerprint(self) -> str:
        return self.cert.fingerprint


@dataclass(frozen=True, slots=True)
class TrustCheck:
    state: TrustState
    cert: CertificateInfo  # the bundle's
    pinned: TrustedKey | None  # the unit's current key, if any

    def message(self, unit_name: str) -> str:
        new = self.cert.grouped_fingerprint
        if self.state is TrustState.NEW:
            return (f"首次收到“{unit_name}”的数据包，其签名证书尚未被信任（证书指纹 {new}）。"
                    f"{COMPARE_HINT}，核对一致后明确接受，否则不予导入")
        if self.state is TrustState.TRUSTED:
            return f"签名证书与“{unit_name}”已信任的证书一致"
        old = self.pinned.cert.grouped_fingerprint if self.pinned else ""
        return (f"“{unit_name}”的数据包换了签名密钥：已信任的证书指纹 {old}，"
                f"此数据包的证书指纹 {new}。请与该单位核实后明确接受新密钥，否则不予导入")


def _row_key(row: tuple[object, ...]) -> TrustedKey:
    unit_id, cert, source, added, retired = row
    assert isinstance(cert, bytes)
    return TrustedKey(str(unit_id), certificate_info(cert), KeySource(str(source)),
                      db.datetime_from(str(added)),
                      db.datetime_from(str(retired)) if retired else None)


_KEY_COLUMNS = "unit_id, certificate, source, added_at, retired_at"


def active_key(conn: sqlite3.Connection, unit_id: str) -> TrustedKey | None:
    row = conn.execute(f"SELECT {_KEY_COLUMNS} FROM sup_trusted_keys"
                       " WHERE unit_id = ? AND retired_at IS NULL", (unit_id,)).fetchone()
    return _row_key(row) if row else None


def unit_label(conn: sqlite3.Connection, unit_id: str) -> str:
    """A unit's short name for messages: as imported, else from the directory, else its id."""
    row = conn.execute("SELECT unit_name FROM sup_units WHERE unit_id = ?",
                       (unit_id,)).fetchone()
    if row:
        return str(row[0])
    try:
        return UnitDirectory.load().get(unit_id).name
    except GongkaiError:
        return unit_id


def check_one_unit(conn: sqlite3.Connection, unit_id: str, cert: CertificateInfo,
                   unit_name: str = "") -> None:
    """``SignatureError`` when ``cert`` is the pinned key of another unit."""
    owner = key_pins.owner_elsewhere(conn, PINS, cert.fingerprint, unit_id)
    if owner is None:
        return
    raise SignatureError(
        f"此签名证书（指纹 {cert.grouped_fingerprint}）是已信任的“{unit_label(conn, owner)}”"
        f"的证书，不能代表“{unit_name or unit_label(conn, unit_id)}”：一个密钥只能代表一个单位，"
        "未导入也未信任")


def check_validity(cert: CertificateInfo, at: dt.datetime, what: str) -> None:
    """``SignatureError`` when ``cert`` is outside its validity period at ``at``."""
    problem = cert.problem_at(at)
    if problem is not None:
        raise SignatureError(f"{what}的签名{problem}，不予信任")


def check(conn: sqlite3.Connection, unit_id: str, cert: CertificateInfo,
          unit_name: str = "") -> TrustCheck:
    """The key's standing for the unit; ``SignatureError`` when it is another unit's key."""
    check_one_unit(conn, unit_id, cert, unit_name)
    pinned = active_key(conn, unit_id)
    state = key_pins.pin_state(pinned.fingerprint if pinned else None, cert.fingerprint)
    return TrustCheck(state, cert, pinned)


def pin(conn: sqlite3.Connection, unit_id: str, cert: CertificateInfo, source: KeySource,
        *, actor: str, at: dt.datetime) -> None:
    """Make ``cert`` the unit's key (inside the caller's transaction)."""
    check_one_unit(conn, unit_id, cert)  # the callers checked; this stays the last word
    key_pins.record_pin(conn, PINS, unit_id, cert, actor=actor, at=at,
                        columns={"source": source.value})


def trusted_keys(ws: Workspace, unit_id: str | None = None, *,
                 include_retired: bool = False) -> list[TrustedKey]:
    sql = f"SELECT {_KEY_COLUMNS} FROM sup_trusted_keys WHERE 1 = 1"
    params: list[object] = []
    if unit_id is not None:
        sql += " AND unit_id = ?"
        params.append(unit_id)
    if not include_retired:
        sql += " AND retired_at IS NULL"
    with reading(ws) as conn:
        return [_row_key(r) for r in conn.execute(sql + " ORDER BY unit_id, id", params)]


def unit_for_certificate(cert: CertificateInfo, directory: UnitDirectory) -> Unit:
    """The directory unit a certificate names in its organisation (O) field."""
    unit = directory.lookup(cert.unit) if cert.unit else None
    if unit is None:
        raise NotFound(f"证书中的单位“{cert.unit or '（空）'}”不在单位名录中，"
                       "请在导入时指定该证书属于哪个单位")
    return unit


def names_unit(cert: CertificateInfo, unit: Unit) -> bool:
    """Whether the certificate's organisation is one of the unit's names."""
    key = normalize_name(cert.unit)
    return bool(key) and key in {normalize_name(n) for n in unit.all_names}


def trust_certificate(ws: Workspace, cert: CertificateInfo, unit: Unit, *,
                      actor: str = "") -> TrustedKey:
    """Trust a unit's .cer ahead of its bundles (replaces a key pinned earlier).

    Refused (``SignatureError``) when the certificate is not valid now or is the pinned
    key of another unit.
    """
    return trust_certificates(ws, [(cert, unit)], actor=actor)[0]


def trust_certificates(ws: Workspace, pairs: list[tuple[CertificateInfo, Unit]], *,
                       actor: str = "") -> list[TrustedKey]:
    """Several .cer files at once: all are trusted, or (one refused) none."""
    at = db.now()
    for cert, unit in pairs:
        check_validity(cert, at, f"“{unit.name}”的证书文件")
    if len({c.fingerprint for c, _u in pairs}) < len({(c.fingerprint, u.id) for c, u in pairs}):
        raise SignatureError("同一证书被指定给了多个单位：一个密钥只能代表一个单位，未信任")
    out = []
    with writing(ws) as conn:
        for cert, unit in pairs:
            check_one_unit(conn, unit.id, cert, unit.name)
            pin(conn, unit.id, cert, KeySource.CER, actor=actor, at=at)
            key = active_key(conn, unit.id)
            assert key is not None
            out.append(key)
    return out


def describe(cert: CertificateInfo) -> str:
    return f"{cert.summary()}；指纹 {group_fingerprint(cert.fingerprint)}"
