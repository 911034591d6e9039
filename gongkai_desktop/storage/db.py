"""Opening workspace files: check first without touching the file, then connect.

A file is inspected through an ``immutable`` read-only connection (no locks, no
``-wal``/``-shm`` created) unless a ``-wal`` file already exists beside it, in
which case a plain read-only connection is used so committed WAL content counts.
Only a file that passed every check is opened read-write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gongkai_desktop import faults
from gongkai_desktop.errors import (
    GongkaiError,
    NotFound,
    StorageFault,
    WorkspaceBusy,
    WorkspaceError,
)

APPLICATION_ID = 0x474B5753  # 'GKWS'
PAGE_SIZE = 16384  # bigger pages make 1 MiB chunks ~40 % faster than 4096
BUSY_TIMEOUT_MS = 15_000
JOURNAL_SIZE_LIMIT = 32 * 1024 * 1024  # the WAL shrinks back after a big evidence file
SQLITE_MAGIC = b"SQLite format 3\x00"

_savepoints = itertools.count(1)


def now() -> dt.datetime:
    """The current local time, timezone-aware, to the second (the stored precision)."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


def to_text(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def datetime_from(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def damaged(path: Path) -> WorkspaceError:
    return WorkspaceError(
        f"无法打开工作区“{path.name}”：文件已损坏或不是本程序的工作区文件"
    )


def sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def file_uri(path: Path, mode: str, *, immutable: bool = False) -> str:
    """An SQLite URI for ``path`` (also a Windows UNC path) opened with ``mode``."""
    uri = path.resolve().as_uri()
    if not uri.startswith("file:///"):  # a Windows UNC path: SQLite wants file:////server/…
        uri = "file:////" + uri.removeprefix("file://")
    uri += f"?mode={mode}"
    return uri + "&immutable=1" if immutable else uri


def _check_header(path: Path, *, hot_wal: bool) -> None:
    """Cheap checks on the 100-byte header: magic, page size, truncation.

    With a ``-wal`` beside it the file may be mid-checkpoint (page 1 already says
    the new size, later pages not yet written): then SQLite's own check decides.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError as exc:
        raise WorkspaceError(f"无法读取工作区“{path.name}”：没有读取权限") from exc
    except OSError as exc:
        raise WorkspaceError(f"无法读取工作区“{path.name}”：{faults.reason(exc, reading=True)}"
                             ) from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise damaged(path)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged(path)
    page_count = int.from_bytes(header[28:32], "big")
    count_valid = header[24:28] == header[92:96]  # "version-valid-for" matches the change counter
    if hot_wal:
        return
    if size % page_size or (count_valid and size < page_count * page_size):
        raise damaged(path)


def _map_error(path: Path, exc: sqlite3.Error) -> GongkaiError:
    """Opening failed: full, read-only and busy as everywhere (``faults``); else damaged."""
    mapped = faults.sqlite_error(exc, path)
    if isinstance(mapped, StorageFault | WorkspaceBusy):
        return mapped
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in str(exc).lower():
        return WorkspaceError(f"无法读取工作区“{path.name}”：文件无法打开（可能没有权限）")
    return damaged(path)


def writable(path: Path) -> bool:
    """Whether ``path`` and its folder can be written: a WAL database needs both (its
    ``-wal``/``-shm`` live beside it). ``os.access`` also sees a read-only mount, for root."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def repair_sidecars(path: Path) -> None:
    """A ``-wal``/``-shm`` left read-only by an earlier read-only open (SQLite gives them
    the database file's mode) would block writing once the file is writable again: give
    them the database file's mode back. Only when we may change them (our own files)."""
    for sidecar in sidecars(path):
        with contextlib.suppress(OSError):
            if sidecar.exists() and not os.access(sidecar, os.W_OK):
                os.chmod(sidecar, stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)


def inspect(path: Path, known_version: int) -> int:
    """Check that ``path`` is a workspace this program can open; return its schema version.

    Never changes the file and never leaves ``-wal``/``-shm`` files behind.
    """
    if not path.exists():
        raise NotFound(f"找不到工作区文件：{path}")
    if not path.is_file():
        raise WorkspaceError(f"“{path.name}”是文件夹，不是工作区文件")
    wal, _shm = sidecars(path)
    _check_header(path, hot_wal=wal.exists())
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(file_uri(path, "ro", immutable=not wal.exists()), uri=True)
        conn.execute("PRAGMA query_only = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise WorkspaceError(
                f"“{path.name}”不是本程序的工作区文件（可能是其他软件的数据库），无法打开"
            )
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > known_version:
            raise WorkspaceError(
                f"该工作区由更新版本的程序创建（版本 {version}），请升级程序后再打开"
            )
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)] or version < 1:
            raise damaged(path)
        return version
    except sqlite3.Error as exc:
        raise _map_error(path, exc) from exc
    finally:
        if conn is not None:
            conn.close()


def connect(path: Path, *, readonly: bool, create: bool = False) -> sqlite3.Connection:
    """A connection with the workspace pragmas; the caller checked the file first.

    ``check_same_thread=False``: the owning ``Workspace`` serialises use with a lock.
    A read-only workspace still opens read-write when it can (``query_only`` guards it)
    so closing it tidies the ``-wal``/``-shm`` files. When the file or its folder cannot
    be written (read-only media, a write-protected file) it opens ``immutable``: SQLite
    then creates no ``-wal``/``-shm`` (a read-only ``-shm`` left behind would block later
    writes), which is sound because nobody can be writing to such a file.
    """
    mode = "rwc" if create else "rw"
    try:
        if readonly and not create and not writable(path):
            conn = _connect_read_only(path)
        else:
            if not create:
                repair_sidecars(path)
            try:
                conn = sqlite3.connect(
                    file_uri(path, mode), uri=True, isolation_level=None,
                    check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000,
                )
            except sqlite3.OperationalError:
                if not readonly:
                    raise
                conn = _connect_read_only(path)  # writable by its mode, yet refused
        try:
            _configure(conn, readonly=readonly, create=create)
        except BaseException:
            conn.close()
            raise
    except sqlite3.Error as exc:
        raise _map_error(path, exc) from exc
    return conn


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Read-only media: ``immutable`` unless a ``-wal`` holds committed changes (then a
    plain ``mode=ro``, which SQLite can serve while the ``-shm`` is usable)."""
    wal, _shm = sidecars(path)
    return sqlite3.connect(
        file_uri(path, "ro", immutable=not wal.exists()), uri=True, isolation_level=None,
        check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000,
    )


def _configure(conn: sqlite3.Connection, *, readonly: bool, create: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if readonly:
        conn.execute("PRAGMA query_only = ON")  # first: no pragma below may write
    if create:
        # Both only take effect before the first table exists.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
    # FULL: a commit that returned is on disk (the WAL is synced at every commit).
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (``BEGIN IMMEDIATE``); nested use becomes a savepoint.

    A failed statement may have rolled the whole transaction back already (SQLite does
    so on a full disk, an I/O error, out of memory): the clean-up then issues nothing
    more (a ``ROLLBACK TO`` would fail with "no such savepoint" and hide the real error),
    and the caller's error is the one that propagates.
    """
    if conn.in_transaction:
        with savepoint(conn):
            yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        if not conn.in_transaction:
            raise sqlite3.OperationalError("transaction was rolled back")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str | None = None) -> Iterator[str]:
    """A savepoint inside the caller's transaction: undone on error, released on success."""
    name = name or f"sp{next(_savepoints)}"
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield name
    except BaseException:
        rollback_to(conn, name)
        raise
    if not conn.in_transaction:  # a statement failed, was caught, and took it all back
        raise sqlite3.OperationalError("transaction was rolled back")
    conn.execute(f"RELEASE {name}")


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is left of the transaction; never raises over the caller's error."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def rollback_to(conn: sqlite3.Connection, name: str) -> None:
    """Undo and drop savepoint ``name`` if the transaction still exists."""
    if not conn.in_transaction:
        return  # SQLite rolled everything back already
    try:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
    except sqlite3.Error:
        rollback(conn)  # half a transaction must never be committed later


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    ``executescript`` would COMMIT first; triggers contain ``;`` so statements are
    cut where SQLite says a statement is complete.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending!r}")
