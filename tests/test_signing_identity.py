"""Signing identities: generate, store encrypted, import PKCS#12, detached signatures."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from gongkai_desktop.errors import InvalidInput, NotFound, SignatureError, WrongPassphrase
from gongkai_desktop.signing import (
    SigningIdentity,
    group_fingerprint,
    has_identity,
    load_identity,
    save_identity,
    verify_bytes,
)
from gongkai_desktop.signing.store import SETTING_KEY, forget_identity, stored_certificate_pem

UNIT = "重庆市万州区人民政府"


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return SigningIdentity.generate(UNIT, "张三", "正确的密码123")


class FakeWorkspace:
    """The two settings methods of ``storage.Workspace``, JSON round trip included."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get_setting(self, key: str, default: Any = None) -> Any:
        return json.loads(self.values[key]) if key in self.values else default

    def set_setting(self, key: str, value: object) -> None:
        self.values[key] = json.dumps(value, ensure_ascii=False)


def test_generated_certificate(identity: SigningIdentity) -> None:
    cert = identity.certificate
    assert identity.unit == UNIT and identity.signer == "张三"
    assert cert.issuer == cert.subject and identity.self_signed
    years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365
    assert 9.9 < years < 10.2
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert identity.private_key.key_size == 2048
    assert UNIT in identity.subject_summary() and "有效期至" in identity.subject_summary()


def test_fingerprint_and_export(identity: SigningIdentity, tmp_path: Path) -> None:
    path = tmp_path / "证书.cer"
    identity.export_cer(path)
    der = path.read_bytes()
    assert der == identity.certificate_der()
    assert identity.fingerprint() == hashlib.sha256(der).hexdigest()
    grouped = group_fingerprint(identity.fingerprint())
    assert len(grouped.split()) == 16 and grouped == grouped.upper()


def test_storage_round_trip(identity: SigningIdentity) -> None:
    data = identity.to_storage()
    assert "ENCRYPTED PRIVATE KEY" in data["key_pem"]
    assert "正确的密码123" not in str(data)
    again = SigningIdentity.from_storage(data, "正确的密码123")
    assert again.fingerprint() == identity.fingerprint()
    assert again.sign_bytes(b"x") and verify_bytes(identity.certificate_der(), b"x",
                                                   again.sign_bytes(b"x"))


def test_wrong_passphrase(identity: SigningIdentity) -> None:
    data = identity.to_storage()
    for wrong in ("错误的密码", ""):
        # A type the window asks again on (not a message it compares), still a SignatureError.
        with pytest.raises(WrongPassphrase, match=r"^密码不正确$"):
            SigningIdentity.from_storage(data, wrong)
        assert issubclass(WrongPassphrase, SignatureError)


def test_damaged_storage(identity: SigningIdentity) -> None:
    data = identity.to_storage()
    with pytest.raises(SignatureError, match="已损坏"):
        SigningIdentity.from_storage({**data, "cert_pem": "garbage"}, "正确的密码123")
    other = SigningIdentity.generate("别的单位", "李四", "123456").to_storage()
    with pytest.raises(SignatureError, match="已损坏"):  # key and certificate do not match
        SigningIdentity.from_storage({**data, "cert_pem": other["cert_pem"]}, "正确的密码123")


def test_short_passphrase_and_missing_unit() -> None:
    with pytest.raises(InvalidInput, match="至少"):
        SigningIdentity.generate(UNIT, "张三", "123")
    with pytest.raises(InvalidInput, match="单位全称"):
        SigningIdentity.generate("  ", "张三", "123456")


def test_change_passphrase(identity: SigningIdentity) -> None:
    data = identity.to_storage("新的密码456")
    assert SigningIdentity.from_storage(data, "新的密码456").fingerprint() == \
        identity.fingerprint()


def test_detached_signatures(identity: SigningIdentity) -> None:
    sig = identity.sign_bytes(b"manifest")
    assert verify_bytes(identity.certificate_der(), b"manifest", sig)
    assert not verify_bytes(identity.certificate_der(), b"manifesT", sig)
    other = SigningIdentity.generate("别的单位", "李四", "123456")
    assert not verify_bytes(other.certificate_der(), b"manifest", sig)
    with pytest.raises(SignatureError):
        verify_bytes(b"not a certificate", b"manifest", sig)


def _p12(password: bytes | None) -> tuple[bytes, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "某数字证书认证中心")])
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, UNIT),
                         x509.NameAttribute(NameOID.COMMON_NAME, "王五")])
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365)).sign(ca_key, hashes.SHA256()))
    enc = (serialization.BestAvailableEncryption(password) if password
           else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(b"p12", key, cert, None, enc), cert


def test_import_pkcs12() -> None:
    data, cert = _p12(b"p12-password")
    imported = SigningIdentity.from_pkcs12(data, "p12-password")
    assert imported.certificate == cert
    assert imported.signer == "王五" and not imported.self_signed
    assert "某数字证书认证中心" in imported.subject_summary()
    sig = imported.sign_bytes(b"data")  # ECDSA
    assert verify_bytes(imported.certificate_der(), b"data", sig)
    stored = imported.to_storage()
    assert SigningIdentity.from_storage(stored, "p12-password").certificate == cert


def test_import_pkcs12_errors() -> None:
    data, _ = _p12(b"p12-password")
    with pytest.raises(SignatureError, match="证书文件密码不正确"):
        SigningIdentity.from_pkcs12(data, "wrong")
    with pytest.raises(InvalidInput, match="不是有效的数字证书文件"):
        SigningIdentity.from_pkcs12(b"%PDF-1.7 definitely not pkcs12", "x")
    with pytest.raises(InvalidInput, match="不是有效的数字证书文件"):
        SigningIdentity.from_pkcs12(b"", "x")


def test_store_in_workspace_settings(identity: SigningIdentity) -> None:
    ws = FakeWorkspace()
    assert not has_identity(ws)
    with pytest.raises(NotFound):
        load_identity(ws, "正确的密码123")
    save_identity(ws, identity)
    assert has_identity(ws) and SETTING_KEY in ws.values
    assert "正确的密码123" not in ws.values[SETTING_KEY]
    assert load_identity(ws, "正确的密码123").fingerprint() == identity.fingerprint()
    with pytest.raises(WrongPassphrase, match="密码不正确"):
        load_identity(ws, "错误的密码")
    pem = stored_certificate_pem(ws)
    assert pem is not None and x509.load_pem_x509_certificate(pem.encode()) == \
        identity.certificate
    forget_identity(ws)
    assert not has_identity(ws)


def test_store_in_a_real_workspace(identity: SigningIdentity, tmp_path: Path) -> None:
    from tests.plan_fixtures import make_workspace

    with make_workspace(tmp_path / "ws.gongkai") as ws:
        save_identity(ws, identity)
    from gongkai_desktop.storage import Workspace

    with Workspace.open(tmp_path / "ws.gongkai") as ws:
        assert load_identity(ws, "正确的密码123").fingerprint() == identity.fingerprint()
