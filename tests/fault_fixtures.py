"""Helpers for the fault tests: a full disk, read-only media, and what "unchanged" means.

A full disk is simulated at the two boundaries a real one shows up at, without root:
- SQLite's own limit: ``PRAGMA max_page_count`` makes SQLite answer SQLITE_FULL
  ("database or disk is full"), exactly what it answers on a full disk;
- Python file writes: ``open()`` hands out files whose ``write`` raises
  ``OSError(ENOSPC)`` once a byte budget inside a chosen folder is spent.
Read-only media are a read-only bind mount when running as root (chmod does not stop
root), else a write-protected file in a write-protected folder.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.model import Status
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.wsconn import reading
from tests.bundle_fixtures import PASSPHRASE, PDF_PROOF, SHARED_PHOTO, key_of, make_unit
from tests.plan_fixtures import TEST_UNIT


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_chinese_line(err: str, *words: str) -> str:
    """The failure as the user reads it: exactly one line, Chinese, with ``words`` in it."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("错误："), line
    for english in ("Traceback", "Error:", "Errno", "database or disk is full", "savepoint"):
        assert english not in err, err
    for word in words:
        assert word in line, line
    return line


def unit_workspace(path: Path) -> Path:
    """A unit's workspace with records, two evidence files, a link and a signing key."""
    with make_unit(path) as ws:
        ws.update_record("1.1.2", status=Status.DONE, explanation="已开设专栏。", actor="张三")
        ws.add_evidence_bytes("1.1.2", PDF_PROOF, "专栏截图说明.pdf", actor="张三")
        ws.add_evidence_bytes("1.1.2", SHARED_PHOTO, "专区照片.png", actor="张三")
        ws.add_evidence_link("1.1.2", "https://www.wz.gov.cn/zcjd/1.html", title="解读文章")
        save_identity(ws, key_of(TEST_UNIT), PASSPHRASE)
    return path


def holding_a_bundle(path: Path, folder: Path) -> Path:
    """The workspace at ``path`` with 涪陵区's bundle imported (made in ``folder``): something
    to consolidate (``bundle consolidate`` refuses a workspace that holds no bundle)."""
    from gongkai_desktop.bundle.importer import import_bundle
    from tests.bundle_fixtures import UNIT_B, export, fill_b

    folder.mkdir(exist_ok=True)
    with make_unit(folder / "涪陵区.gkws", UNIT_B) as other:
        fill_b(other)
        bundle = export(other, folder / "涪陵区.gkbundle")
    with Workspace.open(path) as ws:
        import_bundle(ws, bundle.files, accept_new_key=True)
    return path


def snapshot(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Everything the workspace holds (schema and every table's rows), read without
    leaving anything beside it once closed."""
    with Workspace.open(path, readonly=True) as ws, reading(ws) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = [("sqlite_master", conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall())]
        out += [(t, sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr))
                for t in tables]
    return out


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- a full disk

def limit_workspace_pages(monkeypatch: pytest.MonkeyPatch, spare_pages: int = 2) -> None:
    """Every workspace opened for writing from now on may grow by ``spare_pages`` only."""
    real = db._configure

    def limited(conn: sqlite3.Connection, *, readonly: bool, create: bool) -> None:
        real(conn, readonly=readonly, create=create)
        if not readonly and not create:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")

    monkeypatch.setattr(db, "_configure", limited)


class _FullFile:
    """A real file whose writes fail with ENOSPC once the shared budget is spent."""

    def __init__(self, handle: Any, budget: list[int]) -> None:
        self._handle = handle
        self._budget = budget

    def write(self, data: Any) -> int:
        size = len(data.encode("utf-8")) if isinstance(data, str) else memoryview(data).nbytes
        if size > self._budget[0]:
            self._budget[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._budget[0] -= size
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._handle)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def fill_disk(monkeypatch: pytest.MonkeyPatch, folder: Path, budget: int = 4096,
              only: Callable[[str], bool] = lambda name: True) -> None:
    """Files opened for writing inside ``folder`` (whose name passes ``only``) take
    ``budget`` bytes in all, then ENOSPC (``open``, ``Path.open``, ``zipfile`` all go
    through ``io.open``)."""
    real_open = io.open
    left = [budget]
    root = str(folder.resolve())

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        writing = any(flag in mode for flag in "wax+")
        inside = isinstance(file, str | os.PathLike) and os.path.abspath(
            os.fspath(file)).startswith(root) and only(os.path.basename(os.fspath(file)))
        return _FullFile(handle, left) if writing and inside else handle

    monkeypatch.setattr(io, "open", full_open)
    monkeypatch.setattr(builtins, "open", full_open)


@contextlib.contextmanager
def tiny_disk(folder: Path, free: int = 8192) -> Iterator[Path]:
    """A real, nearly full tmpfs mounted on ``folder`` (root only; skips otherwise)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("a real tmpfs needs root")
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        filler = folder / "占位"
        with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 4096)
        os.truncate(filler, filler.stat().st_size - free)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


# ---------------------------------------------------------------- read-only media

def _chmod_protects(folder: Path) -> bool:
    """Whether a write-protected file stops us (not for root, which overrides it)."""
    probe = folder / ".probe"
    probe.write_bytes(b"")
    probe.chmod(0o444)
    try:
        return not os.access(probe, os.W_OK)
    finally:
        probe.unlink()


@contextlib.contextmanager
def read_only_media(folder: Path) -> Iterator[Callable[[], None]]:
    """``folder`` made read-only for the block (a read-only bind mount as root, else
    chmod 0444 files / 0555 folder). Yields ``make_writable`` to end it early."""
    files = [p for p in folder.iterdir() if p.is_file()]
    mounted = False
    if not _chmod_protects(folder):
        source = folder.with_name(folder.name + ".src")
        folder.rename(source)
        folder.mkdir()
        ok = subprocess.run(["mount", "--bind", str(source), str(folder)],
                            capture_output=True).returncode == 0 and subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True
        ).returncode == 0
        if not ok:
            subprocess.run(["umount", str(folder)], capture_output=True)
            folder.rmdir()
            source.rename(folder)
            pytest.skip("chmod does not stop this user (root) and a read-only mount is not "
                        "possible here")
        mounted = True
    else:
        for f in files:
            f.chmod(0o444)
        folder.chmod(0o555)

    done = [False]

    def make_writable() -> None:
        if done[0]:
            return
        done[0] = True
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
            folder.rmdir()
            folder.with_name(folder.name + ".src").rename(folder)
        else:
            folder.chmod(0o755)
            for f in files:
                f.chmod(0o644)

    try:
        yield make_writable
    finally:
        make_writable()
