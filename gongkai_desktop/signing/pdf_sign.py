"""Sign a report PDF: PAdES (ETSI.CAdES.detached), SHA-256, fully offline.

The visible stamp goes on the last page, in the box the renderer keeps free
(``typeset.geometry.signature_box``). Its Chinese text is set by pyHanko's
OpenType engine with a TrueType font that has every character of the stamp.
The report's content fingerprint (PDF Keywords) is copied into the
signature's Reason, which the signature covers.

The stamp is drawn twice, identically and in the same place: as the signature
field's appearance (what PDF readers show and click on) and, in the same signed
revision, into the last page's own content. Viewers that do not draw signature
fields (QtPdf/PDFium in our preview and when printing from the window) still show
the stamp, and the stamp text is covered by the signature like the rest of the page.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.stamp import TextStamp, TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.errors import InvalidInput, NotFound, SignatureError
from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint
from gongkai_desktop.signing.stamp_font import stamp_font
from gongkai_desktop.signing.validity import check_can_sign
from gongkai_desktop.typeset.geometry import signature_box
from gongkai_desktop.typeset.marks import CONTENT_KEYWORD

log = logging.getLogger(__name__)

FIELD_PREFIX = "GongkaiSignature"
STAMP_FONT_SIZE = 8
# ASCII only: Windows strftime encodes the format in the system code page.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S (UTC%z)"


def _asn1_signer(identity: SigningIdentity) -> signers.SimpleSigner:
    der = identity.certificate_der()
    cert = asn1_x509.Certificate.load(der)
    key = asn1_keys.PrivateKeyInfo.load(identity.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in identity.chain]
    return signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs([cert, *chain]))


def stamp_text(unit_name: str, signer_name: str, cert_fingerprint: str) -> str:
    """The stamp's template; ``%(ts)s`` becomes the signing time."""
    def literal(text: str) -> str:  # the template is %-formatted: a user's % stays a %
        return text.replace("%", "%%")

    grouped = group_fingerprint(cert_fingerprint)
    half = len(grouped) // 2 + 1
    return "\n".join([
        f"电子签名：{literal(unit_name)}",
        f"签署人：{literal(signer_name)}",
        "签署时间：%(ts)s",
        "证书指纹（SHA-256）：",
        grouped[:half].strip(),
        grouped[half:].strip(),
    ])


def content_fingerprint_of(writer: IncrementalPdfFileWriter) -> str | None:
    """The report's content fingerprint from the PDF's Keywords, if it has one."""
    try:
        info = writer.prev.trailer_view["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except (KeyError, PdfError, AttributeError):
        return None
    for word in keywords.split():
        if word.startswith(CONTENT_KEYWORD):
            value = word[len(CONTENT_KEYWORD):]
            if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
                return value
    return None


def _last_page_size(writer: IncrementalPdfFileWriter) -> tuple[float, float]:
    page_ref, _ = writer.prev.find_page_for_modification(-1)
    box = find_inherited_value_in_tree(page_ref.get_object(), "/MediaBox", "/Parent")
    x1, y1, x2, y2 = (float(v) for v in box)
    return abs(x2 - x1), abs(y2 - y1)


def _already_signed(writer: IncrementalPdfFileWriter) -> bool:
    return any(value is not None for _name, value, _ref in fields.enumerate_sig_fields(writer.prev))


def _field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    n = 1
    while f"{FIELD_PREFIX}{n}" in taken:
        n += 1
    return f"{FIELD_PREFIX}{n}"


def sign_pdf(unsigned: Path, out: Path, identity: SigningIdentity, *, signer_name: str,
             unit_name: str, reason: str = "自查报告", location: str = "重庆") -> None:
    """Sign ``unsigned`` into ``out`` (they may be the same file); no network is used."""
    unsigned, out = Path(unsigned), Path(out)
    if not unsigned.is_file():
        raise NotFound(f"找不到要签名的文件：{unsigned}")
    if not out.parent.is_dir():
        raise NotFound(f"保存位置不存在：{out.parent}")
    check_can_sign(identity.certificate)
    try:
        with (atomic_output(out, what="签名后的文件") as tmp,
              unsigned.open("rb") as source):
            writer = _open(source)
            fp = content_fingerprint_of(writer)
            full_reason = f"{reason}（内容指纹 SHA-256：{fp}）" if fp else reason
            text = stamp_text(unit_name, signer_name, identity.fingerprint())
            # One time for both drawings: a format without % directives is the time
            # itself, so the field's appearance shows exactly what the page shows.
            signed_at = dt.datetime.now().astimezone().strftime(TIME_FORMAT)
            style = TextStampStyle(
                stamp_text=text, timestamp_format=signed_at, border_width=1,
                text_box_style=TextBoxStyle(
                    font=stamp_font(text, STAMP_FONT_SIZE),
                    leading=STAMP_FONT_SIZE + 3),
            )
            name = _field_name(writer)
            x1, y1, x2, y2 = (round(v) for v in signature_box(*_last_page_size(writer)))
            box = (x1, y1, x2, y2)
            if not _already_signed(writer):  # later page changes would break earlier ones
                TextStamp(writer, style, text_params={"ts": signed_at},
                          box=BoxConstraints(width=x2 - x1, height=y2 - y1)).apply(-1, x1, y1)
            meta = PdfSignatureMetadata(
                field_name=name, md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES, reason=full_reason,
                location=location, name=signer_name or None)
            pdf_signer = PdfSigner(
                meta, signer=_asn1_signer(identity), stamp_style=style,
                new_field_spec=fields.SigFieldSpec(name, on_page=-1, box=box))
            with tmp.open("wb") as target:
                pdf_signer.sign_pdf(writer, output=target)
    except (PdfError, ValueError) as exc:
        log.info("signing failed: %s", exc)  # the Chinese SignatureError says it to people
        raise SignatureError(f"签名失败：{exc}") from exc


def _open(source: object) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(source, strict=False)
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise InvalidInput("所选文件不是有效的PDF文件，无法签名") from exc
    if writer.prev.encrypted:
        raise InvalidInput("PDF文件已加密，无法签名")
    return writer
