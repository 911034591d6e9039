"""Check a signed report PDF: intact, by whom, when, trusted by the receiver or not.

Integrity is judged from pyHanko's validation results, never from byte rules of
our own: the last signature must cover the whole file (coverage ``ENTIRE_FILE``;
bytes appended after ``%%EOF`` break this), and every revision added after the
first signature must itself be an intact signature by a trusted certificate (a
countersignature); earlier signatures must pass pyHanko's modification analysis
(at most ``FORM_FILLING``, DocMDP respected). Anything else added later, an
unsigned field, an annotation, a changed document information dictionary, makes
the file 已被修改, whatever it contains; ``revisions.py`` only names it.

A signature is *trusted* when its certificate is (or chains to) one of the
certificates the receiving office was given (``trusted_certs``, DER or PEM), and
its signing time lies inside the certificate's validity period. Nothing is
fetched from the network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as crypto_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.signing.revisions import describe_revision
from gongkai_desktop.signing.validity import validity_problem

log = logging.getLogger(__name__)

_REASON_FINGERPRINT = re.compile(r"内容指纹\s*SHA-256[：:]\s*([0-9a-fA-F]{64})")
TRAILING = "文件末尾附加的数据"
OTHER = "其他内容"


@dataclass(frozen=True)
class SignerCheck:
    """One signature of the file, in signing order."""

    subject: str  # CN of the signing certificate
    unit: str  # O of the signing certificate
    cert_fingerprint: str  # SHA-256 hex of the signing certificate
    signed_at: dt.datetime | None  # as the signer's computer reported it
    intact: bool  # what it signed is unchanged and the signature matches its certificate
    trusted: bool  # made with a trusted certificate (or one it issued), inside its validity
    in_validity: bool = True  # signing time inside the certificate's validity period
    note: str | None = None  # the report's content fingerprint, from the Reason
    reason: str = ""

    def who(self) -> str:
        unit = f"（{self.unit}）" if self.unit and self.unit != self.subject else ""
        return f"{self.subject or self.unit or '未写明签名人'}{unit}"


@dataclass(frozen=True)
class PdfVerification:
    intact: bool  # nothing changed after the signatures, except trusted countersignatures
    signed: bool  # the file carries at least one signature
    trusted: bool  # every signature is made with a trusted certificate
    signer_subject: str = ""  # CN of the first (the report's own) signature
    unit: str = ""  # O of that signature
    signed_at: dt.datetime | None = None  # as the signer's computer reported it
    cert_fingerprint: str = ""  # SHA-256 hex of that signing certificate
    fingerprint_note: str | None = None  # the report's content fingerprint, from the Reason
    reason: str = ""
    problems: list[str] = field(default_factory=list)  # Chinese, for people
    signers: tuple[SignerCheck, ...] = ()  # every signature, in signing order
    added: tuple[str, ...] = ()  # what was added after signing (Chinese), if anything
    certs_given: int = 0  # how many trusted certificates the check was given

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and not self.problems

    @property
    def passed(self) -> bool:
        """The verdict for the exit code and the window's icon: with certificates given, ``ok``;
        without, intact with every signing time inside its certificate's validity (the
        receiver is then asked to compare fingerprints)."""
        if self.certs_given:
            return self.ok
        return self.signed and self.intact and all(s.in_validity for s in self.signers)


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


def verify_pdf(path: Path, trusted_certs: bytes | Sequence[bytes] | None = None
               ) -> PdfVerification:
    """Check every signature of the PDF against ``trusted_certs`` (DER or PEM certificates)."""
    given = [trusted_certs] if isinstance(trusted_certs, bytes) else list(trusted_certs or ())
    roots = [_load_trusted(data) for data in given if data]
    reader, handle = _read(Path(path))
    with handle:
        signatures = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
        if not signatures:
            return PdfVerification(intact=False, signed=False, trusted=False,
                                   problems=["文件没有电子签名"], certs_given=len(roots))
        try:
            return _verify(reader, signatures, roots)
        except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.info("PDF structure unreadable during verification: %s", exc)
            raise InvalidInput("PDF文件已损坏，无法读取") from exc


def _verify(reader: PdfFileReader, signatures: list[Any],
            roots: list[asn1_x509.Certificate]) -> PdfVerification:
    problems: list[str] = []
    several = len(signatures) > 1
    checked = [_check(sig, roots, problems, several) for sig in signatures]
    signers = tuple(s for s, _status in checked)
    intact = all(s.intact for s in signers)
    added = _added_after_signing(reader, signatures, checked, bool(roots))
    if added:
        intact = False
        problems.append("签名之后文件又被修改过，新增或改动了：" + "、".join(dict.fromkeys(added)))
    if not roots:
        problems.append("未提供受信任的证书，无法确认签名人身份；请与报送单位核对证书指纹")
    head = signers[0]
    return PdfVerification(
        intact=intact, signed=True, trusted=bool(roots) and all(s.trusted for s in signers),
        signer_subject=head.subject, unit=head.unit, signed_at=head.signed_at,
        cert_fingerprint=head.cert_fingerprint, fingerprint_note=head.note, reason=head.reason,
        problems=list(dict.fromkeys(problems)), signers=signers, added=tuple(added),
        certs_given=len(roots),
    )


def _added_after_signing(reader: PdfFileReader, signatures: list[Any],
                         checked: list[tuple[SignerCheck, Any]], have_roots: bool) -> list[str]:
    """What came after the first signature that nobody trusted vouched for ([] when nothing).

    The verdict rests on pyHanko: which revision each signature signed, its coverage and
    its modification analysis; ``describe_revision`` only puts the finding into words.
    """
    added: list[str] = []
    by_revision = {sig.signed_revision: s for sig, (s, _) in zip(signatures, checked, strict=True)}
    for revision in range(signatures[0].signed_revision + 1, reader.xrefs.total_revisions):
        signer = by_revision.get(revision)
        if signer is None:  # a revision that is no signature at all
            added += describe_revision(reader, revision)
        elif not (signer.intact and signer.trusted):
            why = "证书不受信任" if have_roots else "未提供其证书，无法确认是谁所签"
            added.append(f"{signer.who()}的签名（{why}）")
    added += _uncovered(reader, signatures[-1], checked[-1][1])
    earlier = [status for _signer, status in checked[:-1] if status is not None]
    if not added and any(_changed_after(status) for status in earlier):
        added.append(OTHER)  # pyHanko objects although every later revision is a signature
    return list(dict.fromkeys(added))


def _uncovered(reader: PdfFileReader, last: Any, status: Any) -> list[str]:
    """What the last signature leaves out when it is the last revision pyHanko could read."""
    if status is None or status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return []
    if last.signed_revision != reader.xrefs.total_revisions - 1:
        return []  # the later revisions are described one by one
    if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        return [TRAILING]  # bytes after its %%EOF that are no readable revision
    return ["签名未覆盖的部分"]


def _load_trusted(data: bytes) -> asn1_x509.Certificate:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            from cryptography.hazmat.primitives.serialization import Encoding

            data = crypto_x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 - parse now: a bad file fails here, not mid-validation
    except Exception as exc:  # asn1crypto raises several kinds for garbage
        raise InvalidInput("受信任的证书文件无效（应为 .cer/.crt 证书）") from exc
    return cert


def _check(sig: Any, roots: list[asn1_x509.Certificate], problems: list[str],
           several: bool) -> tuple[SignerCheck, Any]:
    """One signature: its facts and pyHanko's status (None when it could not be validated)."""
    signer = sig.signer_cert
    try:
        signed_at = sig.self_reported_timestamp
    except Exception:  # an unreadable time is checked as "now" below
        signed_at = None
    outside = _outside_validity(signer, signed_at)
    context = ValidationContext(trust_roots=roots or [signer], allow_fetching=False,
                                moment=signed_at)
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # a malformed signature is a finding, not a crash
        log.info("signature validation failed: %s", exc)
        problems.append("签名数据已损坏，无法验证")
        return _facts(sig, signer, intact=False, trusted=False, signed_at=signed_at), None
    intact = bool(status.intact and status.valid)
    if not status.intact:
        problems.append("文件在签名后被改动过：内容与签名不符")
    elif not status.valid:
        problems.append("签名无效：签名数据与证书不符")
    facts = _facts(sig, signer, intact=intact, trusted=False, signed_at=signed_at)
    whose = f"{facts.who()}的" if several else ""  # with one signature, no need to say whose
    if outside is not None:
        problems.append(f"{whose}签名时间不在证书有效期内：{outside}")
    trusted = bool(roots) and bool(status.trusted) and outside is None
    if roots and intact and outside is None and not status.trusted:
        problems.append(f"{whose}签名证书与受信任的证书不一致")
    return _facts(sig, signer, intact=intact, trusted=trusted, signed_at=signed_at,
                  in_validity=outside is None), status


def _outside_validity(signer: asn1_x509.Certificate, signed_at: dt.datetime | None) -> str | None:
    cert = crypto_x509.load_der_x509_certificate(signer.dump())
    return validity_problem(cert, signed_at or dt.datetime.now(dt.UTC))


def _changed_after(status: Any) -> bool:
    """pyHanko's judgement of what came after a signature that is not the last one."""
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or status.docmdp_ok is False:
        return True
    level = status.modification_level
    return level is None or level > ModificationLevel.FORM_FILLING


def _facts(sig: Any, signer: asn1_x509.Certificate, *, intact: bool, trusted: bool,
           signed_at: dt.datetime | None, in_validity: bool = True) -> SignerCheck:
    reason = str(sig.sig_object.get("/Reason", "") or "")
    match = _REASON_FINGERPRINT.search(reason)
    return SignerCheck(
        subject=_name_part(signer, "common_name"), unit=_name_part(signer, "organization_name"),
        cert_fingerprint=hashlib.sha256(signer.dump()).hexdigest(), signed_at=signed_at,
        intact=intact, trusted=trusted, in_validity=in_validity,
        note=match.group(1).lower() if match else None, reason=reason)
