"""Certificates as people see them: fingerprint, unit, signer, validity; .cer files."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from gongkai_desktop import faults
from gongkai_desktop.errors import InvalidInput, UnsafeInput
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.signing.validity import period_problem

MAX_CERT_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    der: bytes = field(repr=False)
    fingerprint: str  # SHA-256 of the DER, lower-case hex
    unit: str  # subject O
    signer: str  # subject CN
    not_before: dt.datetime
    not_after: dt.datetime
    self_signed: bool

    @property
    def grouped_fingerprint(self) -> str:
        """"AB12 CD34 …": how it is shown and read out over the phone."""
        return group_fingerprint(self.fingerprint)

    def valid_at(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` lies inside the certificate's validity period."""
        return self.problem_at(moment) is None

    def problem_at(self, moment: dt.datetime) -> str | None:
        """Why the certificate is not valid at ``moment`` (the one rule in signing.validity)."""
        return period_problem(self.not_before, self.not_after, moment)

    def validity_text(self) -> str:
        """"有效期 2026年1月1日至2036年1月1日"."""
        return f"有效期 {_day(self.not_before)}至{_day(self.not_after)}"

    def summary(self) -> str:
        until = self.not_after.date()
        who = self.signer or self.unit
        unit = f"（{self.unit}）" if self.unit and self.unit != who else ""
        kind = "自签名证书" if self.self_signed else "机构颁发的证书"
        return f"{who}{unit}，有效期至{until.year}年{until.month}月{until.day}日，{kind}"


def _day(moment: dt.datetime) -> str:
    day = moment.astimezone().date()
    return f"{day.year}年{day.month}月{day.day}日"


def _part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_info(der: bytes) -> CertificateInfo:
    """Facts of a DER certificate; ``UnsafeInput`` when it cannot be read."""
    if not der or len(der) > MAX_CERT_BYTES:
        raise UnsafeInput("证书数据无效")
    try:
        cert = x509.load_der_x509_certificate(der)
        return CertificateInfo(
            der=der, fingerprint=hashlib.sha256(der).hexdigest(),
            unit=_part(cert.subject, NameOID.ORGANIZATION_NAME),
            signer=_part(cert.subject, NameOID.COMMON_NAME),
            not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
            self_signed=cert.issuer == cert.subject,
        )
    except ValueError as exc:
        raise UnsafeInput("证书数据无效") from exc


def certificate_from_bytes(data: bytes) -> CertificateInfo:
    """A certificate given as DER or PEM; ``UnsafeInput`` when it is neither."""
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            data = x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
        except ValueError as exc:
            raise UnsafeInput("不是有效的证书") from exc
    return certificate_info(data)


def load_certificate_file(path: Path) -> CertificateInfo:
    """A .cer/.crt file (DER or PEM) as the unit exported it."""
    path = Path(path)
    data = faults.read_bytes(path, "证书文件", limit=MAX_CERT_BYTES * 2, too_large=lambda _size:
                             InvalidInput(f"“{path.name}”不是证书文件（文件过大）"))
    try:
        return certificate_from_bytes(data)
    except UnsafeInput as exc:
        raise InvalidInput(f"“{path.name}”不是有效的证书文件（.cer）") from exc
