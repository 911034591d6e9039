"""Writing one bundle file (one part): rows and chunks in, hashed as they go.

The file is built under a temporary name with no journal (a crash leaves only a
temporary file, never a half bundle under the real name) and synced before it is
published. Rows must be added in the order the reader hashes them (see
``format.TABLES[...].order``).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from gongkai_desktop.atomic import fsync_file
from gongkai_desktop.bundle.format import (
    APPLICATION_ID,
    CHUNKS_PART,
    FORMAT_VERSION,
    PAGE_SIZE,
    PART_NAMES,
    TABLES,
    create_schema,
)
from gongkai_desktop.bundle.manifest import chunk_header, row_bytes
from gongkai_desktop.errors import InvalidInput

CACHE_KIB = 1024  # a small page cache: memory stays flat whatever the bundle's size
EARLY_SYNC_BYTES = 64 * 1024 * 1024


_fsync = fsync_file  # a name of this module, so a test can make the disk fill up here


def _insert_sql(table: str) -> str:
    spec = TABLES[table]
    columns, marks = spec.column_names, ", ".join("?" * len(spec.columns))
    if table == "profile":  # its single row has the fixed id 1
        columns, marks = "id, " + columns, "1, " + marks
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"


class _EarlySync:
    """Starts putting the part on disk while it is still being written: every
    ``EARLY_SYNC_BYTES`` a helper thread syncs what is there, so the sync before
    publishing (``write_manifest``, unchanged) finds little left to do and the disk works
    alongside the copying instead of after it. Failures are left to that final sync."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending = 0
        self.thread: threading.Thread | None = None

    def add(self, amount: int) -> None:
        self.pending += amount
        if self.pending < EARLY_SYNC_BYTES or (self.thread is not None
                                               and self.thread.is_alive()):
            return
        self.pending = 0
        self.thread = threading.Thread(target=self._sync, name="bundle-sync", daemon=True)
        self.thread.start()

    def _sync(self) -> None:
        with contextlib.suppress(OSError):
            _fsync(self.path)

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None


class PartWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.counts = dict.fromkeys(PART_NAMES, 0)
        self._hashers = {name: hashlib.sha256() for name in PART_NAMES}
        self.chunk_bytes = 0
        self._blob_no = 0
        self._conn: sqlite3.Connection | None = sqlite3.connect(path, isolation_level=None)
        try:
            self._start(self._conn)
        except BaseException:
            self.abort()  # a full disk at the very start leaves no empty file either
            raise
        self._inserts = {name: _insert_sql(name) for name in TABLES}
        self._early = _EarlySync(path)

    @staticmethod
    def _start(conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        conn.execute("BEGIN")
        create_schema(conn)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise InvalidInput("数据包文件已关闭")
        return self._conn

    def add_row(self, table: str, values: Sequence[object]) -> None:
        self.conn.execute(self._inserts[table], tuple(values))
        self._hashers[table].update(row_bytes(values))
        self.counts[table] += 1

    def start_blob(self, sha256: str, size: int) -> int:
        """A blob (or its continuation) in this part; returns its number here."""
        self._blob_no += 1
        self.add_row("blobs", (self._blob_no, sha256, size))
        return self._blob_no

    def add_chunk(self, blob_no: int, sha256: str, seq: int, data: bytes | memoryview) -> None:
        self.conn.execute("INSERT INTO blob_chunks (blob_no, seq, data) VALUES (?, ?, ?)",
                          (blob_no, seq, data))
        # The part hash covers the chunk layout; the bytes are covered by their blob's
        # SHA-256, which the reader recomputes (so the content is hashed once, not twice).
        self._hashers[CHUNKS_PART].update(chunk_header(sha256, seq, len(data)))
        self.counts[CHUNKS_PART] += 1
        self.chunk_bytes += len(data)
        self._early.add(len(data))

    def size(self) -> int:
        """Bytes the file takes now (pages written or pending in this transaction)."""
        return int(self.conn.execute("PRAGMA page_count").fetchone()[0]) * PAGE_SIZE

    def hashes(self) -> dict[str, str]:
        return {name: h.hexdigest() for name, h in self._hashers.items()}

    def seal(self) -> None:
        """Commit and close; ``sign`` adds the manifest later (the part count is known then)."""
        self.conn.execute("COMMIT")
        self.conn.close()
        self._conn = None
        self._early.wait()

    def abort(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        early = getattr(self, "_early", None)  # absent when the start failed
        if early is not None:
            early.wait()
        self.path.unlink(missing_ok=True)


def write_manifest(path: Path, body: str, signature: bytes, certificate: bytes) -> None:
    """Add the signed manifest to a sealed part, then sync it to disk."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("BEGIN")
        conn.execute("INSERT INTO manifest (id, body, signature, certificate) VALUES (1, ?, ?, ?)",
                     (body, signature, certificate))
        conn.execute("COMMIT")
    finally:
        conn.close()
    _fsync(path)
