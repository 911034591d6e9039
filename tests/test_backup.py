"""Backing up a workspace: a complete, openable copy, also while it is open for writing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.errors import Cancelled, InvalidInput, WorkspaceError
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.backup import backup_workspace, default_backup_name
from tests.plan_fixtures import make_workspace


def _filled(path: Path) -> Workspace:
    ws = make_workspace(path)
    ws.update_record("1.1.1", status=Status.DONE, completed_on=dt.date(2020, 9, 1),
                     explanation="已在门户网站公开", actor="张三")
    ws.add_evidence_bytes("1.1.1", b"\x89PNG-not-really" * 1000, "截图.png", actor="张三")
    return ws


def test_backup_of_an_open_workspace_holds_everything(tmp_path: Path) -> None:
    source = tmp_path / "万州区.gkws"
    with _filled(source) as ws:
        # Written while the window (this connection) still holds the file open, WAL unmerged.
        copy = backup_workspace(source, tmp_path / "备份.gkws")
        original_records = ws.records()
    assert not Path(f"{copy}-wal").exists()
    with Workspace.open(copy, readonly=True) as restored:
        assert restored.records() == original_records
        assert restored.record("1.1.1").explanation == "已在门户网站公开"
        [item] = restored.evidence("1.1.1")
        assert restored.read_blob(item.sha256 or "", 10**6) == b"\x89PNG-not-really" * 1000


def test_backup_never_overwrites_and_never_targets_the_workspace(tmp_path: Path) -> None:
    source = tmp_path / "万州区.gkws"
    _filled(source).close()
    existing = tmp_path / "旧备份.gkws"
    existing.write_bytes(b"keep me")
    with pytest.raises(InvalidInput, match="已存在"):
        backup_workspace(source, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(InvalidInput, match="工作区文件本身"):
        backup_workspace(source, source)


def test_a_cancelled_backup_leaves_no_file(tmp_path: Path) -> None:
    source = tmp_path / "万州区.gkws"
    _filled(source).close()
    target = tmp_path / "备份.gkws"
    with pytest.raises(Cancelled):
        backup_workspace(source, target, progress=lambda done, total: False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["万州区.gkws"]


def test_a_damaged_workspace_is_not_backed_up(tmp_path: Path) -> None:
    broken = tmp_path / "坏的.gkws"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(WorkspaceError):
        backup_workspace(broken, tmp_path / "备份.gkws")
    assert not (tmp_path / "备份.gkws").exists()


def test_backup_command_names_the_copy_with_the_time(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "万州区.gkws"
    _filled(source).close()
    folder = tmp_path / "备份"
    folder.mkdir()
    assert main(["backup", str(source), "-o", str(folder)]) == 0
    [copy] = list(folder.iterdir())
    assert copy.name.startswith("万州区-备份-") and copy.suffix == ".gkws"
    assert "已备份到" in capsys.readouterr().out
    assert main(["backup", str(tmp_path / "没有.gkws")]) == 1
    assert "找不到工作区文件" in capsys.readouterr().err


def test_default_name_has_date_and_minute() -> None:
    name = default_backup_name(Path("/x/万州区.gkws"), dt.datetime(2026, 11, 28, 15, 30))
    assert name == "万州区-备份-20261128-1530.gkws"
