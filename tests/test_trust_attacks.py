"""The key-pinning paths attacked after they became one rule (``bundle.key_pins``).

Three sides pin someone else's key: the supervisor each unit's (bundle import), the unit
its supervising office's (review files, receipts) and the parent each of its offices'
(returns). Each attack is built as a hostile unit, office or file would build it: a key
with the genuine names, another unit's or the parent's key, a fingerprint that is not
the one shown (another key's, a prefix, 63 or 65 digits, odd spelling), a file signed
with a retired key. Each is refused with Chinese words, a non-zero exit and an unchanged
workspace; every key change that is accepted is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gongkai_desktop.bundle.import_batch import apply_previews
from gongkai_desktop.bundle.importer import Outcome, apply_import, preview_import
from gongkai_desktop.bundle.key_pins import normalize_fingerprint
from gongkai_desktop.bundle.office_key import KEY_CHANGED_NOTE
from gongkai_desktop.delegation import add_offices, assign, find_office, init_from_task, write_task
from gongkai_desktop.errors import InvalidInput, UnsafeInput
from gongkai_desktop.model import Status
from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint
from gongkai_desktop.storage import Workspace, audit
from gongkai_desktop.storage.wsconn import reading
from tests import review_fixtures
from tests.bundle_fixtures import PASSPHRASE, copy, dump, export, identity, resign
from tests.delegation_fixtures import (
    KS_KEY,
    SFJ_KEY,
    WZ_KEY,
    World,
    accepting,
    file_dump,
    one_chinese_line,
    run,
    with_key,
)
from tests.receipt_fixtures import fresh_key
from tests.review_fixtures import FL_KEY, OFFICE_KEY, resign_review

loop = review_fixtures.loop

# The attacker's keys, with the genuine names on them.
WZ_IMPOSTOR = identity("重庆市万州区人民政府", "张三（冒名）")
OFFICE_IMPOSTOR = fresh_key()
NEW_SFJ_KEY = identity("区司法局", "李四（新证书）")
OTHER_OFFICE_KEY = identity("重庆市发展和改革委员会", "钱九")


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


def wrong_spellings(key: SigningIdentity, pinned: SigningIdentity) -> list[str]:
    """What a hostile sender hopes passes for "accepted" when ``key`` signed the file: the
    pinned (or another) key's fingerprint in any spelling, and near misses of its own."""
    fp, other = key.fingerprint(), pinned.fingerprint()
    return [
        group_fingerprint(other),
        other.upper(),
        ":".join(other[i:i + 2] for i in range(0, 64, 2)),
        f"  {other[:32]}\t{other[32:]}  ",
        fp[:60],  # a prefix
        fp[:63],  # one digit short
        fp + "0",  # one digit more
        "0x" + fp[:62],
        fp.replace(fp[0], "０", 1),  # a full-width digit
        fp[:32] + "\u200b" + fp[32:],  # a zero-width space
        "-".join(fp[i:i + 4] for i in range(0, 64, 4)),  # dashes are no grouping
        "",
    ]


def audited(path: Path, action: str) -> list[tuple[str | None, str | None, str | None]]:
    """(owner, old fingerprint, new fingerprint) of every key change the workspace audited."""
    with Workspace.open(path, readonly=True) as ws, reading(ws) as conn:
        return [(e.field, e.old, e.new) for e in audit.read(conn) if e.action == action]


def refused(capsys: pytest.CaptureFixture[str], workspace: Path, *args: object) -> str:
    """The command fails with Chinese words only and the workspace file is unchanged."""
    before = file_dump(workspace)
    code, out, err = run(capsys, *args)
    assert code != 0, out
    assert one_chinese_line(err), err
    assert file_dump(workspace) == before
    return out + err


def _export(ws_path: Path, out: Path, key: SigningIdentity, note: str) -> Path:
    with Workspace.open(ws_path) as ws:
        ws.update_record("2.1.2", status=Status.IN_PROGRESS, explanation=note, actor="张三")
        return export(ws, out, key).files[0]


# ======================================================= the supervisor pins units' keys


def test_a_changed_unit_key_needs_its_own_fingerprint_in_a_valid_spelling(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sup, tmp = loop["sup"], loop["tmp"]
    forged = _export(loop["wz"], tmp / "万州区-2.gkbundle", WZ_IMPOSTOR, "冒名顶替")
    text = refused(capsys, sup, "bundle", "import", sup, forged)
    assert "换了签名密钥" in text and WZ_IMPOSTOR.display_fingerprint() in text
    for spelling in wrong_spellings(WZ_IMPOSTOR, WZ_KEY):
        refused(capsys, sup, "bundle", "import", sup, forged, "--accept-key", spelling)
    # Accepted explicitly, in an odd but exact spelling: pinned, the old key retired, audited.
    odd = ":".join(WZ_IMPOSTOR.fingerprint()[i:i + 2].upper() for i in range(0, 64, 2))
    assert run(capsys, "bundle", "import", sup, forged, "--accept-key", odd)[0] == 0
    assert audited(sup, "trust_key") == [
        ("500101", None, WZ_KEY.fingerprint()), ("500102", None, FL_KEY.fingerprint()),
        ("500101", WZ_KEY.fingerprint(), WZ_IMPOSTOR.fingerprint())]


def test_a_unit_reusing_another_units_key_is_refused(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sup, tmp = loop["sup"], loop["tmp"]
    borrowed = _export(loop["fl"], tmp / "涪陵区-2.gkbundle", WZ_KEY, "借用万州区的证书")
    text = refused(capsys, sup, "bundle", "import", sup, borrowed, *accepting(WZ_KEY))
    assert "一个密钥只能代表一个单位" in text
    cer = tmp / "万州区.cer"
    WZ_KEY.export_cer(cer)
    text = refused(capsys, sup, "bundle", "trust", sup, cer, "--unit", "涪陵区")
    assert "一个密钥只能代表一个单位" in text
    assert len(audited(sup, "trust_key")) == 2  # the two first contacts, nothing since


def test_one_new_key_for_two_units_in_a_batch_is_accepted_for_neither(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tmp = loop["tmp"]
    fresh = tmp / "新办公厅.gkws"
    assert run(capsys, "init", fresh, "--unit", "市政府办公厅")[0] == 0
    shared = fresh_key("重庆市万州区人民政府", "共用证书")
    a = _export(loop["wz"], tmp / "wz-shared.gkbundle", shared, "共用")
    b = _export(loop["fl"], tmp / "fl-shared.gkbundle", shared, "共用")
    text = refused(capsys, fresh, "bundle", "import", fresh, a, b, *accepting(shared))
    assert text.count("一个密钥只能代表一个单位") == 2
    assert audited(fresh, "trust_key") == []


def test_a_bundle_signed_with_a_retired_key_is_refused_after_the_change(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sup, wz, tmp = loop["sup"], loop["wz"], loop["tmp"]
    old = _export(wz, tmp / "万州区-2.gkbundle", WZ_KEY, "旧证书签的，未送出")
    new = _export(wz, tmp / "万州区-3.gkbundle", WZ_IMPOSTOR, "换了证书")
    assert run(capsys, "bundle", "import", sup, new, *accepting(WZ_IMPOSTOR))[0] == 0
    assert "较旧" in refused(capsys, sup, "bundle", "import", sup, old, *accepting(WZ_KEY))
    again = _export(wz, tmp / "万州区-4.gkbundle", WZ_KEY, "旧证书又来了")
    text = refused(capsys, sup, "bundle", "import", sup, again)
    assert "换了签名密钥" in text
    # The pinned key's fingerprint does not let the retired one in.
    refused(capsys, sup, "bundle", "import", sup, again, *accepting(WZ_IMPOSTOR))
    assert [c[1:] for c in audited(sup, "trust_key") if c[0] == "500101"] == [
        (None, WZ_KEY.fingerprint()), (WZ_KEY.fingerprint(), WZ_IMPOSTOR.fingerprint())]


def test_the_windows_preview_cannot_be_swapped_for_another_key(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sup, tmp = loop["sup"], loop["tmp"]
    shown = _export(loop["wz"], tmp / "万州区-2.gkbundle", WZ_IMPOSTOR, "预览时的")
    with Workspace.open(sup) as ws:
        preview = preview_import(ws, [shown])
        assert preview.needs_key_acceptance
        before = dump(ws)
        # The previewed key, accepted for another unit or another key accepted for this one.
        got = apply_previews(ws, [preview], accepted={("500102", WZ_IMPOSTOR.fingerprint()),
                                                      ("500101", WZ_KEY.fingerprint())})
        assert got[preview.bundle_hash].outcome is Outcome.REFUSED
        assert "换了签名密钥" in got[preview.bundle_hash].message
        # The file swapped after the preview for one signed with yet another key.
        resign(shown, fresh_key("重庆市万州区人民政府", "第三人"), lambda conn: None)
        with pytest.raises(UnsafeInput, match="预览之后被改动过"):
            apply_import(ws, preview, accept_new_key=True)
        assert dump(ws) == before


# ===================================================== the unit pins its office's key


def _review(capsys: pytest.CaptureFixture[str], loop: dict[str, Path], name: str) -> Path:
    """A genuine review file for 万州区's bundle, signed by the office (OFFICE_KEY)."""
    sup, out = loop["sup"], loop["tmp"] / name
    out.mkdir()
    assert run(capsys, "review", sup, "--unit", "万州区", "2.1.1", "--verdict", "退回整改",
               "--comment", review_fixtures.COMMENT)[0] == 0
    assert run(capsys, "review", "export", sup, "--unit", "万州区", "-o", out)[0] == 0
    return next(out.glob("*.gkreview"))


def _later(minutes: int, change: Any = None) -> Any:
    def shift(body: dict[str, Any]) -> None:
        moment = dt.datetime.fromisoformat(body["issued_at"]) + dt.timedelta(minutes=minutes)
        body["issued_at"] = moment.isoformat(timespec="microseconds")
        if change is not None:
            change(body)
    return shift


def test_a_first_review_needs_the_offices_own_fingerprint(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    wz = loop["wz"]
    good = _review(capsys, loop, "审核1")
    text = refused(capsys, wz, "review", "import", wz, good)
    assert "首次收到" in text and OFFICE_KEY.display_fingerprint() in text
    for spelling in wrong_spellings(OFFICE_KEY, OFFICE_IMPOSTOR):
        refused(capsys, wz, "review", "import", wz, good, "--accept-key", spelling)
    # A fresh key with the office's names, accepted under the office's real fingerprint.
    forged = resign_review(good, OFFICE_IMPOSTOR, lambda body: None, loop["tmp"] / "冒名.gkreview")
    text = refused(capsys, wz, "review", "import", wz, forged,
                   "--accept-key", OFFICE_KEY.display_fingerprint())
    assert "不符" in text
    assert audited(wz, "trust_office_key") == []
    assert run(capsys, "review", "import", wz, good, "--accept-key",
               OFFICE_KEY.fingerprint().upper())[0] == 0
    assert audited(wz, "trust_office_key") == [("cq-gov-office", None, OFFICE_KEY.fingerprint())]


def test_a_review_from_another_supervising_office_is_refused(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    wz, tmp = loop["wz"], loop["tmp"]
    good = _review(capsys, loop, "审核1")
    assert run(capsys, "review", "import", wz, good, *accepting(OFFICE_KEY))[0] == 0

    def another_office(body: dict[str, Any]) -> None:
        body["office"] = {"id": "cq-fgw", "name": "市发展改革委", "type": "department",
                          "full_name": "重庆市发展和改革委员会", "officer": "钱九"}

    other = resign_review(good, OTHER_OFFICE_KEY, _later(5, another_office),
                          tmp / "发改委.gkreview")
    text = refused(capsys, wz, "review", "import", wz, other)
    assert "不是用已确认的上级单位证书签名的" in text and "市政府办公厅" in text
    for spelling in wrong_spellings(OTHER_OFFICE_KEY, OFFICE_KEY):
        refused(capsys, wz, "review", "import", wz, other, "--accept-key", spelling)
    # The pinned key under another office's name is the pinned office's own word; what the
    # key speaks for does not move.
    renamed = resign_review(good, OFFICE_KEY, _later(6, another_office), tmp / "改名.gkreview")
    before = audited(wz, "trust_office_key")
    run(capsys, "review", "import", wz, renamed)
    assert audited(wz, "trust_office_key") == before


def test_a_review_signed_with_the_retired_office_key_after_a_change(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    wz, tmp = loop["wz"], loop["tmp"]
    good = _review(capsys, loop, "审核1")
    assert run(capsys, "review", "import", wz, good, *accepting(OFFICE_KEY))[0] == 0
    new_key = fresh_key(signer="王五（新证书）")
    changed = resign_review(good, new_key, _later(10), tmp / "新证书.gkreview")
    refused(capsys, wz, "review", "import", wz, changed)
    refused(capsys, wz, "review", "import", wz, changed, *accepting(OFFICE_KEY))
    code, _out, err = run(capsys, "review", "import", wz, changed, *accepting(new_key))
    assert code == 0 and KEY_CHANGED_NOTE in err
    assert audited(wz, "trust_office_key") == [
        ("cq-gov-office", None, OFFICE_KEY.fingerprint()),
        ("cq-gov-office", OFFICE_KEY.fingerprint(), new_key.fingerprint())]
    replayed = resign_review(good, OFFICE_KEY, _later(20), tmp / "旧证书.gkreview")
    text = refused(capsys, wz, "review", "import", wz, replayed)
    assert "不是用已确认的上级单位证书签名的" in text
    refused(capsys, wz, "review", "import", wz, replayed, *accepting(new_key))


def test_a_receipt_needs_the_offices_own_fingerprint(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    wz, tmp = loop["wz"], loop["tmp"]
    receipt = tmp / "回执.gkreceipt"
    assert run(capsys, "bundle", "receipt", loop["sup"], "--unit", "万州区",
               "-o", receipt)[0] == 0
    refused(capsys, wz, "bundle", "receipt-import", wz, receipt)
    for spelling in wrong_spellings(OFFICE_KEY, OFFICE_IMPOSTOR):
        refused(capsys, wz, "bundle", "receipt-import", wz, receipt, "--accept-key", spelling)
    assert audited(wz, "trust_office_key") == []


# ================================================= the parent pins its offices' keys


@pytest.fixture
def world(tmp_path: Path) -> World:
    world = World(tmp_path)
    with_key(world.wz, WZ_KEY)  # the parent signs its task files and its own bundles
    return world


def _office_bundle(world: World, task: Path, key: SigningIdentity, name: str) -> Path:
    """区委编办's (or another office's) answer, signed with ``key``."""
    path = world.root / f"{name}.gkws"
    ws, _task = init_from_task(path, task) if not path.exists() else (Workspace.open(path), None)
    with ws:
        ws.update_record("1.1.1", status=Status.DONE, explanation=f"{name}的填报")
        return export(ws, world.root / f"{name}-{key.signer}.gkbundle", key).files[0]


def test_an_office_reusing_the_parents_own_key_is_refused(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # The clerk who keeps both workspaces imported the unit's certificate into the office's.
    borrowed = _office_bundle(world, world.bb_task, WZ_KEY, "区委编办")
    text = refused(capsys, world.wz, "delegate", "import", world.wz, borrowed,
                   *accepting(WZ_KEY))
    assert "本单位自己的签名证书" in text and "区委编办" in text
    assert audited(world.wz, "trust_office_key") == []


def test_an_office_reusing_its_parents_parent_key_is_refused(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # 区司法局 (an office with its parent's key pinned) has an office of its own: 法治科.
    with_key(world.sfj, SFJ_KEY)
    with Workspace.open(world.sfj) as ws:
        add_offices(ws, ["法治科"])
        assign(ws, ["1.1.1"], ["法治科"])
        task = write_task(ws, find_office(ws, "法治科"), SFJ_KEY, world.root / "ks.gktask")
    for key, words in ((WZ_KEY, "上级单位“万州区”的证书"), (SFJ_KEY, "本单位自己的签名证书")):
        forged = _office_bundle(world, task, key, "法治科")
        text = refused(capsys, world.sfj, "delegate", "import", world.sfj, forged,
                       *accepting(key))
        assert words in text
    genuine = _office_bundle(world, task, KS_KEY, "法治科")
    assert run(capsys, "delegate", "import", world.sfj, genuine, *accepting(KS_KEY))[0] == 0
    with Workspace.open(world.sfj) as ws:
        ks_id = find_office(ws, "法治科").office_id
    assert audited(world.sfj, "trust_office_key")[-1] == (ks_id, None, KS_KEY.fingerprint())


def test_one_new_key_for_two_offices_in_a_batch_is_accepted_for_neither(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # 区委编办 signs with 区司法局's key; both first returns come in one batch, key accepted.
    borrowed = _office_bundle(world, world.bb_task, SFJ_KEY, "区委编办")
    text = refused(capsys, world.wz, "delegate", "import", world.wz, world.bundle1, borrowed,
                   *accepting(SFJ_KEY))
    assert text.count("一个密钥只能代表一个单位") == 2 and "“区司法局”、“区委编办”" in text
    assert audited(world.wz, "trust_office_key") == []
    # One at a time, the key goes to the office it was compared with, and to that one only.
    assert run(capsys, "delegate", "import", world.wz, world.bundle1, *accepting(SFJ_KEY))[0] == 0
    text = refused(capsys, world.wz, "delegate", "import", world.wz, borrowed,
                   *accepting(SFJ_KEY))
    assert "已被接受为下级单位“区司法局”的证书" in text


def test_an_office_key_change_and_the_retired_key_replayed(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    wz = world.wz
    assert run(capsys, "delegate", "import", wz, world.bundle1, *accepting(SFJ_KEY))[0] == 0
    with Workspace.open(world.sfj) as ws:
        ws.update_record("1.1.2", status=Status.DONE, explanation="换证书后")
        changed = export(ws, world.root / "sfj-3.gkbundle", NEW_SFJ_KEY).files[0]
        ws.update_record("1.1.2", explanation="旧证书又来了")
        retired = export(ws, world.root / "sfj-4.gkbundle", SFJ_KEY).files[0]
    text = refused(capsys, wz, "delegate", "import", wz, changed)
    assert "不是用已接受的证书签名的" in text
    for spelling in wrong_spellings(NEW_SFJ_KEY, SFJ_KEY):
        refused(capsys, wz, "delegate", "import", wz, changed, "--accept-key", spelling)
    assert run(capsys, "delegate", "import", wz, changed, *accepting(NEW_SFJ_KEY))[0] == 0
    with Workspace.open(wz) as ws:
        sfj_id = find_office(ws, "区司法局").office_id
    assert audited(wz, "trust_office_key") == [
        (sfj_id, None, SFJ_KEY.fingerprint()),
        (sfj_id, SFJ_KEY.fingerprint(), NEW_SFJ_KEY.fingerprint())]
    assert "较旧" in refused(capsys, wz, "delegate", "import", wz, world.bundle2,
                             *accepting(SFJ_KEY))
    text = refused(capsys, wz, "delegate", "import", wz, retired, *accepting(NEW_SFJ_KEY))
    assert "不是用已接受的证书签名的" in text


def test_a_return_renamed_for_another_parents_office_is_refused(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # The genuine 区司法局 bundle, its office id changed to one this parent never made.
    forged = copy(world.bundle2, world.root / "改编号.gkbundle")

    def profile(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE profile SET unit_id = 'f' || substr(unit_id, 2)")

    def manifest(data: dict[str, Any]) -> None:
        unit = data["unit"]
        assert isinstance(unit, dict)
        unit["id"] = "f" + str(unit["id"])[1:]

    resign(forged, SFJ_KEY, profile, manifest)
    text = refused(capsys, world.wz, "delegate", "import", world.wz, forged, *accepting(SFJ_KEY))
    assert "不是本单位的下级单位" in text


# ============================================================= fingerprints as typed


@pytest.mark.parametrize("spelling", wrong_spellings(WZ_IMPOSTOR, WZ_IMPOSTOR)[4:])
def test_a_fingerprint_that_is_not_64_hex_digits_is_refused(spelling: str) -> None:
    with pytest.raises(InvalidInput, match="64 位十六进制"):
        normalize_fingerprint(spelling)
