"""Delegation files from elsewhere, built the way an attacker would: tampered, replayed,
wrong-office and wrong-parent task files and returns, oversized and deep JSON, bad
workbooks. Each is refused with one Chinese line and a non-zero exit; the workspace is
unchanged (a dump of the whole file before and after)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.bundle.manifest import canonical_json, sha256_hex
from gongkai_desktop.delegation import (
    add_offices,
    assign,
    contributions,
    find_office,
    init_from_task,
    list_offices,
    write_task,
)
from gongkai_desktop.delegation.checklist import export_office_checklist
from gongkai_desktop.model import Status
from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.storage import Workspace
from gongkai_desktop.xlsx import checklist_layout as L
from tests.bundle_fixtures import PASSPHRASE, UNIT_B, export, make_unit, resign, tamper
from tests.delegation_fixtures import (
    OTHER_PARENT_KEY,
    SFJ_KEY,
    WZ_KEY,
    World,
    accepting,
    file_dump,
    fill_checklist,
    one_chinese_line,
    run,
)


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def _split(path: Path) -> tuple[dict[str, str], bytes]:
    head, _nl, body = path.read_bytes().partition(b"\n")
    return json.loads(head), body


def _signed(key: SigningIdentity, body: bytes) -> bytes:
    header = {"format": "gongkai-task",
              "signature": base64.b64encode(key.sign_bytes(body)).decode(),
              "certificate": base64.b64encode(key.certificate_der()).decode()}
    return json.dumps(header).encode() + b"\n" + body


# ------------------------------------------------------------------- task files

def test_tampered_task_is_refused_and_nothing_is_created(world: World, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    head, body = _split(world.task)
    bad = tmp_path / "tampered.gktask"
    bad.write_bytes(json.dumps(head).encode() + b"\n" + body.replace(
        "惠企政策".encode(), "无关内容".encode()))
    code, _out, err = run(capsys, "init", tmp_path / "new.gkws", "--from", bad)
    assert code == 1 and "签名无效" in err and one_chinese_line(err)
    assert not (tmp_path / "new.gkws").exists()


def test_task_with_swapped_certificate_is_refused(world: World, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _head, body = _split(world.task)
    bad = tmp_path / "swapped.gktask"
    bad.write_bytes(_signed(OTHER_PARENT_KEY, body))  # valid signature, another key
    code, _out, err = run(capsys, "init", tmp_path / "new.gkws", "--from", bad)
    assert code == 1 and "证书被替换" in err
    assert not (tmp_path / "new.gkws").exists()


def test_task_from_another_parent_is_refused_when_the_key_was_compared(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _head, body = _split(world.task)
    data = json.loads(body)
    data["certificate_sha256"] = sha256_hex(OTHER_PARENT_KEY.certificate_der())
    data["parent"]["name"] = "万州区"  # an impostor signing as the parent
    forged = tmp_path / "forged.gktask"
    forged.write_bytes(_signed(OTHER_PARENT_KEY, canonical_json(data).encode()))
    code, _out, err = run(capsys, "init", tmp_path / "new.gkws", "--from", forged,
                          *accepting(WZ_KEY))
    assert code == 1 and "指纹" in err and "不符" in err and one_chinese_line(err)
    assert not (tmp_path / "new.gkws").exists()


def test_oversized_and_deep_task_files_are_refused(world: World, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.gktask"
    with big.open("wb") as handle:
        handle.truncate(9 * 1024 * 1024)
    code, _out, err = run(capsys, "init", tmp_path / "a.gkws", "--from", big)
    assert code == 1 and "太大" in err
    deep = tmp_path / "deep.gktask"
    deep.write_bytes(_signed(OTHER_PARENT_KEY, b'{"format":"gongkai-task","a":' + b"[" * 5000
                             + b"]" * 5000 + b"}"))
    code, _out, err = run(capsys, "init", tmp_path / "b.gkws", "--from", deep)
    assert code == 1 and one_chinese_line(err)
    assert not (tmp_path / "a.gkws").exists() and not (tmp_path / "b.gkws").exists()


def test_replayed_task_never_overwrites_the_office_workspace(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    err = world.refused(capsys, "init", world.sfj, "--from", world.task, workspace=world.sfj)
    assert "已存在" in err


def test_a_task_is_not_a_return(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    err = world.refused(capsys, "delegate", "import", world.wz, world.task)
    assert "不是由上级单位的任务文件建立的" in err
    err = world.refused(capsys, "delegate", "import", world.wz, world.sheet.with_suffix(".txt"))
    assert "不是下级单位的数据包" in err


def _reissue(world: World) -> Path:
    with Workspace.open(world.wz) as ws:
        assign(ws, ["1.2.1"], ["区司法局"])
        assign(ws, ["1.1.2"], ["区司法局"], deadline=dt.date(2020, 9, 30))
        return write_task(ws, find_office(ws, "区司法局"), WZ_KEY, world.root / "sfj-2.gktask")


def test_a_reissued_task_adds_measures_and_replays_change_nothing(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    newer = _reissue(world)
    code, out, err = run(capsys, "delegate", "import", world.sfj, newer)
    assert code == 0, err
    assert "新增 1 项举措（1.2.1）" in out and "1 项内部时限有变化" in out
    with Workspace.open(world.sfj, readonly=True) as ws:
        assert [m.id for m in ws.plan.measures()] == ["1.1.1", "1.1.2", "1.2.1"]
        assert ws.plan.measure("1.1.2").deadline.date == dt.date(2020, 9, 30)
        assert ws.record("1.1.1").status is Status.DONE  # kept
    before = file_dump(world.sfj)
    code, out, _ = run(capsys, "delegate", "import", world.sfj, newer)
    assert code == 0 and "此任务文件已导入过" in out and file_dump(world.sfj) == before
    err = world.refused(capsys, "delegate", "import", world.sfj, world.task,
                        workspace=world.sfj)
    assert "较旧" in err


def test_a_task_for_another_office_or_from_another_parent_is_refused(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = world.refused(capsys, "delegate", "import", world.sfj, world.bb_task,
                        workspace=world.sfj)
    assert "下发给“区委编办”" in err
    _head, body = _split(_reissue(world))
    data = json.loads(body)
    data["certificate_sha256"] = sha256_hex(OTHER_PARENT_KEY.certificate_der())
    forged = tmp_path / "forged.gktask"
    forged.write_bytes(_signed(OTHER_PARENT_KEY, canonical_json(data).encode()))
    err = world.refused(capsys, "delegate", "import", world.sfj, forged, workspace=world.sfj)
    assert "不是由本单位已固定的上级单位证书签名的" in err


# ---------------------------------------------------------------------- returns

def test_tampered_return_is_refused(world: World, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.gkbundle"
    bad.write_bytes(world.bundle1.read_bytes())
    tamper(bad, "UPDATE records SET explanation = '伪造' WHERE measure_id = '1.1.1'")
    world.refused(capsys, "delegate", "import", world.wz, bad, *accepting(SFJ_KEY))


def test_a_return_whose_file_is_not_its_hash_is_refused(world: World, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """Signed with the office's own key, but the evidence file's bytes swapped: they are
    streamed into the blob store before the hash shows the swap, and must not stay."""
    bad = tmp_path / "swapped.gkbundle"
    bad.write_bytes(world.bundle1.read_bytes())
    resign(bad, SFJ_KEY, lambda conn: conn.execute("UPDATE blob_chunks SET data = ?",
                                                    (b"%PDF-1.4 fake!",)))
    world.refused(capsys, "delegate", "import", world.wz, bad, *accepting(SFJ_KEY))


def test_replayed_and_older_returns_change_nothing(world: World,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "delegate", "import", world.wz, world.bundle2, *accepting(SFJ_KEY))[0] == 0
    before = file_dump(world.wz)
    code, out, _ = run(capsys, "delegate", "import", world.wz, world.bundle2)
    assert code == 0 and "已有（未更改）" in out and file_dump(world.wz) == before
    err = world.refused(capsys, "delegate", "import", world.wz, world.bundle1)
    assert "较旧" in err


def test_first_key_needs_acceptance(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    err = world.refused(capsys, "delegate", "import", world.wz, world.bundle1)
    assert "首次收到下级单位“区司法局”" in err


def test_a_return_signed_with_another_offices_key_is_refused(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "delegate", "import", world.wz, world.bundle1, *accepting(SFJ_KEY))[0] == 0
    bb = tmp_path / "区委编办.gkws"
    ws, _task = init_from_task(bb, world.bb_task)
    ws.update_record("1.1.1", status=Status.DONE, explanation="冒充")
    wrong_key = export(ws, tmp_path / "bb.gkbundle", SFJ_KEY).files[0]  # 区司法局's key
    ws.close()
    err = world.refused(capsys, "delegate", "import", world.wz, wrong_key, *accepting(SFJ_KEY))
    assert "已被接受为下级单位“区司法局”的证书" in err


def test_a_return_claiming_another_office_is_refused(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "delegate", "import", world.wz, world.bundle1, *accepting(SFJ_KEY))[0] == 0
    with Workspace.open(world.wz) as ws:
        bb_id, sfj_id = find_office(ws, "区委编办").office_id, find_office(ws, "区司法局").office_id

    def forge(name: str, unit_id: str, office_name: str) -> Path:
        forged = tmp_path / name
        forged.write_bytes(world.bundle2.read_bytes())

        def profile(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE profile SET unit_id = ?, unit_name = ?, full_name = ?",
                         (unit_id, office_name, office_name))

        def manifest(data: dict[str, object]) -> None:
            data["unit"] = {"id": unit_id, "name": office_name, "full_name": office_name,
                            "type": "other"}

        return resign(forged, SFJ_KEY, profile, manifest)  # consistent, validly signed

    # 区司法局's key speaking for 区委编办: one key speaks for one office.
    err = world.refused(capsys, "delegate", "import", world.wz,
                        forge("as-bb.gkbundle", bb_id, "区委编办"), *accepting(SFJ_KEY))
    assert "已被接受为下级单位“区司法局”的证书" in err
    # 区委编办's id under 区司法局's name: the id and the name must belong together.
    err = world.refused(capsys, "delegate", "import", world.wz,
                        forge("mixed.gkbundle", bb_id, "区司法局"), *accepting(SFJ_KEY))
    assert "编号与名称不符" in err
    assert sfj_id != bb_id


def test_a_return_for_another_parent_is_refused(world: World, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "涪陵区.gkws"
    with make_unit(other, UNIT_B) as ws:
        add_offices(ws, ["区司法局"])
        assign(ws, ["1.1.1"], ["区司法局"])
        task = write_task(ws, find_office(ws, "区司法局"), OTHER_PARENT_KEY,
                          tmp_path / "fl.gktask")
        sheet = tmp_path / "fl.xlsx"
        export_office_checklist(ws, find_office(ws, "区司法局"), sheet)
    ws, _task = init_from_task(tmp_path / "涪陵区司法局.gkws", task)
    ws.update_record("1.1.1", status=Status.DONE, explanation="别的区")
    foreign = export(ws, tmp_path / "fl.gkbundle", SFJ_KEY).files[0]
    ws.close()
    err = world.refused(capsys, "delegate", "import", world.wz, foreign, *accepting(SFJ_KEY))
    assert "不是本单位的下级单位" in err
    filled = fill_checklist(sheet, tmp_path / "fl-filled.xlsx", {"1.1.1": {"完成状态": "已完成"}})
    err = world.refused(capsys, "delegate", "import", world.wz, filled)
    assert "不是本单位下级单位的任务清单" in err
    # The parent's own bundle (a unit, not an office) is no return either.
    with make_unit(tmp_path / "own.gkws") as ws:
        own = export(ws, tmp_path / "own.gkbundle", WZ_KEY).files[0]
    world.refused(capsys, "delegate", "import", world.wz, own, *accepting(WZ_KEY))


def test_bad_workbooks_are_refused(world: World, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook" * 10)
    world.refused(capsys, "delegate", "import", world.wz, junk)
    wrong = fill_checklist(world.sheet, tmp_path / "wrong.xlsx",
                           {"1.1.1": {"完成状态": "做完了"}})
    err = world.refused(capsys, "delegate", "import", world.wz, wrong)
    assert "问题" in err
    assert err.count("“完成状态”") == 1, err  # the row and column named once, not twice
    unit_sheet = tmp_path / "unit.xlsx"
    assert run(capsys, "xlsx", "export", world.wz, "-o", unit_sheet)[0] == 0
    err = world.refused(capsys, "delegate", "import", world.wz, unit_sheet)
    assert "不是本单位下级单位的任务清单" in err
    # The office's own workspace takes no checklist of its parent's other office.
    filled = fill_checklist(world.sheet, tmp_path / "bb.xlsx", {"1.1.1": {"完成状态": "推进中"}})
    world.refused(capsys, "delegate", "import", world.sfj, filled, workspace=world.sfj)


def test_older_checklist_never_overwrites_a_newer_one(world: World, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    old = fill_checklist(world.sheet, tmp_path / "old.xlsx", {"1.1.1": {"完成状态": "推进中"}})
    book = openpyxl.load_workbook(old)  # exported an hour before the newer one
    meta = book[L.META_SHEET]
    for row in range(1, 20):
        if meta.cell(row, 1).value == "exported_at":
            meta.cell(row, 2).value = "2020-01-01T08:00:00+08:00"
    book.save(old)
    with Workspace.open(world.wz) as ws:
        newer = tmp_path / "newer-export.xlsx"
        export_office_checklist(ws, find_office(ws, "区委编办"), newer)
    new = fill_checklist(newer, tmp_path / "new.xlsx", {"1.1.1": {"完成状态": "已完成"}})
    assert run(capsys, "delegate", "import", world.wz, new)[0] == 0
    err = world.refused(capsys, "delegate", "import", world.wz, old)
    assert "较旧" in err


# ------------------------------------------------------------------- office names


@pytest.mark.parametrize("hidden", ["\u00ad", "\u200b", "\u2060", "\u061c", "\u200e", "\ue000"])
def test_an_invisible_character_never_makes_a_look_alike_office(
        world: World, capsys: pytest.CaptureFixture[str], hidden: str) -> None:
    """区司\u00ad法局 looks like 区司法局 on screen: refused, not a second office."""
    err = world.refused(capsys, "office", "add", world.wz, f"区司{hidden}法局")
    assert "不允许的字符" in err
    with Workspace.open(world.wz) as ws:
        assert [o.name for o in list_offices(ws)] == ["区司法局", "区委编办"]


def test_applying_a_roll_up_twice_changes_nothing(world: World,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = run(capsys, "delegate", "import", world.wz, world.bundle1,
                           *accepting(SFJ_KEY))
    assert code == 0
    code, out, _ = run(capsys, "rollup", world.wz, "1.1.1", "--apply")
    assert code == 0 and "已写入 1 项举措的汇总结果" in out
    before = file_dump(world.wz)
    code, out, _ = run(capsys, "rollup", world.wz, "1.1.1", "--apply")
    assert code == 0 and "已写入" not in out and "未作任何改动" in out
    assert file_dump(world.wz) == before  # no second audit row, no re-index


def test_a_roll_up_keeps_the_units_own_links(world: World,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    own = "https://www.wz.gov.cn/own"
    assert run(capsys, "set", world.wz, "1.1.2", "--status", "推进中", "--url", own)[0] == 0
    assert run(capsys, "delegate", "import", world.wz, world.bundle2, *accepting(SFJ_KEY))[0] == 0
    code, out, _ = run(capsys, "rollup", world.wz, "1.1.2", "--apply")
    assert code == 0 and "公开网址" not in out  # nothing to change: the office gave no link
    with Workspace.open(world.wz, readonly=True) as ws:
        assert ws.record("1.1.2").urls == (own,)


def test_an_office_name_holding_a_list_separator_is_refused(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    """``--to`` splits on 、 and commas: such an office could never be assigned."""
    err = world.refused(capsys, "office", "add", world.wz, "高笋塘街道、太白街道")
    assert "顿号" in err


def test_rolling_up_before_any_office_answered_keeps_the_units_status(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "set", world.wz, "1.1.1", "--status", "已完成", "--date", "2020-10-01",
               "--note", "本单位已完成")[0] == 0
    before = file_dump(world.wz)
    code, out, _ = run(capsys, "rollup", world.wz, "1.1.1", "--apply")
    assert code == 0 and "未交：区司法局、区委编办" in out and "未开始" not in out
    assert file_dump(world.wz) == before


def test_a_corrected_copy_of_the_same_checklist_replaces_the_first_answer(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """区委编办 sends its filled workbook, then the same workbook corrected."""
    first = fill_checklist(world.sheet, tmp_path / "bb-1.xlsx",
                           {"1.1.1": {"完成状态": "推进中", "完成情况说明": "正在修订"}})
    assert run(capsys, "delegate", "import", world.wz, first)[0] == 0
    second = fill_checklist(first, tmp_path / "bb-2.xlsx",
                            {"1.1.1": {"完成状态": "已完成", "完成时间": "2020-10-01",
                                       "完成情况说明": "已修订并公开"}})
    code, out, err = run(capsys, "delegate", "import", world.wz, second)
    assert code == 0, err
    assert "已导入：区委编办 的清单，1 项举措有新填报" in out
    with Workspace.open(world.wz, readonly=True) as ws:
        got = {c.office.name: c.record for c in contributions(ws, "1.1.1")}
    assert got["区委编办"].status is Status.DONE
    assert got["区委编办"].explanation == "已修订并公开"
    # putting a value back as exported counts as a correction as well
    third = fill_checklist(second, tmp_path / "bb-3.xlsx",
                           {"1.1.1": {"完成状态": "未开始", "完成时间": "", "完成情况说明": ""}})
    assert run(capsys, "delegate", "import", world.wz, third)[0] == 0
    with Workspace.open(world.wz, readonly=True) as ws:
        got = {c.office.name: c.record for c in contributions(ws, "1.1.1")}
    assert got["区委编办"].status is Status.NOT_STARTED


def test_a_bundle_without_contents_keeps_the_offices_evidence(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """区司法局 sends its files once, then a quick --no-evidence bundle: the PDF stays."""
    assert run(capsys, "delegate", "import", world.wz, world.bundle1, *accepting(SFJ_KEY))[0] == 0
    with Workspace.open(world.sfj) as ws:
        light = export(ws, tmp_path / "light.gkbundle", SFJ_KEY, include_evidence=False)
    code, out, _ = run(capsys, "delegate", "import", world.wz, light.files[0])
    assert code == 0 and "1 项举措有新填报" in out  # 1.1.2 only, 1.1.1 unchanged
    with Workspace.open(world.wz, readonly=True) as ws:
        got = {c.office.name: c for c in contributions(ws, "1.1.1")}
    assert [e.file_name for e in got["区司法局"].evidence] == ["证明.pdf"]


def test_the_units_own_bundle_is_not_a_return(world: World,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """区司法局 picks the bundle it made for 万州区 by mistake."""
    err = world.refused(capsys, "delegate", "import", world.sfj, world.bundle1,
                        workspace=world.sfj)
    assert "自己导出的数据包" in err
