"""Delegation returns: import and roll-up time and peak memory.

``python benchmarks/bench_delegation.py``.

A parent workspace (万州区, the bundled 60-measure plan) has ``OFFICES`` offices (default
40), each assigned every measure. Each office works from its task file in its own
workspace (every measure answered, ``MB`` MB of evidence in 4 distinct files, default 5)
and exports a signed bundle. Then, each step in its own child process:

1. ``delegate import``: the parent imports all office bundles (``import_returns``).
2. ``roll-up``: the parent proposes and applies every measure (60 × all offices).
3. baseline: a supervisor imports the very same bundle files with today's
   ``bundle import`` (``import_bundles``, the offices put in its unit directory so the
   files are accepted as units).

Prints ``ratio delegate import / bundle import : X`` (target ≤ 2×) with PASS or MISS,
and each step's peak resident memory (``ru_maxrss``, SQLite caches included): flat
means independent of the evidence volume (contents are streamed chunk by chunk).
Smaller runs: ``BENCH_DELEGATION_OFFICES=5 BENCH_DELEGATION_MB=1``.
"""

from __future__ import annotations

import json
import os
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


def _child(phase: str, **params: Any) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, json.dumps(params)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _random_file(path: Path, size: int, seed: int) -> None:
    block = bytearray(os.urandom(min(size, MB)))
    with path.open("wb") as handle:
        left = size
        i = 0
        while left > 0:
            block[:16] = seed.to_bytes(8, "little") + i.to_bytes(8, "little")
            handle.write(block[: min(left, len(block))])
            left -= len(block)
            i += 1


def phase_build(p: dict[str, Any]) -> dict[str, Any]:
    from gongkai_desktop.bundle.export import export_bundle
    from gongkai_desktop.delegation import add_offices, assign, init_from_task, list_offices
    from gongkai_desktop.delegation.taskfile import write_task
    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.signing.identity import SigningIdentity
    from gongkai_desktop.signing.store import save_identity
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.units import UnitDirectory

    root, inbox = Path(p["root"]), Path(p["inbox"])
    plan = bundled_plan()
    measures = [m.id for m in plan.measures()]
    parent_key = SigningIdentity.generate("重庆市万州区人民政府", "基准", PASSPHRASE)
    unit = UnitDirectory.load().lookup("万州区")
    assert unit is not None
    parent = Workspace.create(root / "parent.gkws", plan, unit)
    save_identity(parent, parent_key)
    add_offices(parent, [f"基准部门{n:02d}" for n in range(p["offices"])])
    offices = list_offices(parent)
    assign(parent, measures, [o.name for o in offices])
    per_file = p["bytes"] // 4
    units = []
    for n, office in enumerate(offices):
        task = write_task(parent, office, parent_key, root / "task.gktask")
        path = root / f"office-{n}.gkws"
        ws, _task = init_from_task(path, task)
        with ws:
            for i, mid in enumerate(measures):
                ws.update_record(mid, status="done" if (i + n) % 3 else "in_progress",
                                 explanation=f"{office.name}：第{i}项工作已落实。" * 5)
            for f in range(4):
                source = root / "src.bin"
                _random_file(source, per_file, n * 10 + f)
                ws.add_evidence_file(measures[f * 7 % len(measures)], source,
                                     name=f"材料{f}.pdf")
            export_bundle(ws, inbox / f"{office.name}.gkbundle",
                          SigningIdentity.generate(office.name, "经办人", PASSPHRASE))
            units.append({"id": ws.unit.id, "name": ws.unit.name})
        path.unlink()
    parent.close()
    return {"units": units}


def phase_delegate(p: dict[str, Any]) -> dict[str, Any]:
    from gongkai_desktop.bundle.import_batch import peek_manifest
    from gongkai_desktop.delegation import import_returns
    from gongkai_desktop.storage import Workspace

    files = sorted(Path(p["inbox"]).glob("*.gkbundle"))
    keys = [peek_manifest(f).certificate_sha256 for f in files]
    with Workspace.open(Path(p["parent"])) as ws:
        started = time.perf_counter()
        rows = import_returns(ws, files, accept_keys=keys)
        seconds = time.perf_counter() - started
    bad = [r.message for r in rows if r.outcome.value != "imported"][:3]
    return {"seconds": seconds, "rss_mb": _max_rss_mb(), "refused": bad}


def phase_rollup(p: dict[str, Any]) -> dict[str, Any]:
    from gongkai_desktop.delegation import apply_rollup, propose_rollup
    from gongkai_desktop.storage import Workspace

    with Workspace.open(Path(p["parent"])) as ws:
        started = time.perf_counter()
        added = 0
        for m in ws.plan.measures():
            proposal = propose_rollup(ws, m.id)
            added += len(proposal.evidence_to_add)
            apply_rollup(ws, proposal)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rss_mb": _max_rss_mb(), "evidence_added": added}


def phase_bundle(p: dict[str, Any]) -> dict[str, Any]:
    from gongkai_desktop.bundle.import_batch import import_bundles, peek_manifest
    from gongkai_desktop.model import Unit, UnitType
    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.units import UnitDirectory

    units = [Unit(u["id"], u["name"], u["name"], UnitType.OTHER) for u in p["units"]]
    directory = UnitDirectory([*UnitDirectory.load().all(), *units])
    files = sorted(Path(p["inbox"]).glob("*.gkbundle"))
    keys = [peek_manifest(f).certificate_sha256 for f in files]
    sup_unit = directory.lookup("市政府办公厅")
    assert sup_unit is not None
    with Workspace.create(Path(p["supervisor"]), bundled_plan(), sup_unit) as ws:
        started = time.perf_counter()
        rows = import_bundles(ws, files, accept_keys=keys, directory=directory)
        seconds = time.perf_counter() - started
    bad = [r.message for r in rows if r.outcome.value != "imported"][:3]
    return {"seconds": seconds, "rss_mb": _max_rss_mb(), "refused": bad}


PHASES = {"build": phase_build, "delegate": phase_delegate, "rollup": phase_rollup,
          "bundle": phase_bundle}


def main() -> None:
    offices = int(os.environ.get("BENCH_DELEGATION_OFFICES", "40"))
    megabytes = float(os.environ.get("BENCH_DELEGATION_MB", "5"))
    with tempfile.TemporaryDirectory(prefix="bench-delegation-") as tmp:
        root = Path(tmp)
        inbox = root / "inbox"
        inbox.mkdir()
        print(f"measured: {offices} offices × 60 measures, {megabytes:g} MB of evidence each "
              f"(4 files), every measure assigned to every office", flush=True)
        started = time.perf_counter()
        built = _child("build", root=str(root), inbox=str(inbox), offices=offices,
                       bytes=int(megabytes * MB))
        total = sum(f.stat().st_size for f in inbox.glob("*.gkbundle"))
        print(f"built in {time.perf_counter() - started:.0f} s: {offices} office bundles, "
              f"{total / MB:.0f} MB", flush=True)
        parent = root / "parent.gkws"
        delegate = _child("delegate", inbox=str(inbox), parent=str(parent))
        rollup = _child("rollup", parent=str(parent))
        bundle = _child("bundle", inbox=str(inbox), supervisor=str(root / "sup.gkws"),
                        units=built["units"])
        for name, run in (("delegate import", delegate), ("bundle import", bundle)):
            if run["refused"]:
                print(f"{name}: refused {run['refused']}")
        print(f"delegate import (returns → contributions) : {delegate['seconds']:8.2f} s, "
              f"peak memory {delegate['rss_mb']:.0f} MB")
        print(f"bundle import (same files, today's path)  : {bundle['seconds']:8.2f} s, "
              f"peak memory {bundle['rss_mb']:.0f} MB")
        print(f"roll-up of 60 measures (propose + apply)  : {rollup['seconds']:8.2f} s, "
              f"peak memory {rollup['rss_mb']:.0f} MB, {rollup['evidence_added']} files attached")
        ratio = delegate["seconds"] / max(bundle["seconds"], 1e-9)
        verdict = "PASS" if ratio <= 2.0 else "MISS"
        print(f"ratio delegate import / bundle import : {ratio:.2f} (target ≤ 2) {verdict}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--phase":
        print(json.dumps(PHASES[sys.argv[2]](json.loads(sys.argv[3]))))
    else:
        main()
