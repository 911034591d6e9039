"""What needs attention next: returned first, then overdue, then 已完成 without evidence."""

from __future__ import annotations

import datetime as dt

from gongkai_desktop.attention import attention_items
from gongkai_desktop.model import MeasureRecord, Role, Status
from tests.plan_fixtures import TEST_PLAN

RESPONSIBLE = frozenset({Role.RESPONSIBLE})


def test_returned_then_overdue_then_done_without_evidence() -> None:
    roles = {"1.1.2": RESPONSIBLE, "2.1.1": RESPONSIBLE, "2.1.2": RESPONSIBLE}
    records = {"2.1.1": MeasureRecord("2.1.1", Status.DONE),
               "2.1.2": MeasureRecord("2.1.2", Status.DONE)}
    items = attention_items(TEST_PLAN, records, roles, {"2.1.2": 1}, dt.date(2020, 11, 1),
                            returned={"2.1.2"})
    assert [(i.measure_id, i.overdue) for i in items] == [
        ("2.1.2", True), ("1.1.2", True), ("2.1.1", False)]
    assert items[0].reason.startswith("退回整改")
    assert items[1].reason == "逾期：截止 2020-10-30，目前“未开始”"
    assert items[2].reason == "已完成，但还没有佐证材料"
    assert items[1].title.startswith("2．做好涉企政策解读")


def test_nothing_for_measures_the_unit_holds_no_role_on() -> None:
    records = {"1.1.1": MeasureRecord("1.1.1", Status.DONE)}
    assert attention_items(TEST_PLAN, records, {}, {}, dt.date(2030, 1, 1)) == []
