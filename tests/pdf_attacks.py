"""Ways to alter a signed report after signing, built the way an attacker builds them.

Every change is an incremental update written with pyHanko's
``IncrementalPdfFileWriter`` (what any PDF editor does when it "saves" a signed
file), so the signed bytes stay untouched and only what comes after differs.
Also here: certificates with a chosen validity period, made with ``cryptography``,
and a plain pyHanko signer that does none of the program's own checks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

from gongkai_desktop.signing.identity import SigningIdentity

FORGED_TEXT = b"FORGED REPORT"


def _name(value: str) -> generic.NameObject:
    return pdf_name(value)


def _first_page(writer: IncrementalPdfFileWriter) -> tuple[generic.Reference, list[float]]:
    page_ref, _ = writer.find_page_for_modification(0)
    return page_ref, [float(v) for v in page_ref.get_object()["/MediaBox"]]


def _opaque_page(writer: IncrementalPdfFileWriter, width: float, height: float
                 ) -> generic.IndirectObject:
    """A form XObject that paints the whole page white, then prints other text on it."""
    font = writer.add_object(generic.DictionaryObject({
        _name("/Type"): _name("/Font"), _name("/Subtype"): _name("/Type1"),
        _name("/BaseFont"): _name("/Helvetica")}))
    data = (b"1 1 1 rg 0 0 %g %g re f 0 0 0 rg BT /F1 36 Tf 72 700 Td (%s) Tj ET"
            % (width, height, FORGED_TEXT))
    return writer.add_object(generic.StreamObject({
        _name("/Type"): _name("/XObject"), _name("/Subtype"): _name("/Form"),
        _name("/BBox"): generic.ArrayObject(
            [generic.FloatObject(v) for v in (0, 0, width, height)]),
        _name("/Resources"): generic.DictionaryObject(
            {_name("/Font"): generic.DictionaryObject({_name("/F1"): font})}),
    }, stream_data=data))


def _write(writer: IncrementalPdfFileWriter, out: Path) -> None:
    with out.open("wb") as target:
        writer.write(target)


def add_unsigned_signature_field(src: Path, out: Path) -> None:
    """An empty signature field over all of page 1 whose appearance is a forged page."""
    with src.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        _ref, (x1, y1, x2, y2) = _first_page(writer)
        fields.append_signature_field(
            writer, fields.SigFieldSpec("Forged", on_page=0, box=(x1, y1, x2, y2)))
        for name, _value, ref in fields.enumerate_sig_fields(writer):
            if name == "Forged":
                widget = ref.get_object()
                widget[_name("/AP")] = generic.DictionaryObject(
                    {_name("/N"): _opaque_page(writer, x2 - x1, y2 - y1)})
                writer.update_container(widget)
        _write(writer, out)


def add_annotation(src: Path, out: Path, subtype: str = "/FreeText") -> None:
    """An annotation over all of page 1 (FreeText, Square …) with an opaque appearance."""
    with src.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        page_ref, (x1, y1, x2, y2) = _first_page(writer)
        annot = generic.DictionaryObject({
            _name("/Type"): _name("/Annot"), _name("/Subtype"): _name(subtype),
            _name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (x1, y1, x2, y2)]),
            _name("/F"): generic.NumberObject(4),
            _name("/Contents"): generic.TextStringObject("FORGED"),
            _name("/AP"): generic.DictionaryObject(
                {_name("/N"): _opaque_page(writer, x2 - x1, y2 - y1)}),
        })
        if subtype == "/FreeText":
            annot[_name("/DA")] = generic.TextStringObject("/Helv 12 Tf 0 g")
        page = page_ref.get_object()
        annots = generic.ArrayObject(list(page.get("/Annots", ())))
        annots.append(writer.add_object(annot))
        page[_name("/Annots")] = annots
        writer.update_container(page)
        _write(writer, out)


def change_info(src: Path, out: Path) -> None:
    """Another title in the document information dictionary."""
    with src.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        info = writer.trailer["/Info"]
        info[_name("/Title")] = generic.TextStringObject("伪造的标题")
        writer.update_container(info)
        _write(writer, out)


def append_bytes(src: Path, out: Path) -> None:
    """Bytes after the last %%EOF."""
    out.write_bytes(src.read_bytes() + b"\n% added after signing\nFORGED\n")


# ---- certificates with a chosen validity ---------------------------------------------------


def identity_valid(not_before: dt.datetime, not_after: dt.datetime, *,
                   unit: str = "重庆市万州区人民政府", signer: str = "张三",
                   passphrase: str = "口令123456") -> SigningIdentity:
    """A self-signed identity whose certificate is valid only from ``not_before`` to
    ``not_after`` (backdated or future-dated as an attacker pleases)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit),
                      x509.NameAttribute(NameOID.COMMON_NAME, signer)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    return SigningIdentity(key, cert, (), passphrase)


def identity_expiring_in(days: int, passphrase: str = "口令123456") -> SigningIdentity:
    """A self-signed identity whose certificate expires ``days`` from now (negative: expired)."""
    now = dt.datetime.now(dt.UTC)
    return identity_valid(now - dt.timedelta(days=3000), now + dt.timedelta(days=days),
                          passphrase=passphrase)


def p12_of(identity: SigningIdentity, path: Path, password: str) -> Path:
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"unit", identity.private_key, identity.certificate, None,
        BestAvailableEncryption(password.encode())))
    return path


def sign_with_pyhanko(src: Path, out: Path, identity: SigningIdentity,
                      field_name: str = "Sig1") -> None:
    """Sign with pyHanko directly: no validity check, no stamp (what a forger's script does)."""
    cert = asn1_x509.Certificate.load(identity.certificate_der())
    key = asn1_keys.PrivateKeyInfo.load(identity.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=None)
    with src.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        meta = PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256",
                                    subfilter=fields.SigSeedSubFilter.PADES)
        with out.open("wb") as target:
            PdfSigner(meta, signer=signer).sign_pdf(writer, output=target)
