"""Writes to a workspace until killed; logs each change only after its commit returned.

Usage: python tests/crash_writer.py WORKSPACE LOGFILE SEED FIRST_SEQ SCRATCH_DIR

Each log line is JSON, appended and fsynced after the call that committed it:
  {"op": "record", "measure": "1.1.1", "seq": 17}          explanation became "seq=17"
  {"op": "evidence", "id": 5, "measure": "1.1.1", "sha256": "…"}
  {"op": "removing", "id": 5}   written *before* the removal (it may or may not commit)
  {"op": "remove", "id": 5}
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gongkai_desktop.storage import Workspace


def main() -> None:
    ws_path, log_path, seed, first_seq, scratch = sys.argv[1:6]
    rng = random.Random(int(seed))
    seq = int(first_seq)
    measures = ["1.1.1", "1.1.2", "1.2.1", "2.1.1", "2.1.2"]
    log_fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    added: list[int] = []

    def log(entry: dict[str, object]) -> None:
        os.write(log_fd, (json.dumps(entry) + "\n").encode())
        os.fsync(log_fd)

    with Workspace.open(Path(ws_path)) as ws:
        while True:
            seq += 1
            measure = rng.choice(measures)
            roll = rng.random()
            if roll < 0.45:
                ws.update_record(measure, explanation=f"seq={seq}", remarks=f"备注 {seq}",
                                 actor="crash")
                log({"op": "record", "measure": measure, "seq": seq})
            elif roll < 0.9:
                size = rng.randint(100_000, 400_000)
                data = hashlib.sha256(f"{seed}-{seq}".encode()).digest() * (size // 32)
                if roll < 0.65:
                    item = ws.add_evidence_bytes(measure, data, f"截图{seq}.png", actor="crash")
                else:
                    source = Path(scratch) / f"file{seq}.bin"
                    source.write_bytes(data)
                    item = ws.add_evidence_file(measure, source, actor="crash")
                    source.unlink()
                added.append(item.id)
                log({"op": "evidence", "id": item.id, "measure": measure,
                     "sha256": item.sha256})
            elif added:
                victim = added.pop(rng.randrange(len(added)))
                log({"op": "removing", "id": victim})
                ws.remove_evidence(victim, actor="crash")
                ws.purge_unused_blobs(actor="crash")
                log({"op": "remove", "id": victim})


if __name__ == "__main__":
    main()
