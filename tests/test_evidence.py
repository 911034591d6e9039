"""Evidence files and links: streaming, dedup, limits, cancel, undo, safe export."""

from __future__ import annotations

import hashlib
import random
import resource
import sqlite3
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.errors import Cancelled, InvalidInput, NotFound, TooLarge
from gongkai_desktop.storage import CHUNK_SIZE, Workspace
from tests.plan_fixtures import make_workspace

MB = 1024 * 1024


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "ws.gkws"


@pytest.fixture
def ws(ws_path: Path) -> Iterator[Workspace]:
    with make_workspace(ws_path) as workspace:
        yield workspace


def _counts(path: Path) -> tuple[int, int, int]:
    """(blobs, chunks, evidence rows) as stored in the file."""
    with closing(sqlite3.connect(path)) as conn:
        blobs, chunks, items = (
            int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
            for t in ("blobs", "blob_chunks", "evidence")
        )
        return blobs, chunks, items


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_file_round_trips_and_is_named_safely(ws: Workspace, tmp_path: Path) -> None:
    data = random.Random(1).randbytes(int(2.5 * MB))
    source = _write(tmp_path / "政务公开专栏.bin", data)
    item = ws.add_evidence_file("1.1.1", source, name="../../上报/专栏 截图.png", actor="李四")
    assert item.file_name == "专栏 截图.png"
    assert item.size == len(data) and item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.added_by == "李四" and item.added_at.tzinfo is not None
    chunks = list(ws.iter_blob(item.sha256 or ""))
    assert [len(c) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE, len(data) - 2 * CHUNK_SIZE]
    out = tmp_path / "out"
    out.mkdir()
    exported = ws.export_evidence(item.id, out)
    assert exported == out / "专栏 截图.png" and exported.read_bytes() == data
    assert ws.export_evidence(item.id, out) == out / "专栏 截图 (2).png"
    assert ws.evidence("1.1.1") == [item] and ws.evidence("1.1.2") == []


def test_media_type_is_sniffed_then_guessed(ws: Workspace) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    assert ws.add_evidence_bytes("1.1.1", png, "截图.dat").media_type == "image/png"
    assert ws.add_evidence_bytes("1.1.1", b"\xff\xd8\xff\xe0x", "a.png").media_type == "image/jpeg"
    assert ws.add_evidence_bytes("1.1.1", b"%PDF-1.7", "a").media_type == "application/pdf"
    assert ws.add_evidence_bytes("1.1.1", b"GIF89a..", "a").media_type == "image/gif"
    assert ws.add_evidence_bytes("1.1.1", b"RIFF\0\0\0\0WEBPVP8 ", "a").media_type == "image/webp"
    assert ws.add_evidence_bytes("1.1.1", b"hello", "说明.txt").media_type == "text/plain"
    assert ws.add_evidence_bytes("1.1.1", b"\x01\x02", "x").media_type == "application/octet-stream"
    clip = ws.add_evidence_bytes("1.1.1", b"\x01\x03", "剪贴板", media_type="image/png")
    assert clip.media_type == "image/png"


def test_same_content_twice_is_stored_once(ws: Workspace, ws_path: Path, tmp_path: Path) -> None:
    data = random.Random(2).randbytes(3 * MB + 5)
    a = ws.add_evidence_file("1.1.1", _write(tmp_path / "a.bin", data))
    b = ws.add_evidence_file("2.1.1", _write(tmp_path / "copy of a.bin", data))
    c = ws.add_evidence_bytes("1.2.1", data, "剪贴板.bin")
    assert a.sha256 == b.sha256 == c.sha256 and len({a.id, b.id, c.id}) == 3
    assert _counts(ws_path) == (1, 4, 3)


def test_too_large_file_is_refused_before_reading(ws: Workspace, ws_path: Path,
                                                  tmp_path: Path) -> None:
    big = tmp_path / "录像.mp4"
    with big.open("wb") as handle:  # sparse: 201 MB without writing them
        handle.truncate(201 * MB)
    read_calls: list[int] = []

    def progress(done: int, total: int) -> bool:
        read_calls.append(done)
        return True

    with pytest.raises(TooLarge, match="200 MB") as caught:
        ws.add_evidence_file("1.1.1", big, progress=progress)
    assert "录像.mp4" in str(caught.value)
    assert read_calls == []
    ws.set_setting("max_evidence_bytes", 1 * MB)
    with pytest.raises(TooLarge, match="1 MB"):
        ws.add_evidence_bytes("1.1.1", b"x" * (MB + 1), "剪贴板.png")
    assert _counts(ws_path) == (0, 0, 0)
    assert [e.action for e in ws.audit_log()] == ["create"]


def test_cancel_stores_nothing(ws: Workspace, ws_path: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "大文件.pdf", random.Random(3).randbytes(5 * MB))
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 3 * MB

    with pytest.raises(Cancelled, match="取消"):
        ws.add_evidence_file("1.1.1", source, progress=progress)
    assert seen == [(MB, 5 * MB), (2 * MB, 5 * MB), (3 * MB, 5 * MB)]
    assert ws.evidence() == [] and _counts(ws_path) == (0, 0, 0)
    assert [e.action for e in ws.audit_log()] == ["create"]
    assert ws.search("大文件") == []


def test_bad_sources_are_refused(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="找不到文件"):
        ws.add_evidence_file("1.1.1", tmp_path / "没有.pdf")
    with pytest.raises(InvalidInput, match="不是普通文件"):
        ws.add_evidence_file("1.1.1", tmp_path)
    with pytest.raises(InvalidInput, match="空文件"):
        ws.add_evidence_file("1.1.1", _write(tmp_path / "空.txt", b""))
    with pytest.raises(NotFound):
        ws.add_evidence_bytes("7.7.7", b"x", "a.txt")
    with pytest.raises(InvalidInput, match="http"):
        ws.add_evidence_link("1.1.1", "file:///etc/passwd")
    assert ws.evidence() == []


def test_remove_restore_and_purge(ws: Workspace, ws_path: Path) -> None:
    item = ws.add_evidence_bytes("1.1.1", b"%PDF-1.4 evidence", "通知.pdf")
    link = ws.add_evidence_link("1.1.1", "https://www.cq.gov.cn/zwgk", title="政务公开专栏",
                                note="首页左侧")
    removed = ws.remove_evidence(item.id, actor="李四")
    assert removed == item and ws.evidence("1.1.1") == [link]
    assert ws.restore_evidence(removed) == item  # same id, same content
    assert ws.restore_evidence(removed) == item  # a repeated undo adds no copy
    assert ws.evidence("1.1.1") == [item, link]
    ws.remove_evidence(link.id)
    assert ws.restore_evidence(link) == link
    actions = [(e.action, e.actor) for e in ws.audit_log("1.1.1")]
    assert ("remove_evidence", "李四") in actions and ("restore_evidence", "") in actions

    big = ws.add_evidence_bytes("1.1.2", random.Random(5).randbytes(4 * MB), "录像.mp4")
    ws.remove_evidence(item.id)
    ws.remove_evidence(big.id)
    size_before = ws_path.stat().st_size + Path(f"{ws_path}-wal").stat().st_size
    assert ws.purge_unused_blobs() == 2 and _counts(ws_path)[:2] == (0, 0)
    with pytest.raises(NotFound, match="已被清理"):
        ws.restore_evidence(item)
    with pytest.raises(NotFound):
        ws.remove_evidence(item.id)
    ws.close()
    assert ws_path.stat().st_size < size_before - 3 * MB  # the space went back to the disk


def test_read_blob_is_bounded(ws: Workspace) -> None:
    item = ws.add_evidence_bytes("1.1.1", b"\x89PNG\r\n\x1a\n" + bytes(5000), "图.png")
    assert len(ws.read_blob(item.sha256 or "", 10_000)) == 5008
    with pytest.raises(TooLarge, match="无法预览"):
        ws.read_blob(item.sha256 or "", 1000)
    with pytest.raises(NotFound):
        ws.read_blob("0" * 64, 1000)


HOSTILE_NAMES = ["../../etc/passwd", "/abs/x.png", "C:\\x\\y.png", "CON.txt", "a\x00b.png",
                 "..", "", "  .  ", "com1", "aux.tar.gz", "x:y?.png", "\\\\server\\share\\z.pdf",
                 "名" * 300 + ".pdf"]


@pytest.mark.parametrize("stored", HOSTILE_NAMES)
def test_export_never_leaves_the_folder(ws: Workspace, ws_path: Path, tmp_path: Path,
                                        stored: str) -> None:
    item = ws.add_evidence_bytes("1.1.1", b"content", "ok.bin")
    # A name that did not pass through our own sanitising (an old or tampered file).
    with closing(sqlite3.connect(ws_path)) as conn:
        conn.execute("UPDATE evidence SET file_name = ? WHERE id = ?", (stored, item.id))
        conn.commit()
    folder = tmp_path / "导出"
    folder.mkdir()
    first = ws.export_evidence(item.id, folder)
    second = ws.export_evidence(item.id, folder)
    for path in (first, second):
        assert path.parent == folder and path.resolve().parent == folder.resolve()
        assert path.read_bytes() == b"content"
        assert path.stem.split(".")[0].upper() not in {"CON", "AUX", "COM1", ""}
        assert len(path.name.encode()) <= 200 and "\x00" not in path.name
    assert first != second and second.stem.endswith(" (2)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.gkws", "ws.gkws-shm", "ws.gkws-wal",
                                                          "导出"]


def test_export_of_a_link_is_refused(ws: Workspace, tmp_path: Path) -> None:
    link = ws.add_evidence_link("1.1.1", "https://www.cq.gov.cn")
    with pytest.raises(InvalidInput, match="没有可导出的文件"):
        ws.export_evidence(link.id, tmp_path)


@pytest.mark.slow
def test_large_file_streams_with_flat_memory(ws: Workspace, tmp_path: Path) -> None:
    size = 300 * MB
    source = tmp_path / "大视频.mp4"
    pattern = random.Random(4).randbytes(MB)
    with source.open("wb") as handle:  # distinct chunks, cheap to generate
        for i in range(size // MB):
            handle.write(i.to_bytes(8, "little") + pattern[8:])
    ws.set_setting("max_evidence_bytes", 400 * MB)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    try:
        item = ws.add_evidence_file("1.1.1", source)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert item.size == size
    assert peak < 8 * MB, f"Python peak {peak / MB:.1f} MB"
    assert rss_growth_kb < 64 * 1024, f"RSS grew {rss_growth_kb / 1024:.0f} MB"
    digest = hashlib.sha256()
    for chunk in ws.iter_blob(item.sha256 or ""):
        digest.update(chunk)
    assert digest.hexdigest() == item.sha256
    print(f"300 MB added in {elapsed:.1f} s, Python peak {peak / MB:.1f} MB")
