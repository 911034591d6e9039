"""A signed report's check result as Chinese lines, for the command line and the window."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.signing.verify import PdfVerification

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def signing_time_text(when: dt.datetime) -> str:
    """2020年9月5日 14:03:05 (Beijing time when the zone is known): as people here read it."""
    local = when.astimezone(BEIJING) if when.tzinfo is not None else when
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def verdict(v: PdfVerification) -> str:
    """One short word for a title: 完好 / 已被修改 / 没有签名."""
    if not v.signed:
        return "没有签名"
    return "完好" if v.intact else "已被修改"


def format_pdf_verification(v: PdfVerification) -> list[str]:
    """The result line by line: integrity, signer, unit, time, fingerprints, problems, verdict."""
    if not v.signed:
        return ["完整性：无法核验——文件没有电子签名", "结论：核验未通过"]
    lines = [
        "完整性：完好——签名后内容未被修改" if v.intact
        else "完整性：已被修改——文件内容与签名不符，不能作为原件使用",
        f"签名人：{v.signer_subject or '（未写明）'}",
        f"单位：{v.unit or '（未写明）'}",
    ]
    if v.signed_at is not None:
        zone = "北京时间，" if v.signed_at.tzinfo is not None else ""
        lines.append(f"签名时间：{signing_time_text(v.signed_at)}（{zone}以签名电脑的时钟为准）")
    if v.cert_fingerprint:
        lines.append(f"证书指纹（SHA-256）：{group_fingerprint(v.cert_fingerprint)}")
    if v.fingerprint_note:
        lines.append(f"报告内容指纹（SHA-256）：{group_fingerprint(v.fingerprint_note)}")
    if v.trusted:
        lines.append("证书：与受信任的证书一致")
    lines += [f"注意：{p}" for p in v.problems]
    if v.ok:
        lines.append("结论：核验通过")
    elif v.intact and not v.trusted and not any("不一致" in p for p in v.problems):
        lines.append("结论：内容完好；请与报送单位核对证书指纹，确认签名人身份")
    else:
        lines.append("结论：核验未通过")
    return lines


def _name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def certificate_lines(cert: x509.Certificate) -> list[str]:
    """Signer, unit, validity, issuer and fingerprint of a certificate, for people."""
    until = cert.not_valid_after_utc.date()
    issuer = ("自签名证书（由本程序生成）" if cert.issuer == cert.subject
              else _name_part(cert.issuer, NameOID.ORGANIZATION_NAME)
              or _name_part(cert.issuer, NameOID.COMMON_NAME))
    digest = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    return [
        f"签署人：{_name_part(cert.subject, NameOID.COMMON_NAME)}",
        f"单位：{_name_part(cert.subject, NameOID.ORGANIZATION_NAME)}",
        f"有效期至：{until.year}年{until.month}月{until.day}日",
        f"颁发者：{issuer}",
        f"证书指纹（SHA-256）：{group_fingerprint(digest)}",
    ]
