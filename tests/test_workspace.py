"""Workspace files: create, reopen, refuse bad files untouched, validate and audit changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.errors import InvalidInput, NotFound, WorkspaceError
from gongkai_desktop.model import MeasureRecord, Status, UnitType
from gongkai_desktop.storage import CLEAR, Workspace
from tests.plan_fixtures import TEST_PLAN, TEST_UNIT, make_workspace


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "万州区 工作区#1.gkws"


@pytest.fixture
def ws(ws_path: Path) -> Iterator[Workspace]:
    with make_workspace(ws_path) as workspace:
        yield workspace


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sidecars(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"))
            if p.exists()]


def test_create_then_reopen_shows_everything(ws_path: Path) -> None:
    with make_workspace(ws_path) as ws:
        ws.update_record("1.1.1", status=Status.DONE, completed_on=dt.date(2020, 9, 1),
                         explanation="已在门户网站开设惠企政策专栏", urls=["https://www.wz.gov.cn/hq"],
                         remarks="持续更新", actor="李四")
        ws.update_record("1.2.1", status="不适用", reason="本单位不涉及招聘信息发布")
        ws.update_profile(phone="023-58888888", actor="李四")
        item = ws.add_evidence_bytes("1.1.1", b"%PDF-1.4 test", "专栏截图.pdf")
        ws.add_evidence_link("1.1.1", "https://www.wz.gov.cn/hq", title="惠企政策专栏")
        ws.set_setting("draft.1.1.2", {"explanation": "草稿"})
    # A clean close leaves only the workspace file (no temp file, no -wal/-shm).
    assert [p.name for p in ws_path.parent.iterdir()] == [ws_path.name]

    with Workspace.open(ws_path) as again:
        assert again.plan == TEST_PLAN
        assert again.unit.name == "万州区" and again.unit.type is UnitType.DISTRICT
        assert (again.profile.officer, again.profile.contact, again.profile.phone) == (
            "张三", "李四", "023-58888888")
        record = again.record("1.1.1")
        assert record.status is Status.DONE
        assert record.completed_on == dt.date(2020, 9, 1)
        assert record.explanation == "已在门户网站开设惠企政策专栏"
        assert record.urls == ("https://www.wz.gov.cn/hq",)
        assert record.remarks == "持续更新"
        assert record.updated_at is not None and record.updated_at.tzinfo is not None
        assert again.record("1.2.1").reason == "本单位不涉及招聘信息发布"
        assert list(again.records()) == [m.id for m in TEST_PLAN.measures()]
        assert again.records()["2.1.2"] == MeasureRecord("2.1.2")
        kinds = [(e.kind, e.file_name or e.title) for e in again.evidence("1.1.1")]
        assert kinds == [("file", "专栏截图.pdf"), ("link", "惠企政策专栏")]
        assert b"".join(again.iter_blob(item.sha256 or "")) == b"%PDF-1.4 test"
        assert again.get_setting("draft.1.1.2", None) == {"explanation": "草稿"}
        assert again.get_setting("missing", 7) == 7


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "已有.gkws"
    target.write_bytes(b"do not touch")
    with pytest.raises(InvalidInput, match="已存在"):
        make_workspace(target)
    assert target.read_bytes() == b"do not touch"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["已有.gkws"]


def test_open_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="找不到工作区文件"):
        Workspace.open(tmp_path / "nope.gkws")


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(50_000))


def _truncated_workspace(path: Path) -> None:
    with make_workspace(path) as ws:
        ws.add_evidence_bytes("1.1.1", random.Random(2).randbytes(300_000), "a.bin")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_page(path: Path) -> None:
    with make_workspace(path) as ws:
        ws.add_evidence_bytes("1.1.1", random.Random(3).randbytes(300_000), "a.bin")
    data = bytearray(path.read_bytes())
    page = 16384
    data[page * 3: page * 3 + 200] = b"\xa5" * 200  # scribble over a b-tree page
    path.write_bytes(bytes(data))


def _foreign_sqlite(path: Path, journal: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA journal_mode = {journal}")
        conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('王五', '123')")
        conn.commit()


def _too_new(path: Path) -> None:
    make_workspace(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 99")


BAD_FILES = {
    "random bytes": (_random_bytes, "文件已损坏或不是本程序的工作区文件"),
    "empty file": (lambda p: p.write_bytes(b""), "文件已损坏或不是本程序的工作区文件"),
    "truncated workspace": (_truncated_workspace, "文件已损坏或不是本程序的工作区文件"),
    "damaged page": (_damaged_page, "文件已损坏或不是本程序的工作区文件"),
    "other app (rollback journal)": (lambda p: _foreign_sqlite(p, "DELETE"),
                                     "不是本程序的工作区文件"),
    "other app (WAL)": (lambda p: _foreign_sqlite(p, "WAL"), "不是本程序的工作区文件"),
    "newer version": (_too_new, "该工作区由更新版本的程序创建（版本 99），请升级程序后再打开"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
@pytest.mark.parametrize("readonly", [False, True])
def test_bad_file_is_refused_and_left_untouched(tmp_path: Path, case: str,
                                                readonly: bool) -> None:
    path = tmp_path / "坏文件.gkws"
    make, message = BAD_FILES[case]
    make(path)
    assert not _sidecars(path)
    before = _digest(path)
    with pytest.raises(WorkspaceError) as caught:
        Workspace.open(path, readonly=readonly)
    assert message in str(caught.value)
    assert _digest(path) == before
    assert not _sidecars(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["坏文件.gkws"]


def test_not_applicable_without_reason_changes_nothing(ws: Workspace) -> None:
    log_before = ws.audit_log()
    before = ws.record("1.1.2")
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput, match="标记为“不适用”必须填写理由"):
            ws.update_record("1.1.2", status=Status.NOT_APPLICABLE, reason=reason,
                             explanation="顺带修改的说明")
    assert ws.record("1.1.2") == before
    assert ws.audit_log() == log_before
    # Clearing the reason of a not-applicable record is refused the same way.
    ws.update_record("1.1.2", status=Status.NOT_APPLICABLE, reason="不涉及")
    with pytest.raises(InvalidInput, match="必须填写理由"):
        ws.update_record("1.1.2", reason="")
    assert ws.record("1.1.2").reason == "不涉及"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"urls": ["www.cq.gov.cn"]}, "http:// 或 https://"),
        ({"urls": ["javascript:alert(1)"]}, "http:// 或 https://"),
        ({"urls": ["ftp://x.cn/a"]}, "http:// 或 https://"),
        ({"urls": ["https://"]}, "http:// 或 https://"),
        ({"explanation": "字" * 20_001}, "最多 20000 字"),
        ({"remarks": "a\x00b"}, "控制字符"),
        ({"completed_on": dt.date(1999, 12, 31)}, "2000"),
        ({"status": "完成了"}, "不是可选的状态"),
    ],
)
def test_bad_values_are_refused_in_chinese(ws: Workspace, change: dict[str, object],
                                           message: str) -> None:
    before = ws.record("1.1.1")
    with pytest.raises(InvalidInput, match=message):
        ws.update_record("1.1.1", **change)  # type: ignore[arg-type]
    assert ws.record("1.1.1") == before
    assert [e for e in ws.audit_log() if e.action == "update_record"] == []


def test_unknown_measure_is_not_found(ws: Workspace) -> None:
    with pytest.raises(NotFound, match=r"9\.9\.9"):
        ws.update_record("9.9.9", explanation="x")
    with pytest.raises(NotFound):
        ws.record("9.9.9")


def test_audit_rows_record_old_and_new(ws: Workspace) -> None:
    ws.update_record("1.1.1", status=Status.IN_PROGRESS, explanation="开始梳理", actor="李四")
    ws.update_record("1.1.1", status=Status.DONE, explanation="开始梳理",
                     completed_on=dt.date(2020, 10, 1), urls=["https://a.cn/1", "https://a.cn/1"],
                     actor="张三")
    ws.update_record("1.1.1", completed_on=CLEAR, actor="张三")
    rows = [(e.actor, e.field, e.old, e.new) for e in ws.audit_log("1.1.1")]
    assert rows == [
        ("李四", "status", "not_started", "in_progress"),
        ("李四", "explanation", "", "开始梳理"),
        ("张三", "status", "in_progress", "done"),
        ("张三", "completed_on", None, "2020-10-01"),
        ("张三", "urls", "[]", '["https://a.cn/1"]'),
        ("张三", "completed_on", "2020-10-01", None),
    ]
    assert ws.record("1.1.1").completed_on is None
    assert all(e.at.tzinfo is not None for e in ws.audit_log())


def test_unchanged_update_is_a_no_op(ws: Workspace) -> None:
    first = ws.update_record("2.1.1", explanation="已编制目录")
    count = len(ws.audit_log())
    again = ws.update_record("2.1.1", explanation="已编制目录", urls=[], remarks="")
    assert again == first and again.updated_at == first.updated_at
    assert len(ws.audit_log()) == count


def test_profile_changes_are_audited(ws: Workspace) -> None:
    profile = ws.update_profile(officer="赵六", contact="李四", actor="赵六")
    assert profile.officer == "赵六" and ws.profile.officer == "赵六"
    rows = [(e.action, e.field, e.old, e.new) for e in ws.audit_log() if e.action != "create"]
    assert rows == [("update_profile", "officer", "张三", "赵六")]
    with pytest.raises(InvalidInput, match="联系电话"):
        ws.update_profile(phone="1\n2")


def test_audit_table_refuses_update_and_delete(ws: Workspace, ws_path: Path) -> None:
    ws.update_record("1.1.1", explanation="说明")
    with closing(sqlite3.connect(ws_path)) as conn:
        for sql in ("UPDATE audit SET new = 'forged'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
        conn.rollback()
    assert [e.new for e in ws.audit_log("1.1.1")] == ["说明"]


def test_transaction_keeps_all_or_nothing(ws: Workspace) -> None:
    with pytest.raises(RuntimeError), ws.transaction():
        ws.update_record("1.1.1", explanation="第一条")
        ws.update_record("1.1.2", explanation="第二条")
        raise RuntimeError("import failed half way")
    assert ws.record("1.1.1").explanation == "" and ws.record("1.1.2").explanation == ""
    with ws.transaction():
        ws.update_record("1.1.1", explanation="第一条")
        with pytest.raises(InvalidInput):  # a refused change inside keeps the others
            ws.update_record("1.1.2", status=Status.NOT_APPLICABLE)
        ws.update_record("1.1.2", explanation="第二条")
    assert ws.record("1.1.1").explanation == "第一条"
    assert ws.record("1.1.2").explanation == "第二条"


def test_read_only_workspace_refuses_changes(ws_path: Path) -> None:
    make_workspace(ws_path).close()
    before = _digest(ws_path)
    with Workspace.open(ws_path, readonly=True) as ws:
        assert ws.readonly and ws.record("1.1.1").status is Status.NOT_STARTED
        for change in (
            lambda: ws.update_record("1.1.1", explanation="x"),
            lambda: ws.add_evidence_link("1.1.1", "https://a.cn"),
            lambda: ws.set_setting("k", 1),
            lambda: ws.update_profile(officer="x"),
        ):
            with pytest.raises(WorkspaceError, match="只读"):
                change()
    assert _digest(ws_path) == before
    assert not _sidecars(ws_path)


def test_closed_workspace_says_so(ws: Workspace) -> None:
    ws.close()
    with pytest.raises(WorkspaceError, match="已关闭"):
        ws.records()


def test_worker_thread_can_use_the_workspace(ws: Workspace) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(20):
                ws.update_record("2.1.2", remarks=f"后台第{i}次")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    for _ in range(20):
        ws.records()
    thread.join()
    assert errors == []
    assert ws.record("2.1.2").remarks == "后台第19次"


def test_second_connection_sees_committed_changes(ws: Workspace, ws_path: Path) -> None:
    with Workspace.open(ws_path) as other:
        other.update_record("1.1.1", explanation="另一个窗口写的")
    assert ws.record("1.1.1").explanation == "另一个窗口写的"


def test_read_only_file_cannot_be_opened_for_writing(ws_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    make_workspace(ws_path).close()
    ws_path.chmod(0o444)
    if os.access(ws_path, os.W_OK):  # root ignores permissions: pretend
        monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(WorkspaceError, match="只读"):
        Workspace.open(ws_path)
    with Workspace.open(ws_path, readonly=True) as ws:
        assert ws.unit == TEST_UNIT
