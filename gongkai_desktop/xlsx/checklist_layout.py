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
from gongkai_desktop.storage import records

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
    # The fields a person fills in, headed by their names everywhere else (the window,
    # the command line, the history): records.FIELD_LABELS.
    Column(records.FIELD_LABELS["status"], 9, "status"),
    Column(records.FIELD_LABELS["completed_on"], 11, "completed_on"),
    Column(records.FIELD_LABELS["explanation"], 32, "explanation"),
    Column(records.FIELD_LABELS["urls"], 28, "urls"),
    Column(records.FIELD_LABELS["reason"], 18, "reason"),
    Column(records.FIELD_LABELS["remarks"], 14, "remarks"),
    Column(KEY_HEADER, 8),
)
# Headers of workbooks exported by earlier versions, read as today's.
HEADER_ALIASES = {"完成日期": records.FIELD_LABELS["completed_on"]}

# Record fields in the order they are compared and shown.
FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.field is not None)
FIELD_LABELS: dict[str, str] = {c.field: c.header for c in COLUMNS if c.field is not None}

# Meta sheet: "key | value" rows, then a snapshot table headed by SNAPSHOT_HEADER.
META_KEYS = (
    "format", "format_version", "plan_id", "plan_version", "plan_title", "unit_id",
    "unit_name", "exported_at", "app_version", "main_sheet",
)
SNAPSHOT_HEADER = ("measure_id", *FIELDS)

MAX_TEXT = records.MAX_TEXT  # characters in one filled-in cell: what a record may hold


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
