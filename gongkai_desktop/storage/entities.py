"""Plain data the workspace hands out (besides ``model.MeasureRecord`` and ``model.Plan``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from gongkai_desktop.model import Unit, UnitType


class Clear(Enum):
    """``update_record(completed_on=CLEAR)`` removes the date (None leaves it unchanged)."""

    CLEAR = "clear"


CLEAR = Clear.CLEAR


@dataclass(frozen=True, slots=True)
class UnitProfile:
    unit_id: str
    unit_name: str
    full_name: str
    unit_type: UnitType
    officer: str  # 负责人
    contact: str  # 联系人
    phone: str
    plan_id: str
    created_at: dt.datetime

    def unit(self) -> Unit:
        return Unit(self.unit_id, self.unit_name, self.full_name, self.unit_type)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    id: int
    measure_id: str
    kind: str  # "file" | "link"
    file_name: str  # base name, sanitised; "" for links
    media_type: str
    size: int | None  # bytes; None for links
    sha256: str | None  # of the content; None for links
    url: str  # "" for files
    title: str
    note: str
    added_at: dt.datetime
    added_by: str = ""
    # Set where the item travelled in a bundle (and in the supervisor's copy of it):
    original_sha256: str | None = None  # the photo was shrunk for the bundle: its original
    original_size: int | None = None
    unit_id: str = ""  # the supervisor's copy: the unit it came from ("" in a unit's own)
    has_content: bool = True  # False for files of an evidence-free bundle never received

    @property
    def is_file(self) -> bool:
        return self.kind == "file"

    @property
    def shrunk(self) -> bool:
        return self.original_sha256 is not None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str  # create, update_record, update_profile, add_evidence, remove_evidence, …
    measure_id: str | None
    field: str | None
    old: str | None  # text; lists as JSON; None when there was no value
    new: str | None
