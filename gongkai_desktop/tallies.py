"""Progress of one unit on a plan: what counts, what is overdue, rollups.

Shared by the command line summary, the window's tree rollups and overview,
and the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from gongkai_desktop.model import Measure, MeasureRecord, Plan, Role, Status
from gongkai_desktop.roles import must_report

CLOSED = frozenset({Status.DONE, Status.NOT_APPLICABLE})


def past_due(deadline: dt.date | None, status: Status | None, today: dt.date) -> bool:
    """The one overdue rule, on plain values: a stated deadline has passed and the work is
    neither done nor not applicable (``None``: nothing reported yet, so still open). For a
    unit's measures, the consolidation's cells and an office's assignments alike."""
    return deadline is not None and status not in CLOSED and today > deadline


def is_overdue(measure: Measure, record: MeasureRecord, today: dt.date) -> bool:
    """Past its stated deadline and neither done nor marked not applicable.

    A measure done after its deadline is late, not overdue; the rolling
    7/20-working-day limit has no single date and is never overdue here.
    """
    return past_due(measure.deadline.date, record.status, today)


def overdue_days(measure: Measure, record: MeasureRecord, today: dt.date) -> int | None:
    """How many days an overdue measure is past its deadline (1 the day after), else None."""
    deadline = measure.deadline.date
    if deadline is None or not is_overdue(measure, record, today):
        return None
    return (today - deadline).days


def unit_overdue_days(
    measure: Measure, record: MeasureRecord, roles: Collection[Role], today: dt.date
) -> int | None:
    """``overdue_days`` on the unit's own obligation: None for a measure the unit must not
    report (``roles.must_report``: no role, or lead only), however late it is. Every mark a
    unit sees on one measure (tree, panel) follows this; the tallies count the same set."""
    return overdue_days(measure, record, today) if must_report(roles) else None


@dataclass(slots=True)
class Tally:
    """Counts over a set of measures (an area, a sub-task, the whole plan)."""

    counts: dict[Status, int] = field(default_factory=lambda: {s: 0 for s in Status})
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.total - self.counts[Status.NOT_APPLICABLE]

    @property
    def done(self) -> int:
        return self.counts[Status.DONE]

    def add(self, status: Status, overdue: bool) -> None:
        self.counts[status] += 1
        self.overdue += int(overdue)

    def rollup_text(self) -> str:
        """The short form the tree shows, e.g. "3/5 已完成"."""
        return f"{self.done}/{self.applicable} 已完成"


def tally(
    measures: Iterable[Measure],
    records: Mapping[str, MeasureRecord],
    roles: Mapping[str, Collection[Role]],
    today: dt.date,
) -> Tally:
    """Counts over the measures the unit must report (``roles.must_report``): the same set
    the report and the checklist list, so "已完成 x/n" agrees with them."""
    result = Tally()
    for m in measures:
        if not must_report(roles.get(m.id, ())):
            continue
        record = records.get(m.id) or MeasureRecord(m.id)
        result.add(record.status, is_overdue(m, record, today))
    return result


def area_tallies(
    plan: Plan,
    records: Mapping[str, MeasureRecord],
    roles: Mapping[str, Collection[Role]],
    today: dt.date,
) -> dict[str, Tally]:
    """Tallies per area id and per sub-task id, in one pass over the plan."""
    out: dict[str, Tally] = {}
    for area in plan.areas:
        out[area.id] = tally(
            (m for s in area.subtasks for m in s.measures), records, roles, today
        )
        for sub in area.subtasks:
            out[sub.id] = tally(sub.measures, records, roles, today)
    return out
