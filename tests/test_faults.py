"""The one mapper from OS and SQLite failures to a Chinese line."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from gongkai_desktop import faults
from gongkai_desktop.errors import DiskFull, InvalidInput, ReadOnlyStorage, WorkspaceBusy
from gongkai_desktop.storage import db

OUT = Path("/某处/输出/报告.pdf")


@pytest.mark.parametrize(("code", "kind", "words"), [
    (errno.ENOSPC, DiskFull, ("磁盘空间不足", "报告.pdf", "/某处/输出")),
    (errno.EROFS, ReadOnlyStorage, ("只读", "报告.pdf")),
    (errno.EACCES, ReadOnlyStorage, ("只读", "报告.pdf")),
    (errno.ENOENT, InvalidInput, ("报告文件", "文件夹不存在")),
    (errno.EXDEV, InvalidInput, ("系统错误 18",)),
])
def test_os_errors(code: int, kind: type, words: tuple[str, ...]) -> None:
    err = faults.os_error(OSError(code, "English words"), OUT, "报告文件")
    assert type(err) is kind
    assert all(w in str(err) for w in words) and "English" not in str(err)


def _sqlite_full() -> sqlite3.Error:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute("PRAGMA max_page_count = 3")
    try:
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("SQLite took the row")


def _sqlite_read_only(tmp_path: Path) -> sqlite3.Error:
    path = tmp_path / "x.gkws"
    sqlite3.connect(path).close()
    conn = sqlite3.connect(db.file_uri(path, "ro"), uri=True)
    try:
        conn.execute("CREATE TABLE t (x)")
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("SQLite wrote to a read-only connection")


def test_sqlite_errors(tmp_path: Path) -> None:
    ws = tmp_path / "万州区.gkws"
    full = faults.sqlite_error(_sqlite_full(), ws)
    assert isinstance(full, DiskFull) and "磁盘空间不足" in str(full) and "万州区.gkws" in str(full)
    assert "修改未保存" in str(full)
    ro = faults.sqlite_error(_sqlite_read_only(tmp_path), ws)
    assert isinstance(ro, ReadOnlyStorage) and "只读" in str(ro)
    busy = faults.sqlite_error(sqlite3.OperationalError("database is locked"), ws)
    assert isinstance(busy, WorkspaceBusy) and "占用" in str(busy)


def test_savepoint_after_the_transaction_was_lost() -> None:
    """SQLite ends the whole transaction on some errors; the clean-up must not then fail
    with "no such savepoint" and hide the real error."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ZeroDivisionError), db.transaction(conn), db.savepoint(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("ROLLBACK")  # what SQLite does itself on a full disk
        raise ZeroDivisionError
    assert not conn.in_transaction
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    with pytest.raises(sqlite3.OperationalError, match="rolled back"), db.transaction(conn):
        conn.execute("ROLLBACK")  # lost, and nobody noticed: never COMMIT what is left


def test_read_bytes_says_which_file_and_why(tmp_path: Path) -> None:
    from gongkai_desktop.errors import NotFound, TooLarge

    with pytest.raises(NotFound, match=r"^找不到回执文件："):
        faults.read_bytes(tmp_path / "无.gkreceipt", "回执文件")
    big = tmp_path / "big.png"
    big.write_bytes(b"x" * 11)
    with pytest.raises(TooLarge, match="11"):
        faults.read_bytes(big, "图片", limit=10, too_large=lambda n: TooLarge(f"{n} 字节"))
    folder = tmp_path / "dir.png"
    folder.mkdir()
    with pytest.raises(InvalidInput, match=r"^无法读取图片“dir\.png”"):
        faults.read_bytes(folder, "图片")  # a folder: the OS refuses to read it
    assert faults.read_bytes(big, "图片", limit=11) == b"x" * 11
