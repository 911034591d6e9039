"""The unit's signing identity: a private key and its certificate (chain).

Either generated here (self-signed RSA-2048, 10 years, subject O=unit,
CN=signer) or imported from an authority's PKCS#12 file (.p12/.pfx). At rest
the private key is PKCS#8 PEM encrypted with the user's passphrase; the
passphrase itself is never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.errors import InvalidInput, SignatureError, WrongPassphrase
from gongkai_desktop.signing.rules import check_new_passphrase
from gongkai_desktop.signing.validity import validity_problem

STORAGE_VERSION = 1
VALID_YEARS = 10

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def group_fingerprint(hex_digest: str) -> str:
    """"ab12cd34…" → "AB12 CD34 …"."""
    text = hex_digest.upper()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def _check_passphrase(passphrase: str) -> bytes:
    return check_new_passphrase(passphrase).encode("utf-8")


@dataclass(frozen=True)
class SigningIdentity:
    private_key: SigningKey = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()  # issuing certificates, nearest first
    passphrase: str = field(default="", repr=False)  # kept in memory for to_storage()

    # ------------------------------------------------------------------ create

    @classmethod
    def generate(cls, unit_full_name: str, signer: str, passphrase: str) -> SigningIdentity:
        """A new self-signed identity for the unit; ``signer`` is the officer's name."""
        unit, person = unit_full_name.strip(), signer.strip()
        if not unit:
            raise InvalidInput("请填写单位全称")
        _check_passphrase(passphrase)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, person or unit),
        ])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS + 2))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert, (), passphrase)

    @classmethod
    def from_pkcs12(cls, data: bytes, passphrase: str) -> SigningIdentity:
        """Import an authority's .p12/.pfx; its password becomes the storage passphrase."""
        if not _looks_like_pkcs12(data):
            raise InvalidInput("所选文件不是有效的数字证书文件（PKCS#12，.p12/.pfx）")
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(
                data, passphrase.encode("utf-8") if passphrase else None)
        except ValueError as exc:
            raise SignatureError("证书文件密码不正确") from exc
        if key is None or cert is None:
            raise InvalidInput("证书文件中没有私钥或证书，无法用于签名")
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise InvalidInput("证书的密钥类型不受支持（支持 RSA 和椭圆曲线密钥）")
        if not _same_key(key, cert):
            raise InvalidInput("证书文件中的私钥与证书不匹配")
        problem = validity_problem(cert, dt.datetime.now(dt.UTC))
        if problem is not None:  # it could sign nothing a receiver would accept
            raise InvalidInput(f"{problem}，不能导入用于签名")
        return cls(key, cert, tuple(extra or ()), passphrase)

    # ----------------------------------------------------------------- storage

    def to_storage(self, passphrase: str | None = None) -> dict[str, Any]:
        """JSON-ready form; the key is encrypted with ``passphrase`` (default: the current one)."""
        secret = _check_passphrase(passphrase if passphrase is not None else self.passphrase)
        key_pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret))
        return {
            "version": STORAGE_VERSION,
            "key_pem": key_pem.decode("ascii"),
            "cert_pem": self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            "chain_pem": [c.public_bytes(serialization.Encoding.PEM).decode("ascii")
                          for c in self.chain],
        }

    @classmethod
    def from_storage(cls, data: dict[str, Any], passphrase: str) -> SigningIdentity:
        try:
            key_pem = str(data["key_pem"]).encode("ascii")
            cert = x509.load_pem_x509_certificate(str(data["cert_pem"]).encode("ascii"))
            chain = tuple(x509.load_pem_x509_certificate(str(p).encode("ascii"))
                          for p in data.get("chain_pem", ()))
        except (KeyError, TypeError, ValueError, UnicodeError) as exc:
            raise SignatureError("保存的签名证书已损坏，请重新生成或导入证书") from exc
        try:
            key = serialization.load_pem_private_key(key_pem, passphrase.encode("utf-8") or None)
        except (TypeError, ValueError) as exc:
            raise WrongPassphrase() from exc
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) or not _same_key(
            key, cert
        ):
            raise SignatureError("保存的签名证书已损坏，请重新生成或导入证书")
        return cls(key, cert, chain, passphrase)

    # ------------------------------------------------------------- describing

    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def export_cer(self, path: Path) -> None:
        """Write the certificate (DER, .cer) for the receiving office to trust."""
        write_certificate_file(self.certificate, Path(path))

    def fingerprint(self) -> str:
        """SHA-256 of the certificate, lower-case hex (see :func:`group_fingerprint`)."""
        return hashlib.sha256(self.certificate_der()).hexdigest()

    def display_fingerprint(self) -> str:
        """The fingerprint as people compare it: "AB12 CD34 …" (16 groups)."""
        return group_fingerprint(self.fingerprint())

    @property
    def unit(self) -> str:
        return _name_part(self.certificate.subject, NameOID.ORGANIZATION_NAME)

    @property
    def signer(self) -> str:
        return _name_part(self.certificate.subject, NameOID.COMMON_NAME)

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    @property
    def self_signed(self) -> bool:
        return self.certificate.issuer == self.certificate.subject

    def subject_summary(self) -> str:
        """One line for people: who, for which unit, until when, issued by whom."""
        until = self.not_after.date()
        who = self.signer or self.unit
        unit = f"（{self.unit}）" if self.unit and self.unit != who else ""
        issuer = "自签名证书" if self.self_signed else (
            "颁发者：" + (_name_part(self.certificate.issuer, NameOID.ORGANIZATION_NAME)
                        or _name_part(self.certificate.issuer, NameOID.COMMON_NAME)))
        return f"{who}{unit}，有效期至{until.year}年{until.month}月{until.day}日，{issuer}"

    # ------------------------------------------------------- detached signing

    def sign_bytes(self, data: bytes) -> bytes:
        """A detached signature over ``data`` (RSA PKCS#1 v1.5 or ECDSA, SHA-256)."""
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def verify_bytes(cert_der: bytes, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` over ``data`` was made with the key of this certificate."""
    try:
        public = x509.load_der_x509_certificate(cert_der).public_key()
    except ValueError as exc:
        raise SignatureError("证书数据无效") from exc
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise SignatureError("证书的密钥类型不受支持")
    except InvalidSignature:
        return False
    return True


def _same_key(key: SigningKey, cert: x509.Certificate) -> bool:
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return bool(key.public_key().public_bytes(enc, fmt) == cert.public_key().public_bytes(enc, fmt))


def _looks_like_pkcs12(data: bytes) -> bool:
    """A PKCS#12 PFX: a DER SEQUENCE starting with version 3."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data)
        return bool(pfx["version"].native == "v3")
    except Exception:  # asn1crypto raises several kinds for garbage
        return False


def write_certificate_file(certificate: x509.Certificate, out: Path) -> Path:
    """The certificate as a DER ``.cer`` file for receivers (written whole or not at all)."""
    out = Path(out)
    with atomic_output(out, what="证书文件") as temp:
        temp.write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    return out
