"""The bundle commands as a user sees them: output, exit codes, nothing changed on error."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import PASSPHRASE, identity
from tests.receipt_fixtures import dated_key, resign

WZ_KEY = identity("重庆市万州区人民政府", "张三")
FL_KEY = identity("重庆市涪陵区人民政府", "赵六")
OFFICE_KEY = identity("重庆市人民政府办公厅", "王五")


def accepting(*keys: SigningIdentity) -> list[str]:
    """``--accept-key`` for each key, as the supervisor types it after comparing fingerprints."""
    return [arg for key in keys for arg in ("--accept-key", group_fingerprint(key.fingerprint()))]


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _init(capsys: pytest.CaptureFixture[str], path: Path, unit: str,
          key: SigningIdentity | None) -> Path:
    assert run(capsys, "init", path, "--unit", unit, "--officer", "张三")[0] == 0
    if key is not None:
        with Workspace.open(path) as ws:
            save_identity(ws, key)
    return path


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    wz = _init(capsys, tmp_path / "万州区.gkws", "万州区", WZ_KEY)
    fl = _init(capsys, tmp_path / "涪陵区.gkws", "涪陵区", FL_KEY)
    sup = _init(capsys, tmp_path / "办公厅.gkws", "市政府办公厅", OFFICE_KEY)
    proof = tmp_path / "证明.pdf"
    proof.write_bytes(b"%PDF-1.4 proof " * 1000)
    assert run(capsys, "set", wz, "1.1.1", "--status", "已完成", "--note", "已建专栏",
               "--url", "https://www.wz.gov.cn/a")[0] == 0
    assert run(capsys, "attach", wz, "1.1.1", proof)[0] == 0
    assert run(capsys, "set", fl, "1.1.1", "--status", "推进中")[0] == 0
    return wz, fl, sup


def test_export_import_and_summary_of_all_units(tmp_path: Path, units: tuple[Path, Path, Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    wz, fl, sup = units
    code, out, _ = run(capsys, "bundle", "export", wz, "-o", tmp_path / "万州区.gkbundle")
    assert code == 0 and "已导出" in out and "序号 1" in out
    assert run(capsys, "bundle", "export", fl, "-o", tmp_path / "涪陵区.gkbundle")[0] == 0
    code, out, _ = run(capsys, "bundle", "import", sup, tmp_path / "万州区.gkbundle",
                       tmp_path / "涪陵区.gkbundle", *accepting(WZ_KEY, FL_KEY))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("万州区.gkbundle：已导入：万州区，序号 1")
    assert lines[1].startswith("涪陵区.gkbundle：已导入：涪陵区")
    code, out, err = run(capsys, "bundle", "import", sup, tmp_path / "万州区.gkbundle")
    # The window's words for it (已有（未更改）); one file: no count sentence after its line.
    assert (code, out, err) == (0, "万州区.gkbundle：已有（未更改）：万州区，序号 1\n", "")
    code, out, _ = run(capsys, "summary", sup, "--json", "--all-units", "--today", "2021-01-01")
    assert code == 0
    data = json.loads(out)
    assert set(data["units"]) == {"500101", "500102"}  # by unit id, never by name
    wz_data = data["units"]["500101"]
    assert wz_data["name"] == "万州区"
    assert set(wz_data) >= {"counts", "measures", "bundle"}
    assert wz_data["bundle"]["sequence"] == 1 and "exported_at" in wz_data["bundle"]
    assert data["units"]["500102"]["counts"]["in_progress"] >= 0


def test_refused_files_say_why_and_exit_non_zero(tmp_path: Path, units: tuple[Path, Path, Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, sup = units
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "good.gkbundle")
    broken = tmp_path / "broken.gkbundle"
    broken.write_bytes((tmp_path / "good.gkbundle").read_bytes()[:5000])
    text = tmp_path / "notes.gkbundle"
    text.write_text("hello", encoding="utf-8")
    code, out, err = run(capsys, "bundle", "import", sup, broken, text, tmp_path / "good.gkbundle",
                         *accepting(WZ_KEY))
    assert code == 1
    # Each refusal one error line on stderr; what was imported and the batch's count on stdout.
    refusals = err.splitlines()
    assert len(refusals) == 2 and all(line.startswith("错误：") for line in refusals)
    assert "broken.gkbundle：已拒绝：" in err and "不完整" in err
    assert "notes.gkbundle：已拒绝：" in err and "不是本程序导出的数据包" in err
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("good.gkbundle：已导入")
    assert lines[1] == "共 3 个文件：已导入 1 个，已有（未更改）0 个，拒绝 2 个。"


def test_a_single_refused_bundle_is_one_error_line(
        tmp_path: Path, units: tuple[Path, Path, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, sup = units
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "good.gkbundle")
    text = tmp_path / "notes.gkbundle"
    text.write_text("hello", encoding="utf-8")
    code, out, err = run(capsys, "bundle", "import", sup, text)
    assert (code, out) == (1, "")
    assert err == ("错误：notes.gkbundle：已拒绝：“notes.gkbundle”不是本程序导出的数据包"
                   "（.gkbundle），未导入\n")  # no "共 1 个文件…" after it
    # First contact: the refusal, then how to accept the key once it is checked.
    code, out, err = run(capsys, "bundle", "import", sup, tmp_path / "good.gkbundle")
    first, hint = err.splitlines()
    assert (code, out) == (1, "")
    assert first.startswith("错误：good.gkbundle：已拒绝：首次收到“万州区”的数据包")
    shown = group_fingerprint(WZ_KEY.fingerprint())
    assert hint == f'  核实后可加 --accept-key "{shown}" 重新导入'


def test_split_export_imports_from_a_folder(tmp_path: Path, units: tuple[Path, Path, Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, sup = units
    big = tmp_path / "视频.mp4"
    big.write_bytes(bytes(range(256)) * 16 * 1024 * 3 + b"end")  # 12 MB
    run(capsys, "attach", wz, "1.1.1", big)
    inbox = tmp_path / "收件"
    inbox.mkdir()
    code, out, _ = run(capsys, "bundle", "export", wz, "-o", inbox / "万州区.gkbundle",
                       "--max-size", "5")
    assert code == 0 and out.count("已导出") >= 3
    assert all(p.stat().st_size <= 5 * 1024 * 1024 for p in inbox.iterdir())
    code, out, _ = run(capsys, "bundle", "import", sup, inbox, *accepting(WZ_KEY))
    assert code == 0 and out.count("已导入：万州区") == len(list(inbox.iterdir()))


def test_evidence_free_export(tmp_path: Path, units: tuple[Path, Path, Path],
                              capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, _sup = units
    code, out, _ = run(capsys, "bundle", "export", wz, "-o", tmp_path / "a.gkbundle",
                       "--no-evidence", "--shrink-images")
    assert code == 0 and "佐证文件 0 个" in out
    code, out, _ = run(capsys, "verify", tmp_path / "a.gkbundle")
    assert code == 0 and "不含佐证文件内容" in out


def test_verify_a_bundle(tmp_path: Path, units: tuple[Path, Path, Path],
                         capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, _sup = units
    bundle = tmp_path / "a.gkbundle"
    run(capsys, "bundle", "export", wz, "-o", bundle)
    code, out, _ = run(capsys, "verify", bundle)
    assert code == 0 and "内容完整，签名有效" in out
    assert group_fingerprint(WZ_KEY.fingerprint()) in out and "请与报送单位核对" in out
    cer = tmp_path / "万州区.cer"
    WZ_KEY.export_cer(cer)
    code, out, _ = run(capsys, "verify", bundle, "--cert", cer)
    assert code == 0 and "签名证书与所给证书一致" in out
    other = tmp_path / "涪陵区.cer"
    FL_KEY.export_cer(other)
    code, _out, err = run(capsys, "verify", bundle, "--cert", other)
    assert code == 1 and "签名证书与所给证书不一致" in err
    with sqlite3.connect(bundle) as conn:
        conn.execute("UPDATE records SET remarks = '改过' WHERE measure_id = '1.1.1'")
    conn.close()
    code, _out, err = run(capsys, "verify", bundle)
    assert code == 1 and err.startswith("错误：") and "校验值不一致" in err


def test_verify_dispatches_pdfs_to_the_pdf_check(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    pdf = tmp_path / "报告.pdf"
    canvas = Canvas(str(pdf))
    canvas.drawString(100, 700, "report")
    canvas.save()
    code, out, _ = run(capsys, "verify", pdf)
    assert code == 1 and "没有电子签名" in out
    renamed = tmp_path / "报告.bin"  # recognised by its content too
    renamed.write_bytes(pdf.read_bytes())
    code, out, _ = run(capsys, "verify", renamed)
    assert code == 1 and "没有电子签名" in out


def test_trust_cert_and_accept_key(tmp_path: Path, units: tuple[Path, Path, Path],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, sup = units
    cer = tmp_path / "万州区.cer"
    WZ_KEY.export_cer(cer)
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "1.gkbundle")
    code, out, _ = run(capsys, "bundle", "import", sup, tmp_path / "1.gkbundle",
                       "--trust-cert", cer)
    assert code == 0 and "已信任“万州区”的证书" in out and "已导入" in out
    new_key = identity("重庆市万州区人民政府", "新电脑")
    with Workspace.open(wz) as ws:
        save_identity(ws, new_key)
    run(capsys, "set", wz, "1.1.1", "--status", "已完成", "--note", "换了电脑")
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "2.gkbundle")
    code, out, err = run(capsys, "bundle", "import", sup, tmp_path / "2.gkbundle")
    assert code == 1 and out == "" and "换了签名密钥" in err and "--accept-key" in err
    code, out, _ = run(capsys, "bundle", "import", sup, tmp_path / "2.gkbundle",
                       "--accept-key", group_fingerprint(new_key.fingerprint()))
    assert code == 0 and "已导入" in out


def test_receipt_round_trip(tmp_path: Path, units: tuple[Path, Path, Path],
                            capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, sup = units
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "1.gkbundle")
    run(capsys, "bundle", "import", sup, tmp_path / "1.gkbundle", *accepting(WZ_KEY))
    receipt = tmp_path / "回执.gkreceipt"
    code, out, _ = run(capsys, "bundle", "receipt", sup, "--unit", "万州区", "-o", receipt)
    assert code == 0 and "已生成回执" in out
    # The first receipt: refused until the office's fingerprint has been compared.
    before = _dump(wz)
    code, out, err = run(capsys, "bundle", "receipt-import", wz, receipt)
    shown = group_fingerprint(OFFICE_KEY.fingerprint())
    assert code == 1 and out == "" and "首次收到“市政府办公厅”" in err and shown in err
    assert f'--accept-key "{shown}"' in err
    assert _dump(wz) == before
    code, out, _ = run(capsys, "bundle", "receipt-import", wz, receipt, "--accept-key", shown)
    assert code == 0 and "序号 1 的数据包已由“市政府办公厅”（王五）" in out
    before = _dump(wz)
    code, out, _ = run(capsys, "bundle", "receipt-import", wz, receipt)
    assert code == 0 and "该回执此前已记录，未作改动" in out
    assert _dump(wz) == before
    code, out, _ = run(capsys, "bundle", "history", wz)
    assert code == 0 and "序号 1" in out and "已由“市政府办公厅”于" in out
    assert f"上级单位证书：市政府办公厅（王五），指纹 {shown}" in out
    code, _out, err = run(capsys, "bundle", "receipt", sup, "--unit", "涪陵区")
    assert code == 1 and "尚未导入" in err


def _dump(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def test_receipt_from_a_key_other_than_the_pinned_office_key(
        tmp_path: Path, units: tuple[Path, Path, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, sup = units
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "1.gkbundle")
    run(capsys, "bundle", "import", sup, tmp_path / "1.gkbundle", *accepting(WZ_KEY))
    genuine = tmp_path / "回执.gkreceipt"
    run(capsys, "bundle", "receipt", sup, "--unit", "万州区", "-o", genuine)
    office = group_fingerprint(OFFICE_KEY.fingerprint())
    assert run(capsys, "bundle", "receipt-import", wz, genuine, "--accept-key", office)[0] == 0
    # Someone with the bundle sets up a 市政府办公厅 of their own, with a key of their own.
    fake = _init(capsys, tmp_path / "假办公厅.gkws", "市政府办公厅", None)
    impostor = SigningIdentity.generate("重庆市人民政府办公厅", "王五", PASSPHRASE)
    with Workspace.open(fake) as ws:
        save_identity(ws, impostor)
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "2.gkbundle")
    run(capsys, "bundle", "import", fake, tmp_path / "2.gkbundle", *accepting(WZ_KEY))
    forged = tmp_path / "伪造.gkreceipt"
    assert run(capsys, "bundle", "receipt", fake, "--unit", "万州区", "-o", forged)[0] == 0
    before = _dump(wz)
    code, out, err = run(capsys, "bundle", "receipt-import", wz, forged)
    other = group_fingerprint(impostor.fingerprint())
    assert code == 1 and "不是用已确认的上级单位证书签名的" in err
    assert office in err and other in err and _dump(wz) == before
    # A truncated or tampered receipt: refused the same way.
    data = genuine.read_bytes()
    flipped = data.replace(b'"sequence\\":1', b'"sequence\\":2')
    assert flipped != data
    for name, damaged in (("cut", data[:300]), ("flip", flipped)):
        (tmp_path / f"{name}.gkreceipt").write_bytes(damaged)
        code, out, err = run(capsys, "bundle", "receipt-import", wz,
                             tmp_path / f"{name}.gkreceipt", "--accept-key", office)
        assert code == 1 and err.startswith("错误：回执") and _dump(wz) == before
    # The office really changed its key: accepted explicitly, the old one kept as history.
    code, out, err = run(capsys, "bundle", "receipt-import", wz, forged, "--accept-key", other)
    assert code == 0 and "原证书已停用" in err
    code, out, _ = run(capsys, "bundle", "history", wz)
    assert f"上级单位证书：市政府办公厅（王五），指纹 {other}" in out
    assert f"  原证书：市政府办公厅（王五），指纹 {office}" in out


def test_receipts_for_another_unit_or_with_an_expired_certificate_are_refused(
        tmp_path: Path, units: tuple[Path, Path, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    wz, fl, sup = units
    for unit, ws in (("万州区", wz), ("涪陵区", fl)):
        run(capsys, "bundle", "export", ws, "-o", tmp_path / f"{unit}.gkbundle")
        run(capsys, "bundle", "import", sup, tmp_path / f"{unit}.gkbundle",
            *accepting(WZ_KEY, FL_KEY))
        run(capsys, "bundle", "receipt", sup, "--unit", unit, "-o", tmp_path / f"{unit}.gkreceipt")
    office = group_fingerprint(OFFICE_KEY.fingerprint())
    now = dt.datetime.now(dt.UTC)
    expired = dated_key(now - dt.timedelta(days=800), now - dt.timedelta(days=1))
    resign(tmp_path / "万州区.gkreceipt", expired, lambda body: None, tmp_path / "过期.gkreceipt")
    before = _dump(wz)
    for name, key, message in (("涪陵区", office, "是给“涪陵区”的，不是本单位"),
                               ("过期", expired.fingerprint(), "过期")):
        code, out, err = run(capsys, "bundle", "receipt-import", wz, tmp_path / f"{name}.gkreceipt",
                             "--accept-key", key)
        assert code == 1 and out == "" and message in err and _dump(wz) == before


def test_consolidate_to_xlsx(tmp_path: Path, units: tuple[Path, Path, Path],
                             capsys: pytest.CaptureFixture[str]) -> None:
    wz, _fl, sup = units
    run(capsys, "bundle", "export", wz, "-o", tmp_path / "1.gkbundle")
    run(capsys, "bundle", "import", sup, tmp_path / "1.gkbundle", *accepting(WZ_KEY))
    out_file = tmp_path / "汇总.xlsx"
    code, out, _ = run(capsys, "bundle", "consolidate", sup, "-o", out_file, "--led")
    assert code == 0 and out_file.is_file() and "项举措" in out


def test_nothing_to_consolidate_is_refused_without_a_file(
        tmp_path: Path, units: tuple[Path, Path, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """万州区's own workspace supervises nobody: no table of 86 units all 未报送."""
    wz, fl, _sup = units
    out_dir = tmp_path / "出"
    out_dir.mkdir()
    for target in (out_dir / "汇总.xlsx", out_dir / "汇总.pdf", out_dir):
        for extra in ((), ("--led",)):
            code, out, err = run(capsys, "bundle", "consolidate", wz, "-o", target, *extra)
            assert (code, out) == (1, "")
            assert err == ("错误：本工作区尚未导入任何单位的数据包，没有可汇总的内容："
                           "请先用 bundle import 导入各单位报送的数据包"
                           "（本单位自己的完成情况用 summary 查看）\n")
    # Once it holds a bundle it consolidates, but 万州区 leads no measure: --led is empty.
    run(capsys, "bundle", "export", fl, "-o", tmp_path / "涪陵区.gkbundle")
    assert run(capsys, "bundle", "import", wz, tmp_path / "涪陵区.gkbundle",
               *accepting(FL_KEY))[0] == 0
    code, out, err = run(capsys, "bundle", "consolidate", wz, "-o", out_dir, "--led")
    assert (code, out) == (1, "")
    assert err == "错误：本单位没有牵头的举措，没有可汇总的内容：请去掉 --led，汇总全部举措\n"
    assert list(out_dir.iterdir()) == []
    code, out, _err = run(capsys, "bundle", "consolidate", wz, "-o", out_dir)
    assert code == 0 and out.startswith("已导出汇总表") and len(list(out_dir.iterdir())) == 1


def test_passphrase_and_key_problems(tmp_path: Path, units: tuple[Path, Path, Path],
                                     capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    wz, _fl, _sup = units
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", "wrong-passphrase")
    code, _out, err = run(capsys, "bundle", "export", wz, "-o", tmp_path / "a.gkbundle")
    assert code == 1 and "密码不正确" in err and not (tmp_path / "a.gkbundle").exists()
    monkeypatch.delenv("GONGKAI_KEY_PASSPHRASE")
    with open(__file__, encoding="utf-8") as not_a_terminal:
        monkeypatch.setattr(sys, "stdin", not_a_terminal)
        code, _out, err = run(capsys, "bundle", "export", wz, "-o", tmp_path / "a.gkbundle")
    assert code == 1 and "GONGKAI_KEY_PASSPHRASE" in err
    bare = _init(capsys, tmp_path / "无证书.gkws", "渝中区", None)
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)
    code, _out, err = run(capsys, "bundle", "export", bare, "-o", tmp_path / "b.gkbundle")
    assert code == 1 and "还没有签名证书" in err


def test_verify_a_signed_report_pdf_with_the_units_certificate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from gongkai_desktop.signing.pdf_sign import sign_pdf

    pdf = tmp_path / "报告.pdf"
    canvas = Canvas(str(pdf))
    canvas.drawString(100, 700, "report")
    canvas.save()
    signed = tmp_path / "已签名.pdf"
    sign_pdf(pdf, signed, WZ_KEY, signer_name="张三", unit_name="重庆市万州区人民政府")
    cer = tmp_path / "万州区.cer"
    WZ_KEY.export_cer(cer)
    code, out, _ = run(capsys, "verify", signed, "--cert", cer)
    assert code == 0 and "完整性：完好" in out and "结论：核验通过" in out
    other = tmp_path / "涪陵区.cer"
    FL_KEY.export_cer(other)
    code, out, _ = run(capsys, "verify", signed, "--cert", other)
    assert code == 1 and "核验未通过" in out
