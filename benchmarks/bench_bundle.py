"""Bundle export and import: time and peak memory. ``python benchmarks/bench_bundle.py``.

1. Export: a workspace holding ``--gb`` GB of evidence (10 files, distinct content)
   is exported to one bundle, against ``shutil.copyfile`` of the workspace file
   (with and without fsync; the export syncs its file). Target: export ≤ 1.3× the
   copy + fsync (issue #15).
2. Import: ``--units`` unit workspaces (the first units of the directory) with
   ``--bundle-mb`` MB of evidence each are exported; all bundles are imported into a
   new supervisor workspace with ``import_bundles``, then imported again (idempotent:
   every bundle is verified completely, nothing is written). The floor, in the same
   run: read and SHA-256 each bundle file once and write its bytes once, as 1 MiB
   chunks, into a new SQLite file with the workspace's settings (``storage.db``: WAL,
   ``synchronous=FULL``, 16 KiB pages), one transaction per bundle. Target: import
   ≤ 1.5× the floor. For reference it also prints the same without a database (a
   plain file, synced per bundle): no target, it shows what SQLite itself costs.

``--runs`` (default 5) runs of each timed step, alternating with its floor; medians.
Smaller sizes for a quick look: ``--gb 0.25 --units 20`` (the output says the sizes).

Each measured step runs in its own child process, so its peak resident memory
(``ru_maxrss``, which includes SQLite's page caches) is its own. Target: ≤ 200 MB.
One signing key is used for all units (key generation is not what is measured).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MB = 1024 * 1024
PASSPHRASE = "bench-passphrase"


def _max_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MB if sys.platform == "darwin" else rss / 1024


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_random(path: Path, size: int, seed: int) -> None:
    """Distinct content per file and per MiB (no deduplication), generated cheaply."""
    block = bytearray(os.urandom(MB))
    with path.open("wb") as handle:
        for i in range(size // MB):
            block[:16] = seed.to_bytes(8, "little") + i.to_bytes(8, "little")
            handle.write(block)
        handle.write(os.urandom(size % MB))


def _child(phase: str, **params: Any) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; returns its JSON report."""
    out = subprocess.run([sys.executable, __file__, "--phase", phase, json.dumps(params)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ phases

def _identity() -> Any:
    from gongkai_desktop.signing.identity import SigningIdentity

    return SigningIdentity.generate("基准单位", "基准", PASSPHRASE)


def _save_key(path: Path) -> None:
    from gongkai_desktop.signing.store import save_identity
    from gongkai_desktop.storage import Workspace

    with Workspace.open(path) as ws:
        save_identity(ws, _identity())


def phase_build(p: dict[str, Any]) -> dict[str, Any]:
    """A workspace with ``files`` evidence files totalling ``bytes``."""
    from gongkai_desktop.model import Unit, UnitType
    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.storage import Workspace

    root = Path(p["root"])
    plan = bundled_plan()
    measures = [m.id for m in plan.measures()]
    size = p["bytes"] // p["files"]
    unit = Unit("bench", "基准单位", "基准单位", UnitType.OTHER)
    ws_path = root / "big.gkws"
    with Workspace.create(ws_path, plan, unit) as ws:
        ws.set_setting("max_evidence_bytes", size + MB)
        for n in range(p["files"]):
            source = root / f"src-{n}.bin"
            _write_random(source, size, n)
            ws.add_evidence_file(measures[n % len(measures)], source)
            source.unlink()
    _save_key(ws_path)
    return {"workspace_bytes": ws_path.stat().st_size}


def phase_export(p: dict[str, Any]) -> dict[str, Any]:
    from gongkai_desktop.bundle.export import export_bundle
    from gongkai_desktop.signing.store import load_identity
    from gongkai_desktop.storage import Workspace

    with Workspace.open(Path(p["workspace"])) as ws:
        key = load_identity(ws, PASSPHRASE)
        started = time.perf_counter()
        result = export_bundle(ws, Path(p["out"]), key)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": result.size, "rss_mb": _max_rss_mb()}


def phase_units(p: dict[str, Any]) -> dict[str, Any]:
    """``count`` unit workspaces with ``bytes`` of evidence each, exported to bundles."""
    from gongkai_desktop.bundle.export import export_bundle
    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.units import UnitDirectory

    root, inbox = Path(p["root"]), Path(p["inbox"])
    plan = bundled_plan()
    measures = [m.id for m in plan.measures()]
    sizes = []
    per_file = p["bytes"] // 4
    for n, unit in enumerate(UnitDirectory.load().all()[: p["count"]]):
        path = root / f"unit-{n}.gkws"
        with Workspace.create(path, plan, unit, officer="经办人") as ws:
            for i, mid in enumerate(measures[:10]):
                ws.update_record(mid, status="done", explanation=f"第{i}项已完成。" * 20)
            for f in range(4):
                source = root / "src.bin"
                _write_random(source, per_file, n * 10 + f)
                ws.add_evidence_file(measures[f], source, name=f"材料{f}.pdf")
            # One key per unit: a key pinned for one unit is refused for any other.
            bundle = export_bundle(ws, inbox / f"{unit.name}.gkbundle", _identity())
            sizes.append(bundle.size)
        path.unlink()
    return {"count": len(sizes), "mean_mb": sum(sizes) / len(sizes) / MB}


def phase_import(p: dict[str, Any]) -> dict[str, Any]:
    from gongkai_desktop.bundle.import_batch import bundle_files_in, import_bundles, peek_manifest
    from gongkai_desktop.bundle.importer import Outcome
    from gongkai_desktop.storage import Workspace

    files = bundle_files_in(Path(p["inbox"]))
    # First contact needs each unit's key accepted (the supervisor compared fingerprints).
    keys = {peek_manifest(f).certificate_sha256 for f in files}
    with Workspace.open(Path(p["supervisor"])) as ws:
        started = time.perf_counter()
        rows = import_bundles(ws, files, accept_keys=keys)
        seconds = time.perf_counter() - started
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row.outcome.value] = outcomes.get(row.outcome.value, 0) + 1
    refused = [r.message for r in rows if r.outcome is Outcome.REFUSED][:3]
    return {"seconds": seconds, "files": len(files), "outcomes": outcomes, "refused": refused,
            "rss_mb": _max_rss_mb(), "supervisor_mb": Path(p["supervisor"]).stat().st_size / MB}


def phase_floor(p: dict[str, Any]) -> dict[str, Any]:
    """The import's floor: each bundle file read and hashed once, its bytes written once
    into a new SQLite file with the workspace's pragmas, one transaction per file."""
    from gongkai_desktop.storage import db

    out = Path(p["out"])
    conn = db.connect(out, readonly=False, create=True)
    conn.execute("CREATE TABLE chunks (file INTEGER NOT NULL, seq INTEGER NOT NULL,"
                 " data BLOB NOT NULL, PRIMARY KEY (file, seq))")  # as blob_chunks
    buffer = bytearray(MB)
    view = memoryview(buffer)
    started = time.perf_counter()
    for n, path in enumerate(sorted(Path(p["inbox"]).iterdir())):
        digest = hashlib.sha256()
        conn.execute("BEGIN IMMEDIATE")
        with path.open("rb") as handle:
            seq = 0
            while size := handle.readinto(view):
                digest.update(view[:size])
                conn.execute("INSERT INTO chunks VALUES (?, ?, ?)", (n, seq, view[:size]))
                seq += 1
        conn.execute("COMMIT")
        digest.hexdigest()
    seconds = time.perf_counter() - started
    conn.close()
    for sidecar in (out, *db.sidecars(out)):
        sidecar.unlink(missing_ok=True)
    return {"seconds": seconds, "rss_mb": _max_rss_mb()}


def phase_raw(p: dict[str, Any]) -> dict[str, Any]:
    """For reference only: each bundle file read, hashed and written once to a plain file,
    synced (what the disk allows without any database)."""
    out = Path(p["out"])
    buffer = bytearray(MB)
    view = memoryview(buffer)
    started = time.perf_counter()
    for path in sorted(Path(p["inbox"]).iterdir()):
        digest = hashlib.sha256()
        with path.open("rb") as handle, out.open("wb") as target:
            while size := handle.readinto(view):
                digest.update(view[:size])
                target.write(view[:size])
            target.flush()
            os.fsync(target.fileno())
        digest.hexdigest()
    seconds = time.perf_counter() - started
    out.unlink()
    return {"seconds": seconds}


PHASES = {"build": phase_build, "export": phase_export, "units": phase_units,
          "import": phase_import, "floor": phase_floor, "raw": phase_raw}
EXPORT_TARGET = 1.3  # export / copyfile + fsync
IMPORT_TARGET = 1.5  # import / floor


# -------------------------------------------------------------------- main

def _copy(src: Path, dest: Path, *, fsync: bool) -> float:
    started = time.perf_counter()
    shutil.copyfile(src, dest)
    if fsync:
        _fsync(dest)
    seconds = time.perf_counter() - started
    dest.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0, help="evidence in the export test")
    parser.add_argument("--units", type=int, default=86, help="bundles in the import test")
    parser.add_argument("--bundle-mb", type=float, default=20.0, help="evidence per bundle")
    parser.add_argument("--dir", type=Path, default=None, help="where to put temporary files")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each step (median)")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    import sqlite3

    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {sys.platform},"
          f" {os.cpu_count()} CPUs", flush=True)
    checks: list[tuple[str, bool, str]] = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench_bundle-") as tmp:
        root = Path(tmp)
        if not args.skip_export:
            checks += _bench_export(root, int(args.gb * 1024 * MB), args.runs)
        if not args.skip_import:
            checks += _bench_import(root, args.units, int(args.bundle_mb * MB), args.runs)
    for name, ok, text in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {text}")


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _listing(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _bench_export(root: Path, total: int, runs: int) -> list[tuple[str, bool, str]]:
    print(f"\n== export: workspace with {total / MB:.0f} MB of evidence ==", flush=True)
    built = _child("build", root=str(root), bytes=total, files=10)
    ws_path = root / "big.gkws"
    ws_mb = built["workspace_bytes"] / MB
    _copy(ws_path, root / "copy.gkws", fsync=True)  # warm the page cache
    copies, syncs, exports = [], [], []
    for n in range(runs):
        copies.append(_copy(ws_path, root / "copy.gkws", fsync=False))
        syncs.append(_copy(ws_path, root / "copy.gkws", fsync=True))
        out = root / f"export-{n}.gkbundle"
        exports.append(_child("export", workspace=str(ws_path), out=str(out)))
        out.unlink()
    copy_s, sync_s = _median(copies), _median(syncs)
    export_s = _median([r["seconds"] for r in exports])
    ratio = export_s / sync_s
    print(f"workspace file             : {ws_mb:8.0f} MB; {runs} runs each, medians")
    print(f"shutil.copyfile            : {copy_s:8.2f} s  ({ws_mb / copy_s:.0f} MB/s)")
    print(f"shutil.copyfile + fsync    : {sync_s:8.2f} s  ({ws_mb / sync_s:.0f} MB/s; "
          f"runs: {_listing(syncs)} s)")
    print(f"export_bundle (syncs)      : {export_s:8.2f} s  "
          f"({exports[0]['bytes'] / MB:.0f} MB bundle; runs: "
          f"{_listing([r['seconds'] for r in exports])} s)")
    print(f"ratio export / copy+fsync  : {ratio:8.2f}   (target ≤ {EXPORT_TARGET})")
    print(f"ratio export / copy        : {export_s / copy_s:8.2f}")
    peak = max(r["rss_mb"] for r in exports)
    print(f"peak memory of the export  : {peak:8.0f} MB (ru_maxrss; target ≤ 200)", flush=True)
    ws_path.unlink()
    return [(f"export {ws_mb:.0f} MB / copy+fsync", ratio <= EXPORT_TARGET,
             f"{ratio:.2f} (≤ {EXPORT_TARGET})"),
            ("peak memory of the export", peak <= 200, f"{peak:.0f} MB (≤ 200 MB)")]


def _bench_import(root: Path, count: int, per_bundle: int,
                  runs: int) -> list[tuple[str, bool, str]]:
    print(f"\n== import: {count} bundles of ~{per_bundle / MB:.0f} MB ==", flush=True)
    from gongkai_desktop.model import Unit, UnitType
    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.storage import Workspace, db

    inbox = root / "inbox"
    inbox.mkdir()
    started = time.perf_counter()
    made = _child("units", root=str(root), inbox=str(inbox), count=count, bytes=per_bundle)
    print(f"made {made['count']} bundles, mean {made['mean_mb']:.1f} MB "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    office = Unit("cq-gov-office", "市政府办公厅", "重庆市人民政府办公厅", UnitType.DEPARTMENT)
    sup = root / "supervisor.gkws"
    files_mb = sum(p.stat().st_size for p in inbox.iterdir()) / MB
    _child("floor", inbox=str(inbox), out=str(root / "floor.db"))  # warm the page cache
    floors, imports, raws = [], [], []
    for _ in range(runs):
        raws.append(_child("raw", inbox=str(inbox), out=str(root / "raw.bin"))["seconds"])
        floors.append(_child("floor", inbox=str(inbox), out=str(root / "floor.db")))
        for path in (sup, *db.sidecars(sup)):
            path.unlink(missing_ok=True)
        Workspace.create(sup, bundled_plan(), office).close()
        imports.append(_child("import", inbox=str(inbox), supervisor=str(sup)))
    again = _child("import", inbox=str(inbox), supervisor=str(sup))
    floor_s = _median([r["seconds"] for r in floors])
    import_s = _median([r["seconds"] for r in imports])
    ratio = import_s / floor_s
    print(f"bundle files               : {files_mb:8.0f} MB; {runs} runs each, medians")
    print(f"floor (read+hash+write once): {floor_s:7.2f} s  ({files_mb / floor_s:.0f} MB/s; "
          f"runs: {_listing([r['seconds'] for r in floors])} s)")
    raw_s = _median(raws)
    print(f"(reference: read+hash+write once to a plain file, synced: {raw_s:.2f} s, "
          f"{files_mb / raw_s:.0f} MB/s; import / that: {import_s / raw_s:.2f})")
    print(f"import_bundles             : {import_s:8.2f} s  ({files_mb / import_s:.0f} MB/s; "
          f"runs: {_listing([r['seconds'] for r in imports])} s), "
          f"outcomes {imports[-1]['outcomes']}")
    print(f"ratio import / floor       : {ratio:8.2f}   (target ≤ {IMPORT_TARGET})")
    print(f"again (idempotent)         : {again['seconds']:8.2f} s  "
          f"({files_mb / again['seconds']:.0f} MB/s), outcomes {again['outcomes']}")
    for message in [m for r in (*imports, again) for m in r["refused"]][:3]:
        print(f"  refused: {message}")
    peak = max(r["rss_mb"] for r in (*imports, again))
    print(f"peak memory of the import  : {peak:8.0f} MB (ru_maxrss; target ≤ 200)")
    print(f"supervisor workspace       : {imports[-1]['supervisor_mb']:8.0f} MB", flush=True)
    return [(f"import {made['count']} × {per_bundle / MB:.0f} MB / floor", ratio <= IMPORT_TARGET,
             f"{ratio:.2f} (≤ {IMPORT_TARGET})"),
            ("peak memory of the import", peak <= 200, f"{peak:.0f} MB (≤ 200 MB)")]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--phase":
        print(json.dumps(PHASES[sys.argv[2]](json.loads(sys.argv[3]))))
    else:
        main()
