"""Evidence: files stored as 1 MiB chunks, hashed while streamed in, deduplicated.

A file is read once: each chunk is hashed and inserted in the same pass, so memory
stays flat for any size. When the hash turns out to be known already, the chunks
just written are rolled back (a savepoint) and the existing blob is reused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BufferedIOBase
from pathlib import Path

from gongkai_desktop import faults
from gongkai_desktop.errors import Cancelled, InvalidInput, NotFound, TooLarge, WorkspaceError
from gongkai_desktop.storage.db import now, savepoint, to_text
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.storage.names import candidates
from gongkai_desktop.ticker import Progress

# hashlib, mimetypes and concurrent.futures are imported where used: opening a workspace
# (the window's start-up) needs none of them (~5 ms of imports).

CHUNK_SIZE = 1 << 20
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_TITLE = 500
MAX_NOTE = 20_000


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def too_large(name: str, limit: int) -> TooLarge:
    return TooLarge(f"文件“{name}”太大：佐证材料每个文件最大 {megabytes(limit)}")


def media_type(head: bytes, name: str) -> str:
    """Sniffed from the first bytes when recognised, else guessed from the name."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    import mimetypes

    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def file_chunks(handle: BufferedIOBase) -> Iterator[memoryview]:
    """Chunks read into one reused buffer (sqlite3 copies each on insert)."""
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    try:
        while True:
            n = handle.readinto(view)
            if not n:
                return
            yield view[:n]
    finally:
        view.release()


def bytes_chunks(data: bytes) -> Iterator[memoryview]:
    view = memoryview(data)
    for start in range(0, len(view), CHUNK_SIZE):
        yield view[start:start + CHUNK_SIZE]


@dataclass(frozen=True, slots=True)
class StoredBlob:
    id: int
    sha256: str
    size: int
    head: bytes  # the first bytes, for sniffing the media type


def store_chunks(conn: sqlite3.Connection, chunks: Iterable[memoryview], *, name: str,
                 total: int, limit: int, progress: Progress | None) -> StoredBlob:
    """Write a blob inside the caller's transaction; reuse an identical one if present.

    ``progress(done, total)`` returning ``False`` cancels (raises ``Cancelled``); the
    caller's transaction then rolls back so nothing is stored.
    """
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    new_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM blobs").fetchone()[0]
    digest = hashlib.sha256()
    size = 0
    head = b""
    # Each chunk is hashed in a helper thread while SQLite writes it: both release the
    # GIL, so on two cores the hash costs (almost) no time. It is waited for before the
    # next chunk is read into the same buffer.
    with savepoint(conn) as point, ThreadPoolExecutor(1, "evidence-hash") as hasher:
        for seq, chunk in enumerate(chunks):
            size += len(chunk)
            if size > limit:
                raise too_large(name, limit)
            if not head:
                head = bytes(chunk[:64])
            hashed = hasher.submit(digest.update, chunk)
            try:
                put_chunk(conn, new_id, seq, chunk)
            finally:
                hashed.result()
            if progress is not None and progress(size, max(total, size)) is False:
                raise Cancelled()
        if size == 0:
            raise InvalidInput(f"文件“{name}”是空文件，不能作为佐证材料")
        sha = digest.hexdigest()
        existing = held_blob(conn, sha)
        if existing is not None:
            conn.execute(f"ROLLBACK TO {point}")  # drop the duplicate chunks just written
            blob_id = existing
        else:
            blob_id = insert_blob(conn, sha, size, new_id)
    return StoredBlob(blob_id, sha, size, head)


def held_blob(conn: sqlite3.Connection, sha256: str) -> int | None:
    """The id of the blob with this hash, None when the store does not hold it."""
    row = conn.execute("SELECT id FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else int(row[0])


def insert_blob(conn: sqlite3.Connection, sha256: str, size: int,
                blob_id: int | None = None) -> int:
    """The blob row (its id: ``blob_id``, or a new one); its chunks may come before or after
    (the chunks' foreign key is checked at COMMIT)."""
    return int(conn.execute(
        "INSERT INTO blobs (id, sha256, size, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        (blob_id, sha256, size, to_text(now()))).fetchone()[0])


def put_chunk(conn: sqlite3.Connection, blob_id: int, seq: int,
              data: bytes | memoryview) -> None:
    conn.execute("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)",
                 (blob_id, seq, data))


def start_verified_blob(conn: sqlite3.Connection, sha256: str, size: int) -> int | None:
    """A new blob for content streamed in chunk by chunk (``put_chunk``) whose hash the
    caller checks as it goes (a verified bundle's: a mismatch raises and the caller's
    transaction rolls back); None when the store holds this content already."""
    if held_blob(conn, sha256) is not None:
        return None
    return insert_blob(conn, sha256, size)


ITEM_COLUMNS = ("id, measure_id, kind, file_name, media_type, size, sha256, url, title, note,"
                " added_at, added_by")


def _item(row: tuple[object, ...]) -> EvidenceItem:
    values = list(row)
    values[10] = dt.datetime.fromisoformat(str(values[10]))
    return EvidenceItem(*values)  # type: ignore[arg-type]


def insert(conn: sqlite3.Connection, item: EvidenceItem, blob_id: int | None,
           *, keep_id: bool = False) -> EvidenceItem:
    row = conn.execute(
        f"INSERT INTO evidence ({ITEM_COLUMNS}, blob_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        f" ?, ?, ?) RETURNING {ITEM_COLUMNS}",
        (item.id if keep_id else None, item.measure_id, item.kind, item.file_name,
         item.media_type, item.size, item.sha256, item.url, item.title, item.note,
         to_text(item.added_at), item.added_by, blob_id),
    ).fetchone()
    return _item(row)


def get(conn: sqlite3.Connection, evidence_id: int) -> EvidenceItem:
    row = conn.execute(f"SELECT {ITEM_COLUMNS} FROM evidence WHERE id = ?",
                       (evidence_id,)).fetchone()
    if row is None:
        raise NotFound(f"没有编号为 {evidence_id} 的佐证材料（可能已被删除）")
    return _item(row)


def items(conn: sqlite3.Connection, measure_id: str | None) -> list[EvidenceItem]:
    if measure_id is None:
        rows = conn.execute(f"SELECT {ITEM_COLUMNS} FROM evidence ORDER BY id")
    else:
        rows = conn.execute(
            f"SELECT {ITEM_COLUMNS} FROM evidence WHERE measure_id = ? ORDER BY id", (measure_id,)
        )
    return [_item(row) for row in rows]


def names_for(conn: sqlite3.Connection, measure_id: str) -> list[str]:
    """File names and link titles, for the search index."""
    return [
        " ".join(part for part in row if part)
        for row in conn.execute(
            "SELECT file_name, title FROM evidence WHERE measure_id = ? ORDER BY id",
            (measure_id,),
        )
    ]


def blob_for(conn: sqlite3.Connection, sha256: str) -> tuple[int, int]:
    """(blob id, size) of the content with this hash."""
    row = conn.execute("SELECT id, size FROM blobs WHERE sha256 = ?",
                       (str(sha256).lower(),)).fetchone()
    if row is None:
        raise NotFound("找不到该佐证文件的内容（可能已被清理）")
    return int(row[0]), int(row[1])


def chunk(conn: sqlite3.Connection, blob_id: int, seq: int) -> bytes | None:
    row = conn.execute("SELECT data FROM blob_chunks WHERE blob_id = ? AND seq = ?",
                       (blob_id, seq)).fetchone()
    return None if row is None else bytes(row[0])


def incomplete() -> WorkspaceError:
    return WorkspaceError("佐证文件的数据不完整，工作区可能已损坏")


def purge_unused(conn: sqlite3.Connection) -> int:
    """Delete blobs no evidence refers to (their chunks go by cascade); returns how many."""
    cursor = conn.execute(
        "DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM evidence WHERE blob_id = blobs.id)"
        # An office's contribution (schema 5) keeps its files until it is replaced.
        " AND NOT EXISTS (SELECT 1 FROM contribution_evidence c WHERE c.sha256 = blobs.sha256)"
    )
    return cursor.rowcount


def write_new_file(folder: Path, file_name: str, sha256: str, chunks: Iterator[bytes]) -> Path:
    """Write stored content as a new file in ``folder`` (never outside it, never over a
    file, never through a link), checking the content against ``sha256`` as it goes."""
    import hashlib

    for target in candidates(folder, file_name):
        try:
            handle = target.open("xb")  # exclusive: never replaces a file or follows a link
        except FileExistsError:
            continue
        except OSError as exc:
            raise faults.os_error(exc, folder / file_name, "文件") from exc
        try:
            digest = hashlib.sha256()
            with handle:
                for data in chunks:
                    digest.update(data)
                    handle.write(data)
            if digest.hexdigest() != sha256:
                raise WorkspaceError("佐证文件内容校验失败，工作区可能已损坏，未导出")
        except OSError as exc:
            target.unlink(missing_ok=True)
            raise faults.os_error(exc, target, "文件") from exc
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target
    raise AssertionError("unreachable: candidates() never ends")
