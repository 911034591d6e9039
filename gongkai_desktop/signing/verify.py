"""Check a signed report PDF: intact, by whom, when, trusted by the receiver or not.

Integrity is checked against the certificate embedded in the PDF; the
signature is *trusted* only when its certificate is (or chains to) the
certificate the receiving office was given (``trusted_cert``, DER). Nothing is
fetched from the network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from gongkai_desktop.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

_REASON_FINGERPRINT = re.compile(r"内容指纹\s*SHA-256[：:]\s*([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class PdfVerification:
    intact: bool  # the signed bytes are unchanged and the signature matches its certificate
    signed: bool  # the file carries at least one signature
    trusted: bool  # ... made with the trusted certificate (or one it issued)
    signer_subject: str = ""  # CN of the signing certificate
    unit: str = ""  # O of the signing certificate
    signed_at: dt.datetime | None = None  # as the signer's computer reported it
    cert_fingerprint: str = ""  # SHA-256 hex of the signing certificate
    fingerprint_note: str | None = None  # the report's content fingerprint, from the Reason
    reason: str = ""
    problems: list[str] = field(default_factory=list)  # Chinese, for people

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and not self.problems


def _name_part(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    return str(value[0] if isinstance(value, list) else value)


def _read(path: Path) -> tuple[PdfFileReader, Any]:
    """Open the PDF; the caller closes the returned file handle."""
    if not path.is_file():
        raise NotFound(f"找不到文件：{path}")
    handle = path.open("rb")
    try:
        if handle.read(1024).find(b"%PDF-") < 0:
            raise InvalidInput("所选文件不是PDF文件")
        handle.seek(0)
        reader = PdfFileReader(handle, strict=False)
        reader.embedded_signatures  # noqa: B018 - parse the signature fields now
    except InvalidInput:
        handle.close()
        raise
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        handle.close()
        raise InvalidInput("PDF文件已损坏，无法读取") from exc
    return reader, handle


def verify_pdf(path: Path, trusted_cert: bytes | None = None) -> PdfVerification:
    """Check every signature of the PDF; ``trusted_cert`` is a DER (or PEM) certificate."""
    trusted_root = _load_trusted(trusted_cert)
    reader, handle = _read(Path(path))
    with handle:
        signatures = reader.embedded_signatures
        if not signatures:
            return PdfVerification(intact=False, signed=False, trusted=False,
                                   problems=["文件没有电子签名"])
        problems: list[str] = []
        results = [_check(sig, trusted_root, problems) for sig in signatures]
    last = results[-1]
    if trusted_root is None:
        problems.append("未提供受信任的证书，无法确认签名人身份；请与报送单位核对证书指纹")
    return PdfVerification(
        intact=all(r["intact"] for r in results),
        signed=True,
        trusted=all(r["trusted"] for r in results),
        signer_subject=last["subject"], unit=last["unit"], signed_at=last["signed_at"],
        cert_fingerprint=last["cert_fingerprint"], fingerprint_note=last["note"],
        reason=last["reason"], problems=list(dict.fromkeys(problems)),
    )


def _load_trusted(trusted_cert: bytes | None) -> asn1_x509.Certificate | None:
    if not trusted_cert:
        return None
    try:
        data = trusted_cert
        if data.lstrip().startswith(b"-----BEGIN"):
            from cryptography import x509 as crypto_x509
            from cryptography.hazmat.primitives.serialization import Encoding

            data = crypto_x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 - parse now: a bad file fails here, not mid-validation
    except Exception as exc:  # asn1crypto raises several kinds for garbage
        raise InvalidInput("受信任的证书文件无效（应为 .cer/.crt 证书）") from exc
    return cert


def _check(sig: Any, trusted_root: asn1_x509.Certificate | None,
           problems: list[str]) -> dict[str, Any]:
    signer = sig.signer_cert
    roots = [trusted_root] if trusted_root is not None else [signer]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # a malformed signature is a finding, not a crash
        log.warning("signature validation failed: %s", exc)
        problems.append("签名数据已损坏，无法验证")
        return _facts(sig, signer, intact=False, trusted=False)
    intact = bool(status.intact and status.valid)
    if not status.intact:
        problems.append("文件在签名后被改动过：内容与签名不符")
    elif not status.valid:
        problems.append("签名无效：签名数据与证书不符")
    elif _changed_after(status):
        # The signed bytes are untouched, but what a reader now sees is not what was signed.
        intact = False
        problems.append("签名之后文件又被修改过，修改的内容不在签名范围内")
    trusted = bool(trusted_root is not None and status.trusted)
    if trusted_root is not None and intact and not status.trusted:
        problems.append("签名证书与受信任的证书不一致")
    return _facts(sig, signer, intact=intact, trusted=trusted,
                  signed_at=status.signer_reported_dt)


def _changed_after(status: Any) -> bool:
    """Changes appended after signing beyond another signature or form field."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or status.docmdp_ok is False:
        return True
    level = status.modification_level
    return level is None or level > ModificationLevel.FORM_FILLING


def _facts(sig: Any, signer: asn1_x509.Certificate, *, intact: bool, trusted: bool,
           signed_at: dt.datetime | None = None) -> dict[str, Any]:
    reason = str(sig.sig_object.get("/Reason", "") or "")
    match = _REASON_FINGERPRINT.search(reason)
    return {
        "intact": intact, "trusted": trusted, "signed_at": signed_at,
        "subject": _name_part(signer, "common_name"),
        "unit": _name_part(signer, "organization_name"),
        "cert_fingerprint": hashlib.sha256(signer.dump()).hexdigest(),
        "note": match.group(1).lower() if match else None,
        "reason": reason,
    }
