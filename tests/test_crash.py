"""Kill a writing process again and again: the file stays sound and no reported commit is lost.

``tests/crash_writer.py`` logs a change only after the call that committed it returned
(and fsyncs the log), so everything in the log must be in the workspace after SIGKILL.
One workspace is used for every round, so recovery of a killed WAL runs each time.
SIGKILL tests atomicity and recovery; surviving power loss additionally relies on
``synchronous=FULL`` (the WAL is synced at every commit).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.storage import Workspace
from tests.plan_fixtures import make_workspace

ROUNDS = 50
WRITER = Path(__file__).with_name("crash_writer.py")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX-only")


def _read_log(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    entries = []
    for line in path.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut short by the kill was never reported
            break
    return entries


def _run_until_killed(ws_path: Path, log: Path, seed: int, first_seq: int, scratch: Path,
                      rng: random.Random) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(ws_path), str(log), str(seed), str(first_seq),
         str(scratch)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        # Kill only once the writer is busy, at a random point of its work.
        while not (log.exists() and log.stat().st_size) and proc.poll() is None:
            assert time.monotonic() < deadline, "writer never started writing"
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.25))
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        proc.kill()  # SIGKILL
    finally:
        proc.wait()
        if proc.stderr:
            proc.stderr.close()


@pytest.mark.slow
def test_every_reported_commit_survives_sigkill(tmp_path: Path) -> None:
    ws_path = tmp_path / "crash.gkws"
    make_workspace(ws_path).close()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    rng = random.Random(20200713)
    last_seq: dict[str, int] = {}
    present: dict[int, str] = {}  # evidence id → sha256 that must be there
    removed: set[int] = set()
    started = time.monotonic()
    for round_no in range(ROUNDS):
        log = tmp_path / f"log-{round_no}.jsonl"
        _run_until_killed(ws_path, log, rng.randrange(1 << 30), round_no * 1_000_000,
                          scratch, rng)
        entries = _read_log(log)
        new_items: dict[int, str] = {}
        for entry in entries:
            if entry["op"] == "record":
                last_seq[str(entry["measure"])] = int(str(entry["seq"]))
            elif entry["op"] == "evidence":
                new_items[int(str(entry["id"]))] = str(entry["sha256"])
            elif entry["op"] in ("removing", "remove"):
                item_id = int(str(entry["id"]))
                new_items.pop(item_id, None)
                present.pop(item_id, None)
                if entry["op"] == "remove":
                    removed.add(item_id)
        present.update(new_items)

        with Workspace.open(ws_path) as ws:
            with closing(sqlite3.connect(ws_path)) as raw:
                assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
                raw.execute("INSERT INTO search_index (search_index) VALUES ('integrity-check')")
            for measure, seq in last_seq.items():
                stored = ws.record(measure).explanation
                assert int(stored.removeprefix("seq=")) >= seq, (round_no, measure)
            audit_new = {e.new for e in ws.audit_log() if e.field == "explanation"}
            for entry in entries:
                if entry["op"] == "record":
                    assert f"seq={entry['seq']}" in audit_new
            stored_items = {e.id: e for e in ws.evidence()}
            for item_id, sha in present.items():
                assert item_id in stored_items, (round_no, item_id)
                assert stored_items[item_id].sha256 == sha
            assert not removed & set(stored_items)
            for item_id, sha in new_items.items():  # content of this round's files
                digest = hashlib.sha256()
                for chunk in ws.iter_blob(sha):
                    digest.update(chunk)
                assert digest.hexdigest() == sha, (round_no, item_id)
    elapsed = time.monotonic() - started
    assert present, "the writer never got to commit any evidence"
    assert elapsed < 90, f"{ROUNDS} rounds took {elapsed:.0f} s"


def test_file_killed_mid_checkpoint_opens_with_its_data(tmp_path: Path) -> None:
    """Page 1 already copied from the WAL (claiming the new size), later pages not yet."""
    live = tmp_path / "live.gkws"
    make_workspace(live).close()
    with closing(sqlite3.connect(live, isolation_level=None)) as conn:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        for i in range(5):
            conn.execute("INSERT INTO settings VALUES (?, json_quote(hex(randomblob(100000))))",
                         (f"big{i}",))
        wal = Path(f"{live}-wal").read_bytes()
        main = bytearray(live.read_bytes())
        conn.execute("PRAGMA journal_mode = DELETE")  # ends WAL use of the live file
    page_size = int.from_bytes(wal[8:12], "big")
    page_one = None
    for offset in range(32, len(wal) - page_size, 24 + page_size):
        if int.from_bytes(wal[offset:offset + 4], "big") == 1:
            page_one = wal[offset + 24: offset + 24 + page_size]
    assert page_one is not None
    main[:page_size] = page_one
    crashed = tmp_path / "crashed.gkws"
    crashed.write_bytes(bytes(main))
    Path(f"{crashed}-wal").write_bytes(wal)
    assert int.from_bytes(page_one[28:32], "big") * page_size > len(main)  # claims more pages

    with Workspace.open(crashed) as ws:
        assert ws.get_setting("big4", None) is not None
        with closing(sqlite3.connect(crashed)) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
