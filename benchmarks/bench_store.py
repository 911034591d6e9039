"""Evidence storage throughput and memory: ``python benchmarks/bench_store.py [--gb 1]``.

Writes ``--files`` files totalling ``--gb`` GB into a temporary folder, then, ``--runs``
times (default 5) alternating, times (1) ``shutil.copyfile`` of the same files, without
and with fsync, as the floor of this machine in this run, and (2) adding them to a new
workspace (``synchronous=FULL``, so each file is on disk when its call returns). Prints
the medians in MB/s, the ratios, PASS/MISS for the target (add ≥ 0.5× copy + fsync,
issue #15) and the peak memory. (3) The floor of any store in a WAL database: bare
``sqlite3`` inserting the same files' bytes in 1 MiB chunks into a fresh database with the
workspace's settings (16 KiB pages, WAL, ``synchronous=FULL``, one transaction per file, the
default checkpoint), with no hashing, no checks and no bookkeeping rows; and the same with a
rollback journal (appended pages are not journaled, so each byte is written once). The
source files sit in the page cache for all, so this measures the store, not the disk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gongkai_desktop.model import Area, Measure, Plan, PlanInfo, Subtask, Unit, UnitType
from gongkai_desktop.paths import seed_database
from gongkai_desktop.plan.store import read_plan
from gongkai_desktop.storage import Workspace

MB = 1024 * 1024
TARGET = 0.5  # add_evidence_file / (copyfile + fsync), in MB/s


def _plan() -> Plan:
    seed = seed_database()
    if seed.exists():
        with closing(sqlite3.connect(f"{seed.as_uri()}?mode=ro", uri=True)) as conn:
            return read_plan(conn)
    measure = Measure("1.1.1", 1, "1．", "基准测试举措", ("市政府办公厅",), ())
    return Plan(PlanInfo("bench", "基准", "无", dt.date(2020, 1, 1), "无"),
                (Area("1", 1, "一", "基准", (Subtask("1.1", 1, "（一）", "基准", (measure,)),)),))


def _make_files(folder: Path, count: int, size: int) -> list[Path]:
    """Distinct content per file and per chunk (no dedup), generated cheaply."""
    block = bytearray(os.urandom(MB))
    files = []
    for n in range(count):
        path = folder / f"evidence-{n:02d}.bin"
        with path.open("wb") as handle:
            for i in range(size // MB):
                block[:16] = n.to_bytes(8, "little") + i.to_bytes(8, "little")
                handle.write(block)
            handle.write(bytes(size % MB))
            handle.flush()
            os.fsync(handle.fileno())  # so writing them back does not slow the timed runs
        files.append(path)
    return files


def _copy_all(files: list[Path], target: Path, *, fsync: bool) -> float:
    target.mkdir()
    started = time.perf_counter()
    for path in files:
        dest = target / path.name
        shutil.copyfile(path, dest)
        if fsync:
            with dest.open("rb+") as handle:
                os.fsync(handle.fileno())
    return time.perf_counter() - started


def _bare_sqlite(files: list[Path], target: Path, journal: str = "WAL") -> float:
    """Store the bytes in a database with nothing else: what SQLite itself costs."""
    with closing(sqlite3.connect(target, isolation_level=None)) as conn:
        conn.execute("PRAGMA page_size = 16384")
        conn.execute(f"PRAGMA journal_mode = {journal}")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE chunk (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        started = time.perf_counter()
        for path in files:
            conn.execute("BEGIN IMMEDIATE")
            with path.open("rb") as handle:
                while data := handle.read(MB):
                    conn.execute("INSERT INTO chunk (data) VALUES (?)", (data,))
            conn.execute("COMMIT")
        seconds = time.perf_counter() - started
    for leftover in (target, *(target.with_name(target.name + end)
                               for end in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    return seconds


def _max_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MB if sys.platform == "darwin" else rss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0, help="total size of the files")
    parser.add_argument("--files", type=int, default=10, help="how many files")
    parser.add_argument("--dir", type=Path, default=None, help="where to put temporary files")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (median)")
    args = parser.parse_args()
    total = int(args.gb * 1024 * MB)
    size = total // args.files
    total_mb = size * args.files / MB

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench_store-") as tmp:
        root = Path(tmp)
        (root / "src").mkdir()
        print(f"writing {args.files} × {size / MB:.0f} MB into {root} …", flush=True)
        files = _make_files(root / "src", args.files, size)
        plan = _plan()
        measure = plan.measures()[0].id
        unit = Unit("bench", "基准单位", "基准单位", UnitType.OTHER)

        def add_all(n: int) -> tuple[float, float, float, Path]:
            ws_path = root / f"bench-{n}.gkws"
            with Workspace.create(ws_path, plan, unit) as ws:
                ws.set_setting("max_evidence_bytes", size + MB)
                tracemalloc.start()
                started = time.perf_counter()
                items = [ws.add_evidence_file(measure, path) for path in files]
                seconds = time.perf_counter() - started
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                started = time.perf_counter()
                digest = hashlib.sha256()
                for chunk in ws.iter_blob(items[0].sha256 or ""):
                    digest.update(chunk)
                read_s = time.perf_counter() - started
                assert digest.hexdigest() == items[0].sha256
            return seconds, peak, read_s, ws_path

        # Warm-up: the first run of anything pays for cache warm-up.
        _copy_all(files, root / "copy", fsync=True)
        shutil.rmtree(root / "copy")
        copies, syncs, adds, peaks, bares, rollbacks = [], [], [], [], [], []
        rss_before = _max_rss_mb()
        for n in range(args.runs):
            copies.append(_copy_all(files, root / "copy", fsync=False))
            shutil.rmtree(root / "copy")
            syncs.append(_copy_all(files, root / "copy", fsync=True))
            shutil.rmtree(root / "copy")
            bares.append(_bare_sqlite(files, root / "bare.sqlite"))
            rollbacks.append(_bare_sqlite(files, root / "bare.sqlite", journal="DELETE"))
            add_s, peak, read_s, ws_path = add_all(n)
            adds.append(add_s)
            peaks.append(peak)
            if n < args.runs - 1:
                ws_path.unlink()
        rss_after = _max_rss_mb()
        started = time.perf_counter()
        Workspace.open(ws_path).close()  # includes PRAGMA quick_check of the whole file
        open_s = time.perf_counter() - started
        ws_size = ws_path.stat().st_size

    copy_s, sync_s, add_s, bare_s, rollback_s = (
        statistics.median(v) for v in (copies, syncs, adds, bares, rollbacks))
    add_rate = total_mb / add_s
    ratio = add_rate / (total_mb / sync_s)

    def runs(values: list[float]) -> str:
        return ", ".join(f"{total_mb / v:.0f}" for v in values)

    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {sys.platform}, "
          f"{os.cpu_count()} CPUs")
    print(f"data: {args.files} files, {total_mb:.0f} MB in total; {args.runs} runs each, medians")
    print(f"shutil.copyfile            : {total_mb / copy_s:8.0f} MB/s  ({copy_s:.2f} s; "
          f"runs {runs(copies)} MB/s)")
    print(f"shutil.copyfile + fsync    : {total_mb / sync_s:8.0f} MB/s  ({sync_s:.2f} s; "
          f"runs {runs(syncs)} MB/s)")
    print(f"Workspace.add_evidence_file: {add_rate:8.0f} MB/s  ({add_s:.2f} s; "
          f"runs {runs(adds)} MB/s)")
    print(f"bare SQLite WAL insert     : {total_mb / bare_s:8.0f} MB/s  ({bare_s:.2f} s; "
          f"runs {runs(bares)} MB/s)")
    print(f"bare SQLite, rollback jrnl : {total_mb / rollback_s:8.0f} MB/s  ({rollback_s:.2f} s; "
          f"runs {runs(rollbacks)} MB/s)")
    print(f"ratio add / copyfile       : {add_rate / (total_mb / copy_s):8.2f}")
    print(f"ratio add / bare WAL insert: {bare_s / add_s:8.2f}   (the workspace's own cost)")
    print(f"ratio bare WAL / copy+fsync: {sync_s / bare_s:8.2f}   (any WAL store's ceiling)")
    print(f"ratio rollback / copy+fsync: {sync_s / rollback_s:8.2f}   (no WAL: 1 write)")
    print(f"ratio add / copyfile+fsync : {ratio:8.2f}   (target ≥ {TARGET})")
    print(f"read back one file (iter_blob + sha256): {size / MB / read_s:.0f} MB/s")
    print(f"open (with quick_check) of the {ws_size / MB:.0f} MB workspace: {open_s:.2f} s")
    print(f"peak memory while adding   : tracemalloc {max(peaks) / MB:.1f} MB, "
          f"ru_maxrss {rss_after:.0f} MB (before adding {rss_before:.0f} MB)")
    print(f"  {'PASS' if ratio >= TARGET else 'MISS'}  add_evidence_file {total_mb:.0f} MB / "
          f"copy+fsync: {ratio:.2f} (≥ {TARGET})")


if __name__ == "__main__":
    main()
