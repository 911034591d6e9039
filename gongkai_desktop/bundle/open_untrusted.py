"""Opening a bundle someone sent: read-only, nothing in it runs, everything bounded.

Before SQLite sees the file: its size, the 100-byte header (magic, our application
id, format version, page size, rollback-journal mode, truncation). Then a
connection to a ``file:…?mode=ro&immutable=1`` URI (no locks, no journal, no
``-wal`` read or created) with tight ``setlimit`` values, ``trusted_schema=OFF``
and an authorizer that allows nothing but reading the expected tables. The schema
must match the genuine one exactly (``format.expected_master``: no trigger, view,
extra table or index), ``PRAGMA integrity_check`` must pass and every table's row
count must be within bounds before a single row is read. The bundle is never
attached to the reader's own database: rows cross over as Python values only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gongkai_desktop import faults
from gongkai_desktop.bundle.format import (
    ALL_TABLES,
    APPLICATION_ID,
    CHUNK_SIZE,
    FORMAT_VERSION,
    MASTER_QUERY,
    TABLES,
    expected_master,
)
from gongkai_desktop.errors import InvalidInput, NotFound, UnsafeInput

MIB = 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds for anything read from a bundle (tests and the UI may lower them)."""

    file_bytes: int = 16 * 1024 * MIB
    records: int = 20_000
    evidence: int = 100_000
    audit: int = 2_000_000
    blobs: int = 100_000
    chunks: int = 16 * 1024  # 16 GiB of evidence content at 1 MiB per chunk
    blob_bytes: int = 4 * 1024 * MIB  # one evidence file
    value_bytes: int = 2 * MIB  # any one stored value (a chunk is at most 1 MiB)

    def for_table(self, table: str) -> int:
        return {"manifest": 1, "profile": 1, "records": self.records,
                "evidence": self.evidence, "audit": self.audit, "blobs": self.blobs,
                "blob_chunks": self.chunks}[table]


DEFAULT_LIMITS = Limits()
TABLE_LABELS = {**{name: t.label for name, t in TABLES.items()}, "manifest": "清单",
                "blob_chunks": "佐证文件内容"}


def damaged(name: str) -> UnsafeInput:
    return UnsafeInput(f"数据包“{name}”已损坏或被改动（文件结构检查未通过），未导入")


def truncated(name: str) -> UnsafeInput:
    return UnsafeInput(f"数据包“{name}”不完整（可能在传输或复制时被截断），"
                       "请让报送单位重新发送，未导入")


def not_a_bundle(name: str) -> InvalidInput:
    return UnsafeInput(f"“{name}”不是本程序导出的数据包（.gkbundle），未导入")


def _check_file(path: Path, limits: Limits) -> int:
    """Header checks in Python, before SQLite parses a byte; returns the file size."""
    name = path.name
    try:
        if not path.is_file():
            raise NotFound(f"找不到数据包文件：{path}")
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        why = faults.reason(exc, reading=True)
        raise InvalidInput(f"无法读取数据包“{name}”：{why}") from exc
    if size > limits.file_bytes:
        raise UnsafeInput(f"数据包“{name}”过大（{size / MIB:.0f} MB），超过上限"
                          f" {limits.file_bytes / MIB:.0f} MB，未导入")
    if not header.startswith(SQLITE_MAGIC[:15]):
        raise not_a_bundle(name)
    if len(header) < 100:
        raise truncated(name)
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise not_a_bundle(name)
    version = int.from_bytes(header[60:64], "big")
    if version > FORMAT_VERSION:
        raise UnsafeInput(f"数据包“{name}”由更新版本的程序导出（格式版本 {version}），"
                          "请升级本程序后再导入")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if version != FORMAT_VERSION or page_size < 512 or page_size & (page_size - 1):
        raise damaged(name)
    if header[18] != 1 or header[19] != 1:  # WAL mode: a genuine bundle never is
        raise damaged(name)
    page_count = int.from_bytes(header[28:32], "big")
    if header[24:28] != header[92:96] or page_count == 0:
        raise damaged(name)
    if size < page_count * page_size or size % page_size:
        raise truncated(name)
    if size != page_count * page_size:
        raise damaged(name)
    return size


def _uri(path: Path) -> str:
    uri = path.resolve().as_uri()
    if not uri.startswith("file:///"):  # a Windows UNC path: SQLite wants file:////server/…
        uri = "file:////" + uri.removeprefix("file://")
    return uri + "?mode=ro&immutable=1"


_READ_FUNCTIONS = frozenset({"count"})
_PRAGMAS = frozenset({"integrity_check"})


def _authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None,
                _trigger: str | None) -> int:
    """Allow SELECTs that read our tables (and the schema), ``count`` and one pragma."""
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ and arg1 in ALL_TABLES | {"sqlite_master",
                                                                "sqlite_schema"}:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _READ_FUNCTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _connect(path: Path, limits: Limits) -> sqlite3.Connection:
    conn = sqlite3.connect(_uri(path), uri=True, isolation_level=None)
    try:
        for limit, value in (
            (sqlite3.SQLITE_LIMIT_LENGTH, limits.value_bytes),
            (sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000),
            (sqlite3.SQLITE_LIMIT_COLUMN, 64),
            (sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 64),
            (sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 4),
            (sqlite3.SQLITE_LIMIT_VDBE_OP, 1_000_000),
            (sqlite3.SQLITE_LIMIT_FUNCTION_ARG, 8),
            (sqlite3.SQLITE_LIMIT_ATTACHED, 0),
            (sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 64),
            (sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 16),
            (sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, 1),
            (sqlite3.SQLITE_LIMIT_WORKER_THREADS, 0),
        ):
            conn.setlimit(limit, value)
        for pragma in ("trusted_schema = OFF", "query_only = ON", "cell_size_check = ON",
                       "mmap_size = 0", "cache_size = -512"):
            conn.execute(f"PRAGMA {pragma}")
        conn.set_authorizer(_authorizer)
    except BaseException:
        conn.close()
        raise
    return conn


class UntrustedBundle:
    """One bundle file, checked and opened read-only; use ``open_bundle``."""

    def __init__(self, path: Path, conn: sqlite3.Connection, size: int,
                 counts: dict[str, int]) -> None:
        self.path = path
        self.size = size
        self.counts = counts  # rows per table, within the limits
        self._conn: sqlite3.Connection | None = conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> UntrustedBundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str) -> Iterator[tuple[object, ...]]:
        if self._conn is None:
            raise UnsafeInput("数据包文件已关闭")
        try:
            yield from self._conn.execute(sql)
        except sqlite3.Error as exc:
            raise damaged(self.path.name) from exc

    def manifest_row(self) -> tuple[object, ...]:
        rows = list(self._query("SELECT body, signature, certificate FROM manifest"))
        if len(rows) != 1:
            raise UnsafeInput(f"数据包“{self.path.name}”缺少清单和签名，未导入")
        return rows[0]

    def rows(self, table: str) -> Iterator[tuple[object, ...]]:
        """Rows in hash order, every value of the declared type (else ``UnsafeInput``)."""
        spec = TABLES[table]
        sql = f"SELECT {spec.column_names} FROM {table} ORDER BY {spec.order}"
        for n, row in enumerate(self._query(sql), start=1):
            for column, value in zip(spec.columns, row, strict=True):
                if value is None and column.nullable:
                    continue
                if type(value) is not column.kind:
                    raise UnsafeInput(
                        f"数据包中的{spec.label}第{n}行“{column.name}”的数据类型不对，"
                        "可能被改动过，未导入")
            yield row

    def chunks(self) -> Iterator[tuple[int, int, bytes]]:
        """(blob number, seq, bytes) in hash order."""
        sql = "SELECT blob_no, seq, data FROM blob_chunks ORDER BY blob_no, seq"
        for blob_no, seq, data in self._query(sql):
            if type(blob_no) is not int or type(seq) is not int or type(data) is not bytes \
                    or not 0 < len(data) <= CHUNK_SIZE:
                raise UnsafeInput(f"数据包“{self.path.name}”中的佐证文件内容格式不对，未导入")
            yield blob_no, seq, data


def open_bundle(path: Path, limits: Limits = DEFAULT_LIMITS, *,
                check_integrity: bool = True) -> UntrustedBundle:
    """Every structural check, then an open handle; ``UnsafeInput`` with a Chinese message."""
    path = Path(path)
    size = _check_file(path, limits)
    name = path.name
    try:
        conn = _connect(path, limits)
    except sqlite3.Error as exc:
        raise damaged(name) from exc
    try:
        master = tuple(tuple(row) for row in conn.execute(MASTER_QUERY).fetchall())
        if master != expected_master():
            kinds = {str(row[0]) for row in master}
            extra = "（含有触发器或视图）" if kinds & {"trigger", "view"} else ""
            raise UnsafeInput(f"数据包“{name}”的结构与规定不符{extra}，可能被改动过，未导入")
        if check_integrity:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise damaged(name)
        counts: dict[str, int] = {}
        for table in sorted(ALL_TABLES):
            count = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            limit = limits.for_table(table)
            if count > limit:
                raise UnsafeInput(
                    f"数据包“{name}”中的{TABLE_LABELS[table]}有 {count} 行，超过上限"
                    f" {limit} 行，未导入")
            counts[table] = count
    except sqlite3.Error as exc:
        conn.close()
        raise damaged(name) from exc
    except BaseException:
        conn.close()
        raise
    return UntrustedBundle(path, conn, size, counts)
