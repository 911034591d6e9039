"""One overdue rule (tallies.past_due) and one count of overdue days (tallies.overdue_days):
the unit's tree, panel and status bar, the office's consolidation and a unit's offices."""

from __future__ import annotations

import datetime as dt

from gongkai_desktop.model import MeasureRecord, Role, Status
from gongkai_desktop.tallies import is_overdue, overdue_days, past_due, unit_overdue_days
from tests.plan_fixtures import TEST_PLAN

DUE = "1.1.2"  # 2020年10月30日前


def _measure(mid: str):  # type: ignore[no-untyped-def]
    return next(m for m in TEST_PLAN.measures() if m.id == mid)


def test_overdue_days_count_from_the_day_after_the_deadline() -> None:
    m = _measure(DUE)
    assert m.deadline.date == dt.date(2020, 10, 30)
    open_ = MeasureRecord(DUE, Status.IN_PROGRESS)
    assert overdue_days(m, open_, dt.date(2020, 10, 30)) is None  # the deadline day itself
    assert overdue_days(m, open_, dt.date(2020, 10, 31)) == 1
    assert overdue_days(m, open_, dt.date(2021, 1, 1)) == 63
    for closed in (Status.DONE, Status.NOT_APPLICABLE):  # late, not overdue
        assert overdue_days(m, MeasureRecord(DUE, closed), dt.date(2021, 1, 1)) is None
    undated = next(x for x in TEST_PLAN.measures() if x.deadline.date is None)
    assert overdue_days(undated, MeasureRecord(undated.id), dt.date(2030, 1, 1)) is None


def test_past_due_is_is_overdue_on_plain_values() -> None:
    m, today = _measure(DUE), dt.date(2021, 1, 1)
    for status in Status:
        assert past_due(m.deadline.date, status, today) == is_overdue(
            m, MeasureRecord(DUE, status), today)
    assert past_due(m.deadline.date, None, today)  # nothing reported yet: still open
    assert not past_due(None, None, today) and not past_due(m.deadline.date, None, m.deadline.date)


def test_overdue_only_on_what_the_unit_must_report() -> None:
    """A late measure is the unit's overdue one only when it must report it (roles.must_report):
    responsible or concerned. No role, or lead only (the lead checks others), gives no mark."""
    m, today = _measure(DUE), dt.date(2021, 1, 1)
    open_ = MeasureRecord(DUE, Status.IN_PROGRESS)
    for owed in ({Role.RESPONSIBLE}, {Role.CONCERNED}, {Role.LEAD, Role.RESPONSIBLE}):
        assert unit_overdue_days(m, open_, owed, today) == 63 == overdue_days(m, open_, today)
    for not_owed in (set(), {Role.LEAD}):
        assert unit_overdue_days(m, open_, not_owed, today) is None
    assert unit_overdue_days(m, MeasureRecord(DUE, Status.DONE), {Role.RESPONSIBLE}, today) is None
