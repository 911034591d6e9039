"""Writing a file so that a reader never sees half of it and a failure leaves nothing.

Every output (report, workbook, receipt, review file, seed, kept input) is built under
a temporary name in the target's own folder (a rename across file systems is not
atomic), flushed to disk, then renamed over the target. A failure or a cancel removes
the temporary file and any SQLite side file beside it; the old target stays as it was.
New files that must never replace an existing one (a workspace, a backup) are put in
place with :func:`publish_new` instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from gongkai_desktop import faults

_SIDE_FILES = ("-journal", "-wal", "-shm")


def temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A fresh hidden name next to ``path`` (same folder, so the rename is atomic)."""
    import uuid  # here: start-up imports this module and never writes through it

    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{suffix}")


def fsync_file(path: Path) -> None:
    # Windows refuses to flush a read-only descriptor (EBADF/EACCES): open for writing.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_temp(temp: Path) -> None:
    """The temporary file and any SQLite side file beside it, if present."""
    for leftover in (temp, *(temp.with_name(temp.name + s) for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


@contextlib.contextmanager
def atomic_output(path: Path, *, what: str | None = None, suffix: str = ".tmp",
                  sync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    The body writes the temporary file (and closes it). Leaving the block normally
    flushes it (``sync``) and renames it over ``path``; an exception (a cancel
    included) removes it and propagates. With ``what`` ("报告文件" …), an ``OSError``
    becomes the Chinese ``faults.os_error`` line naming ``path``, not the temporary file.
    """
    path = Path(path)
    temp = temp_beside(path, suffix)
    try:
        yield temp
        if sync:
            fsync_file(temp)
        os.replace(temp, path)
    except OSError as exc:
        if what is None:
            raise
        raise faults.os_error(exc, path, what) from exc
    finally:
        remove_temp(temp)


def publish_new(temp: Path, target: Path) -> None:
    """Give the complete ``temp`` the name ``target``, never replacing an existing file."""
    exists = faults.exists(target)
    try:
        os.link(temp, target)  # atomic, and refuses a file that appeared meanwhile
    except FileExistsError as exc:
        raise exists from exc
    except OSError:
        # No hard links here (FAT USB sticks, some shares).
        if target.exists():
            raise exists from None
        os.rename(temp, target)
    else:
        temp.unlink()
    fsync_dir(target.parent)
