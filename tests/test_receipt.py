"""Receipts: the office signs what it received; the unit's window shows by whom and when."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from gongkai_desktop.bundle.importer import import_bundle
from gongkai_desktop.bundle.office_key import OfficeKeyNotAccepted, office_key, office_keys
from gongkai_desktop.bundle.receipt import (
    default_receipt_name,
    export_history,
    import_receipt,
    last_receipt,
    read_receipt,
    receipts,
    write_receipt,
)
from gongkai_desktop.errors import InvalidInput, NotFound, SignatureError, UnsafeInput
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import (
    SUPERVISOR,
    UNIT_A,
    UNIT_B,
    dump,
    export,
    identity,
    key_of,
    make_unit,
)

OFFICE_KEY = identity(SUPERVISOR.full_name, "王五")
OFFICE_FP = OFFICE_KEY.fingerprint()  # compared with the office by phone, then accepted


@pytest.fixture
def receipt_file(tmp_path: Path, unit_a: Workspace, sup: Workspace) -> Path:
    export(unit_a, tmp_path / "1.gkbundle")
    bundle = export(unit_a, tmp_path / "2.gkbundle")
    import_bundle(sup, bundle.files, accept_new_key=True)
    out = tmp_path / default_receipt_name("万州区", bundle.sequence)
    receipt = write_receipt(sup, "500101", OFFICE_KEY, out)
    assert out.name == "万州区-回执-序号2.gkreceipt"
    assert (receipt.sequence, receipt.receiver.name, receipt.signer) == (2, "市政府办公厅", "王五")
    return out


def test_the_unit_sees_which_bundle_was_received_by_whom_and_when(
        receipt_file: Path, unit_a: Workspace, sup: Workspace) -> None:
    got = import_receipt(unit_a, receipt_file, accept_key=OFFICE_FP, actor="张三")
    assert got.new and not got.key_changed
    assert (got.sequence, got.receiver_name, got.signer) == (2, "市政府办公厅", "王五")
    assert got.cert_fingerprint == OFFICE_KEY.fingerprint()
    imported_at = sup.audit_log()[-1].at
    assert got.received_at == imported_at
    history = export_history(unit_a)
    assert [(h.sequence, h.received) for h in history] == [(2, True), (1, False)]
    assert history[0].receipts[0].receipt_hash == got.receipt_hash
    assert last_receipt(unit_a) == history[0].receipts[0]
    assert unit_a.audit_log()[-1].action == "import_receipt"


def test_importing_a_receipt_twice_changes_nothing(receipt_file: Path,
                                                   unit_a: Workspace) -> None:
    import_receipt(unit_a, receipt_file, accept_key=OFFICE_FP)
    before = dump(unit_a)
    again = import_receipt(unit_a, receipt_file)
    assert not again.new
    assert dump(unit_a) == before and len(receipts(unit_a)) == 1


def test_a_receipt_for_another_unit_is_refused(receipt_file: Path, tmp_path: Path) -> None:
    with make_unit(tmp_path / "涪陵区.gkws", UNIT_B) as other:
        before = dump(other)
        with pytest.raises(InvalidInput, match="是给“万州区”的，不是本单位"):
            import_receipt(other, receipt_file)
        assert dump(other) == before


def test_a_receipt_for_a_bundle_this_workspace_did_not_export(receipt_file: Path,
                                                              tmp_path: Path) -> None:
    with (make_unit(tmp_path / "重建的万州区.gkws", UNIT_A) as rebuilt,
          pytest.raises(InvalidInput, match="不是本工作区导出的")):
        import_receipt(rebuilt, receipt_file)


def _rewrite(path: Path, change: str) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if change == "body":
        data["body"] = data["body"].replace('"sequence":2', '"sequence":1')
    elif change == "signature":
        data["signature"] = base64.b64encode(b"\x00" * 256).decode()
    elif change == "certificate":
        data["certificate"] = base64.b64encode(key_of(UNIT_A).certificate_der()).decode()
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(("change", "error", "message"), [
    ("body", SignatureError, "签名无效"),
    ("signature", SignatureError, "签名无效"),
    ("certificate", SignatureError, "签名无效"),
])
def test_a_tampered_receipt_is_refused(receipt_file: Path, unit_a: Workspace, change: str,
                                       error: type[Exception], message: str) -> None:
    _rewrite(receipt_file, change)
    before = dump(unit_a)
    with pytest.raises(error, match=message):
        import_receipt(unit_a, receipt_file)
    assert dump(unit_a) == before


def test_garbage_is_not_a_receipt(tmp_path: Path, unit_a: Workspace) -> None:
    junk = tmp_path / "x.gkreceipt"
    for data in (b"\xff\xfe not json", b"{}", b"[]", b'{"format": 1}'):
        junk.write_bytes(data)
        with pytest.raises(UnsafeInput, match="回执文件无效"):
            read_receipt(junk)
    with pytest.raises(NotFound):
        read_receipt(tmp_path / "none.gkreceipt")


def test_no_receipt_without_an_imported_bundle(tmp_path: Path, sup: Workspace) -> None:
    with pytest.raises(NotFound, match="无法生成回执"):
        write_receipt(sup, "500101", OFFICE_KEY, tmp_path / "r.gkreceipt")


def test_a_changed_office_key_is_refused_until_accepted(
        receipt_file: Path, tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    # (This used to import with a mere warning; now the changed key must be accepted.)
    import_receipt(unit_a, receipt_file, accept_key=OFFICE_FP)
    unit_a.update_record("2.1.2", explanation="第三次", actor="张三")
    import_bundle(sup, export(unit_a, tmp_path / "3.gkbundle").files, accept_new_key=True)
    other = tmp_path / "3.gkreceipt"
    new_key = identity(SUPERVISOR.full_name, "新经办人")
    write_receipt(sup, "500101", new_key, other)
    before = dump(unit_a)
    with pytest.raises(OfficeKeyNotAccepted, match="不是用已确认的上级单位证书签名的") as err:
        import_receipt(unit_a, other)
    assert group_fingerprint(OFFICE_FP) in str(err.value)
    assert group_fingerprint(new_key.fingerprint()) in str(err.value)
    assert dump(unit_a) == before
    got = import_receipt(unit_a, other, accept_key=group_fingerprint(new_key.fingerprint()))
    assert got.key_changed and got.sequence == 3
    assert last_receipt(unit_a) == export_history(unit_a)[0].receipts[0]
    keys = office_keys(unit_a)
    assert [(k.fingerprint, k.retired_at is None) for k in keys] == [
        (OFFICE_FP, False), (new_key.fingerprint(), True)]
    assert office_key(unit_a) == keys[-1]
