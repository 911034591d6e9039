#!/usr/bin/env python3
"""Screenshots of every window and dialog (ui/windows.py) on a 1366×768 screen.

    scripts/screenshots.py [OUT_FOLDER] [--size 1366x728] [--scale 1.0] [NAME ...]

Writes OUT_FOLDER/NAME.png (default test-artifacts/screens-1366x768) for a person to
look at: overlapping or cut-off text, boxes instead of Chinese. The screen's free area
defaults to 1366×728 (a 40-pixel taskbar). Runs tests/fit_check.py, which also prints
whether each window fits; the same windows, built with the same data, as its test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        print(__doc__)
        return 0
    size, scale = "1366x728", "1.0"
    if "--size" in argv:
        at = argv.index("--size")
        size = argv[at + 1]
        del argv[at:at + 2]
    if "--scale" in argv:
        at = argv.index("--scale")
        scale = argv[at + 1]
        del argv[at:at + 2]
    out = Path(argv.pop(0)) if argv and not argv[0].isidentifier() else \
        REPO / "test-artifacts" / "screens-1366x768"
    width, height = size.split("x")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    with tempfile.TemporaryDirectory() as data:
        env.update(GONGKAI_DATA_DIR=data, PYTHONPATH=str(REPO))
        proc = subprocess.run(
            [sys.executable, str(REPO / "tests" / "fit_check.py"), width, height, scale,
             "--shots", str(out), *argv],
            capture_output=True, text=True, encoding="utf-8", env=env)
    bad = 0
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        if "name" not in row:
            print(f"screen {row['screen']} (scale {row['dpr']})")
            continue
        state = "fits" if not row["problems"] else "; ".join(row["problems"])
        bad += bool(row["problems"])
        print(f"{row['name']:20} {row['frame']}  {state}")
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return proc.returncode
    print(f"screenshots in {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
