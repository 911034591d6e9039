"""Certificates outside their validity period: not imported, not used to sign, not verified."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.cli import main, report_cmd
from gongkai_desktop.errors import InvalidInput, SignatureError
from gongkai_desktop.report import render_report
from gongkai_desktop.report.sample import sample_content, sample_plan
from gongkai_desktop.signing import SigningIdentity, sign_pdf, verify_pdf
from gongkai_desktop.signing.store import has_identity, load_identity, save_identity
from gongkai_desktop.signing.validity import (
    check_valid_at,
    days_left,
    expiry_warning,
    validity_problem,
)
from gongkai_desktop.storage import Workspace
from gongkai_desktop.typeset.fonts import bundled_font_book
from tests import pdf_attacks
from tests.test_cli_report import make_workspace

UTC = dt.UTC
NOW = dt.datetime.now(UTC)
EXPIRED = pdf_attacks.identity_valid(dt.datetime(2016, 1, 1, tzinfo=UTC),
                                     dt.datetime(2026, 1, 1, tzinfo=UTC))
NOT_YET = pdf_attacks.identity_valid(NOW + dt.timedelta(days=400), NOW + dt.timedelta(days=800))
PASSWORD = "p12-密码abc"


def dump(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return "\n".join(db.iterdump())


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_cmd.getpass, "getpass",
                        lambda text="": (_ for _ in ()).throw(EOFError()))
    monkeypatch.delenv(report_cmd.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(report_cmd.P12_PASSWORD_ENV, raising=False)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("validity") / "万州区.gkws")


@pytest.fixture
def ws(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "万州区.gkws"
    shutil.copyfile(base, copy)
    return copy


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = sample_content(sample_plan(areas=1, subtasks=1, measures=1), images=0)
    folder = tmp_path_factory.mktemp("unsigned")
    return render_report(content, folder / "report.pdf", fonts=bundled_font_book()).path


# ---- the rule ------------------------------------------------------------------------------


def test_the_rule_names_the_dates() -> None:
    cert = EXPIRED.certificate
    with pytest.raises(SignatureError) as caught:
        check_valid_at(cert, dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert str(caught.value) == "证书已于2026年1月1日过期（有效期2016年1月1日至2026年1月1日）"
    with pytest.raises(SignatureError, match="证书自2016年1月1日起才生效"):
        check_valid_at(cert, dt.datetime(2015, 6, 1, tzinfo=UTC))
    check_valid_at(cert, dt.datetime(2020, 9, 5, tzinfo=UTC))
    assert validity_problem(cert, dt.datetime(2020, 9, 5)) is None  # naive = UTC
    assert days_left(cert, dt.datetime(2025, 12, 2, tzinfo=UTC)) == 30


def test_expiry_warning_within_thirty_days() -> None:
    soon = pdf_attacks.identity_valid(NOW - dt.timedelta(days=300), NOW + dt.timedelta(days=12))
    warning = expiry_warning(soon.certificate, NOW)
    assert warning is not None and "续期" in warning
    assert f"还剩{days_left(soon.certificate, NOW)}天" in warning
    assert days_left(soon.certificate, NOW) in (11, 12)
    fresh = SigningIdentity.generate("重庆市万州区人民政府", "张三", "secret-123")
    assert expiry_warning(fresh.certificate, NOW) is None
    assert "已于2026年1月1日过期" in str(expiry_warning(EXPIRED.certificate, NOW))


# ---- importing -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["expired", "not yet valid"])
def test_import_p12_outside_validity_is_refused(who: str, ws: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    key = EXPIRED if who == "expired" else NOT_YET
    p12 = pdf_attacks.p12_of(key, tmp_path / "单位证书.p12", PASSWORD)
    with pytest.raises(InvalidInput, match="不能导入用于签名"):
        SigningIdentity.from_pkcs12(p12.read_bytes(), PASSWORD)
    before = dump(ws)
    monkeypatch.setenv(report_cmd.P12_PASSWORD_ENV, PASSWORD)
    code, out, err = run(capsys, "signing", "import-p12", ws, p12)
    assert code == 1 and out == ""
    expected = "证书已于2026年1月1日过期" if key is EXPIRED else "起才生效"
    assert err.startswith("错误：") and expected in err and "不能导入用于签名" in err
    assert dump(ws) == before
    with Workspace.open(ws, readonly=True) as w:
        assert not has_identity(w)


# ---- signing -------------------------------------------------------------------------------


def test_signing_with_an_expired_certificate_is_refused(unsigned: Path, tmp_path: Path) -> None:
    out = tmp_path / "已签名.pdf"
    with pytest.raises(SignatureError, match=r"证书已于2026年1月1日过期.*不能用于签名"):
        sign_pdf(unsigned, out, EXPIRED, signer_name="张三", unit_name="重庆市万州区人民政府")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_report_with_an_expired_stored_identity_writes_nothing(
        ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    with Workspace.open(ws) as w:
        save_identity(w, EXPIRED)  # e.g. made years ago; storing it is not signing
    assert load_identity_ok(ws)
    before = dump(ws)
    monkeypatch.setenv(report_cmd.PASSPHRASE_ENV, EXPIRED.passphrase)
    out = tmp_path / "报告.pdf"
    code, _, err = run(capsys, "report", ws, "-o", out)
    assert code == 1
    assert err.strip().startswith("错误：证书已于2026年1月1日过期") and "不能用于签名" in err
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["万州区.gkws"]
    assert dump(ws) == before


def load_identity_ok(ws: Path) -> bool:
    with Workspace.open(ws, readonly=True) as w:
        return load_identity(w, EXPIRED.passphrase).certificate == EXPIRED.certificate


# ---- verifying -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["expired", "not yet valid"])
def test_signature_outside_the_certificates_validity_fails(
        who: str, unsigned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = EXPIRED if who == "expired" else NOT_YET
    signed = tmp_path / "签名.pdf"
    pdf_attacks.sign_with_pyhanko(unsigned, signed, key)  # a forger's script checks nothing
    cer = tmp_path / "单位.cer"
    key.export_cer(cer)
    result = verify_pdf(signed, [cer.read_bytes()])
    assert not result.ok and not result.passed and not result.trusted
    assert any(p.startswith("签名时间不在证书有效期内") for p in result.problems)
    for extra in ([], ["--cert", cer]):
        code, out, err = run(capsys, "verify", signed, *extra)
        assert code == 1 and err == ""
        assert "注意：签名时间不在证书有效期内：证书" in out
        assert out.splitlines()[-1] == "结论：核验未通过"


def test_signing_show_warns_before_expiry(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    soon = pdf_attacks.identity_valid(NOW - dt.timedelta(days=300), NOW + dt.timedelta(days=20))
    with Workspace.open(ws) as w:
        save_identity(w, soon)
    code, out, _ = run(capsys, "signing", "show", ws)
    assert code == 0
    assert re.search(r"注意：证书将于\d+年\d+月\d+日过期（还剩\d+天）", out)
