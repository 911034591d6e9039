"""Schema upgrades: backup first, all-or-nothing, data survives."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.errors import WorkspaceError
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace, migrations
from tests.plan_fixtures import make_workspace


def _user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _table_exists(path: Path, name: str) -> bool:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        return row is not None


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "万州区.gkws"
    with make_workspace(path) as ws:
        ws.update_record("1.1.1", status=Status.DONE, explanation="已完成专栏建设")
        ws.add_evidence_bytes("1.1.1", b"%PDF-1.4 proof", "证明.pdf")
    return path


def _add_reviews(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE reviews (measure_id TEXT PRIMARY KEY, verdict TEXT NOT NULL)")
    conn.execute("ALTER TABLE records ADD COLUMN checked INTEGER NOT NULL DEFAULT 0")


def _broken(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    conn.execute("UPDATE records SET explanation = 'overwritten'")
    raise RuntimeError("bug in migration 2")


def test_new_workspace_is_at_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "new.gkws"
    make_workspace(path).close()
    assert _user_version(path) == migrations.latest_version() == 5
    assert not list(tmp_path.glob("*.backup-*"))  # nothing to back up for a new file


def test_pending_migration_backs_up_then_upgrades(v1_file: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    current = migrations.latest_version()
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _add_reviews])
    with Workspace.open(v1_file) as ws:
        assert ws.record("1.1.1").explanation == "已完成专栏建设"
        assert len(ws.evidence("1.1.1")) == 1
        log = ws.audit_log()
        assert (log[-1].action, log[-1].old, log[-1].new) == (
            "migrate", str(current), str(current + 1))
    assert _user_version(v1_file) == current + 1 and _table_exists(v1_file, "reviews")
    backups = list(v1_file.parent.glob("*.backup-*"))
    assert len(backups) == 1
    assert re.fullmatch(rf"万州区\.backup-v{current}-\d{{14}}\.sqlite", backups[0].name)
    # The backup is the old file as it was: old version, same data, still openable by it.
    assert _user_version(backups[0]) == current and not _table_exists(backups[0], "reviews")
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:current])
    with Workspace.open(backups[0]) as old:
        assert old.record("1.1.1").explanation == "已完成专栏建设"


def test_failing_migration_changes_nothing(v1_file: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    current = migrations.latest_version()
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _broken])
    expected = rf"升级失败（版本 {current} → {current + 1}），文件保持原样"
    with pytest.raises(WorkspaceError, match=expected) as caught:
        Workspace.open(v1_file)
    assert f"backup-v{current}-" in str(caught.value)
    assert _user_version(v1_file) == current and not _table_exists(v1_file, "half_done")
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:current])
    with Workspace.open(v1_file) as ws:
        assert ws.record("1.1.1").explanation == "已完成专栏建设"
        assert [e.action for e in ws.audit_log()][-1] == "add_evidence"


def test_read_only_open_does_not_migrate(v1_file: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _add_reviews])
    with pytest.raises(WorkspaceError, match="需要升级"):
        Workspace.open(v1_file, readonly=True)
    assert _user_version(v1_file) == migrations.latest_version() - 1
    assert not list(v1_file.parent.glob("*.backup-*"))


def test_version_1_workspace_gains_the_bundle_tables(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "旧版.gkws"
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        with make_workspace(path) as ws:
            ws.update_record("1.1.1", status=Status.DONE, explanation="旧版本填写")
    assert _user_version(path) == 1 and not _table_exists(path, "sup_units")
    with Workspace.open(path) as ws:
        assert ws.record("1.1.1").explanation == "旧版本填写"
    assert _user_version(path) == migrations.latest_version()
    for table in ("bundle_exports", "bundle_receipts", "sup_units", "sup_records",
                  "sup_evidence", "sup_blobs", "sup_trusted_keys", "unit_office_keys"):
        assert _table_exists(path, table)
    assert len(list(tmp_path.glob("旧版.backup-v1-*.sqlite"))) == 1


def test_version_2_workspace_gains_the_office_key_table(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "版本2.gkws"
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])
        with make_workspace(path) as ws:
            ws.update_record("1.1.1", status=Status.DONE, explanation="版本 2 填写")
    assert _user_version(path) == 2 and not _table_exists(path, "unit_office_keys")
    with Workspace.open(path) as ws:
        assert ws.record("1.1.1").explanation == "版本 2 填写"
    assert _user_version(path) == migrations.latest_version()
    assert _table_exists(path, "unit_office_keys")
    backups = list(tmp_path.glob("版本2.backup-v2-*.sqlite"))
    assert len(backups) == 1 and not _table_exists(backups[0], "unit_office_keys")


def test_version_3_workspace_gains_the_review_tables(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "版本3.gkws"
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
        with make_workspace(path) as ws:
            ws.update_record("1.1.1", status=Status.DONE, explanation="版本 3 填写")
    assert _user_version(path) == 3 and not _table_exists(path, "sup_verdicts")
    with Workspace.open(path) as ws:
        assert ws.record("1.1.1").explanation == "版本 3 填写"
    assert _user_version(path) == migrations.latest_version()
    for table in ("sup_verdicts", "unit_reviews", "unit_verdicts", "rectifications"):
        assert _table_exists(path, table)
    assert len(list(tmp_path.glob("版本3.backup-v3-*.sqlite"))) == 1
