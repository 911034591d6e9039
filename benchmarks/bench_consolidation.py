"""Benchmark: the consolidation window with 100 units × 5,000 measures.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_consolidation.py
     [--units 100] [--measures 5000] [--screenshot PATH]

A synthetic ``Consolidation`` is built directly (statuses spread over every
state, one cell in seven overdue). Measured: the model build, painting the
visible table (``grab()``), scrolling through it page by page (each step painted
synchronously), and peak memory (tracemalloc during the build; ru_maxrss).
Baseline, measured in the same run: a ``QTableView`` of the same size over a
model with the same row and column counts whose ``data()`` returns nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView, QWidget  # noqa: E402

from gongkai_desktop.bundle.consolidation import (  # noqa: E402
    CellState,
    Consolidation,
    Counts,
    MeasureColumn,
    UnitRow,
)
from gongkai_desktop.model import (  # noqa: E402
    Area,
    Deadline,
    Measure,
    Plan,
    PlanInfo,
    Subtask,
    Unit,
    UnitType,
)

TODAY = dt.date(2021, 1, 1)


def synthetic(units: int, measures: int) -> Consolidation:
    per = 50
    areas, n = [], 0
    for a in range(1, measures // (per * 10) + 2):
        subtasks = []
        for s in range(1, 11):
            items = []
            for k in range(1, per + 1):
                if n == measures:
                    break
                items.append(Measure(f"{a}.{s}.{k}", k, f"{k}．", f"第{n}项举措的文字。",
                                     ("市政府办公厅",), ("各区县政府",),
                                     Deadline(dt.date(2020, 12, 31)) if n % 7 == 0 else Deadline()))
                n += 1
            if items:
                subtasks.append(Subtask(f"{a}.{s}", s, f"（{s}）", f"子任务{s}", tuple(items)))
        if subtasks:
            areas.append(Area(str(a), a, str(a), f"领域{a}", tuple(subtasks)))
    plan = Plan(PlanInfo("bench", "基准计划", "无", dt.date(2020, 1, 1), "测试"), tuple(areas))
    ms = plan.measures()
    states, late = [], []
    for r in range(units):
        codes = bytearray(measures)
        flags = bytearray(measures)
        for c in range(measures):
            code = (r + c) % 6  # every state, NONE included
            if r >= units - 5:
                code = CellState.MISSING if c % 2 else CellState.NONE
            codes[c] = code
            if code in (1, 2, 3) and c % 7 == 0:
                flags[c] = 1
        states.append(bytes(codes))
        late.append(bytes(flags))
    rows = [UnitRow(Unit(f"u{r}", f"测试单位{r}", f"重庆市测试单位{r}", UnitType.OTHER), None,
                    Counts.of(states[r], late[r])) for r in range(units)]
    columns = []
    for c, m in enumerate(ms):
        col = bytes(row[c] for row in states)
        columns.append(MeasureColumn(m, Counts.of(col, bytes(row[c] for row in late)), ()))
    return Consolidation(plan, TODAY, None, rows, columns, states, late)


class EmptyModel(QAbstractTableModel):
    def __init__(self, rows: int, columns: int) -> None:
        super().__init__()
        self.rows, self.columns = rows, columns

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.rows

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.columns

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return None


def time_paint(widget: QWidget, table: QTableView, repeats: int) -> float:
    widget.grab()  # first paint: fonts, caches
    started = time.perf_counter()
    for _ in range(repeats):
        table.viewport().grab()
    return (time.perf_counter() - started) / repeats


def time_scroll(table: QTableView) -> tuple[float, int]:
    """Page through every column (first rows), then every row; each step painted."""
    hbar, vbar = table.horizontalScrollBar(), table.verticalScrollBar()
    steps = 0
    started = time.perf_counter()
    for bar in (hbar, vbar):
        bar.setValue(0)
        page = max(1, bar.pageStep())
        value = 0
        while True:
            bar.setValue(value)
            table.viewport().repaint()
            steps += 1
            if value >= bar.maximum():
                break
            value = min(value + page, bar.maximum())
    return (time.perf_counter() - started), steps


def configure_table(table: QTableView) -> None:
    from PySide6.QtWidgets import QHeaderView

    for header, size in ((table.horizontalHeader(), 56), (table.verticalHeader(), 24)):
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--measures", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--screenshot", type=Path,
                        default=ROOT / "test-artifacts" / "screenshots" /
                        "consolidation-bench.png")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    from gongkai_desktop.ui.app import configure_application
    from gongkai_desktop.ui.supervisor.consolidation_model import ConsolidationModel
    from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow

    configure_application(app)  # type: ignore[arg-type]

    started = time.perf_counter()
    cons = synthetic(args.units, args.measures)
    made = time.perf_counter() - started
    print(f"synthetic consolidation {args.units}×{args.measures}: {made:.2f} s (not timed below)")

    tracemalloc.start()
    started = time.perf_counter()
    model = ConsolidationModel(cons)
    assert model.rowCount() == args.units
    build = time.perf_counter() - started
    _, peak_build = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"model build: {build * 1000:.1f} ms; Python peak during build "
          f"{peak_build / 1e6:.1f} MB")

    # Baseline: the same-sized plain view over a model that returns nothing.
    base = QTableView()
    base.setModel(EmptyModel(args.units, args.measures))
    configure_table(base)
    base.resize(1200, 720)
    base.show()
    app.processEvents()
    base_paint = time_paint(base, base, args.repeats)
    base_scroll, base_steps = time_scroll(base)
    base.close()

    class _FakeSession:  # the window reads only these before reload()
        path = Path(".")
        directory = None
        ws = None

        @staticmethod
        def today() -> dt.date:
            return TODAY

    window = ConsolidationWindow(_FakeSession(), None)  # type: ignore[arg-type]
    window.set_consolidation(cons)  # (builds its own model again: the build is timed above)
    window.resize(1200, 720)
    window.show()
    app.processEvents()
    table = window.table
    table.resize(base.size())
    paint = time_paint(window, table, args.repeats)
    started = time.perf_counter()
    full = window.grab()
    full_paint = time.perf_counter() - started
    scroll, steps = time_scroll(table)
    table.horizontalScrollBar().setValue(0)
    table.verticalScrollBar().setValue(0)
    app.processEvents()
    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.screenshot))
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    visible = (table.viewport().width() // 56 + 1) * (table.viewport().height() // 24 + 1)
    print(f"visible cells ≈ {visible}")
    print(f"paint visible table: {paint * 1000:.1f} ms (baseline empty view "
          f"{base_paint * 1000:.1f} ms, ratio {paint / base_paint:.1f}×); whole window grab "
          f"{full_paint * 1000:.1f} ms")
    print(f"scroll through: {steps} pages in {scroll:.2f} s = {scroll / steps * 1000:.1f} ms/page "
          f"(baseline {base_steps} pages, {base_scroll / base_steps * 1000:.1f} ms/page, ratio "
          f"{(scroll / steps) / (base_scroll / base_steps):.1f}×)")
    print(f"peak memory (ru_maxrss): {maxrss:.0f} MB")
    print(f"screenshot: {args.screenshot}")
    del full
    window.close()
    window.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()
