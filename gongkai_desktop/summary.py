"""The `summary --json` shape of one workspace."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Protocol

from gongkai_desktop.model import MeasureRecord, Plan, Status, Unit
from gongkai_desktop.roles import must_report, roles_for_plan
from gongkai_desktop.tallies import is_overdue, tally
from gongkai_desktop.units import UnitDirectory


class SummarySource(Protocol):
    """What a summary reads: a workspace, or one unit's data inside a supervisor's."""

    @property
    def plan(self) -> Plan: ...
    @property
    def unit(self) -> Unit: ...
    def records(self) -> dict[str, MeasureRecord]: ...
    def evidence(self, measure_id: str | None = None) -> list[Any]: ...


def workspace_summary(
    ws: SummarySource, directory: UnitDirectory, today: dt.date
) -> dict[str, Any]:
    plan, unit = ws.plan, ws.unit
    roles = roles_for_plan(plan, unit, directory)
    records = ws.records()
    evidence = Counter(item.measure_id for item in ws.evidence())
    totals = tally(plan.measures(), records, roles, today)
    measures: dict[str, Any] = {}
    for m in plan.measures():
        if not must_report(roles.get(m.id, ())):
            continue
        record = records.get(m.id) or MeasureRecord(m.id)
        measures[m.id] = {
            "status": record.status.value,
            "roles": sorted(r.value for r in roles[m.id]),
            "evidence": evidence.get(m.id, 0),
            "deadline": m.deadline.date.isoformat()
            if m.deadline.date
            else (m.deadline.note or None),
            "overdue": is_overdue(m, record, today),
        }
    return {
        "unit": unit.name,
        "plan": plan.info.id,
        "counts": {s.value: totals.counts[s] for s in Status},
        "applicable": totals.applicable,
        "overdue": totals.overdue,
        "measures": measures,
    }
