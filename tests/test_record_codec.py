"""One record↔row mapping: what storage writes is what a bundle carries and an import reads."""

from __future__ import annotations

import datetime as dt

from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.storage.records import RECORD_COLUMNS, from_row, to_row


def test_a_record_survives_the_row_both_ways() -> None:
    record = MeasureRecord(
        measure_id="1.2.3", status=Status.DONE, reason="", completed_on=dt.date(2026, 3, 1),
        explanation="已在“惠企政策”专栏公开", urls=("https://www.cq.gov.cn/zwgk/",),
        remarks="", updated_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC))
    row = to_row(record)
    assert len(row) == len(RECORD_COLUMNS.split(","))
    assert row[5] == '["https://www.cq.gov.cn/zwgk/"]'  # URLs as JSON, Chinese unescaped
    assert from_row(row) == record
    blank = MeasureRecord("9.9")
    assert to_row(blank)[3] is None and to_row(blank)[7] is None
    assert from_row(to_row(blank)) == blank
