"""A full disk, wherever it strikes: one Chinese line “磁盘空间不足…” naming the file, a
non-zero exit, no partial file left, and the workspace exactly as it was."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from gongkai_desktop.bundle import writer as bundle_writer
from gongkai_desktop.errors import DiskFull
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import PASSPHRASE
from tests.fault_fixtures import (
    fill_disk,
    holding_a_bundle,
    limit_workspace_pages,
    listing,
    one_chinese_line,
    run,
    snapshot,
    tiny_disk,
    unit_workspace,
)


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    folder = tmp_path / "单位"
    folder.mkdir()
    return unit_workspace(folder / "万州区.gkws")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "输出"
    folder.mkdir()
    return folder


def _refused(capsys: pytest.CaptureFixture[str], ws: Path, out: Path, *args: object,
             name: str) -> None:
    """Runs the command and checks everything a user would notice."""
    before, files_before = snapshot(ws), listing(ws.parent)
    code, stdout, err = run(capsys, *args)
    assert code != 0, stdout
    one_chinese_line(err, "磁盘空间不足", name)
    assert listing(out) == [], "a partial or temporary file was left behind"
    assert listing(ws.parent) == files_before
    assert snapshot(ws) == before


def test_bundle_export_sqlite_full(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real_start = bundle_writer.PartWriter._start

    def small_disk(conn: sqlite3.Connection) -> None:
        real_start(conn)
        conn.execute("PRAGMA max_page_count = 12")  # the schema fits, the evidence does not

    monkeypatch.setattr(bundle_writer.PartWriter, "_start", staticmethod(small_disk))
    _refused(capsys, ws, out, "bundle", "export", ws, "-o", out / "万州区.gkbundle",
             name="万州区.gkbundle")
    # Room again: the export works and carries sequence 1 (the failure used no number).
    monkeypatch.setattr(bundle_writer.PartWriter, "_start", staticmethod(real_start))
    code, stdout, _ = run(capsys, "bundle", "export", ws, "-o", out / "万州区.gkbundle")
    assert code == 0 and "序号 1" in stdout


def test_bundle_export_os_full(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(path: Path) -> None:  # a network share reports a full disk at the flush
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(bundle_writer, "_fsync", no_space)
    _refused(capsys, ws, out, "bundle", "export", ws, "-o", out / "万州区.gkbundle",
             name="万州区.gkbundle")


def test_bundle_export_split_into_parts_full(capsys: pytest.CaptureFixture[str], ws: Path,
                                             out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_fsync = bundle_writer._fsync

    def second_part_fails(path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_fsync(path)

    monkeypatch.setattr(bundle_writer, "_fsync", second_part_fails)
    with Workspace.open(ws) as w:
        w.add_evidence_bytes("1.1.1", os.urandom(5 * 1024 * 1024), "大文件.bin")
    _refused(capsys, ws, out, "bundle", "export", ws, "-o", out / "万州区.gkbundle",
             "--max-size", "2", name="万州区.gkbundle")
    assert len(calls) == 2


def test_attach_workspace_disk_full(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Was “no such savepoint”: the failed insert had rolled the transaction back."""
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(os.urandom(600_000))
    limit_workspace_pages(monkeypatch)
    _refused(capsys, ws, out, "attach", ws, "1.1.1", photo, name="万州区.gkws")
    # The workspace still works for a change that fits.
    code, _, err = run(capsys, "set", ws, "1.1.1", "--status", "推进中")
    assert code == 0, err


def test_attach_disk_full_in_core_keeps_workspace_usable(ws: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    limit_workspace_pages(monkeypatch)
    with Workspace.open(ws) as w:
        before = w.evidence()
        with pytest.raises(DiskFull, match="磁盘空间不足"):
            w.add_evidence_bytes("1.1.1", os.urandom(400_000), "大.bin")
        with pytest.raises(DiskFull), w.transaction():  # nested: a savepoint inside
            w.update_record("1.1.1", explanation="先写一句")
            w.add_evidence_bytes("1.1.1", os.urandom(400_000), "大.bin")
        assert w.evidence() == before and w.record("1.1.1").explanation == ""
        w.update_record("1.1.1", explanation="之后仍可修改")
        assert w.record("1.1.1").explanation == "之后仍可修改"


def test_report_disk_full(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    fill_disk(monkeypatch, out)
    _refused(capsys, ws, out, "report", ws, "-o", out / "自查报告.pdf", "--no-sign",
             name="自查报告.pdf")


def test_signed_report_disk_full(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # The unsigned file fits, the signed copy does not.
    fill_disk(monkeypatch, out, only=lambda name: not name.endswith(".unsigned")
              and ".unsigned." not in name)
    _refused(capsys, ws, out, "report", ws, "-o", out / "自查报告.pdf", name="自查报告.pdf")


def test_xlsx_export_disk_full(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    fill_disk(monkeypatch, out)
    _refused(capsys, ws, out, "xlsx", "export", ws, "-o", out / "清单.xlsx", name="清单.xlsx")


def test_consolidation_workbook_disk_full(capsys: pytest.CaptureFixture[str], ws: Path,
                                          out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    holding_a_bundle(ws, ws.parent.parent / "涪陵区")
    fill_disk(monkeypatch, out)
    _refused(capsys, ws, out, "bundle", "consolidate", ws, "-o", out / "汇总.xlsx",
             name="汇总.xlsx")


def test_backup_disk_full_sqlite(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.storage import backup

    real_connect = sqlite3.connect

    def small_disk(target: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        conn = real_connect(target, *args, **kwargs)  # type: ignore[arg-type]
        if str(target).endswith(".partial"):
            conn.execute("PRAGMA max_page_count = 3")
        return conn

    monkeypatch.setattr(backup.sqlite3, "connect", small_disk)
    _refused(capsys, ws, out, "backup", ws, "-o", out / "备份.gkws", name="备份.gkws")


def test_backup_disk_full_os(capsys: pytest.CaptureFixture[str], ws: Path, out: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.storage import backup

    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(backup.os, "fsync", no_space)
    _refused(capsys, ws, out, "backup", ws, "-o", out / "备份.gkws", name="备份.gkws")


def test_backup_io_error_is_said_in_chinese(capsys: pytest.CaptureFixture[str], ws: Path,
                                            out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing disk mid-copy: the faults line naming the backup, not SQLite's English."""
    from gongkai_desktop.storage import backup

    real_connect = sqlite3.connect

    class FailingSource:  # the workspace read for the copy, its backup call failing
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def backup(self, *args: object, **kwargs: object) -> None:
            error = sqlite3.OperationalError("disk I/O error")
            error.sqlite_errorcode, error.sqlite_errorname = 10, "SQLITE_IOERR"
            raise error

        def __getattr__(self, name: str) -> object:
            return getattr(self.conn, name)

    def connect(target: object, *args: object, **kwargs: object) -> object:
        conn = real_connect(target, *args, **kwargs)  # type: ignore[arg-type]
        return FailingSource(conn) if kwargs.get("uri") else conn

    monkeypatch.setattr(backup.sqlite3, "connect", connect)
    before, files_before = snapshot(ws), listing(ws.parent)
    code, _, err = run(capsys, "backup", ws, "-o", out / "备份.gkws")
    assert code == 1
    line = one_chinese_line(err, "无法写入备份文件", "备份.gkws", "磁盘读写出错")
    assert "disk I/O" not in line
    assert listing(out) == [] and listing(ws.parent) == files_before and snapshot(ws) == before


def test_receipt_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.bundle.import_batch import import_bundles
    from gongkai_desktop.bundle.receipt import write_receipt
    from tests.bundle_fixtures import SUPERVISOR, export, key_of, keys_in, make_supervisor

    unit = unit_workspace(tmp_path / "万州区.gkws")
    with Workspace.open(unit) as w:
        bundle = export(w, tmp_path / "万州区.gkbundle").files[0]
    out = tmp_path / "回执"
    out.mkdir()
    with make_supervisor(tmp_path / "办公厅.gkws") as sup:
        import_bundles(sup, [bundle], accept_keys=keys_in([bundle]))
        before = snapshot(sup.path)
        fill_disk(monkeypatch, out, budget=10)
        with pytest.raises(DiskFull, match=r"磁盘空间不足.*回执\.gkreceipt"):
            write_receipt(sup, "500101", key_of(SUPERVISOR), out / "回执.gkreceipt")
    assert listing(out) == []
    assert snapshot(tmp_path / "办公厅.gkws") == before


def test_real_tiny_disk(capsys: pytest.CaptureFixture[str], ws: Path, tmp_path: Path) -> None:
    """The real thing: a 1 MiB tmpfs with two free pages (root only)."""
    with Workspace.open(ws) as w:
        w.add_evidence_bytes("1.1.1", os.urandom(300_000), "照片.bin")
    holding_a_bundle(ws, tmp_path / "涪陵区")  # something to consolidate
    before = snapshot(ws)
    with tiny_disk(tmp_path / "小盘") as disk:
        for args, name in (
            (("bundle", "export", ws, "-o", disk / "包.gkbundle"), "包.gkbundle"),
            (("report", ws, "-o", disk / "报告.pdf", "--no-sign"), "报告.pdf"),
            (("bundle", "consolidate", ws, "-o", disk / "汇总.xlsx"), "汇总.xlsx"),
            (("xlsx", "export", ws, "-o", disk / "清单.xlsx"), "清单.xlsx"),
            (("backup", ws, "-o", disk / "备份.gkws"), "备份.gkws"),
        ):
            code, _, err = run(capsys, *args)
            assert code != 0, args
            one_chinese_line(err, "磁盘空间不足", name)
            assert listing(disk) == ["占位"]
    assert snapshot(ws) == before


def test_bundle_import_workspace_disk_full(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.bundle_fixtures import export, keys_in, make_supervisor

    with Workspace.open(unit_workspace(tmp_path / "万州区.gkws")) as w:
        w.add_evidence_bytes("1.1.1", os.urandom(600_000), "照片.bin")
        bundle = export(w, tmp_path / "万州区.gkbundle").files[0]
    key = keys_in([bundle])[0]
    sup = tmp_path / "办公厅.gkws"
    make_supervisor(sup).close()
    before, files = snapshot(sup), listing(tmp_path)
    limit_workspace_pages(monkeypatch)
    code, out, err = run(capsys, "bundle", "import", sup, bundle, "--accept-key", key)
    assert code != 0
    assert out == "" and err.count("\n") == 1 and err.startswith("错误：万州区.gkbundle：")
    assert "磁盘空间不足" in err and "办公厅.gkws" in err, err
    assert "Traceback" not in err and "savepoint" not in out + err
    assert snapshot(sup) == before and listing(tmp_path) == files
