"""Verdicts laid over the consolidation: per cell, and counted per unit and per measure.

Lean for 100 units × 5,000 measures all reviewed: one byte per cell (like the
consolidation's own codes) and the comments of the cells that have one; built from
plain rows, no object per verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from gongkai_desktop.review.states import ReviewState
from gongkai_desktop.review.verdicts import CellVerdict, review_cells
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.consolidation import Consolidation

STATES: tuple[ReviewState, ...] = tuple(ReviewState)  # code n + 1 is STATES[n]; 0 = none
_CODE = {state: n + 1 for n, state in enumerate(STATES)}


@dataclass(slots=True)
class ReviewMatrix:
    codes: list[bytearray]  # per consolidation row, one byte per column
    comments: dict[tuple[int, int], str] = field(default_factory=dict)
    by_row: dict[int, Counter[ReviewState]] = field(default_factory=dict)
    by_column: dict[int, Counter[ReviewState]] = field(default_factory=dict)

    def state(self, row: int, column: int) -> ReviewState | None:
        code = self.codes[row][column]
        return STATES[code - 1] if code else None

    def comment(self, row: int, column: int) -> str:
        return self.comments.get((row, column), "")

    def totals(self) -> Counter[ReviewState]:
        out: Counter[ReviewState] = Counter()
        for counts in self.by_row.values():
            out.update(counts)
        return out

    def update(self, cons: Consolidation, cells: Iterable[CellVerdict]) -> None:
        """Lay verdicts over their cells (one just set, or a unit's after 全部通过)."""
        rows = {row.unit.id: n for n, row in enumerate(cons.units)}
        columns = {col.measure.id: n for n, col in enumerate(cons.measures)}
        for cell in cells:
            r, c = rows.get(cell.unit_id), columns.get(cell.measure_id)
            if r is None or c is None:  # outside this consolidation (e.g. 只看牵头)
                continue
            old = self.state(r, c)
            if old is not None:
                self.by_row[r][old] -= 1
                self.by_column[c][old] -= 1
            self.codes[r][c] = _CODE[cell.state]
            if cell.comment:
                self.comments[(r, c)] = cell.comment
            else:
                self.comments.pop((r, c), None)
            self.by_row.setdefault(r, Counter())[cell.state] += 1
            self.by_column.setdefault(c, Counter())[cell.state] += 1


def counts_text(counts: Counter[ReviewState]) -> str:
    """"通过 3，退回 1，已整改待复核 1" (states with none are left out)."""
    return "，".join(f"{s.short} {counts[s]}" for s in ReviewState if counts.get(s))


def review_matrix(ws: Workspace, cons: Consolidation) -> ReviewMatrix:
    matrix = ReviewMatrix([bytearray(cons.column_count) for _ in range(cons.row_count)])
    matrix.update(cons, review_cells(ws))
    return matrix
