"""A signed report's check result as Chinese lines, for the command line and the window."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from gongkai_desktop import faults
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.signing.validity import date_text
from gongkai_desktop.signing.verify import PdfVerification, SignerCheck, verify_pdf

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
MAX_CERT_BYTES = 1024 * 1024  # a certificate is a few KB; anything bigger is the wrong file


def signing_time_text(when: dt.datetime) -> str:
    """2020年9月5日 14:03:05 (Beijing time when the zone is known): as people here read it."""
    local = when.astimezone(BEIJING) if when.tzinfo is not None else when
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def verdict(v: PdfVerification) -> str:
    """One short word for a title: 完好 / 已被修改 / 没有签名."""
    if not v.signed:
        return "没有签名"
    return "完好" if v.intact else "已被修改"


def _signer_lines(s: SignerCheck, certs_given: int) -> list[str]:
    lines = [f"签名人：{s.subject or '（未写明）'}", f"单位：{s.unit or '（未写明）'}"]
    if s.signed_at is not None:
        zone = "北京时间，" if s.signed_at.tzinfo is not None else ""
        lines.append(f"签名时间：{signing_time_text(s.signed_at)}（{zone}以签名电脑的时钟为准）")
    if s.cert_fingerprint:
        lines.append(f"证书指纹（SHA-256）：{group_fingerprint(s.cert_fingerprint)}")
    if s.trusted:
        lines.append("证书：与受信任的证书一致")
    elif certs_given and s.intact and s.in_validity:
        lines.append("证书：不受信任——与所给的证书都不一致，无法确认签名人身份")
    return lines


def format_pdf_verification(v: PdfVerification) -> list[str]:
    """The result line by line: integrity, signer(s), time, fingerprints, problems, verdict."""
    if not v.signed:
        return ["完整性：无法核验——文件没有电子签名", "结论：核验未通过"]
    if v.intact:
        lines = ["完整性：完好——签名后内容未被修改"]
    elif v.added:  # the signed bytes are untouched, but something was put after them
        lines = ["完整性：已被修改——签名之后文件又被改动过，不能作为原件使用"]
    else:
        lines = ["完整性：已被修改——文件内容与签名不符，不能作为原件使用"]
    if len(v.signers) > 1:
        for number, signer in enumerate(v.signers, start=1):
            lines.append(f"第{number}个签名：")
            lines += ["  " + line for line in _signer_lines(signer, v.certs_given)]
    elif v.signers:
        lines += _signer_lines(v.signers[0], v.certs_given)
    if v.fingerprint_note:
        lines.append(f"报告内容指纹（SHA-256）：{group_fingerprint(v.fingerprint_note)}")
    lines += [f"注意：{p}" for p in v.problems]
    if v.ok:
        lines.append("结论：核验通过")
    elif v.passed:  # intact, no certificate given: the receiver compares fingerprints
        each = "每个签名的" if len(v.signers) > 1 else ""
        lines.append(f"结论：内容完好；请与报送单位核对{each}证书指纹，确认签名人身份")
    else:
        lines.append("结论：核验未通过")
    return lines


@dataclass(frozen=True)
class ReportCheck:
    """A report file checked: the result and the lines the command line and the window show."""

    result: PdfVerification
    lines: list[str]

    @property
    def passed(self) -> bool:
        return self.result.passed


def _read_certificate(path: Path) -> bytes:
    return faults.read_bytes(path, "证书文件", limit=MAX_CERT_BYTES, too_large=lambda _size:
                             InvalidInput(f"所选文件太大，不是证书文件（.cer）：{path.name}"))


def check_report_file(pdf: Path, cert_files: Sequence[Path] = ()) -> ReportCheck:
    """Verify a signed report against the given certificate files (.cer), as people read it."""
    pdf = Path(pdf)
    certs = [_read_certificate(Path(c)) for c in cert_files]
    result = verify_pdf(pdf, certs)
    head = [f"文件：{pdf.name}"]
    if cert_files:
        head.append("核对的证书：" + "、".join(Path(c).name for c in cert_files))
    return ReportCheck(result, head + format_pdf_verification(result))


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_lines(cert: x509.Certificate) -> list[str]:
    """Signer, unit, validity, issuer and fingerprint of a certificate, for people."""
    issuer = ("自签名证书（由本程序生成）" if cert.issuer == cert.subject
              else _name_part(cert.issuer, NameOID.ORGANIZATION_NAME)
              or _name_part(cert.issuer, NameOID.COMMON_NAME))
    digest = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    return [
        f"签署人：{_name_part(cert.subject, NameOID.COMMON_NAME)}",
        f"单位：{_name_part(cert.subject, NameOID.ORGANIZATION_NAME)}",
        f"有效期至：{date_text(cert.not_valid_after_utc)}",
        f"颁发者：{issuer}",
        f"证书指纹（SHA-256）：{group_fingerprint(digest)}",
    ]
