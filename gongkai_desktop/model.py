"""Plain data types of the domain: plans, units, statuses, roles and records.

Immutable dataclasses only; no I/O. Storage, reports, bundles and the UI all
speak these types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Status:
        """Accept the English key or the Chinese label (未开始 / 推进中 / 已完成 / 不适用)."""
        value = text.strip()
        for status in cls:
            if value in (status.value, STATUS_LABELS[status]):
                return status
        from gongkai_desktop.errors import InvalidInput

        choices = "、".join(STATUS_LABELS.values())
        raise InvalidInput(f"“{value}”不是可选的状态（可选：{choices}）")


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "未开始",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.NOT_APPLICABLE: "不适用",
}
# A unit (or office) that has not reported a measure yet: tables, workbooks and summaries.
NOT_REPORTED = "未报送"
# The order count columns list statuses in (summaries, tables, workbooks): done first.
COUNT_ORDER = (Status.DONE, Status.IN_PROGRESS, Status.NOT_STARTED, Status.NOT_APPLICABLE)


class Role(StrEnum):
    """What a unit has to do for a measure; a unit can hold several."""

    RESPONSIBLE = "responsible"  # named, or through 各区县政府 / 市政府各部门 / 全市各级行政机关
    CONCERNED = "concerned"  # through 市政府有关部门 or 区县市场监管局: confirm or mark 不适用
    LEAD = "lead"  # a 牵头单位: checks the units that report to it

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.RESPONSIBLE: "责任单位",
    Role.CONCERNED: "有关单位",
    Role.LEAD: "牵头单位",
}


class UnitType(StrEnum):
    DISTRICT = "district"  # one of the 41 区县政府 (incl. 两江新区, 重庆高新区, 万盛经开区)
    DEPARTMENT = "department"  # a 市政府部门
    OTHER = "other"  # a body named in a plan that is neither (市委党校, a district bureau …)


@dataclass(frozen=True, slots=True)
class Unit:
    id: str  # stable key: administrative code for districts, a slug for others
    name: str  # the short name used in tables (万州区, 市司法局)
    full_name: str  # 重庆市万州区人民政府
    type: UnitType
    aliases: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.full_name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline as written in a measure's text."""

    date: dt.date | None = None  # the last day, when the text names one
    note: str = ""  # e.g. the rolling 7/20-working-day limit; empty when none

    @property
    def is_empty(self) -> bool:
        return self.date is None and not self.note


@dataclass(frozen=True, slots=True)
class Measure:
    id: str  # "AREA.SUBTASK.MEASURE", e.g. "1.2.3"
    no: int  # position within its sub-task, from 1
    label: str  # as printed: "1．"; empty for a sub-task's single unnumbered measure
    text: str  # verbatim, line breaks of the extraction removed
    lead_units: tuple[str, ...]  # names as the table writes them
    responsible_units: tuple[str, ...]  # names or group words as the table writes them
    deadline: Deadline = field(default_factory=Deadline)


@dataclass(frozen=True, slots=True)
class Subtask:
    id: str  # "AREA.SUBTASK"
    no: int
    label: str  # "（一）"
    title: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True, slots=True)
class Area:
    id: str  # "AREA"
    no: int
    label: str  # "一"
    title: str
    subtasks: tuple[Subtask, ...]


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """The identity of a plan, so later plans can live beside the 2020 one."""

    id: str  # e.g. "cq-2020-89"
    title: str
    document_number: str  # 渝府办发〔2020〕89号
    issued: dt.date
    issuer: str  # 重庆市人民政府办公厅
    version: int = 1  # bumped when the plan's content is corrected


@dataclass(frozen=True, slots=True)
class Plan:
    info: PlanInfo
    areas: tuple[Area, ...]

    def measures(self) -> list[Measure]:
        return [m for a in self.areas for s in a.subtasks for m in s.measures]

    def subtasks(self) -> list[Subtask]:
        return [s for a in self.areas for s in a.subtasks]

    def measure(self, measure_id: str) -> Measure:
        for m in self.measures():
            if m.id == measure_id:
                return m
        from gongkai_desktop.errors import NotFound

        raise NotFound(f"计划中没有编号为“{measure_id}”的举措（编号形如 1.2.3）")


@dataclass(frozen=True, slots=True)
class MeasureRecord:
    """What one unit reported for one measure."""

    measure_id: str
    status: Status = Status.NOT_STARTED
    reason: str = ""  # required when status is NOT_APPLICABLE
    completed_on: dt.date | None = None
    explanation: str = ""  # 完成情况说明
    urls: tuple[str, ...] = ()  # 公开网址/栏目
    remarks: str = ""
    updated_at: dt.datetime | None = None
