"""`report` and `signing` on the command line, as an officer uses them."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from gongkai_desktop.cli import main, report_cmd
from gongkai_desktop.model import Status
from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.report.collect import report_rows
from gongkai_desktop.report.sample import make_image
from gongkai_desktop.signing.store import has_identity, save_identity
from gongkai_desktop.storage import Workspace
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import PASSPHRASE, identity

TITLE = "重庆市万州区人民政府关于贯彻落实2020年政务公开工作要点任务分工情况的自查报告"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary files a failed run might leave (.x.pdf.part / .unsigned)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def make_workspace(path: Path) -> Path:
    directory = UnitDirectory.load()
    ws = Workspace.create(path, bundled_plan(), directory.find("万州区"), officer="张三",
                          contact="李四", phone="023-12345678", actor="张三")
    try:
        rows = report_rows(ws, directory)
        first, second, third = (r.measure.id for r in rows[:3])
        ws.update_record(first, status=Status.DONE, completed_on=dt.date(2020, 8, 20),
                         explanation="已在区政府网站公开权责清单56项。")
        ws.update_record(second, status=Status.IN_PROGRESS, explanation="正在梳理政策文件。")
        ws.update_record(third, status=Status.NOT_APPLICABLE, reason="本单位无此项职能。")
        ws.add_evidence_bytes(first, make_image(640, 400, "PNG", "权责清单"), "权责清单截图.png")
    finally:
        ws.close()
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filled workspace with a signing identity (made once; tests copy it)."""
    path = make_workspace(tmp_path_factory.mktemp("base") / "万州区.gkws")
    with Workspace.open(path) as ws:
        save_identity(ws, identity("重庆市万州区人民政府"))
    return path


@pytest.fixture
def ws(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "万州区.gkws"
    shutil.copyfile(base, copy)
    return copy


@pytest.fixture(autouse=True)
def no_prompt(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The hidden prompt answers nothing unless a test says so; what it was asked is kept."""
    asked: list[str] = []

    def prompt(text: str = "") -> str:
        asked.append(text)
        raise EOFError

    monkeypatch.setattr(report_cmd.getpass, "getpass", prompt)
    monkeypatch.delenv(report_cmd.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(report_cmd.P12_PASSWORD_ENV, raising=False)
    return asked


@pytest.fixture(scope="module")
def signed_report(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "万州区-自查报告.pdf"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(report_cmd.PASSPHRASE_ENV, PASSPHRASE)
        code = main(["report", str(base), "-o", str(out)])
    assert code == 0
    return out


# ---- the report --------------------------------------------------------------------------


def test_signed_report_has_every_measure_and_a_valid_signature(
        signed_report: Path, base: Path) -> None:
    out = signed_report
    text = flat(pdftotext(out))
    assert TITLE in text
    assert "市政府办公厅：" in text and "渝府办发〔2020〕89号" in text
    with Workspace.open(base, readonly=True) as ws:
        rows = report_rows(ws, UnitDirectory.load())
    assert len(rows) > 40
    for row in rows:
        assert f"{row.measure.label}{row.measure.text[:8]}" in text, row.measure.id
    for status in Status:
        count = sum(1 for r in rows if r.status is status)
        assert text.count(status.label) >= count
    assert "已在区政府网站公开权责清单56项。" in text
    assert "本单位无此项职能。" in text
    assert "权责清单截图.png" in text
    sig = pdfsig(out)
    assert "Signature is Valid." in sig
    assert "CN=张三,O=重庆市万州区人民政府" in sig
    assert "Total document signed" in sig
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "(A4)" in info


def test_report_prints_what_it_did(ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, PASSPHRASE)
    out = tmp_path / "报告.pdf"
    code, stdout, err = run(capsys, "report", ws, "-o", out, "--signer", "王五")
    assert code == 0, err
    assert f"已生成自查报告：{out}" in stdout
    assert "已签名（签署人：王五）" in stdout
    # Grouped in fours, upper case, as verify and signing init print them.
    assert re.search(r"报告内容指纹（SHA-256）：([0-9A-F]{4} ){15}[0-9A-F]{4}$", stdout, re.M)
    fp = identity("重庆市万州区人民政府").display_fingerprint()
    assert f"证书指纹（SHA-256）：{fp}\n" in stdout
    code, stdout, _ = run(capsys, "verify", out)
    assert code == 0  # intact; without --cert the officer is asked to compare fingerprints
    assert "完整性：完好" in stdout and "签名人：张三" in stdout
    assert "单位：重庆市万州区人民政府" in stdout and "请与报送单位核对证书指纹" in stdout
    assert leftovers(tmp_path) == []


def test_unsigned_report(ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         no_prompt: list[str]) -> None:
    out = tmp_path / "未签名.pdf"
    code, stdout, err = run(capsys, "report", ws, "-o", out, "--no-sign")
    assert code == 0, err
    assert "未签名" in stdout
    assert no_prompt == []  # no passphrase asked for an unsigned report
    assert "Signature" not in pdfsig(out) or "does not contain any signatures" in pdfsig(out)
    assert TITLE in flat(pdftotext(out))


def test_passphrase_typed_at_the_prompt(ws: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(report_cmd.getpass, "getpass",
                        lambda text="": asked.append(text) or PASSPHRASE)
    out = tmp_path / "报告.pdf"
    code, _, err = run(capsys, "report", ws, "-o", out)
    assert code == 0, err
    assert asked == ["签名密码："]
    assert "Signature is Valid." in pdfsig(out)


def test_wrong_passphrase_writes_nothing(ws: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, "不是这个密码")
    out = tmp_path / "报告.pdf"
    code, _, err = run(capsys, "report", ws, "-o", out)
    assert code == 1
    assert err.strip() == "错误：密码不正确"
    assert not out.exists() and leftovers(tmp_path) == []


def test_no_identity_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     no_prompt: list[str]) -> None:
    path = make_workspace(tmp_path / "新.gkws")
    out = tmp_path / "报告.pdf"
    code, _, err = run(capsys, "report", path, "-o", out)
    assert code == 1
    assert "还没有签名证书" in err and "signing init" in err and "--no-sign" in err
    assert no_prompt == []  # said before asking for a passphrase
    assert not out.exists()


def test_bad_outputs_are_refused_and_keep_an_existing_file(
        ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, PASSPHRASE)
    code, _, err = run(capsys, "report", ws, "-o", tmp_path / "没有" / "报告.pdf")
    assert code == 1 and "找不到输出文件夹" in err
    code, _, err = run(capsys, "report", ws, "-o", tmp_path / "报告.docx")
    assert code == 1 and "应以 .pdf 结尾" in err
    folder = tmp_path / "是文件夹.pdf"
    folder.mkdir()
    code, _, err = run(capsys, "report", ws, "-o", folder)
    assert code == 1 and "是一个文件夹" in err
    # An existing report stays as it was when the new one fails (wrong passphrase here).
    old = tmp_path / "旧报告.pdf"
    old.write_bytes(b"%PDF-1.7 old")
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, "错误的密码123")
    code, _, err = run(capsys, "report", ws, "-o", old)
    assert code == 1 and old.read_bytes() == b"%PDF-1.7 old"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder nobody may write")
def test_unwritable_output_folder(ws: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # /proc refuses new files even for root (a chmod'ed folder would not stop root).
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, PASSPHRASE)
    code, _, err = run(capsys, "report", ws, "-o", "/proc/报告.pdf")
    assert code == 1
    assert err.startswith("错误：无法写入报告文件“报告.pdf”（文件夹 /proc）"), err
    assert not Path("/proc/报告.pdf").exists()


# ---- signing ------------------------------------------------------------------------------


def test_signing_init_show_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_workspace(tmp_path / "新.gkws")
    typed = iter(["secret-1", "secret-2"])
    monkeypatch.setattr(report_cmd.getpass, "getpass", lambda text="": next(typed))
    code, _, err = run(capsys, "signing", "init", path, "--signer", "张三")
    assert code == 1 and err.strip() == "错误：两次输入的签名密码不一致"  # as the window says
    with Workspace.open(path, readonly=True) as w:
        assert not has_identity(w)

    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, "口令abcdef")
    code, out, err = run(capsys, "signing", "init", path, "--signer", "张三")
    assert code == 0, err
    assert "已生成签名证书：张三（重庆市万州区人民政府）" in out
    fingerprint = re.search(r"证书指纹（SHA-256）：([0-9A-F ]+)", out)
    assert fingerprint is not None

    code, _, err = run(capsys, "signing", "init", path, "--signer", "李四")
    assert code == 1 and "已有签名证书" in err and "--replace" in err

    code, out, _ = run(capsys, "signing", "show", path)
    assert code == 0
    assert "签署人：张三" in out and "单位：重庆市万州区人民政府" in out
    assert "颁发者：自签名证书（由本程序生成）" in out
    assert fingerprint.group(1).strip() in out

    cer = tmp_path / "万州区.cer"
    code, out, _ = run(capsys, "signing", "export-cert", path, "-o", cer)
    assert code == 0 and f"已导出证书：{cer}" in out
    cert = x509.load_der_x509_certificate(cer.read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "张三"

    # The exported certificate confirms a report signed with this identity.
    report = tmp_path / "报告.pdf"
    assert run(capsys, "report", path, "-o", report)[0] == 0
    code, out, _ = run(capsys, "verify", report, "--cert", cer)
    assert code == 0 and "核验通过" in out


def test_a_too_short_passphrase_is_refused_before_it_is_asked_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_workspace(tmp_path / "新.gkws")
    before = path.read_bytes()
    asked: list[str] = []
    monkeypatch.setattr(report_cmd.getpass, "getpass",
                        lambda text="": asked.append(text) or "abc")
    code, _, err = run(capsys, "signing", "init", path, "--signer", "张三")
    assert code == 1 and err.strip() == "错误：签名密码至少需要 6 个字符"  # as the window says
    assert asked == ["签名密码："]
    # Given in the environment: the same rule, the same line.
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, "12345")
    code, _, err = run(capsys, "signing", "init", path, "--signer", "张三")
    assert code == 1 and err.strip() == "错误：签名密码至少需要 6 个字符"
    assert path.read_bytes() == before


def test_signing_show_and_export_without_identity(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = make_workspace(tmp_path / "新.gkws")
    code, _, err = run(capsys, "signing", "show", path)
    assert code == 1 and "还没有签名证书" in err and "signing init" in err
    code, _, err = run(capsys, "signing", "export-cert", path, "-o", tmp_path / "x.cer")
    assert code == 1 and not (tmp_path / "x.cer").exists()


def make_p12(path: Path, password: str, *, org: str = "重庆市万州区人民政府",
             ca_name: str = "重庆CA") -> Path:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    ca_subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ca_name)])
    ca = (x509.CertificateBuilder().subject_name(ca_subject).issuer_name(ca_subject)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                         x509.NameAttribute(NameOID.COMMON_NAME, "赵六")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_subject)
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(ca_key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"unit", key, cert, [ca], BestAvailableEncryption(password.encode())))
    return path


def test_import_p12_then_sign(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_workspace(tmp_path / "新.gkws")
    p12 = make_p12(tmp_path / "单位证书.p12", "p12-密码")
    monkeypatch.setenv(report_cmd.P12_PASSWORD_ENV, "错的")
    code, _, err = run(capsys, "signing", "import-p12", path, p12)
    assert code == 1 and "证书文件密码不正确" in err
    garbage = tmp_path / "假的.p12"
    garbage.write_bytes(b"not a certificate")
    code, _, err = run(capsys, "signing", "import-p12", path, garbage)
    assert code == 1 and "不是有效的数字证书文件" in err
    code, _, err = run(capsys, "signing", "import-p12", path, tmp_path / "没有.p12")
    assert code == 1 and "找不到证书文件" in err
    with Workspace.open(path, readonly=True) as w:
        assert not has_identity(w)

    monkeypatch.setenv(report_cmd.P12_PASSWORD_ENV, "p12-密码")
    code, out, err = run(capsys, "signing", "import-p12", path, p12)
    assert code == 0, err
    assert "已导入签名证书：赵六（重庆市万州区人民政府）" in out and "颁发者：重庆CA" in out
    code, out, _ = run(capsys, "signing", "show", path)
    assert "颁发者：重庆CA" in out

    # The .p12 password is now the signing passphrase.
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, "p12-密码")
    report = tmp_path / "报告.pdf"
    code, out, err = run(capsys, "report", path, "-o", report)
    assert code == 0, err
    assert "已签名（签署人：赵六）" in out  # the stamp names whom the certificate names
    assert "Signature is Valid." in pdfsig(report)
    assert "CN=赵六" in pdfsig(report)
