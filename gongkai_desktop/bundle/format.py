"""The bundle file (``.gkbundle``): one SQLite file, its exact schema and its limits.

A bundle is untrusted input for whoever opens it, so its layout is fixed down to
the text of every ``CREATE`` statement: the reader compares ``sqlite_master``
with :func:`expected_master` and refuses anything else (a trigger, a view, an
extra index, a changed column).

Tables (every part of a split bundle has all of them):

- ``manifest``: one row — the canonical JSON ``body``, the ``signature`` over it and
  the signer's ``certificate`` (DER).
- ``profile``: one row in part 1 (the unit), none in later parts.
- ``records``, ``evidence``, ``audit``: the unit's data, part 1 only.
- ``blobs``: evidence contents by SHA-256; ``blob_chunks``: their bytes in chunks of at
  most 1 MiB. A blob may continue into the next part (its chunks keep their ``seq``).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import cache

from gongkai_desktop import file_kinds

APPLICATION_ID = 0x474B424E  # 'GKBN'
FORMAT_VERSION = 1
FORMAT_NAME = "gongkai-bundle"
SUFFIX = file_kinds.BUNDLE
PAGE_SIZE = 16384
CHUNK_SIZE = 1 << 20

SCHEMA = """
CREATE TABLE manifest (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    signature BLOB NOT NULL,
    certificate BLOB NOT NULL
);
CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    unit_id TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    full_name TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    officer TEXT NOT NULL,
    contact TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE records (
    measure_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    completed_on TEXT,
    explanation TEXT NOT NULL,
    urls TEXT NOT NULL,
    remarks TEXT NOT NULL,
    updated_at TEXT
);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    measure_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER,
    sha256 TEXT,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    original_sha256 TEXT,
    original_size INTEGER
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    measure_id TEXT,
    field TEXT,
    old TEXT,
    new TEXT
);
CREATE TABLE blobs (
    no INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL
);
CREATE TABLE blob_chunks (
    blob_no INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (blob_no, seq)
);
"""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: type  # str, int or bytes
    nullable: bool = False


def _cols(spec: str) -> tuple[Column, ...]:
    """``"a:s b:i? c:b"`` → columns (s = text, i = integer, b = blob, ? = may be NULL)."""
    kinds = {"s": str, "i": int, "b": bytes}
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        out.append(Column(name, kinds[kind.rstrip("?")], kind.endswith("?")))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    label: str  # how a message names this part
    columns: tuple[Column, ...]
    order: str  # the ORDER BY that the part hash is computed in

    @property
    def column_names(self) -> str:
        return ", ".join(c.name for c in self.columns)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("profile", "单位信息", _cols(
            "unit_id:s unit_name:s full_name:s unit_type:s officer:s contact:s phone:s"
            " created_at:s"), "id"),
        Table("records", "举措记录", _cols(
            "measure_id:s status:s reason:s completed_on:s? explanation:s urls:s remarks:s"
            " updated_at:s?"), "measure_id"),
        Table("evidence", "佐证材料清单", _cols(
            "id:i measure_id:s kind:s file_name:s media_type:s size:i? sha256:s? url:s title:s"
            " note:s added_at:s added_by:s original_sha256:s? original_size:i?"), "id"),
        Table("audit", "修改记录", _cols(
            "id:i at:s actor:s action:s measure_id:s? field:s? old:s? new:s?"), "id"),
        Table("blobs", "佐证文件目录", _cols("no:i sha256:s size:i"), "no"),
    )
}
CHUNKS_PART = "chunks"
PART_NAMES = (*TABLES, CHUNKS_PART)
PART_LABELS = {**{name: t.label for name, t in TABLES.items()}, CHUNKS_PART: "佐证文件内容"}
ALL_TABLES = frozenset({"manifest", *TABLES, "blob_chunks"})


def create_schema(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


@cache
def expected_master() -> tuple[tuple[str, str, str, str | None], ...]:
    """``sqlite_master`` of a genuine bundle: (type, name, tbl_name, sql), sorted."""
    with closing(sqlite3.connect(":memory:")) as conn:
        create_schema(conn)
        return tuple(conn.execute(MASTER_QUERY).fetchall())


MASTER_QUERY = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
