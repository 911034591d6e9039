"""Window start-up time and memory: ``python benchmarks/bench_startup.py [--runs 5]``.

1. Start-up: the real program (``python -m gongkai_desktop <workspace>``) against a
   bare PySide6 QMainWindow, both as child processes in the same run, alternating,
   ``--runs`` times each. Each child prints ``GONGKAI_WINDOW_SHOWN <ms>`` at the
   first paint of its window (``GONGKAI_REPORT_SHOWN=1``); the time is taken by
   this script from spawning the child to reading that line (the same clock for
   both). Median of the runs, and the ratio app / bare (target ≤ 1.3; ready ≤ 2.0).
   "Shown" is the real main window at its first paint: title, menu bar and the
   "正在打开工作区…" page; its toolbar, tree and right-hand pages are built right
   after that paint, and ``GONGKAI_WINDOW_READY`` (also reported) is the plan
   tree's first paint with the workspace open.
   A reference without a target is timed in the same runs: a bare tree of the plan
   (QMainWindow + QTreeView of the plan's rows in the bundled font, one query each),
   the least a "workspace ready" could cost; it shows how much of the ready time is
   the program's own.
2. Memory: peak resident set (``ru_maxrss``) of the app child after it has been
   shown and idle for a second (target ≤ 150 MB).
3. ``--instructions``: instead of timing, counts the instructions each child runs to its
   first paint (the bare window) and to "shown" and "ready" (the app, which ends itself
   there) under ``valgrind --tool=callgrind``. Counts repeat to ±0.01 %, so they show a
   change's effect where a shared virtual machine's timings swing by ±30 %; they leave out
   waiting (disk, the GIL), and under valgrind's ~50× slowdown the app's 300 ms and
   500 ms timers fire before its tree's paint, which they never do at full speed.
4. A synthetic plan of 5,000 measures (built in code, written to a new
   workspace): in a child process, time from opening the workspace to the first
   paint of the tree's viewport (target ≤ 1 s).

Qt runs offscreen (``QT_QPA_PLATFORM=offscreen``) unless ``--platform`` says otherwise.
The children keep compiled bytecode in a private cache (``PYTHONPYCACHEPREFIX`` in
the run's temporary folder, filled by the warm-up runs), as an installed program
has its ``.pyc`` files; ``--no-bytecode-cache`` keeps the caller's setting
(``PYTHONDONTWRITEBYTECODE=1`` makes every start compile the app's sources).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MARK = "GONGKAI_WINDOW_SHOWN"  # the window's first paint
READY = "GONGKAI_WINDOW_READY"  # the plan tree's first paint, workspace open
RATIO_TARGET = 1.3  # window shown / bare QMainWindow (issue #15)
READY_TARGET = 2.0  # workspace ready (plan tree painted) / bare QMainWindow
MEMORY_TARGET_MB = 150.0
FIRST_PAINT_TARGET_S = 1.0

# Prints the mark at the first paint of what it is installed on (both bare children).
PAINT_MARK = f"""from PySide6.QtCore import QEvent, QObject
class Shown(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            print("{MARK} 0", flush=True)
        return False
f = Shown()
"""

BARE_WINDOW = f"""
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow()
w.setWindowTitle("bare")
w.resize(1280, 800)
{PAINT_MARK}w.installEventFilter(f)
w.show()
sys.exit(app.exec())
"""


# A reference, not the target's floor: the least any "workspace ready" can cost here — a
# QMainWindow with a QTreeView of the plan's areas, sub-tasks and measures, read from the
# workspace with one query each, in the bundled Chinese font; its first paint is the mark.
BARE_TREE = f"""
import sqlite3, sys
from PySide6.QtGui import QFont, QFontDatabase, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTreeView
app = QApplication(sys.argv[:1])
QFontDatabase.addApplicationFont(sys.argv[2])
app.setFont(QFont("WenQuanYi Micro Hei", 10))
conn = sqlite3.connect(f"file:{{sys.argv[1]}}?mode=ro", uri=True)
model = QStandardItemModel()
model.setHorizontalHeaderLabels(["举措", "状态"])
areas, subtasks = {{}}, {{}}
for aid, label, title in conn.execute("SELECT id, label, title FROM plan_areas ORDER BY no"):
    areas[aid] = QStandardItem(label + title)
    model.appendRow([areas[aid], QStandardItem("")])
for sid, aid, label, title in conn.execute(
        "SELECT id, area_id, label, title FROM plan_subtasks ORDER BY area_id, no"):
    subtasks[sid] = QStandardItem(label + title)
    areas[aid].appendRow([subtasks[sid], QStandardItem("")])
for mid, sid, label, text in conn.execute(
        "SELECT id, subtask_id, label, text FROM plan_measures ORDER BY subtask_id, no"):
    subtasks[sid].appendRow([QStandardItem(label + text), QStandardItem("未开始")])
w = QMainWindow()
w.setWindowTitle("bare tree")
w.resize(1280, 800)
tree = QTreeView()
tree.setModel(model)
tree.expandAll()
w.setCentralWidget(tree)
{PAINT_MARK}tree.viewport().installEventFilter(f)
w.show()
sys.exit(app.exec())
"""


# The app ended at one of its marks: ``_report`` is wrapped so the process exits as the
# mark is printed (nothing after it is counted).
STOP_AT = """
import os, sys
import gongkai_desktop.ui.app as app
report, stop = app._report, {stop!r}
def _report(mark):
    inner = report(mark)
    def done():
        inner()
        if mark == stop:
            os._exit(0)
    return done
app._report = _report
sys.exit(app.run(sys.argv[1:]))
"""
BARE_STOP = BARE_WINDOW.replace(f'print("{MARK} 0", flush=True)', "import os; os._exit(0)")


def instructions(cmd: list[str], env: dict[str, str]) -> int:
    """Instructions ``cmd`` runs under callgrind until it exits."""
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                               *cmd], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=900)
    found = [line for line in done.stderr.splitlines() if "Collected :" in line]
    if not found:
        raise SystemExit(f"callgrind counted nothing: {done.stderr[-500:]}")
    return int(found[-1].rsplit(":", 1)[1])


def count_instructions(seed_ws: Path, env: dict[str, str], runs: int) -> None:
    """``--instructions``: medians of ``runs`` counts each (after one run that fills the
    bytecode cache), and the ratios to the bare window."""
    bare_cmd = [sys.executable, "-c", BARE_STOP]
    shown_cmd = [sys.executable, "-c", STOP_AT.format(stop=MARK), str(seed_ws)]
    ready_cmd = [sys.executable, "-c", STOP_AT.format(stop=READY), str(seed_ws)]
    counts: dict[str, list[int]] = {"bare": [], "shown": [], "ready": []}
    for cmd in (bare_cmd, ready_cmd):
        instructions(cmd, env)  # compiles into the private bytecode cache
    for _ in range(runs):
        counts["bare"].append(instructions(bare_cmd, env))
        counts["shown"].append(instructions(shown_cmd, env))
        counts["ready"].append(instructions(ready_cmd, env))
    bare = statistics.median(counts["bare"])
    print(f"instructions (callgrind, median of {runs}; millions):")
    print(f"bare QMainWindow, to its first paint: {bare / 1e6:8.1f} M")
    for kind, label in (("shown", "app, to window shown:"), ("ready", "app, to workspace ready:")):
        value = statistics.median(counts[kind])
        print(f"{label:<37} {value / 1e6:8.1f} M; ratio {kind} / bare : {value / bare:.2f}")


def _child_env(data_dir: Path, platform: str, pycache: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(QT_QPA_PLATFORM=platform, GONGKAI_DATA_DIR=str(data_dir),
               GONGKAI_REPORT_SHOWN="1", PYTHONUNBUFFERED="1",
               QT_LOGGING_RULES="qt.qpa.*=false")
    if pycache is not None:  # the same for the bare window and the app
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def time_to_marks(cmd: list[str], env: dict[str, str], marks: tuple[str, ...], idle: float,
                  timeout: float = 120.0) -> tuple[list[float], float]:
    """Seconds from spawn to each of ``marks`` on stdout, and the child's peak RSS in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    seen = threading.Event()
    at: dict[str, float] = {}

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            mark = line.split(" ", 1)[0].strip()
            if mark in marks and mark not in at:
                at[mark] = time.perf_counter() - started
                if len(at) == len(marks):
                    seen.set()
        seen.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    seen.wait(timeout)
    if len(at) == len(marks):
        time.sleep(idle)  # idle a moment, so the memory figure is the settled window
    proc.terminate()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = -1  # reaped by wait4; keep Popen from waiting again
    thread.join(5)
    if proc.stdout is not None:
        proc.stdout.close()
    missing = [m for m in marks if m not in at]
    if missing:
        raise SystemExit(f"no {', '.join(missing)} line from: {' '.join(cmd)}")
    return [at[m] for m in marks], usage.ru_maxrss / 1024  # Linux reports KiB


def synthetic_plan(measures: int = 5000):  # -> Plan
    from gongkai_desktop.model import Area, Deadline, Measure, Plan, PlanInfo, Subtask

    areas_n, subtasks_n = 10, 10
    per_subtask = measures // (areas_n * subtasks_n)
    areas = []
    for a in range(1, areas_n + 1):
        subtasks = []
        for s in range(1, subtasks_n + 1):
            ms = tuple(
                Measure(
                    f"{a}.{s}.{m}", m, f"{m}．",
                    f"第{a}项重点任务第{s}项子任务的第{m}条贯彻举措：按要求公开政策文件、"
                    f"解读材料和办理结果，并在政府网站专栏持续更新。",
                    ("市政府办公厅",), ("各区县政府", "市政府各部门"),
                    Deadline(dt.date(2020, 12, 31)) if m % 7 == 0 else Deadline(),
                )
                for m in range(1, per_subtask + 1)
            )
            subtasks.append(Subtask(f"{a}.{s}", s, f"（{s}）", f"子任务{a}.{s}", ms))
        areas.append(Area(str(a), a, str(a), f"重点任务{a}", tuple(subtasks)))
    info = PlanInfo("bench-5000", "五千条举措的基准计划", "基准〔2020〕1号",
                    dt.date(2020, 7, 13), "基准")
    return Plan(info, tuple(areas))


def synthetic_child(path: Path) -> None:
    """Child mode: open the big workspace, show the window, report the first tree paint."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0], "-platform", os.environ.get("QT_QPA_PLATFORM", "offscreen")])
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.app import configure_application
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.units import UnitDirectory

    configure_application(app)
    directory = UnitDirectory.load()
    painted: list[float] = []

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if not painted and event.type() == QEvent.Type.Paint:
                painted.append(time.perf_counter())
                QTimer.singleShot(0, app.quit)
            return False

    started = time.perf_counter()
    session = Session(Workspace.open(path), directory)
    window = MainWindow(session, directory=directory)
    built = time.perf_counter()
    window.resize(1280, 800)
    watcher = FirstPaint()
    window.tree.viewport().installEventFilter(watcher)
    window.show()
    measures = len(session.ws.plan.measures())
    visible = window.proxy.visible_measure_count() if window.proxy is not None else 0
    app.exec()  # quits after the first paint; quitting closes the window too
    print(json.dumps({
        "measures": measures,
        "visible": visible,
        "build_s": built - started,
        "first_paint_s": painted[0] - started,
    }), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=1.0, help="seconds idle before memory")
    parser.add_argument("--platform", default="offscreen")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="children inherit PYTHONDONTWRITEBYTECODE (compile on every start)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind (callgrind) instead of timing")
    parser.add_argument("--synthetic-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.synthetic_child:
        synthetic_child(args.synthetic_child)
        return 0

    from gongkai_desktop.plan.library import bundled_plan
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.units import UnitDirectory

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data = Path(tmp) / "data"
        (data / "workspaces").mkdir(parents=True)
        unit = UnitDirectory.load().find("万州区")
        seed_ws = data / "workspaces" / "万州区.gkws"
        Workspace.create(seed_ws, bundled_plan(), unit, officer="基准").close()
        pycache = None if args.no_bytecode_cache else Path(tmp) / "pycache"
        env = _child_env(data, args.platform, pycache)
        if args.instructions:
            count_instructions(seed_ws, env, max(1, min(args.runs, 3)))
            return 0

        app_cmd = [sys.executable, "-m", "gongkai_desktop", str(seed_ws)]
        direct = "import sys; from gongkai_desktop.ui.app import run; sys.exit(run(sys.argv[1:]))"
        direct_cmd = [sys.executable, "-c", direct, str(seed_ws)]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        font = REPO / "resources" / "fonts" / "wqy-microhei.ttc"
        tree_cmd = [sys.executable, "-c", BARE_TREE, str(seed_ws), str(font)]
        both = (MARK, READY)
        time_to_marks(bare_cmd, env, (MARK,), 0)  # warm the page and bytecode caches
        time_to_marks(app_cmd, env, both, 0)
        time_to_marks(direct_cmd, env, both, 0)
        time_to_marks(tree_cmd, env, (MARK,), 0)
        runs: dict[str, list[list[float]]] = {"bare": [], "app": [], "direct": [], "tree": []}
        app_mem: list[float] = []
        bare_mem: list[float] = []
        for _ in range(args.runs):
            t, m = time_to_marks(bare_cmd, env, (MARK,), args.idle)
            runs["bare"].append(t)
            bare_mem.append(m)
            t, m = time_to_marks(app_cmd, env, both, args.idle)
            runs["app"].append(t)
            app_mem.append(m)
            t, _ = time_to_marks(direct_cmd, env, both, 0)
            runs["direct"].append(t)
            t, _ = time_to_marks(tree_cmd, env, (MARK,), 0)
            runs["tree"].append(t)

        big_ws = Path(tmp) / "big.gkws"
        created = time.perf_counter()
        Workspace.create(big_ws, synthetic_plan(5000), unit, officer="基准").close()
        create_s = time.perf_counter() - created
        child = subprocess.run(
            [sys.executable, __file__, "--synthetic-child", str(big_ws)], cwd=REPO, env=env,
            capture_output=True, text=True, timeout=300,
        )
        if child.returncode != 0:
            print(child.stderr[-3000:], file=sys.stderr)
            return 2
        big = json.loads(child.stdout.strip().splitlines()[-1])

    def median(kind: str, i: int = 0) -> float:
        return statistics.median(r[i] for r in runs[kind])

    def listing(kind: str, i: int = 0) -> str:
        return ", ".join(f"{r[i] * 1000:.0f}" for r in runs[kind])

    bare = median("bare")
    shown, ready = median("app", 0), median("app", 1)
    ratio = shown / bare
    peak = max(app_mem)
    checks = [
        ("start-up ratio (window shown) app/bare", ratio <= RATIO_TARGET,
         f"{ratio:.2f} (≤ {RATIO_TARGET})"),
        ("start-up ratio (workspace ready) app/bare", ready / bare <= READY_TARGET,
         f"{ready / bare:.2f} (≤ {READY_TARGET})"),
        ("peak memory of the app", peak <= MEMORY_TARGET_MB,
         f"{peak:.0f} MB (≤ {MEMORY_TARGET_MB:.0f} MB)"),
        ("5,000-measure first paint", big["first_paint_s"] <= FIRST_PAINT_TARGET_S,
         f"{big['first_paint_s']:.3f} s (≤ {FIRST_PAINT_TARGET_S:.0f} s)"),
    ]
    cache = "caller's setting" if args.no_bytecode_cache else "private cache, warmed"
    print(f"platform: {args.platform}, runs: {args.runs} (times from spawn, median; runs in ms); "
          f"bytecode: {cache}")
    print(f"bare QMainWindow shown:        {bare * 1000:4.0f} ms  ({listing('bare')}); "
          f"peak RSS {max(bare_mem):.0f} MB")
    print(f"app window shown (launcher):   {shown * 1000:4.0f} ms  ({listing('app')}); "
          f"ratio {ratio:.2f}")
    print(f"app workspace ready (launcher):{ready * 1000:5.0f} ms  ({listing('app', 1)}); "
          f"ratio {ready / bare:.2f}; peak RSS {peak:.0f} MB")
    print(f"app window shown (ui.app.run): {median('direct') * 1000:4.0f} ms  "
          f"({listing('direct')}); ratio {median('direct') / bare:.2f}")
    print(f"app ready (ui.app.run):        {median('direct', 1) * 1000:4.0f} ms  "
          f"({listing('direct', 1)}); ratio {median('direct', 1) / bare:.2f}")
    tree = median("tree")
    print(f"reference: bare tree of the plan:{tree * 1000:4.0f} ms  ({listing('tree')}); "
          f"ratio to bare {tree / bare:.2f}; app ready / bare tree {ready / tree:.2f}")
    print(f"synthetic plan: {big['measures']} measures ({big['visible']} shown), workspace "
          f"created in {create_s:.2f} s; window built in {big['build_s']:.3f} s, "
          f"tree first painted after {big['first_paint_s']:.3f} s")
    for name, ok, text in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {text}")
    return 1 if args.strict and not all(ok for _, ok, _ in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
