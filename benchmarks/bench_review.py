"""Benchmark: the office's review with 100 units × 5,000 measures in its workspace.

Run: .venv/bin/python benchmarks/bench_review.py [--units 100] [--measures 5000]

A supervisor workspace is filled directly with SQL (not timed): a synthetic plan of
``--measures`` measures, ``--units`` imported units with a record and an audit entry
per measure, and a verdict on every cell (one in ten 退回整改 with a comment), i.e.
a review file of ``--measures`` verdicts per unit. Measured, with the core calls the
review window makes:

1. Setting a verdict (``set_verdict``: one insert and its audit entry, committed).
2. Moving to the next record (``review_item``: record, evidence, verdict and state,
   the unit's ledger entry, the verdict history).
   Target for both: under 50 ms (p95 of ``--steps`` steps).
3. Exporting the review files of every unit (``write_all_reviews``: query, sign,
   write; two threads sign and write while the next files are put together) against
   writing the same bytes to the same number of files the same way (temporary file,
   fsync, rename; one file after the other), interleaved in the same run, best of
   ``--runs`` each (the disk is shared). Target: at most 2×.

Also printed: reading every cell's state for the consolidation's overlay.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gongkai_desktop.model import (
    Area,
    Deadline,
    Measure,
    Plan,
    PlanInfo,
    Subtask,
    Unit,
    UnitType,
)
from gongkai_desktop.review.item import review_item
from gongkai_desktop.review.reviewfile import write_all_reviews, write_file
from gongkai_desktop.review.states import Verdict
from gongkai_desktop.review.verdicts import file_json, review_cells, set_verdict
from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.wsconn import writing

OFFICE = Unit("cq-gov-office", "市政府办公厅", "重庆市人民政府办公厅", UnitType.DEPARTMENT)
LIMIT_MS = 50.0


def synthetic_plan(measures: int) -> Plan:
    per, areas, n = 50, [], 0
    for a in range(1, measures // (per * 10) + 2):
        subtasks = []
        for s in range(1, 11):
            items = []
            for k in range(1, per + 1):
                if n == measures:
                    break
                items.append(Measure(f"{a}.{s}.{k}", k, f"{k}．",
                                     f"第{n}项举措：按要求公开相关信息。",
                                     ("市政府办公厅",), ("各区县政府",), Deadline()))
                n += 1
            if items:
                subtasks.append(Subtask(f"{a}.{s}", s, f"（{s}）", f"子任务{s}", tuple(items)))
        if subtasks:
            areas.append(Area(str(a), a, str(a), f"领域{a}", tuple(subtasks)))
    return Plan(PlanInfo("bench-review", "基准计划", "无", dt.date(2020, 1, 1), "测试"),
                tuple(areas))


def fill(ws: Workspace, units: int) -> list[tuple[str, list[str]]]:
    """Imported units, their records and audit logs, and a verdict on every cell."""
    ids = [m.id for m in ws.plan.measures()]
    now = db.to_text(db.now())
    out = []
    with writing(ws) as conn:
        for u in range(units):
            unit_id = f"u{u:03d}"
            digest = uuid.uuid4().hex * 2
            cur = conn.execute(
                "INSERT INTO sup_bundles (bundle_hash, unit_id, sequence, exported_at,"
                " imported_at, cert_fingerprint, evidence_included, manifest)"
                " VALUES (?, ?, 1, ?, ?, ?, 1, '{}')",
                (digest, unit_id, now, now, "0" * 64))
            conn.execute(
                "INSERT INTO sup_units (unit_id, unit_name, full_name, unit_type, bundle_id,"
                " sequence, exported_at, imported_at) VALUES (?, ?, ?, 'other', ?, 1, ?, ?)",
                (unit_id, f"测试单位{u}", f"重庆市测试单位{u}", cur.lastrowid, now, now))
            conn.executemany(
                "INSERT INTO sup_records (unit_id, measure_id, status, explanation, updated_at)"
                " VALUES (?, ?, 'done', '已按要求完成并在门户网站公开。', ?)",
                [(unit_id, m, now) for m in ids])
            conn.executemany(
                "INSERT INTO sup_audit (unit_id, id, at, actor, action, measure_id, field, new)"
                " VALUES (?, ?, ?, '张三', 'update_record', ?, 'status', 'done')",
                [(unit_id, n + 1, now, m) for n, m in enumerate(ids)])
            rows = []
            for n, m in enumerate(ids):
                vid, kind = uuid.uuid4().hex, Verdict.RETURNED if n % 10 == 0 else Verdict.ACCEPTED
                comment = "缺少公开链接，请补充发布网址并上传页面截图。" if n % 10 == 0 else ""
                rows.append((vid, unit_id, m, kind.value, comment, digest, now,
                             file_json(vid, m, kind, comment, now, 1)))
            conn.executemany(
                "INSERT INTO sup_verdicts (verdict_id, unit_id, measure_id, verdict, comment,"
                " bundle_sequence, bundle_hash, reviewed_at, reviewer)"
                " VALUES (?, ?, ?, ?, ?, 1, ?, ?, '王五')", [r[:-1] for r in rows])
            conn.executemany(
                "INSERT INTO sup_verdict_files (unit_id, measure_id, file_json) VALUES (?, ?, ?)",
                [(r[1], r[2], r[-1]) for r in rows])
            out.append((unit_id, ids))
    return out


def timed(call, *args, **kwargs) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def verdict(p95: float) -> str:
    return "PASS" if p95 < LIMIT_MS else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--measures", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        ws = Workspace.create(tmp / "office.gkws", synthetic_plan(args.measures), OFFICE,
                              officer="王五")
        units = fill(ws, args.units)
        size = (tmp / "office.gkws").stat().st_size / 1e6
        print(f"workspace {args.units} units × {args.measures} measures, "
              f"{args.units * args.measures:,} verdicts: {size:.0f} MB, "
              f"filled in {time.perf_counter() - started:.1f} s (not timed below)")

        ids = units[0][1]
        set_ms, next_ms = [], []
        for step in range(args.steps):
            unit_id = units[step % len(units)][0]
            measure = ids[(step * 37) % len(ids)]
            set_ms.append(timed(set_verdict, ws, unit_id, measure, "退回整改" if step % 3 == 0
                                else "通过", "请补充公开链接" if step % 3 == 0 else "",
                                actor="王五"))
            following = ids[((step * 37) + 1) % len(ids)]
            next_ms.append(timed(review_item, ws, unit_id, following))
        for label, samples in (("set a verdict", set_ms), ("next record", next_ms)):
            p95 = statistics.quantiles(samples, n=20)[-1]
            print(f"{label}: median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, "
                  f"max {max(samples):.1f} ms (target < {LIMIT_MS:.0f} ms): {verdict(p95)}")

        started = time.perf_counter()
        cells = review_cells(ws)
        print(f"matrix overlay: {len(cells):,} cells read in "
              f"{time.perf_counter() - started:.2f} s (off the UI thread, with the consolidation)")
        del cells

        identity = SigningIdentity.generate(OFFICE.full_name, "王五", "bench-passphrase")
        exports, writes = [], []
        for run in range(args.runs):  # interleaved; the best of each (the disk is shared)
            out = tmp / f"reviews-{run}"
            out.mkdir()
            started = time.perf_counter()
            written = write_all_reviews(ws, identity, out)
            exports.append(time.perf_counter() - started)
            blobs = [p.read_bytes() for p in written]
            again = tmp / f"copies-{run}"
            again.mkdir()
            started = time.perf_counter()
            for path, data in zip(written, blobs, strict=True):
                write_file(again / path.name, data)
            writes.append(time.perf_counter() - started)
        total = sum(len(b) for b in blobs) / 1e6
        export_s, write_s = min(exports), min(writes)
        ratio = export_s / write_s
        print(f"export {len(written)} review files ({total:.1f} MB): best of {args.runs} "
              f"{export_s:.2f} s ({', '.join(f'{t:.2f}' for t in exports)}); writing the same "
              f"bytes: {write_s:.2f} s ({', '.join(f'{t:.2f}' for t in writes)}); "
              f"ratio {ratio:.2f}× (target ≤ 2×): {'PASS' if ratio <= 2 else 'MISS'}")
        ws.close()
        os.sync()


if __name__ == "__main__":
    main()
