"""Every unit's 整改台账 for the office's consolidated workbook and PDF.

A row per unit and measure with a ledger entry (from the unit's latest bundle) or a
verdict of 退回整改 / 已整改待复核, within the consolidation's units and measures,
in its row and column order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai_desktop.review.ledger import office_ledger
from gongkai_desktop.review.states import ReviewState
from gongkai_desktop.review.verdicts import review_cells
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.consolidation import Consolidation

_OPEN = (ReviewState.RETURNED, ReviewState.RECTIFIED)


@dataclass(frozen=True, slots=True)
class UnitLedgerRow:
    unit_name: str
    measure_id: str
    measure_text: str
    review: str  # the state's label, or "" when not reviewed
    comment: str
    problem: str
    action: str
    owner: str
    deadline: dt.date | None
    overdue: bool


def all_units_ledger(ws: Workspace, cons: Consolidation) -> list[UnitLedgerRow]:
    ledgers = office_ledger(ws)
    entries = {(c.unit_id, c.measure_id): c for c in review_cells(ws)}
    keys = set(ledgers) | {k for k, e in entries.items() if e.state in _OPEN}
    rows = {row.unit.id: n for n, row in enumerate(cons.units)}
    columns = {col.measure.id: n for n, col in enumerate(cons.measures)}
    wanted = sorted((k for k in keys if k[0] in rows and k[1] in columns),
                    key=lambda k: (rows[k[0]], columns[k[1]]))
    out = []
    for unit_id, measure_id in wanted:
        entry, ledger = entries.get((unit_id, measure_id)), ledgers.get((unit_id, measure_id))
        closed = entry is not None and entry.state is ReviewState.ACCEPTED
        out.append(UnitLedgerRow(
            unit_name=cons.units[rows[unit_id]].unit.name, measure_id=measure_id,
            measure_text=cons.measures[columns[measure_id]].measure.text,
            review=entry.state.label if entry else "",
            comment=entry.comment if entry else "",
            problem=ledger.problem if ledger else "", action=ledger.action if ledger else "",
            owner=ledger.owner if ledger else "",
            deadline=ledger.deadline if ledger else None,
            overdue=ledger.overdue(cons.today, closed) if ledger else False))
    return out
