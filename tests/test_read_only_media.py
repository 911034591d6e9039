"""A workspace on read-only media (a CD, a write-protected stick, a read-only share).

Every reading command works and leaves nothing beside the file (no -wal, -shm or
.lock); every writing command says 只读 in one line, exits non-zero and changes
nothing; once the medium is writable again, writing works (no stale read-only -shm).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gongkai_desktop.errors import ReadOnlyStorage
from gongkai_desktop.storage import Workspace, db
from tests.bundle_fixtures import PASSPHRASE
from tests.fault_fixtures import (
    holding_a_bundle,
    listing,
    one_chinese_line,
    read_only_media,
    run,
    snapshot,
    unit_workspace,
)


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def medium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A folder holding a workspace that has exported once, and that bundle; the workspace
    holds another unit's bundle (something to consolidate)."""
    folder = tmp_path / "光盘"
    folder.mkdir()
    ws = holding_a_bundle(unit_workspace(folder / "万州区.gkws"), tmp_path / "涪陵区")
    code, _, err = run(capsys, "bundle", "export", ws, "-o", folder / "万州区.gkbundle")
    assert code == 0, err
    return folder


READING = [
    ("summary", "{ws}", "--json"),
    ("report", "{ws}", "-o", "{out}/报告.pdf", "--no-sign"),
    ("report", "{ws}", "-o", "{out}/签名报告.pdf"),
    ("bundle", "consolidate", "{ws}", "-o", "{out}/汇总.xlsx"),
    ("bundle", "consolidate", "{ws}", "-o", "{out}/汇总.pdf"),
    ("xlsx", "export", "{ws}", "-o", "{out}/清单.xlsx"),
    ("xlsx", "import", "{ws}", "{out}/清单.xlsx"),  # without --yes: only reads
    ("verify", "{bundle}"),
    ("verify", "{out}/签名报告.pdf"),
    ("plan", "export", "--json"),
    ("backup", "{ws}", "-o", "{out}"),
    ("signing", "show", "{ws}"),
    ("signing", "export-cert", "{ws}", "-o", "{out}/单位.cer"),
    ("bundle", "history", "{ws}"),
]

WRITING = [
    ("set", "{ws}", "1.1.1", "--status", "已完成"),
    ("attach", "{ws}", "1.1.1", "{out}/报告.pdf"),
    ("attach", "{ws}", "1.1.1", "--link", "https://www.cq.gov.cn/"),
    ("bundle", "export", "{ws}", "-o", "{out}/新.gkbundle"),
    ("xlsx", "import", "{ws}", "{out}/清单.xlsx", "--yes"),
    ("signing", "init", "{ws}", "--signer", "李四", "--replace"),
    ("bundle", "trust", "{ws}", "{out}/单位.cer", "--unit", "涪陵区"),
]


def _args(template: tuple[str, ...], medium: Path, out: Path) -> list[str]:
    values = {"ws": medium / "万州区.gkws", "bundle": medium / "万州区.gkbundle", "out": out}
    return [part.format(**values) for part in template]


def test_reading_and_writing_commands_on_read_only_media(
        capsys: pytest.CaptureFixture[str], medium: Path, tmp_path: Path) -> None:
    out = tmp_path / "输出"
    out.mkdir()
    ws = medium / "万州区.gkws"
    before, files = snapshot(ws), listing(medium)
    with read_only_media(medium):
        for command in READING:
            code, _stdout, err = run(capsys, *_args(command, medium, out))
            assert code == 0, (command, err)
            assert listing(medium) == files, command  # no -wal, -shm, .lock beside it
        assert {"报告.pdf", "汇总.xlsx", "清单.xlsx", "单位.cer"} <= set(listing(out))
        for command in WRITING:
            code, _stdout, err = run(capsys, *_args(command, medium, out))
            assert code != 0, command
            one_chinese_line(err, "只读", "万州区.gkws")
            assert listing(medium) == files, command
        assert snapshot(ws) == before
    assert listing(medium) == files
    assert snapshot(ws) == before


def test_writable_again_after_read_only_viewing(capsys: pytest.CaptureFixture[str],
                                                medium: Path) -> None:
    ws = medium / "万州区.gkws"
    with read_only_media(medium) as make_writable:
        with Workspace.open(ws, readonly=True) as opened:
            assert opened.readonly and opened.record("1.1.2").explanation == "已开设专栏。"
            with pytest.raises(ReadOnlyStorage, match="只读"):
                opened.update_record("1.1.1", explanation="x")
        make_writable()
    assert not [p for p in db.sidecars(ws) if p.exists()]
    code, _, err = run(capsys, "set", ws, "1.1.1", "--status", "已完成", "--note", "已补充")
    assert code == 0, err
    with Workspace.open(ws) as opened:
        assert opened.record("1.1.1").explanation == "已补充"


def test_stale_read_only_sidecars_do_not_block_writing(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """An older version viewing a write-protected file left a -wal/-shm with the file's
    read-only mode; once the file is writable again, they must not stop a change."""
    ws = unit_workspace(tmp_path / "万州区.gkws")
    wal, shm = db.sidecars(ws)
    wal.write_bytes(b"")
    shm.write_bytes(b"\0" * 32768)
    for sidecar in (wal, shm):
        sidecar.chmod(0o444)
    code, _, err = run(capsys, "set", ws, "1.1.1", "--status", "已完成")
    assert code == 0, err
    with Workspace.open(ws, readonly=True) as opened:
        assert opened.record("1.1.1").status.label == "已完成"


def test_window_opens_read_only_media_read_only(medium: Path, qtbot: object,
                                                 ui_app: object, directory: object) -> None:
    from gongkai_desktop.ui.main_window import MainWindow
    from tests.ui_fixtures import open_and_wait

    files = listing(medium)
    with read_only_media(medium):
        window = MainWindow(None, directory=directory)  # type: ignore[arg-type]
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        assert open_and_wait(window, medium / "万州区.gkws", qtbot)  # type: ignore[arg-type]
        assert window.session is not None and window.session.ws.readonly
        assert "只读" in window.windowTitle()
        window.close()  # closes the session
        assert listing(medium) == files


def test_read_only_file_refused_for_writing_in_core(medium: Path) -> None:
    with read_only_media(medium), pytest.raises(ReadOnlyStorage, match="只读"):
        Workspace.open(medium / "万州区.gkws")
    assert os.access(medium / "万州区.gkws", os.W_OK)



