"""Hostile and broken bundles: each refused with a clear Chinese message, nothing changed.

Every case imports the bad file into a supervisor workspace that already holds a
unit's data and compares the workspace's whole content (schema and rows) before
and after. Cases that need a *validly signed* bad bundle (a rogue unit) are made
with ``resign``; the others are changed without the key, as an attacker would.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from pathlib import Path

import pytest

from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.bundle.importer import Outcome, import_bundle, preview_import
from gongkai_desktop.bundle.open_untrusted import Limits, open_bundle
from gongkai_desktop.bundle.verify import verify_bundle
from gongkai_desktop.errors import GongkaiError
from gongkai_desktop.model import Plan
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import (
    SUPERVISOR,
    UNIT_A,
    copy,
    dump,
    export,
    fill_a,
    identity,
    key_of,
    keys_in,
    make_unit,
    resign,
    tamper,
)
from tests.plan_fixtures import TEST_PLAN


def refused(sup: Workspace, bad: Path, expected: str) -> str:
    """Import ``bad``: refused with ``expected`` in the message, the workspace unchanged."""
    before = dump(sup)
    rows = import_bundles(sup, [bad])
    assert rows[0].outcome is Outcome.REFUSED, rows[0]
    assert expected in rows[0].message, rows[0].message
    with pytest.raises(GongkaiError) as raised:
        preview_import(sup, [bad])
    assert expected in str(raised.value)
    assert dump(sup) == before
    # Opened immutable: no journal, -wal or -shm was left beside the bundle.
    assert not [p for p in bad.parent.iterdir() if p.name.startswith(bad.name + "-")]
    return rows[0].message



def test_the_genuine_bundle_imports(sup_with_b: Workspace, bad: Path) -> None:
    rows = import_bundles(sup_with_b, [bad], accept_keys=keys_in([bad]))
    assert rows[0].outcome is Outcome.IMPORTED


def test_a_changed_row(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE records SET explanation = '已全部完成' WHERE measure_id = '1.1.2'")
    refused(sup_with_b, bad, "“举措记录”部分的校验值不一致")


def test_a_changed_copy_beside_the_genuine_file_gets_its_own_verdict(
        sup_with_b: Workspace, genuine: Path, bad: Path) -> None:
    tamper(bad, "UPDATE records SET explanation = '已全部完成' WHERE measure_id = '1.1.2'")
    first, second = import_bundles(sup_with_b, [genuine, bad], accept_keys=keys_in([genuine, bad]))
    assert first.outcome is Outcome.IMPORTED
    assert second.outcome is Outcome.REFUSED and "校验值不一致" in second.message
    assert second.path == bad


def test_a_changed_blob(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE blob_chunks SET data = randomblob(length(data)) WHERE blob_no = 1")
    refused(sup_with_b, bad, "校验值不")


def test_a_changed_manifest(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE manifest SET body = replace(body, '\"sequence\":1', '\"sequence\":9')")
    refused(sup_with_b, bad, "签名无效")


def test_a_removed_signature(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE manifest SET signature = X''")
    refused(sup_with_b, bad, "没有签名")


def test_a_deleted_manifest(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "DELETE FROM manifest")
    refused(sup_with_b, bad, "缺少清单和签名")


def test_a_wrong_signature(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE manifest SET signature = ?", params=(os.urandom(256),))
    refused(sup_with_b, bad, "签名无效")


def test_a_swapped_certificate(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE manifest SET certificate = ?",
           params=(identity("重庆市万州区人民政府", "冒名者").certificate_der(),))
    refused(sup_with_b, bad, "证书被替换")


def test_a_truncated_file(sup_with_b: Workspace, bad: Path) -> None:
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    refused(sup_with_b, bad, "不完整")
    bad.write_bytes(data[: len(data) // 2 + 1000])
    refused(sup_with_b, bad, "不完整")
    bad.write_bytes(data[:60])
    refused(sup_with_b, bad, "不完整")


def test_a_file_that_is_not_sqlite(sup_with_b: Workspace, bad: Path) -> None:
    bad.write_bytes(b"%PDF-1.7\n" + os.urandom(5000))
    refused(sup_with_b, bad, "不是本程序导出的数据包")
    bad.write_bytes(b"")
    refused(sup_with_b, bad, "不是本程序导出的数据包")


def test_a_sqlite_file_of_another_program(sup_with_b: Workspace, tmp_path: Path) -> None:
    other = tmp_path / "其他.gkbundle"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    refused(sup_with_b, other, "不是本程序导出的数据包")


@pytest.mark.parametrize("sql", [
    "CREATE TRIGGER evil AFTER INSERT ON records BEGIN DELETE FROM records; END",
    "CREATE VIEW evidence_view AS SELECT * FROM evidence",
    "ANALYZE",  # sqlite_stat1 steers the query planner
    "CREATE TABLE extra (x)",
    "CREATE INDEX records_by_status ON records (status)",
])
def test_schema_tricks(sup_with_b: Workspace, bad: Path, sql: str) -> None:
    tamper(bad, sql)
    message = refused(sup_with_b, bad, "结构与规定不符")
    if "TRIGGER" in sql or "VIEW" in sql:
        assert "触发器或视图" in message


def test_a_changed_column_declaration(sup_with_b: Workspace, bad: Path) -> None:
    # Same table names, different column declaration (writable_schema trickery).
    with sqlite3.connect(bad) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'status TEXT NOT NULL',"
                     " 'status TEXT NOT NULL DEFAULT (load_extension(''x''))')"
                     " WHERE name = 'records'")
    conn.close()
    refused(sup_with_b, bad, "结构与规定不符")


def test_a_wal_mode_bundle(sup_with_b: Workspace, bad: Path) -> None:
    with sqlite3.connect(bad) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    refused(sup_with_b, bad, "已损坏或被改动")


@pytest.mark.parametrize("name", ["../../evil.txt", "/etc/passwd", "C:\\Windows\\win.ini",
                                  "..\\..\\startup.bat", "con.txt"])
def test_an_evidence_name_with_a_path(sup_with_b: Workspace, bad: Path, name: str) -> None:
    resign(bad, key_of(UNIT_A), lambda conn: conn.execute(
        "UPDATE evidence SET file_name = ? WHERE kind = 'file' AND id = "
        "(SELECT min(id) FROM evidence WHERE kind = 'file')", (name,)))
    refused(sup_with_b, bad, "不安全")


def test_a_blob_whose_hash_does_not_match(sup_with_b: Workspace, bad: Path) -> None:
    # Correctly signed and listed, but the content is not what its SHA-256 says.
    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE blob_chunks SET data = randomblob(length(data)) WHERE blob_no = 1")
    resign(bad, key_of(UNIT_A), change)
    refused(sup_with_b, bad, "内容与其校验值不符")


def test_a_missing_blob(sup_with_b: Workspace, bad: Path) -> None:
    def change(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM blob_chunks WHERE blob_no = 1")
        conn.execute("DELETE FROM blobs WHERE no = 1")
    resign(bad, key_of(UNIT_A), change)
    refused(sup_with_b, bad, "缺少 1 个佐证文件的内容")


def test_a_value_of_the_wrong_type(sup_with_b: Workspace, bad: Path) -> None:
    resign(bad, key_of(UNIT_A), lambda conn: conn.execute(
        "UPDATE records SET explanation = X'00ff' WHERE measure_id = '1.1.2'"))
    refused(sup_with_b, bad, "数据类型不对")


def test_an_invalid_status_and_url(sup_with_b: Workspace, bad: Path, tmp_path: Path,
                                   genuine: Path) -> None:
    resign(bad, key_of(UNIT_A), lambda conn: conn.execute(
        "UPDATE records SET status = '完成了' WHERE measure_id = '1.1.2'"))
    refused(sup_with_b, bad, "举措记录第")
    other = copy(genuine, tmp_path / "网址.gkbundle")
    resign(other, key_of(UNIT_A), lambda conn: conn.execute(
        "UPDATE records SET urls = '[\"javascript:alert(1)\"]' WHERE measure_id = '1.1.2'"))
    refused(sup_with_b, other, "网址")


def test_a_measure_the_plan_does_not_have(sup_with_b: Workspace, bad: Path) -> None:
    resign(bad, key_of(UNIT_A), lambda conn: conn.execute(
        "INSERT INTO records VALUES ('9.9.9', 'done', '', NULL, '', '[]', '', NULL)"))
    refused(sup_with_b, bad, "不在本工作区的任务分工中")


def test_an_enormous_row_count(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 20100)"
           " INSERT INTO records SELECT i || '.1.1', 'done', '', NULL, '', '[]', '', NULL FROM n")
    refused(sup_with_b, bad, "超过上限 20000 行")


def test_lowered_limits_bound_every_table(bad: Path) -> None:
    for limits, label in ((Limits(audit=3), "修改记录"), (Limits(file_bytes=10_000), "过大"),
                          (Limits(blobs=1), "佐证文件目录")):
        with pytest.raises(GongkaiError, match=label):
            open_bundle(bad, limits).close()


def test_a_garbled_manifest(sup_with_b: Workspace, bad: Path) -> None:
    def garble(data: dict[str, object]) -> None:
        data["sequence"] = "第一次"
    resign(bad, key_of(UNIT_A), lambda conn: None, garble)
    refused(sup_with_b, bad, "清单无效")


def test_a_manifest_from_a_newer_version(sup_with_b: Workspace, bad: Path) -> None:
    def newer(data: dict[str, object]) -> None:
        data["format_version"] = 7
    resign(bad, key_of(UNIT_A), lambda conn: None, newer)
    refused(sup_with_b, bad, "更新版本的程序导出")


def test_a_replayed_older_bundle(tmp_path: Path, sup_with_b: Workspace) -> None:
    with make_unit(tmp_path / "a.gkws", UNIT_A) as ws:
        fill_a(ws)
        old = export(ws, tmp_path / "old.gkbundle").files[0]
        ws.update_record("2.1.2", explanation="新的说明", actor="张三")
        new = export(ws, tmp_path / "new.gkbundle").files[0]
    assert import_bundle(sup_with_b, [new], accept_new_key=True).outcome is Outcome.IMPORTED
    message = refused(sup_with_b, old, "较旧")
    assert "序号 2" in message and "序号 1" in message


def test_two_bundles_with_one_sequence_number(sup_with_b: Workspace, bad: Path, tmp_path: Path,
                                              genuine: Path) -> None:
    assert import_bundle(sup_with_b, [copy(genuine, tmp_path / "g.gkbundle")],
                         accept_new_key=True).outcome \
        is Outcome.IMPORTED
    resign(bad, key_of(UNIT_A), lambda conn: conn.execute(
        "UPDATE records SET explanation = '另一个版本' WHERE measure_id = '1.1.2'"))
    refused(sup_with_b, bad, "同一序号出现了两个数据包")


def test_a_bundle_for_another_plan_version(tmp_path: Path, genuine: Path) -> None:
    plan_v2 = Plan(dataclasses.replace(TEST_PLAN.info, version=2), TEST_PLAN.areas)
    with Workspace.create(tmp_path / "sup.gkws", plan_v2, SUPERVISOR) as sup:
        message = refused(sup, copy(genuine, tmp_path / "x.gkbundle"), "不能导入")
    assert "第 1 版" in message and "第 2 版" in message


def test_verify_reports_the_same_refusals(bad: Path) -> None:
    tamper(bad, "UPDATE audit SET actor = '别人' WHERE id = 1")
    with pytest.raises(GongkaiError, match="“修改记录”部分的校验值不一致"):
        verify_bundle([bad])


def test_a_bundle_changed_between_preview_and_apply(sup_with_b: Workspace, bad: Path) -> None:
    from gongkai_desktop.bundle.importer import apply_import

    preview = preview_import(sup_with_b, [bad])
    before = dump(sup_with_b)
    tamper(bad, "UPDATE records SET remarks = '预览后改的' WHERE measure_id = '1.1.2'")
    with pytest.raises(GongkaiError, match="校验值不一致"):
        apply_import(sup_with_b, preview, accept_new_key=True)
    assert dump(sup_with_b) == before



def test_the_bundle_file_itself_is_never_written(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "CREATE TRIGGER t AFTER UPDATE ON records BEGIN SELECT 1; END")
    stat = bad.stat()
    mtime, data = stat.st_mtime_ns, bad.read_bytes()
    refused(sup_with_b, bad, "结构与规定不符")
    assert bad.read_bytes() == data and bad.stat().st_mtime_ns == mtime
