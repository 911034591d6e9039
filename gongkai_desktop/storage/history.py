"""The audit log as a person reads it: which field or action, and old → new in Chinese.

The one reader of the stored values' formats (a status key, URLs and evidence items as
JSON). Entries may come from a unit's bundle (the supervisor's copy), so JSON is read
with ``safe_json`` limits; a value that does not parse is shown as it is stored.
"""

from __future__ import annotations

from gongkai_desktop.model import STATUS_LABELS, Status
from gongkai_desktop.safe_json import UnsafeJson, loads_limited
from gongkai_desktop.storage.entities import AuditEntry
from gongkai_desktop.storage.records import FIELD_LABELS, MAX_TEXT

ACTION_NAMES = {
    "create": "创建工作区",
    "update_record": "修改",
    "update_profile": "修改单位信息",
    "add_evidence": "添加佐证材料",
    "remove_evidence": "删除佐证材料",
    "restore_evidence": "恢复佐证材料",
    "import": "导入",
    "import_records": "导入",
}
EVIDENCE_ACTIONS = frozenset({"add_evidence", "remove_evidence", "restore_evidence"})
EMPTY = "（空）"
_MAX_JSON = 4 * MAX_TEXT  # a stored value is at most a few texts long


def _json(value: str) -> object:
    try:
        return loads_limited(value, max_depth=2, max_bytes=_MAX_JSON)
    except UnsafeJson:
        return None


def field_title(entry: AuditEntry) -> str:
    """What changed: the field's name (完成状态 …) or the action (添加佐证材料 …)."""
    if entry.action in EVIDENCE_ACTIONS:
        return ACTION_NAMES[entry.action]
    if entry.field:
        return FIELD_LABELS.get(entry.field, entry.field)
    return ACTION_NAMES.get(entry.action, entry.action)


def value_text(field: str | None, value: str | None) -> str:
    """A stored audit value as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if field == "status":
        try:
            return STATUS_LABELS[Status(value)]
        except ValueError:
            return value
    if field == "evidence":
        data = _json(value)
        if not isinstance(data, dict):
            return value
        return str(data.get("file_name") or data.get("title") or data.get("url") or value)
    if field == "urls":
        urls = _json(value)
        if not isinstance(urls, list):
            return value
        return "；".join(str(u) for u in urls) if urls else EMPTY
    return value


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (an ellipsis marks the cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def change_text(entry: AuditEntry, *, limit: int | None = None) -> str:
    """"old → new" (each side cut to ``limit``); an evidence action names the item only."""
    if entry.action in EVIDENCE_ACTIONS:
        return value_text("evidence", entry.new or entry.old)
    old, new = value_text(entry.field, entry.old), value_text(entry.field, entry.new)
    if limit is not None:
        old, new = shorten(old, limit), shorten(new, limit)
    return f"{old} → {new}"
