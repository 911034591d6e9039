"""Keep the signing identity in a workspace's settings (key encrypted, see identity.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from gongkai_desktop import faults
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.signing.rules import no_identity

SETTING_KEY = "signing.identity"


class SettingsStore(Protocol):
    """What this module needs of a workspace."""

    def get_setting(self, key: str, default: Any = None) -> Any: ...
    def set_setting(self, key: str, value: object) -> None: ...


def has_identity(ws: SettingsStore) -> bool:
    return isinstance(ws.get_setting(SETTING_KEY), dict)


def save_identity(ws: SettingsStore, identity: SigningIdentity,
                  passphrase: str | None = None) -> None:
    """Store the identity; ``passphrase`` (default: the identity's own) encrypts the key."""
    ws.set_setting(SETTING_KEY, identity.to_storage(passphrase))


def load_identity(ws: SettingsStore, passphrase: str) -> SigningIdentity:
    """The stored identity; ``WrongPassphrase`` for a wrong passphrase."""
    data = ws.get_setting(SETTING_KEY)
    if not isinstance(data, dict):
        raise no_identity()
    return SigningIdentity.from_storage(data, passphrase)


def stored_certificate_pem(ws: SettingsStore) -> str | None:
    """The stored certificate (no passphrase needed), e.g. to show its fingerprint."""
    return certificate_pem(ws.get_setting(SETTING_KEY))


def certificate_pem(stored: object) -> str | None:
    """The certificate in a stored identity (the ``SETTING_KEY`` value), if any."""
    value = stored.get("cert_pem") if isinstance(stored, dict) else None
    return value if isinstance(value, str) else None


MAX_P12_BYTES = 1024 * 1024  # a .p12/.pfx is a few KB; anything this big is something else


def load_pkcs12_file(path: Path, password: str) -> SigningIdentity:
    """A signing identity from a .p12/.pfx file (size checked before it is read)."""
    data = faults.read_bytes(path, "证书文件", limit=MAX_P12_BYTES, too_large=lambda _size:
                             InvalidInput("所选文件太大，不是数字证书文件（.p12/.pfx）"))
    return SigningIdentity.from_pkcs12(data, password)


def forget_identity(ws: SettingsStore) -> None:
    ws.set_setting(SETTING_KEY, None)


def renew_identity(ws: SettingsStore, passphrase: str) -> SigningIdentity:
    """续期: a new self-signed identity (new key, new certificate) for the same signer and unit.

    Made the way `signing init` makes one (``SigningIdentity.generate``); the current
    passphrase must unlock the current key, and it protects the new key too. Receivers
    must be given the new certificate: its fingerprint differs from the old one.
    """
    current = load_identity(ws, passphrase)
    renewed = SigningIdentity.generate(current.unit, current.signer, passphrase)
    save_identity(ws, renewed)
    return renewed
