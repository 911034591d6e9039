"""Which of a unit's measures need attention next, most urgent first.

The overview page lists them, each one click away from its measure: first what the
office returned for 整改 (退回整改), then what is overdue (earliest deadline first),
then what is marked 已完成 without any evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from gongkai_desktop.model import MeasureRecord, Plan, Role, Status
from gongkai_desktop.roles import must_report
from gongkai_desktop.tallies import is_overdue


@dataclass(frozen=True, slots=True)
class AttentionItem:
    measure_id: str
    title: str  # label + text
    reason: str  # one line saying why it is listed
    overdue: bool  # returned or overdue: shown with the warning mark


def attention_items(plan: Plan, records: Mapping[str, MeasureRecord],
                    roles: Mapping[str, Collection[Role]], evidence_counts: Mapping[str, int],
                    today: dt.date, *, returned: Collection[str] = ()) -> list[AttentionItem]:
    """Returned measures (``returned``: ids whose verdict is 退回整改), then overdue ones,
    then 已完成 ones without evidence, among the measures the unit must report."""
    first: list[AttentionItem] = []
    overdue: list[tuple[dt.date, str, AttentionItem]] = []
    bare: list[AttentionItem] = []
    for m in plan.measures():
        title = f"{m.label}{m.text}"
        if m.id in returned:
            first.append(AttentionItem(m.id, title, "退回整改：请按上级单位的审核意见整改", True))
        if not must_report(roles.get(m.id, ())):
            continue
        record = records.get(m.id) or MeasureRecord(m.id)
        if is_overdue(m, record, today):
            assert m.deadline.date is not None
            reason = (f"逾期：截止 {m.deadline.date.isoformat()}，"
                      f"目前“{record.status.label}”")
            overdue.append((m.deadline.date, m.id, AttentionItem(m.id, title, reason, True)))
        elif record.status is Status.DONE and not evidence_counts.get(m.id):
            bare.append(AttentionItem(m.id, title, "已完成，但还没有佐证材料", False))
    overdue.sort(key=lambda item: (item[0], item[1]))
    return first + [item for _, _, item in overdue] + bare
