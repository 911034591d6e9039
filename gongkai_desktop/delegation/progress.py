"""Progress of the offices: an offices × measures matrix with missing and overdue offices,
and the reminders an officer phones through. (The shape mirrors the consolidation view's:
rows, columns, one cell per pair; the window can show it with the same kind of table.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gongkai_desktop.delegation.assignment import OfficeRole, assignments_in
from gongkai_desktop.delegation.contributions import contributions_in
from gongkai_desktop.delegation.offices import Office, offices_in
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.rollup_flags import pending_in
from gongkai_desktop.storage.wsconn import reading
from gongkai_desktop.supervisor.consolidation import (
    CellState,
    Consolidation,
    Counts,
    MeasureColumn,
    UnitRow,
)
from gongkai_desktop.tallies import past_due


@dataclass(frozen=True, slots=True)
class Cell:
    office: Office
    measure_id: str
    role: OfficeRole
    deadline: dt.date | None
    status: Status | None  # None: nothing returned for this measure yet
    evidence: int
    updated_at: dt.datetime | None
    overdue: bool  # past the internal deadline and neither 已完成 nor 不适用

    @property
    def missing(self) -> bool:
        return self.status is None


@dataclass(frozen=True, slots=True)
class DelegationProgress:
    offices: tuple[Office, ...]
    measures: tuple[str, ...]  # assigned measures, plan order
    cells: dict[tuple[str, str], Cell]  # (office_id, measure_id) → cell
    pending: tuple[str, ...]  # 下级有新填报

    def missing_offices(self) -> list[Office]:
        """Offices that have returned nothing for at least one assigned measure."""
        return [o for o in self.offices if any(c.missing for c in self._of(o))]

    def overdue_offices(self) -> list[Office]:
        return [o for o in self.offices if any(c.overdue for c in self._of(o))]

    def _of(self, office: Office) -> list[Cell]:
        return [c for (oid, _m), c in self.cells.items() if oid == office.office_id]

    def reminders(self) -> list[str]:
        """One line per office to phone: what is missing or overdue."""
        out = []
        for office in self.offices:
            cells = self._of(office)
            late = [c.measure_id for c in cells if c.overdue]
            missing = [c.measure_id for c in cells if c.missing and not c.overdue]
            if late or missing:
                parts = []
                if late:
                    parts.append("逾期：" + "、".join(late))
                if missing:
                    parts.append("未交：" + "、".join(missing))
                out.append(f"{office.name}（{'；'.join(parts)}）")
        return out

    def lines(self) -> list[str]:
        out = []
        for office in self.offices:
            cells = self._of(office)
            shown = "、".join(f"{c.measure_id} {c.status.label if c.status else '未交'}"
                             f"{'（逾期）' if c.overdue else ''}" for c in cells)
            out.append(f"{office.name}：{shown or '未分配举措'}")
        reminders = self.reminders()
        out.append("需提醒：" + ("；".join(reminders) if reminders else "无"))
        if self.pending:
            out.append("下级有新填报：" + "、".join(self.pending))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "offices": [o.name for o in self.offices],
            "measures": list(self.measures),
            "cells": {o.name: {c.measure_id: {
                "role": c.role.value, "deadline": c.deadline.isoformat() if c.deadline else None,
                "status": c.status.value if c.status else None, "evidence": c.evidence,
                "updated_at": c.updated_at.isoformat() if c.updated_at else None,
                "overdue": c.overdue} for c in self._of(o)} for o in self.offices},
            "missing": [o.name for o in self.missing_offices()],
            "overdue": [o.name for o in self.overdue_offices()],
            "reminders": self.reminders(),
            "rollup_pending": list(self.pending),
        }


def delegation_progress(ws: Workspace, today: dt.date) -> DelegationProgress:
    order = {m.id: i for i, m in enumerate(ws.plan.measures())}
    with reading(ws) as conn:
        offices = tuple(offices_in(conn))
        assigned = assignments_in(conn)
        answers = {(c.office.office_id, c.record.measure_id): c for c in contributions_in(conn)}
        pending = pending_in(conn)
    cells: dict[tuple[str, str], Cell] = {}
    for a in sorted(assigned, key=lambda a: order.get(a.measure_id, 1 << 30)):
        c = answers.get((a.office.office_id, a.measure_id))
        status = c.status if c is not None else None
        overdue = past_due(a.deadline, status, today)  # the unit's own overdue rule
        cells[(a.office.office_id, a.measure_id)] = Cell(
            a.office, a.measure_id, a.role, a.deadline, status,
            len(c.evidence) if c is not None else 0,
            c.record.updated_at if c is not None else None, overdue)
    measures = tuple(sorted({a.measure_id for a in assigned},
                            key=lambda m: order.get(m, 1 << 30)))
    return DelegationProgress(offices, measures, cells,
                              tuple(sorted(pending, key=lambda m: order.get(m, 1 << 30))))


def as_consolidation(ws: Workspace, progress: DelegationProgress,
                     today: dt.date) -> Consolidation:
    """The matrix in the consolidation view's own type (rows: offices, columns: assigned
    measures; a cell with nothing returned is MISSING), so the window can show it with the
    consolidation table model. ``UnitRow.imported`` is None for every office: ask
    ``progress.missing_offices()`` who has returned what."""
    from gongkai_desktop.delegation.office_plan import office_unit

    plan = ws.plan
    columns = [plan.measure(mid) for mid in progress.measures]
    states: list[bytes] = []
    late: list[bytes] = []
    for office in progress.offices:
        codes, flags = bytearray(len(columns)), bytearray(len(columns))
        for c, m in enumerate(columns):
            cell = progress.cells.get((office.office_id, m.id))
            if cell is None:
                continue
            codes[c] = CellState.MISSING if cell.status is None else CellState.of(cell.status)
            flags[c] = int(cell.overdue)
        states.append(bytes(codes))
        late.append(bytes(flags))
    rows = [UnitRow(office_unit(o), None, Counts.of(s, f))
            for o, s, f in zip(progress.offices, states, late, strict=True)]
    cols = []
    for c, m in enumerate(columns):
        column = bytes(s[c] for s in states)
        column_late = bytes(f[c] for f in late)
        missing = tuple(office_unit(o).id for o, s in zip(progress.offices, states, strict=True)
                        if s[c] == CellState.MISSING)
        cols.append(MeasureColumn(m, Counts.of(column, column_late), missing))
    return Consolidation(plan, today, None, rows, cols, states, late)
