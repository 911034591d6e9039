"""Signing the report PDF (PAdES, visible stamp) and verifying it, offline."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.report import RenderResult, render_report
from gongkai_desktop.report.sample import sample_content, sample_plan
from gongkai_desktop.signing import SigningIdentity, sign_pdf, verify_pdf
from gongkai_desktop.typeset.fonts import bundled_font_book
from gongkai_desktop.typeset.geometry import signature_box

UNIT = "重庆市万州区人民政府"


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return SigningIdentity.generate(UNIT, "张三", "secret-123")


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    folder = tmp_path_factory.mktemp("unsigned")
    content = sample_content(sample_plan(areas=2, subtasks=2, measures=2), images=2)
    return render_report(content, folder / "report.pdf", fonts=bundled_font_book())


@pytest.fixture(scope="module")
def signed(unsigned: RenderResult, identity: SigningIdentity,
           tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "已签名.pdf"
    sign_pdf(unsigned.path, out, identity, signer_name="张三", unit_name=UNIT)
    return out


def pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def flip_byte_in_signed_range(src: Path, dst: Path) -> None:
    """Change one byte in the middle of the biggest stream the signature covers."""
    data = bytearray(src.read_bytes())
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data)
    assert found is not None
    a, b = int(found.group(1)), int(found.group(2))
    streams = [(m.end(), data.find(b"endstream", m.end()))
               for m in re.finditer(rb"stream\r?\n", data[:b])]
    start, end = max(streams, key=lambda s: s[1] - s[0])
    pos = (start + end) // 2
    assert a <= pos < a + b
    data[pos] ^= 0x01
    dst.write_bytes(bytes(data))


def test_signature_is_valid_and_trusted(signed: Path, identity: SigningIdentity,
                                        unsigned: RenderResult) -> None:
    result = verify_pdf(signed, identity.certificate_der())
    assert result.signed and result.intact and result.trusted and result.ok
    assert result.problems == []
    assert result.signer_subject == "张三" and result.unit == UNIT
    assert result.cert_fingerprint == identity.fingerprint()
    assert result.fingerprint_note == unsigned.fingerprint
    assert result.signed_at is not None
    assert abs(result.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_poppler_agrees(signed: Path) -> None:
    report = pdfsig(signed)
    assert "Signature is Valid." in report
    assert "ETSI.CAdES.detached" in report and "SHA-256" in report
    assert "Total document signed" in report
    assert "Certificate issuer is unknown" in report  # self-signed: expected


def test_without_a_trusted_certificate_it_is_intact_but_not_trusted(signed: Path) -> None:
    result = verify_pdf(signed)
    assert result.intact and not result.trusted
    assert any("核对证书指纹" in p for p in result.problems)


def test_another_certificate_is_not_trusted(signed: Path) -> None:
    other = SigningIdentity.generate("别的单位", "李四", "secret-456")
    result = verify_pdf(signed, other.certificate_der())
    assert result.intact and not result.trusted
    assert "签名证书与受信任的证书不一致" in result.problems


def test_a_flipped_byte_is_detected(signed: Path, identity: SigningIdentity,
                                    tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    flip_byte_in_signed_range(signed, bad)
    result = verify_pdf(bad, identity.certificate_der())
    assert result.signed and not result.intact and not result.trusted
    assert any("签名后被改动" in p for p in result.problems)
    assert "Signature is Valid." not in pdfsig(bad)
    assert "Digest Mismatch" in pdfsig(bad) or "Invalid" in pdfsig(bad)


def test_changes_appended_after_signing_are_reported(signed: Path,
                                                     identity: SigningIdentity,
                                                     tmp_path: Path) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    changed = tmp_path / "changed.pdf"
    with signed.open("rb") as fh, changed.open("wb") as out:
        writer = IncrementalPdfFileWriter(fh)
        page_ref, _ = writer.find_page_for_modification(0)
        page = page_ref.get_object()
        stream = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 0 0 99 99 re f"))
        page[generic.NameObject("/Contents")] = generic.ArrayObject([stream])
        writer.update_container(page)
        writer.write(out)
    result = verify_pdf(changed, identity.certificate_der())
    assert not result.intact
    assert any("签名之后文件又被修改过" in p for p in result.problems)
    assert "第1页的页面内容" in result.added


def test_a_second_signature_keeps_the_first_valid(signed: Path, identity: SigningIdentity,
                                                   tmp_path: Path) -> None:
    office = SigningIdentity.generate("重庆市人民政府办公厅", "李四", "secret-789")
    twice = tmp_path / "twice.pdf"
    sign_pdf(signed, twice, office, signer_name="李四", unit_name="重庆市人民政府办公厅")
    result = verify_pdf(twice, [identity.certificate_der(), office.certificate_der()])
    # The report's own signature comes first; the countersignature is listed after it.
    assert result.ok and result.signer_subject == "张三"
    assert [s.subject for s in result.signers] == ["张三", "李四"]
    # Without the office's certificate, its signature is a change nobody vouched for.
    assert not verify_pdf(twice, identity.certificate_der()).intact
    assert pdfsig(twice).count("Signature is Valid.") == 2


def test_unsigned_and_garbage(unsigned: RenderResult, tmp_path: Path) -> None:
    result = verify_pdf(unsigned.path)
    assert not result.signed and not result.intact and not result.trusted
    assert result.problems == ["文件没有电子签名"]
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"hello, this is not a PDF" * 50)
    with pytest.raises(InvalidInput, match="不是PDF"):
        verify_pdf(junk)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    with pytest.raises(InvalidInput):
        verify_pdf(broken)
    with pytest.raises(NotFound):
        verify_pdf(tmp_path / "missing.pdf")
    with pytest.raises(InvalidInput, match="受信任的证书文件无效"):
        verify_pdf(unsigned.path, b"not a certificate")


def test_signing_garbage_is_refused(tmp_path: Path, identity: SigningIdentity) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    with pytest.raises(InvalidInput, match="不是有效的PDF"):
        sign_pdf(junk, tmp_path / "out.pdf", identity, signer_name="张三", unit_name=UNIT)
    assert not (tmp_path / "out.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.pdf"]


def test_visible_stamp_on_the_last_page_in_the_kept_space(signed: Path,
                                                          unsigned: RenderResult,
                                                          identity: SigningIdentity) -> None:
    pages = unsigned.pages
    stamp_text = pdftotext(signed, "-f", str(pages), "-l", str(pages))
    assert "签署人：张三" in stamp_text and UNIT in stamp_text
    assert identity.fingerprint().upper()[:4] in stamp_text
    # Nothing of the report itself lies where the stamp goes.
    html = pdftotext(unsigned.path, "-f", str(pages), "-l", str(pages), "-bbox")
    width, height = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)"', html)[:2])
    x1, y1, x2, y2 = signature_box(width, height)
    top, bottom = height - y2, height - y1  # pdftotext measures from the top
    for x0, y0, xe, ye in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html
    ):
        overlaps = float(x0) < x2 and float(xe) > x1 and float(y0) < bottom and float(ye) > top
        assert not overlaps


def test_sign_in_place(unsigned: RenderResult, identity: SigningIdentity,
                       tmp_path: Path) -> None:
    copy = tmp_path / "r.pdf"
    copy.write_bytes(unsigned.path.read_bytes())
    sign_pdf(copy, copy, identity, signer_name="张三", unit_name=UNIT)
    assert verify_pdf(copy, identity.certificate_der()).ok
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_stamp_keeps_rare_characters_and_percent_signs(unsigned: RenderResult,
                                                       tmp_path: Path) -> None:
    unit, signer = "测试%单位（镕堃喆珺）", "王%(ts)s赟"
    other = SigningIdentity.generate(unit, signer, "secret-123")
    out = tmp_path / "s.pdf"
    sign_pdf(unsigned.path, out, other, signer_name=signer, unit_name=unit)
    last = pdftotext(out, "-f", str(unsigned.pages), "-l", str(unsigned.pages))
    assert f"电子签名：{unit}" in last and f"签署人：{signer}" in last
    assert verify_pdf(out, other.certificate_der()).ok


def test_loading_the_signing_code_prints_nothing() -> None:
    # cryptography 51 warns (in English, on stderr) whenever pyHanko is imported; the
    # command line must show only its own Chinese lines.
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c",
         "from gongkai_desktop.signing import sign_pdf, verify_pdf"],
        capture_output=True, text=True, check=True)
    assert done.stderr == ""
