"""A signed report altered after signing is 已被修改, however the change was added.

Each attack is an incremental update an attacker writes with pyHanko (see
``tests/pdf_attacks.py``): the signed bytes stay untouched, so only the
revision analysis can tell. Checked through the core and through `verify`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.report import render_report
from gongkai_desktop.report.sample import sample_content, sample_plan
from gongkai_desktop.report.verify_text import check_report_file
from gongkai_desktop.signing import sign_pdf, verify_pdf
from gongkai_desktop.typeset.fonts import bundled_font_book
from tests import pdf_attacks
from tests.bundle_fixtures import identity

UNIT = "重庆市万州区人民政府"
OFFICE = "重庆市人民政府办公厅"
UNIT_KEY = identity(UNIT)
OFFICE_KEY = identity(OFFICE, "李四")
STRANGER_KEY = identity("冒充的单位", "王五")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tamper")


@pytest.fixture(scope="module")
def signed(folder: Path) -> Path:
    content = sample_content(sample_plan(areas=1, subtasks=1, measures=2), images=0)
    unsigned = render_report(content, folder / "unsigned.pdf", fonts=bundled_font_book()).path
    out = folder / "万州区-自查报告.pdf"
    sign_pdf(unsigned, out, UNIT_KEY, signer_name="张三", unit_name=UNIT)
    return out


@pytest.fixture(scope="module")
def countersigned(signed: Path, folder: Path) -> Path:
    """The office countersigns the unit's report (a second signature, incremental)."""
    out = folder / "会签.pdf"
    sign_pdf(signed, out, OFFICE_KEY, signer_name="李四", unit_name=OFFICE)
    return out


@pytest.fixture(scope="module")
def certs(folder: Path) -> dict[str, Path]:
    paths = {"unit": folder / "万州区.cer", "office": folder / "办公厅.cer",
             "stranger": folder / "冒充.cer"}
    for key, name in ((UNIT_KEY, "unit"), (OFFICE_KEY, "office"), (STRANGER_KEY, "stranger")):
        key.export_cer(paths[name])
    return paths


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def countersign_by_stranger(src: Path, out: Path) -> None:
    sign_pdf(src, out, STRANGER_KEY, signer_name="王五", unit_name="冒充的单位")


ATTACKS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "unsigned signature field": (pdf_attacks.add_unsigned_signature_field,
                                 "第1页的签名字段（未签名）"),
    "FreeText annotation": (pdf_attacks.add_annotation, "第1页的批注（文字框）"),
    "Square annotation": (lambda s, o: pdf_attacks.add_annotation(s, o, "/Square"),
                          "第1页的批注（方框）"),
    "document information": (pdf_attacks.change_info, "文档信息"),
    "bytes after %%EOF": (pdf_attacks.append_bytes, "文件末尾附加的数据"),
    "signature by an untrusted key": (countersign_by_stranger, "王五（冒充的单位）的签名（"),
}


@pytest.fixture(scope="module", params=sorted(ATTACKS))
def attacked(request: pytest.FixtureRequest, signed: Path, folder: Path) -> tuple[Path, str]:
    build, named = ATTACKS[request.param]
    out = folder / f"altered-{re.sub(r'[^a-z]+', '-', request.param)}.pdf"
    build(signed, out)
    assert out.read_bytes().startswith(signed.read_bytes())  # the signed bytes are untouched
    return out, named


# ---- untouched and countersigned reports pass ------------------------------------------------


def test_untouched_report_is_intact(signed: Path, certs: dict[str, Path],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    result = verify_pdf(signed, [certs["unit"].read_bytes()])
    assert result.ok and result.passed and result.added == ()
    code, out, err = run(capsys, "verify", signed, "--cert", certs["unit"])
    assert code == 0 and err == ""
    assert "完整性：完好" in out and "结论：核验通过" in out


def test_countersigned_report_lists_both_signers(countersigned: Path, certs: dict[str, Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    result = verify_pdf(countersigned, [certs["unit"].read_bytes(),
                                        certs["office"].read_bytes()])
    assert result.ok and result.intact and result.trusted
    assert [(s.subject, s.unit) for s in result.signers] == [("张三", UNIT), ("李四", OFFICE)]
    code, out, err = run(capsys, "verify", countersigned,
                         "--cert", certs["unit"], "--cert", certs["office"])
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "完整性：完好——签名后内容未被修改" in lines
    assert "第1个签名：" in lines and "第2个签名：" in lines
    assert "  签名人：张三" in lines and "  签名人：李四" in lines
    assert f"  单位：{OFFICE}" in lines
    assert lines.count("  证书：与受信任的证书一致") == 2
    assert lines[-1] == "结论：核验通过"


def test_countersignature_by_a_key_not_given_is_not_trusted(
        countersigned: Path, certs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "verify", countersigned, "--cert", certs["unit"])
    assert code == 1 and err == ""
    lines = out.splitlines()
    at = lines.index("第2个签名：")
    assert "  签名人：李四" in lines[at:]
    assert "  证书：不受信任——与所给的证书都不一致，无法确认签名人身份" in lines[at:]
    assert "完整性：已被修改——签名之后文件又被改动过，不能作为原件使用" in lines
    assert lines[-1] == "结论：核验未通过"


def test_countersigned_without_certificates_is_not_accepted(
        countersigned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Without certificates nobody is trusted: a later signature is a change like any other.
    code, out, _ = run(capsys, "verify", countersigned)
    assert code == 1
    assert "李四（重庆市人民政府办公厅）的签名（未提供其证书，无法确认是谁所签）" in out
    assert out.count("证书指纹（SHA-256）：") == 2
    assert out.splitlines()[-1] == "结论：核验未通过"


# ---- every later change makes it 已被修改 -------------------------------------------------------


def test_change_after_signing_is_refused_by_the_core(attacked: tuple[Path, str],
                                                    certs: dict[str, Path]) -> None:
    path, named = attacked
    result = verify_pdf(path, [certs["unit"].read_bytes()])
    assert result.signed and not result.intact and not result.ok and not result.passed
    assert any(named in item for item in result.added), result.added
    if path.name.endswith("untrusted-key.pdf"):
        assert "王五（冒充的单位）的签名（证书不受信任）" in result.added
    assert any(p.startswith("签名之后文件又被修改过") and named in p for p in result.problems)
    without_cert = verify_pdf(path)  # no certificate given: still not intact
    assert not without_cert.intact and not without_cert.passed


def test_change_after_signing_is_refused_by_verify(attacked: tuple[Path, str],
                                                   certs: dict[str, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, named = attacked
    for extra in ([], ["--cert", certs["unit"]]):
        code, out, err = run(capsys, "verify", path, *extra)
        assert code == 1 and err == ""
        assert "完整性：已被修改——签名之后文件又被改动过，不能作为原件使用" in out
        assert re.search(rf"注意：签名之后文件又被修改过，新增或改动了：.*{re.escape(named)}", out)
        assert out.splitlines()[-1] == "结论：核验未通过"
        assert "核验通过" not in out.replace("核验未通过", "")


def test_window_and_command_line_share_the_lines(attacked: tuple[Path, str],
                                                 certs: dict[str, Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = attacked
    check = check_report_file(path, [certs["unit"]])
    _, out, _ = run(capsys, "verify", path, "--cert", certs["unit"])
    assert out.splitlines() == check.lines and not check.passed


# ---- no English on stderr ------------------------------------------------------------------


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "gongkai_desktop", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def assert_only_chinese(stderr: str) -> None:
    assert "Traceback" not in stderr and "WARNING" not in stderr and "Error" not in stderr
    for line in stderr.splitlines():
        assert re.search(r"[\u4e00-\u9fff]", line), f"not a Chinese line on stderr: {line!r}"
        assert not re.search(r"[A-Za-z]{4,}", line.replace(".pdf", "").replace(".cer", "")), line


def test_mismatching_certificate_prints_no_english(signed: Path, certs: dict[str, Path]) -> None:
    done = _cli("verify", signed, "--cert", certs["stranger"])
    assert done.returncode == 1
    assert_only_chinese(done.stderr)
    assert "签名证书与受信任的证书不一致" in done.stdout
    assert done.stdout.splitlines()[-1] == "结论：核验未通过"


def test_suspicious_revision_prints_no_english(signed: Path, certs: dict[str, Path],
                                               folder: Path) -> None:
    # pyHanko logs an English traceback for this one ("Error in diff operation").
    altered = folder / "annotated-for-subprocess.pdf"
    pdf_attacks.add_annotation(signed, altered, "/Square")
    done = _cli("verify", altered, "--cert", certs["unit"])
    assert done.returncode == 1
    assert_only_chinese(done.stderr)
    assert "第1页的批注（方框）" in done.stdout


def test_bad_certificate_file_is_one_chinese_line(signed: Path, folder: Path) -> None:
    junk = folder / "坏证书.cer"
    junk.write_bytes(b"not a certificate")
    done = _cli("verify", signed, "--cert", junk)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == "错误：受信任的证书文件无效（应为 .cer/.crt 证书）"
