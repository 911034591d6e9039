"""The supervisor's consolidation: units × measures, coloured by status, with rollups.

Built once from a few queries (no per-cell SQL) into compact columnar arrays: one
``bytes`` row of cell codes and one of overdue flags per unit, so a table model can
answer ``data()`` for 100 units × 5,000 measures without allocating per cell.

A cell shows a unit's status where it holds any role on the measure (the rule of
its own checklist). Rows: every unit with an imported bundle, plus every directory unit expected to
report on a shown measure but with no bundle yet (its cells are MISSING), in
directory order (custom units last). Columns: the plan's measures, or only those
the given unit leads.

``nothing_to_consolidate`` says why a workspace has nothing to consolidate (no unit's
bundle imported yet, or no measure left by the lead filter): the window then opens no
matrix and the command line writes no file, both saying the same line.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum

from gongkai_desktop.errors import NotFound
from gongkai_desktop.model import NOT_REPORTED, STATUS_LABELS, Measure, Plan, Role, Status, Unit
from gongkai_desktop.roles import led_measures, must_report, roles_for_measure
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.store import ImportedUnit, SupervisorView
from gongkai_desktop.tallies import past_due
from gongkai_desktop.units import UnitDirectory


class CellState(IntEnum):
    NONE = 0  # no role on the measure and nothing reported: an empty cell
    MISSING = 1  # expected from the unit, but no bundle from it yet
    NOT_STARTED = 2
    IN_PROGRESS = 3
    DONE = 4
    NOT_APPLICABLE = 5

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def status(self) -> Status | None:
        return _STATUS_OF.get(self)

    @classmethod
    def of(cls, status: Status) -> CellState:
        return _STATE_OF[status]


_STATE_OF = {Status.NOT_STARTED: CellState.NOT_STARTED, Status.IN_PROGRESS: CellState.IN_PROGRESS,
             Status.DONE: CellState.DONE, Status.NOT_APPLICABLE: CellState.NOT_APPLICABLE}
_STATUS_OF = {state: status for status, state in _STATE_OF.items()}
# A status cell says what the status says (model.STATUS_LABELS); two states are no status.
_LABELS = {CellState.NONE: "", CellState.MISSING: NOT_REPORTED,
           **{state: STATUS_LABELS[status] for status, state in _STATE_OF.items()}}


@dataclass(frozen=True, slots=True)
class Counts:
    """Cells of one row or one column, by state."""

    cells: int  # every non-empty cell
    done: int
    in_progress: int
    not_started: int
    not_applicable: int
    missing: int
    overdue: int

    @property
    def applicable(self) -> int:
        return self.cells - self.not_applicable

    @property
    def completion(self) -> float | None:
        """Done share of the applicable cells (missing ones count as not done); None if none."""
        return self.done / self.applicable if self.applicable else None

    @classmethod
    def of(cls, codes: bytes, overdue: bytes) -> Counts:
        return cls(len(codes) - codes.count(CellState.NONE), codes.count(CellState.DONE),
                   codes.count(CellState.IN_PROGRESS), codes.count(CellState.NOT_STARTED),
                   codes.count(CellState.NOT_APPLICABLE), codes.count(CellState.MISSING),
                   overdue.count(1))


@dataclass(frozen=True, slots=True)
class UnitRow:
    unit: Unit
    imported: ImportedUnit | None  # None: no bundle from this unit yet
    counts: Counts
    label: str = ""  # the name shown; with the id when another row has the same name

    @property
    def shown_name(self) -> str:
        return self.label or self.unit.name

    @property
    def reported(self) -> bool:
        return self.imported is not None


@dataclass(frozen=True, slots=True)
class MeasureColumn:
    measure: Measure
    counts: Counts
    missing_unit_ids: tuple[str, ...]  # expected units with no bundle yet


class Consolidation:
    """Read-only matrix data; cells are addressed by (row, column) indexes."""

    def __init__(self, plan: Plan, today: dt.date, led_by: Unit | None,
                 units: list[UnitRow], measures: list[MeasureColumn], states: list[bytes],
                 overdue: list[bytes]) -> None:
        self.plan, self.today, self.led_by = plan, today, led_by
        self.units: tuple[UnitRow, ...] = tuple(units)
        self.measures: tuple[MeasureColumn, ...] = tuple(measures)
        self._states, self._overdue = states, overdue
        self._row_of = {row.unit.id: i for i, row in enumerate(self.units)}
        self._col_of = {col.measure.id: i for i, col in enumerate(self.measures)}

    @property
    def row_count(self) -> int:
        return len(self.units)

    @property
    def column_count(self) -> int:
        return len(self.measures)

    def state(self, row: int, column: int) -> CellState:
        return CellState(self._states[row][column])

    def is_overdue(self, row: int, column: int) -> bool:
        return bool(self._overdue[row][column])

    def row_codes(self, row: int) -> bytes:
        """The row's cell codes (``CellState`` values), for painting a whole row at once."""
        return self._states[row]

    def row_overdue(self, row: int) -> bytes:
        """The row's overdue flags (1 = overdue), one byte per column."""
        return self._overdue[row]

    def row_of(self, unit_id: str) -> int:
        return self._row_of[unit_id]

    def column_of(self, measure_id: str) -> int:
        return self._col_of[measure_id]

    def missing_units(self, measure_id: str) -> list[Unit]:
        col = self.measures[self._col_of[measure_id]]
        return [self.units[self._row_of[uid]].unit for uid in col.missing_unit_ids]

    def units_without_bundle(self) -> list[Unit]:
        return [row.unit for row in self.units if not row.reported]

    def totals(self) -> Counts:
        return Counts.of(b"".join(self._states), b"".join(self._overdue))

    def cells(self) -> Iterator[tuple[int, int, CellState, bool]]:
        """Every non-empty cell as (row, column, state, overdue), row by row."""
        for r, (codes, late) in enumerate(zip(self._states, self._overdue, strict=True)):
            for c, code in enumerate(codes):
                if code:
                    yield r, c, CellState(code), bool(late[c])


NOTHING_IMPORTED = "本工作区尚未导入任何单位的数据包，没有可汇总的内容"
_IMPORT_FIRST = "请先用“导入数据包…”导入各单位报送的数据包（本单位自己的完成情况见主窗口）"
_IMPORT_FIRST_CLI = ("请先用 bundle import 导入各单位报送的数据包"
                     "（本单位自己的完成情况用 summary 查看）")
NOTHING_LED = "本单位没有牵头的举措，没有可汇总的内容"
_ALL_MEASURES = "只能汇总全部举措"
_ALL_MEASURES_CLI = "请去掉 --led，汇总全部举措"


def nothing_to_consolidate(ws: Workspace, directory: UnitDirectory, *, led_only: bool = False,
                           command_line: bool = False) -> NotFound | None:
    """Why ``ws`` has nothing to consolidate, as the error both front ends show (the command
    line names its commands, the window its menu); None when there is something.

    Nothing: no unit's bundle imported yet (a unit's own workspace, e.g. a district that
    supervises nobody; every row would be "未报送"), or, with ``led_only``, no measure the
    workspace's unit leads (an empty table). Cheap: no matrix is built.
    """
    if not SupervisorView(ws).units():
        how = _IMPORT_FIRST_CLI if command_line else _IMPORT_FIRST
        return NotFound(f"{NOTHING_IMPORTED}：{how}")
    if led_only and not led_measures(ws.plan, ws.unit, directory):
        how = _ALL_MEASURES_CLI if command_line else _ALL_MEASURES
        return NotFound(f"{NOTHING_LED}：{how}")
    return None


def row_labels(units: list[Unit]) -> list[str]:
    """Each unit's short name; "涪陵区（编号 500102）" where two rows share a name, since rows
    are units (ids), and a reader must tell them apart."""
    seen = Counter(u.name for u in units)
    return [f"{u.name}（编号 {u.id}）" if seen[u.name] > 1 else u.name for u in units]


class _Roles:
    """Roles per (unit, the measure's unit columns): plans repeat the same unit lists a lot."""

    def __init__(self, directory: UnitDirectory) -> None:
        self.directory = directory
        self.cache: dict[tuple[object, ...], frozenset[Role]] = {}

    def of(self, measure: Measure, unit: Unit) -> frozenset[Role]:
        key = (unit.id, measure.lead_units, measure.responsible_units)
        roles = self.cache.get(key)
        if roles is None:
            roles = self.cache[key] = roles_for_measure(measure, unit, self.directory)
        return roles


def consolidate(ws: Workspace, directory: UnitDirectory, today: dt.date, *,
                led_by: Unit | None = None) -> Consolidation:
    """The matrix for everything imported into ``ws``; ``led_by`` keeps the measures that
    unit leads (``roles.led_measures``; e.g. ``ws.unit`` for "the measures we lead")."""
    view = SupervisorView(ws)
    plan = ws.plan
    measures = plan.measures()
    if led_by is not None:
        keep = set(led_measures(plan, led_by, directory))
        measures = [m for m in measures if m.id in keep]
    imported = {u.unit.id: u for u in view.units()}
    statuses = view.statuses()
    roles = _Roles(directory)
    expected: dict[str, set[str]] = {}  # measure id → directory units expected, no bundle
    for m in measures:
        for unit in directory.all():
            if unit.id not in imported and must_report(roles.of(m, unit)):
                expected.setdefault(m.id, set()).add(unit.id)
    missing_ids = set().union(*expected.values()) if expected else set()
    ordered: list[tuple[Unit, ImportedUnit | None]] = []
    for unit in directory.all():
        if unit.id in imported:
            ordered.append((imported[unit.id].unit, imported[unit.id]))
        elif unit.id in missing_ids:
            ordered.append((unit, None))
    known = {u.id for u in directory.all()}
    ordered += [(u.unit, u) for uid, u in imported.items() if uid not in known]

    deadlines = [m.deadline.date for m in measures]
    states: list[bytes] = []
    late_rows: list[bytes] = []
    for unit, got in ordered:
        # A unit's roles follow its directory entry (aliases), not the bundle's copy.
        subject = directory.get(unit.id) if unit.id in known else unit
        reported = statuses.get(unit.id, {}) if got is not None else {}
        codes = bytearray(len(measures))
        late = bytearray(len(measures))
        for c, m in enumerate(measures):
            status: Status | None
            if got is not None:
                # The same rule as the unit's own checklist and report (roles.must_report).
                if not must_report(roles.of(m, subject)):
                    continue
                status = reported.get(m.id, Status.NOT_STARTED)
                codes[c] = _STATE_OF[status]
            elif unit.id in expected.get(m.id, ()):
                status = None  # expected but not reported: still open
                codes[c] = CellState.MISSING
            else:
                continue
            if past_due(deadlines[c], status, today):  # the unit's own overdue rule
                late[c] = 1
        states.append(bytes(codes))
        late_rows.append(bytes(late))
    labels = row_labels([unit for unit, _got in ordered])
    rows = [UnitRow(unit, got, Counts.of(states[r], late_rows[r]), labels[r])
            for r, (unit, got) in enumerate(ordered)]
    columns = []
    for c, m in enumerate(measures):
        column = bytes(row[c] for row in states)
        late_column = bytes(row[c] for row in late_rows)
        missing = tuple(unit.id for (unit, got), code in zip(ordered, column, strict=True)
                        if code == CellState.MISSING)
        columns.append(MeasureColumn(m, Counts.of(column, late_column), missing))
    return Consolidation(plan, today, led_by, rows, columns, states, late_rows)
