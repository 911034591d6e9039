"""The checklist workbook's layout, shared by export and import.

The main sheet has a title row, a header row and one row per measure. The last
column, 举措编号, is hidden and locked: it travels with its row when a person
sorts or filters, so import maps rows by key, never by position. A very hidden
sheet records which plan and unit the workbook belongs to, and what each row
held when exported (so import changes only what the person changed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai_desktop.model import MeasureRecord, Status

MAIN_SHEET = "自查清单"
GUIDE_SHEET = "填写说明"
META_SHEET = "_gongkai"
FORMAT = "gongkai-checklist"
FORMAT_VERSION = 1

TITLE_ROW = 1
HEADER_ROW = 2
FIRST_ROW = 3

KEY_HEADER = "举措编号"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float
    field: str | None = None  # the MeasureRecord field a person fills in; None = locked

    @property
    def editable(self) -> bool:
        return self.field is not None


COLUMNS: tuple[Column, ...] = (
    Column("序号", 5),
    Column("重点任务", 22),
    Column("贯彻举措", 40),
    Column("牵头单位", 13),
    Column("责任单位", 15),
    Column("完成时限", 11),
    Column("本单位职责", 9),
    Column("完成状态", 9, "status"),
    Column("完成日期", 11, "completed_on"),
    Column("完成情况说明", 32, "explanation"),
    Column("公开网址", 28, "urls"),
    Column("不适用理由", 18, "reason"),
    Column("备注", 14, "remarks"),
    Column(KEY_HEADER, 8),
)

# Record fields in the order they are compared and shown.
FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.field is not None)
FIELD_LABELS: dict[str, str] = {c.field: c.header for c in COLUMNS if c.field is not None}

# Meta sheet: "key | value" rows, then a snapshot table headed by SNAPSHOT_HEADER.
META_KEYS = (
    "format", "format_version", "plan_id", "plan_version", "plan_title", "unit_id",
    "unit_name", "exported_at", "app_version", "main_sheet",
)
SNAPSHOT_HEADER = ("measure_id", *FIELDS)

MAX_TEXT = 10_000  # characters in one filled-in cell


def column_index(header: str) -> int:
    """1-based column of a header in the exported layout."""
    for index, column in enumerate(COLUMNS, start=1):
        if column.header == header:
            return index
    raise KeyError(header)


def snapshot_text(field: str, value: object) -> str:
    """A record field as the meta sheet stores it (plain text, no formulas)."""
    if value is None:
        return ""
    if field == "status":
        return str(getattr(value, "value", value))
    if field == "completed_on":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if field == "urls":
        return "\n".join(value) if isinstance(value, tuple | list) else str(value)
    return str(value)


def snapshot_value(field: str, text: str) -> object:
    """The inverse of ``snapshot_text``; raises ``ValueError`` on a damaged value."""
    if field == "status":
        return Status(text) if text else Status.NOT_STARTED
    if field == "completed_on":
        return dt.date.fromisoformat(text) if text else None
    if field == "urls":
        return tuple(line for line in text.split("\n") if line)
    return text


def record_value(record: MeasureRecord, field: str) -> object:
    return getattr(record, field)
