"""A backup copy of a workspace, safe to take while the window has it open.

SQLite's online backup API copies a consistent snapshot (WAL included) page by
page, so the copy is never a half-written file even while another connection
writes. The copy is written to a temporary name, checked (integrity, and that it
opens as a workspace), flushed to disk and only then given its name; an existing
file is never replaced.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from gongkai_desktop import faults
from gongkai_desktop.atomic import publish_new
from gongkai_desktop.errors import Cancelled, InvalidInput, WorkspaceError
from gongkai_desktop.storage import db, migrations
from gongkai_desktop.storage.names import safe_file_name
from gongkai_desktop.ticker import Progress

PAGES_PER_STEP = 256  # 1 MiB at the default page size: progress moves, the writer is not starved


def default_backup_name(path: Path, moment: dt.datetime | None = None) -> str:
    """万州区.gkws → 万州区-备份-20261128-1530.gkws"""
    moment = moment or dt.datetime.now()
    return safe_file_name(f"{path.stem}-备份-{moment:%Y%m%d-%H%M}{path.suffix or '.gkws'}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def backup_workspace(source: Path, target: Path, *, progress: Progress | None = None) -> Path:
    """Copy the workspace ``source`` to the new file ``target``; return ``target``.

    Raises ``InvalidInput`` if ``target`` exists or is the workspace itself,
    ``Cancelled`` if ``progress`` says so (no file is left behind), and
    ``WorkspaceError`` if the copy cannot be written or does not check out.
    """
    source, target = Path(source), Path(target)
    if _same_file(source, target):
        raise InvalidInput("备份文件不能是工作区文件本身，请换一个文件名或文件夹")
    if target.exists():
        raise faults.exists(target)
    db.inspect(source, migrations.latest_version())  # damaged, foreign: its own message
    temp = target.with_name(f".{target.name}.partial")
    temp.unlink(missing_ok=True)
    try:
        _copy(source, temp, progress)
        _check(temp)
        publish_new(temp, target)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        for sidecar in (*db.sidecars(temp), temp.with_name(temp.name + "-journal")):
            sidecar.unlink(missing_ok=True)
        mapped = faults.any_error(exc, target, "备份文件")
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc
    return target


def _copy(source: Path, temp: Path, progress: Progress | None) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None and not progress(total - remaining, total):
            raise Cancelled("已取消备份")

    # An sqlite3.Error propagates: the caller maps it (faults), naming the backup file.
    # A closed workspace (no -wal) is read as immutable: no -wal/-shm appear beside it.
    wal, _shm = db.sidecars(source)
    src = sqlite3.connect(db.file_uri(source, "ro", immutable=not wal.exists()), uri=True)
    try:
        dst = sqlite3.connect(temp)
        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
            # A backup is one file: no -wal beside it when it is copied on.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _check(temp: Path) -> None:
    conn = sqlite3.connect(db.file_uri(temp, "ro", immutable=True), uri=True)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    if not ok:
        raise WorkspaceError("备份文件检查未通过（磁盘可能有问题），已删除，工作区未改动")
    fd = os.open(temp, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


