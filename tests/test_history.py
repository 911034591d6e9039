"""The audit log as people read it (the window's 修改记录 and any other reader share it)."""

from __future__ import annotations

import datetime as dt
import json

from gongkai_desktop.storage.entities import AuditEntry
from gongkai_desktop.storage.history import change_text, field_title, value_text

AT = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def entry(action: str, field: str | None, old: str | None, new: str | None) -> AuditEntry:
    return AuditEntry(1, AT, "张三", action, "1.1.1", field, old, new)


def test_fields_and_values_in_chinese() -> None:
    status = entry("update_record", "status", "not_started", "done")
    assert field_title(status) == "完成状态"
    assert change_text(status) == "未开始 → 已完成"
    urls = entry("update_record", "urls", "[]", json.dumps(["https://a.gov.cn/", "https://b.gov.cn/"]))
    assert change_text(urls) == "（空） → https://a.gov.cn/；https://b.gov.cn/"
    added = entry("add_evidence", "evidence", None, json.dumps({"file_name": "专栏截图.png"}))
    assert (field_title(added), change_text(added)) == ("添加佐证材料", "专栏截图.png")
    long = entry("update_record", "explanation", "", "说明" * 100)
    assert len(change_text(long, limit=10).split(" → ")[1]) == 10


def test_a_hostile_value_from_a_bundle_is_shown_as_stored_never_parsed_deep() -> None:
    deep = "[" * 100_000 + "]" * 100_000  # json.loads would recurse until it fails
    assert value_text("urls", deep) == deep
    assert value_text("evidence", '{"file_name": ') == '{"file_name": '
    assert value_text("status", "bogus") == "bogus"
