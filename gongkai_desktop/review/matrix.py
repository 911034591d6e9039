"""Verdicts laid over the consolidation: per cell, and counted per unit and per measure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from gongkai_desktop.bundle.consolidation import Consolidation
from gongkai_desktop.review.states import ReviewState
from gongkai_desktop.review.verdicts import ReviewEntry, review_entries
from gongkai_desktop.storage import Workspace


@dataclass(frozen=True, slots=True)
class ReviewMatrix:
    cells: dict[tuple[int, int], ReviewEntry]  # (row, column) of the consolidation
    by_row: dict[int, Counter[ReviewState]] = field(default_factory=dict)
    by_column: dict[int, Counter[ReviewState]] = field(default_factory=dict)

    def totals(self) -> Counter[ReviewState]:
        out: Counter[ReviewState] = Counter()
        for counts in self.by_row.values():
            out.update(counts)
        return out


def counts_text(counts: Counter[ReviewState]) -> str:
    """"通过 3，退回 1，已整改待复核 1" (states with none are left out)."""
    return "，".join(f"{s.short} {counts[s]}" for s in ReviewState if counts.get(s))


def review_matrix(ws: Workspace, cons: Consolidation) -> ReviewMatrix:
    cells: dict[tuple[int, int], ReviewEntry] = {}
    by_row: dict[int, Counter[ReviewState]] = {}
    by_column: dict[int, Counter[ReviewState]] = {}
    rows = {row.unit.id: n for n, row in enumerate(cons.units)}
    columns = {col.measure.id: n for n, col in enumerate(cons.measures)}
    for (unit_id, measure_id), entry in review_entries(ws).items():
        r, c = rows.get(unit_id), columns.get(measure_id)
        if r is None or c is None:
            continue
        cells[(r, c)] = entry
        by_row.setdefault(r, Counter())[entry.state] += 1
        by_column.setdefault(c, Counter())[entry.state] += 1
    return ReviewMatrix(cells, by_row, by_column)
