"""Trust on first use, without the silent first use: the one rule for every pinned key.

Three workspaces pin someone else's signing key, each in its own table and words: the
supervisor each unit's (``trust``), the unit its supervising office's (``office_key``),
the parent each of its own offices' (``delegation.office_keys``). What they share is here:
- a presented key is, against the pinned one, a first use, the same key or a changed key
  (``PinState``, ``pin_state``);
- a key that is not the pinned one is used only when accepted explicitly (``admit``),
  after comparing its fingerprint (``normalize_fingerprint``);
- one key speaks for one owner (``owner_elsewhere``; within one batch of files,
  ``shared_keys``: a key shown signing for two owners is accepted for neither);
- pinning retires the old key (kept as history, ``retired_at``) and writes the audit
  entry in the same transaction (``record_pin``).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from gongkai_desktop.bundle.certs import CertificateInfo
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.storage import audit, db


class PinState(StrEnum):
    NEW = "new"  # no key pinned for the owner: needs explicit acceptance
    TRUSTED = "trusted"  # the owner's pinned key
    KEY_CHANGED = "key_changed"  # another key than the pinned one: needs explicit acceptance

    @property
    def label(self) -> str:
        return {"new": "首次收到，须核对指纹后接受", "trusted": "证书与已信任的一致",
                "key_changed": "证书与已信任的不同"}[self.value]

    @property
    def needs_acceptance(self) -> bool:
        return self is not PinState.TRUSTED


def pin_state(pinned: str | None, presented: str) -> PinState:
    """The standing of the ``presented`` fingerprint against the ``pinned`` one (if any)."""
    if pinned is None:
        return PinState.NEW
    return PinState.TRUSTED if pinned == presented else PinState.KEY_CHANGED


def admit(state: PinState, *, accepted: bool, refusal: Callable[[], Exception]) -> bool:
    """Whether the presented key must be pinned now; raises ``refusal()`` when it may not
    be used (a first or changed key nobody accepted)."""
    if not state.needs_acceptance:
        return False
    if not accepted:
        raise refusal()
    return True


def normalize_fingerprint(text: str) -> str:
    """"AB12 CD34 …" or "ab:12:…" → 64 lower-case hex digits; ``InvalidInput`` otherwise."""
    value = re.sub(r"[\s:]", "", str(text)).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise InvalidInput(f"证书指纹“{text}”格式不对（应为 64 位十六进制数字）")
    return value


def accepted_fingerprints(keys: Iterable[str]) -> set[str]:
    """The fingerprints a user accepted (any grouping); ``InvalidInput`` for a malformed one."""
    return {normalize_fingerprint(k) for k in keys}


def shared_keys(signers: Iterable[tuple[str, str, str]]) -> dict[str, list[str]]:
    """The fingerprints a batch shows signing for more than one owner, with those owners'
    names; ``signers``: (fingerprint, owner id, owner name) per file. Such a key is
    accepted for none of them (``shared_key_text`` says why)."""
    owners: dict[str, dict[str, str]] = {}
    for fingerprint, owner_id, name in signers:
        owners.setdefault(fingerprint, {})[owner_id] = name
    return {fp: list(names.values()) for fp, names in owners.items() if len(names) > 1}


def shared_key_text(fingerprint: str, owners: Iterable[str], ask: str = "各单位") -> str:
    return (f"同一签名证书（指纹 {group_fingerprint(fingerprint)}）为"
            f"{'、'.join(f'“{n}”' for n in owners)}的数据包签名，"
            f"一个密钥只能代表一个单位，未接受也未导入，请与{ask}核实")


@dataclass(frozen=True, slots=True)
class PinTable:
    """Where one kind of pin is kept: ``fingerprint``, ``certificate``, ``subject``,
    ``added_at`` and ``retired_at`` columns, one active row per owner."""

    name: str
    owner_column: str | None  # None: one key for the whole workspace
    audit_action: str

    def _owner(self, owner: str) -> tuple[str, tuple[str, ...]]:
        if self.owner_column is None:
            return "", ()
        return f" AND {self.owner_column} = ?", (owner,)


def pinned_fingerprint(conn: sqlite3.Connection, table: PinTable, owner: str) -> str | None:
    where, params = table._owner(owner)
    row = conn.execute(f"SELECT fingerprint FROM {table.name} WHERE retired_at IS NULL{where}",
                       params).fetchone()
    return str(row[0]) if row else None


def owner_elsewhere(conn: sqlite3.Connection, table: PinTable, fingerprint: str,
                    owner: str) -> str | None:
    """Another owner this key is pinned (active) for, if any: it may not speak for ``owner``."""
    assert table.owner_column is not None
    row = conn.execute(f"SELECT {table.owner_column} FROM {table.name} WHERE fingerprint = ?"
                       f" AND retired_at IS NULL AND {table.owner_column} <> ?"
                       " ORDER BY id LIMIT 1", (fingerprint, owner)).fetchone()
    return str(row[0]) if row else None


def record_pin(conn: sqlite3.Connection, table: PinTable, owner: str, cert: CertificateInfo,
               *, actor: str, at: dt.datetime, columns: Mapping[str, object] | None = None
               ) -> bool:
    """Make ``cert`` the owner's key (inside the caller's transaction): the old one retired,
    the change audited. ``columns``: the table's own extra values. False when it already was."""
    old = pinned_fingerprint(conn, table, owner)
    if old == cert.fingerprint:
        return False
    where, params = table._owner(owner)
    conn.execute(f"UPDATE {table.name} SET retired_at = ? WHERE retired_at IS NULL{where}",
                 (db.to_text(at), *params))
    values: dict[str, object] = {}
    if table.owner_column is not None:
        values[table.owner_column] = owner
    values.update(fingerprint=cert.fingerprint, certificate=cert.der, subject=cert.summary(),
                  added_at=db.to_text(at))
    values.update(columns or {})
    conn.execute(f"INSERT INTO {table.name} ({', '.join(values)})"
                 f" VALUES ({', '.join('?' * len(values))})", tuple(values.values()))
    audit.write(conn, actor=actor, action=table.audit_action, field=owner, old=old,
                new=cert.fingerprint, at=at)
    return True
