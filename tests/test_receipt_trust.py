"""Receipts as an attacker would build them: only the pinned office key may confirm a bundle.

Each refusal asserts a Chinese message and a workspace unchanged (``dump`` before/after).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from gongkai_desktop.bundle.importer import import_bundle
from gongkai_desktop.bundle.office_key import (
    OfficeKeyNotAccepted,
    OfficeKeySource,
    OfficeKeyState,
    office_key,
    office_keys,
)
from gongkai_desktop.bundle.receipt import (
    export_history,
    import_receipt,
    last_receipt,
    receipts,
    write_receipt,
)
from gongkai_desktop.errors import GongkaiError, InvalidInput, SignatureError, UnsafeInput
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import (
    SUPERVISOR,
    UNIT_A,
    UNIT_B,
    dump,
    export,
    identity,
    keys_in,
    make_supervisor,
    make_unit,
)
from tests.receipt_fixtures import dated_key, fresh_key, resign

OFFICE_KEY = identity(SUPERVISOR.full_name, "王五")
OFFICE_FP = OFFICE_KEY.fingerprint()
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(ws: Workspace, path: Path, error: type[Exception] = GongkaiError,
            match: str | None = None, **kwargs: Any) -> str:
    """Import must fail with a Chinese message and leave the workspace as it was."""
    before = dump(ws)
    with pytest.raises(error, match=match) as caught:
        import_receipt(ws, path, **kwargs)
    assert CHINESE.search(str(caught.value)), caught.value
    assert dump(ws) == before
    return str(caught.value)


@pytest.fixture
def sent(tmp_path: Path, unit_a: Workspace, sup: Workspace) -> Path:
    """万州区 exported bundle 1 and the office imported it; returns the bundle file."""
    bundle = export(unit_a, tmp_path / "1.gkbundle")
    import_bundle(sup, bundle.files, accept_keys=keys_in(bundle.files))
    return bundle.files[0]


@pytest.fixture
def genuine(tmp_path: Path, sent: Path, sup: Workspace) -> Path:
    out = tmp_path / "回执.gkreceipt"
    write_receipt(sup, "500101", OFFICE_KEY, out)
    return out


@pytest.fixture
def pinned(genuine: Path, unit_a: Workspace) -> Workspace:
    import_receipt(unit_a, genuine, accept_key=group_fingerprint(OFFICE_FP))
    return unit_a


# ---- pinning the office key ----------------------------------------------------------------


def test_a_first_receipt_needs_its_fingerprint_accepted(genuine: Path,
                                                        unit_a: Workspace) -> None:
    message = refused(unit_a, genuine, OfficeKeyNotAccepted, "首次收到“市政府办公厅”")
    assert group_fingerprint(OFFICE_FP) in message and "王五" in message
    assert office_key(unit_a) is None and receipts(unit_a) == []


def test_accepting_another_fingerprint_imports_nothing(genuine: Path, unit_a: Workspace) -> None:
    refused(unit_a, genuine, InvalidInput, "所接受的指纹与该回执的证书指纹",
            accept_key=fresh_key().fingerprint())
    refused(unit_a, genuine, InvalidInput, "格式不对", accept_key="AB12 CD34")


def test_accepting_the_fingerprint_pins_the_office_key(genuine: Path, unit_a: Workspace) -> None:
    got = import_receipt(unit_a, genuine, accept_key=group_fingerprint(OFFICE_FP).lower(),
                         actor="张三")
    assert got.new and got.cert_fingerprint == OFFICE_FP
    key = office_key(unit_a)
    assert key is not None and key.fingerprint == OFFICE_FP
    assert (key.office_name, key.source, key.added_by) == (
        "市政府办公厅", OfficeKeySource.FIRST, "张三")
    assert "首次导入回执时确认" in key.describe()
    assert [e.action for e in unit_a.audit_log()][-2:] == ["trust_office_key", "import_receipt"]
    before = dump(unit_a)  # the same receipt again: said so, nothing changes
    again = import_receipt(unit_a, genuine)
    assert not again.new and not again.stale
    assert dump(unit_a) == before


def test_a_fresh_key_claiming_to_be_the_office_is_refused(
        tmp_path: Path, pinned: Workspace, sent: Path) -> None:
    # The attacker got hold of the bundle (e.g. a forwarded mail), made a workspace for
    # 市政府办公厅 and a key with the office's names, imported the bundle, wrote a receipt.
    with make_supervisor(tmp_path / "假办公厅.gkws") as fake:
        import_bundle(fake, [sent], accept_keys=keys_in([sent]))
        forged = tmp_path / "伪造回执.gkreceipt"
        impostor = fresh_key()
        write_receipt(fake, "500101", impostor, forged)
    message = refused(pinned, forged, OfficeKeyNotAccepted, "不是用已确认的上级单位证书签名的")
    assert group_fingerprint(OFFICE_FP) in message
    assert group_fingerprint(impostor.fingerprint()) in message
    assert [k.fingerprint for k in office_keys(pinned)] == [OFFICE_FP]


def test_a_fresh_key_on_a_newer_bundle_cannot_replace_the_genuine_receipt(
        tmp_path: Path, pinned: Workspace, sup: Workspace) -> None:
    pinned.update_record("2.1.2", explanation="第二次", actor="张三")
    bundle = export(pinned, tmp_path / "2.gkbundle")
    import_bundle(sup, bundle.files, accept_keys=keys_in(bundle.files))
    forged = tmp_path / "2.gkreceipt"
    write_receipt(sup, "500101", fresh_key(), forged)  # even from the office's own workspace
    refused(pinned, forged, OfficeKeyNotAccepted)
    assert last_receipt(pinned) is not None and last_receipt(pinned).sequence == 1


def test_the_office_changes_its_key_explicitly_and_the_old_one_stays_as_history(
        tmp_path: Path, pinned: Workspace, sup: Workspace) -> None:
    pinned.update_record("2.1.2", explanation="第二次", actor="张三")
    files = export(pinned, tmp_path / "2.gkbundle").files
    import_bundle(sup, files, accept_keys=keys_in(files))
    new_key = fresh_key(signer="新经办人")
    receipt = write_receipt(sup, "500101", new_key, tmp_path / "2.gkreceipt")
    assert receipt.sequence == 2
    got = import_receipt(pinned, tmp_path / "2.gkreceipt",
                         accept_key=group_fingerprint(new_key.fingerprint()))
    assert got.key_changed
    old, new = office_keys(pinned)
    assert (old.fingerprint, new.fingerprint) == (OFFICE_FP, new_key.fingerprint())
    assert old.retired_at is not None and new.retired_at is None
    assert new.source is OfficeKeySource.CHANGED and "起停用" in old.describe()
    # From now on the old key is the stranger.
    pinned.update_record("2.1.2", explanation="第三次", actor="张三")
    files = export(pinned, tmp_path / "3.gkbundle").files
    import_bundle(sup, files, accept_keys=keys_in(files))
    write_receipt(sup, "500101", OFFICE_KEY, tmp_path / "3.gkreceipt")
    refused(pinned, tmp_path / "3.gkreceipt", OfficeKeyNotAccepted, "不是用已确认的")


# ---- the receipt itself --------------------------------------------------------------------


@pytest.mark.parametrize("where", ["start", "body", "signature", "certificate", "end"])
def test_one_flipped_byte_is_refused(genuine: Path, pinned: Workspace, tmp_path: Path,
                                     where: str) -> None:
    data = bytearray(genuine.read_bytes())
    text = data.decode("utf-8")
    position = {
        "start": 0,
        "body": len(text[:text.index('"bundle_hash')].encode()) + 20,
        "signature": len(text[:text.index('"signature"')].encode()) + 40,
        "certificate": len(text[:text.index('"certificate"')].encode()) + 400,
        "end": len(data) - 1,
    }[where]
    data[position] ^= 0x01
    flipped = tmp_path / "flipped.gkreceipt"
    flipped.write_bytes(bytes(data))
    refused(pinned, flipped)


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_a_truncated_receipt_is_refused(genuine: Path, unit_a: Workspace, tmp_path: Path,
                                        keep: float) -> None:
    data = genuine.read_bytes()
    cut = tmp_path / "cut.gkreceipt"
    cut.write_bytes(data[:int(len(data) * keep)])
    refused(unit_a, cut, UnsafeInput, "回执文件无效", accept_key=OFFICE_FP)


def test_a_receipt_for_another_unit_is_refused_even_from_the_pinned_office(
        tmp_path: Path, pinned: Workspace, sup: Workspace) -> None:
    with make_unit(tmp_path / "涪陵区.gkws", UNIT_B) as fl:
        files = export(fl, tmp_path / "fl.gkbundle").files
        import_bundle(sup, files, accept_keys=keys_in(files))
    write_receipt(sup, "500102", OFFICE_KEY, tmp_path / "fl.gkreceipt")
    refused(pinned, tmp_path / "fl.gkreceipt", InvalidInput, "是给“涪陵区”的，不是本单位")
    # Relabelled for 万州区 by the office key itself, it still names a bundle we never sent.
    def for_wanzhou(body: dict[str, Any]) -> None:
        body["unit"] |= {"id": UNIT_A.id, "name": UNIT_A.name, "full_name": UNIT_A.full_name}

    relabelled = resign(tmp_path / "fl.gkreceipt", OFFICE_KEY, for_wanzhou,
                        tmp_path / "relabelled.gkreceipt")
    refused(pinned, relabelled, InvalidInput, "不是本工作区导出的")


def test_a_receipt_whose_sequence_does_not_match_the_export_is_refused(
        genuine: Path, pinned: Workspace, tmp_path: Path) -> None:
    wrong = resign(genuine, OFFICE_KEY, lambda b: b.update(sequence=7, issued_at=_later(b)),
                   tmp_path / "wrong.gkreceipt")
    refused(pinned, wrong, UnsafeInput, "序号或时间与本工作区的导出记录不符")


def test_an_expired_certificate_is_refused(genuine: Path, unit_a: Workspace,
                                           tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    expired = dated_key(now - dt.timedelta(days=800), now - dt.timedelta(days=1))
    forged = resign(genuine, expired, lambda b: None, tmp_path / "expired.gkreceipt")
    refused(unit_a, forged, SignatureError, "过期", accept_key=expired.fingerprint())
    # Dated back into the certificate's validity, it would predate the bundle it confirms.
    backdated = resign(genuine, expired, lambda b: b.update(
        issued_at=(now - dt.timedelta(days=400)).isoformat(timespec="seconds")),
        tmp_path / "backdated.gkreceipt")
    refused(unit_a, backdated, UnsafeInput, "时间与本工作区的导出记录不符",
            accept_key=expired.fingerprint())


def test_a_certificate_not_yet_valid_is_refused(genuine: Path, unit_a: Workspace,
                                                tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    early = dated_key(now + dt.timedelta(days=2), now + dt.timedelta(days=800))
    forged = resign(genuine, early, lambda b: None, tmp_path / "early.gkreceipt")
    refused(unit_a, forged, SignatureError, "才生效", accept_key=early.fingerprint())


# ---- replays ------------------------------------------------------------------------------


def _later(body: dict[str, Any], seconds: int = 3600) -> str:
    issued = dt.datetime.fromisoformat(body["issued_at"]) + dt.timedelta(seconds=seconds)
    return issued.isoformat(timespec="seconds")


def test_an_older_receipt_does_not_replace_a_newer_one(genuine: Path, pinned: Workspace,
                                                       tmp_path: Path) -> None:
    newer = resign(genuine, OFFICE_KEY, lambda b: b.update(issued_at=_later(b)),
                   tmp_path / "newer.gkreceipt")
    older = resign(genuine, OFFICE_KEY, lambda b: b.update(issued_at=_later(b, 60)),
                   tmp_path / "older.gkreceipt")
    latest = import_receipt(pinned, newer)
    assert latest.new
    before = dump(pinned)
    got = import_receipt(pinned, older)
    assert got.stale and not got.new and got.receipt_hash == latest.receipt_hash
    assert dump(pinned) == before
    assert export_history(pinned)[0].receipts[-1].receipt_hash == latest.receipt_hash


def test_a_later_receipt_for_the_same_bundle_comes_last(genuine: Path, pinned: Workspace,
                                                       tmp_path: Path) -> None:
    newer = resign(genuine, OFFICE_KEY, lambda b: b.update(issued_at=_later(b)),
                   tmp_path / "newer.gkreceipt")
    got = import_receipt(pinned, newer)
    assert got.new and not got.stale
    record = export_history(pinned)[0]
    assert len(record.receipts) == 2 and record.receipts[-1].receipt_hash == got.receipt_hash
    assert last_receipt(pinned) == record.receipts[-1]


def test_an_old_receipt_for_an_older_bundle_keeps_the_newest_shown(
        tmp_path: Path, genuine: Path, unit_a: Workspace, sup: Workspace) -> None:
    unit_a.update_record("2.1.2", explanation="第二次", actor="张三")
    files = export(unit_a, tmp_path / "2.gkbundle").files
    import_bundle(sup, files, accept_keys=keys_in(files))
    write_receipt(sup, "500101", OFFICE_KEY, tmp_path / "2.gkreceipt")
    import_receipt(unit_a, tmp_path / "2.gkreceipt", accept_key=OFFICE_FP)
    import_receipt(unit_a, genuine)  # the receipt for bundle 1 arrives late
    last = last_receipt(unit_a)
    assert last is not None and last.sequence == 2


def test_receipts_imported_before_pinning_existed_are_mentioned(
        genuine: Path, unit_a: Workspace) -> None:
    from gongkai_desktop.bundle.office_key import check_office_key
    from gongkai_desktop.bundle.receipt import read_receipt
    from gongkai_desktop.storage.wsconn import reading, writing

    receipt = read_receipt(genuine)
    with writing(unit_a) as conn:  # as an older version stored it, without any pin
        conn.execute("INSERT INTO bundle_receipts VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
                     ("0" * 64, receipt.bundle_hash, "cq-gov-office", "市政府办公厅", "王五",
                      OFFICE_FP, "2026-01-01T00:00:00+08:00", "2026-01-01T00:00:00+08:00",
                      "2026-01-01T00:00:00+08:00", "{}"))
    with reading(unit_a) as conn:
        check = check_office_key(conn, receipt.receiver, receipt.cert)
    assert check.state is OfficeKeyState.NEW and check.seen_before
    assert "与此前导入的回执所用证书相同" in check.message()
