"""Read a filled-in checklist workbook back, and apply it to the workspace.

Reading changes nothing: it returns the changes and every problem, each located
by sheet, row and column. Rows are matched by the hidden 举措编号 key, so sorting
or filtering is harmless. A field counts as changed only when the workbook differs
from what was exported; if the app changed the same field since the export, that
is reported as a conflict instead of silently overwriting either side.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl.utils.datetime import from_excel

from gongkai_desktop.changes import Changes
from gongkai_desktop.errors import GongkaiError, InvalidInput
from gongkai_desktop.model import MeasureRecord, Plan, Status, Unit
from gongkai_desktop.storage import CLEAR, Workspace
from gongkai_desktop.storage.records import FIELD_LABELS as RECORD_LABELS
from gongkai_desktop.storage.records import check_urls
from gongkai_desktop.typed_input import check_range, complete_urls, parse_date
from gongkai_desktop.xlsx import checklist_layout as L
from gongkai_desktop.xlsx.cells import cell_text, header_key, stored_value
from gongkai_desktop.xlsx.problems import ImportProblem
from gongkai_desktop.xlsx.safety import DEFAULT_LIMITS, Limits, open_workbook
from gongkai_desktop.xlsx.units_text import is_dash

_HEADER_SEARCH_ROWS = 10
_URL_SEPARATORS = re.compile(r"[\s；;，、]+")  # one cell holds all of a measure's addresses
# Excel's serial numbers for 2000-01-01 … 2100-12-31: a date cell that lost its format.
_FIRST_SERIAL, _LAST_SERIAL = 36526, 73415


@dataclass(frozen=True, slots=True)
class RecordChange:
    measure_id: str
    field: str  # a MeasureRecord field: status, completed_on, explanation, urls, reason, remarks
    old: object  # the workspace's value when the workbook was read
    new: object  # the workbook's value
    row: int = 0  # where it came from (1-based sheet row)

    @property
    def label(self) -> str:
        return L.FIELD_LABELS[self.field]


@dataclass(frozen=True, slots=True)
class ChecklistImport:
    source_name: str  # the workbook's file name, for messages and the audit log
    plan_id: str
    unit_id: str
    changes: list[RecordChange]
    problems: list[ImportProblem]
    warnings: list[str] = field(default_factory=list)
    rows: int = 0  # measure rows read
    exported_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def measure_ids(self) -> list[str]:
        """Measures with at least one change, in the order met."""
        return list(dict.fromkeys(c.measure_id for c in self.changes))


# ---- reading ---------------------------------------------------------------------


def read_checklist(
    path: Path,
    plan: Plan,
    unit: Unit,
    records: Mapping[str, MeasureRecord],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> ChecklistImport:
    """Compare a filled-in checklist with the current ``records``; nothing is changed.

    Raises (``InvalidInput`` / ``UnsafeInput`` / ``TooLarge``) when the file as a
    whole cannot be used: not a workbook, unsafe, not a checklist, another unit's or
    another plan's. Row-level faults come back in ``problems``.
    """
    path = Path(path)
    wb = open_workbook(path, limits)
    meta, snapshot = _read_meta(wb)
    _check_identity(meta, plan, unit)
    sheet, header_row, columns = _find_main_sheet(wb, meta.get("main_sheet", ""))
    reader = _Reader(sheet, plan, records, snapshot, columns)
    warnings = _column_warnings(columns)
    version = meta.get("plan_version", "")
    if version and version != str(plan.info.version):
        warnings.append(
            f"清单导出时任务分工为第{version}版，当前为第{plan.info.version}版，请留意举措是否有调整"
        )
    for row in range(header_row + 1, sheet.max_row + 1):
        reader.read_row(row)
    missing = [mid for mid in snapshot if mid not in reader.seen]
    if missing:
        shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        warnings.append(f"表格中缺少导出时的 {len(missing)} 项举措（{shown}），这些举措保持不变")
    return ChecklistImport(
        source_name=path.name,
        plan_id=plan.info.id,
        unit_id=unit.id,
        changes=reader.changes,
        problems=reader.problems,
        warnings=warnings,
        rows=len(reader.seen),
        exported_at=meta.get("exported_at", ""),
    )


def _read_meta(wb: Any) -> tuple[dict[str, str], dict[str, dict[str, object]]]:
    if L.META_SHEET not in wb.sheetnames:
        raise InvalidInput(
            "这不是本软件导出的自查清单（缺少导出信息），无法导入。请在软件中导出清单后填写"
        )
    ws = wb[L.META_SHEET]
    meta: dict[str, str] = {}
    row = 1
    while row <= ws.max_row and (key := cell_text(stored_value(ws, row, 1))):
        meta[key] = cell_text(stored_value(ws, row, 2))
        row += 1
    if meta.get("format") != L.FORMAT:
        raise InvalidInput("这不是本软件导出的自查清单（导出信息无法识别），无法导入")
    try:
        version = int(meta.get("format_version", ""))
    except ValueError:
        raise InvalidInput("自查清单的导出信息已损坏，无法导入") from None
    if version > L.FORMAT_VERSION:
        raise InvalidInput("这份清单由更新版本的软件导出，请先升级本软件再导入")
    snapshot: dict[str, dict[str, object]] = {}
    for r in range(row + 2, ws.max_row + 1):  # a blank row, the header, then the rows
        mid = cell_text(stored_value(ws, r, 1))
        if not mid:
            continue
        values: dict[str, object] = {}
        for index, name in enumerate(L.FIELDS, start=2):
            # A damaged snapshot value: that field is compared with the workspace only.
            with suppress(ValueError):
                values[name] = L.snapshot_value(name, cell_text(stored_value(ws, r, index)))
        snapshot[mid] = values
    return meta, snapshot


def _check_identity(meta: Mapping[str, str], plan: Plan, unit: Unit) -> None:
    if meta.get("unit_id") != unit.id:
        other = meta.get("unit_name") or meta.get("unit_id") or "未知单位"
        raise InvalidInput(
            f"这份清单是“{other}”的，当前单位是“{unit.name}”，不能导入到本单位"
        )
    if meta.get("plan_id") != plan.info.id:
        other = meta.get("plan_title") or meta.get("plan_id") or "未知任务分工"
        raise InvalidInput(
            f"这份清单属于任务分工“{other}”，当前任务分工是“{plan.info.title}”，不能导入"
        )


def _find_main_sheet(wb: Any, preferred: str) -> tuple[Any, int, dict[str, int]]:
    sheets = [wb[preferred]] if preferred in wb.sheetnames else []
    sheets += [s for s in wb.worksheets if s.title not in (preferred, L.META_SHEET)]
    for sheet in sheets:
        for row in range(1, min(sheet.max_row, _HEADER_SEARCH_ROWS) + 1):
            columns: dict[str, int] = {}
            for column in range(1, sheet.max_column + 1):
                key = header_key(stored_value(sheet, row, column))
                key = L.HEADER_ALIASES.get(key, key)
                if key and key not in columns:
                    columns[key] = column
            if L.KEY_HEADER in columns:
                return sheet, row, columns
    raise InvalidInput(
        f"找不到“{L.KEY_HEADER}”列（隐藏列），无法把表格的行对应到举措。请使用软件导出的原表填写"
    )


def _column_warnings(columns: Mapping[str, int]) -> list[str]:
    return [
        f"表格中没有“{header}”列，这一项不导入"
        for header in L.FIELD_LABELS.values()
        if header not in columns
    ]


class _Reader:
    """Reads rows one by one, collecting changes and problems."""

    def __init__(
        self,
        sheet: Any,
        plan: Plan,
        records: Mapping[str, MeasureRecord],
        snapshot: Mapping[str, Mapping[str, object]],
        columns: Mapping[str, int],
    ) -> None:
        self.sheet = sheet
        self.measure_ids = {m.id for m in plan.measures()}
        self.records = records
        self.snapshot = snapshot
        self.columns = columns
        self.seen: dict[str, int] = {}  # measure id → row
        self.changes: list[RecordChange] = []
        self.problems: list[ImportProblem] = []

    def problem(self, row: int, header: str, message: str) -> None:
        self.problems.append(ImportProblem(self.sheet.title, row, header, message))

    def text(self, row: int, header: str) -> str:
        column = self.columns.get(header)
        return "" if column is None else cell_text(stored_value(self.sheet, row, column))

    def read_row(self, row: int) -> None:
        key = self.text(row, L.KEY_HEADER)
        if not key:
            if any(self.text(row, c.header) for c in L.COLUMNS if c.header != "序号"):
                self.problem(
                    row, L.KEY_HEADER,
                    f"第{row}行没有举措编号（隐藏列“{L.KEY_HEADER}”被清空，或这是新加的行），"
                    "无法对应到举措",
                )
            return
        if key not in self.measure_ids:
            self.problem(row, L.KEY_HEADER, f"第{row}行的举措编号“{key}”不在任务分工中")
            return
        if key in self.seen:
            self.problem(
                row, L.KEY_HEADER, f"第{row}行的举措编号“{key}”与第{self.seen[key]}行重复"
            )
            return
        self.seen[key] = row
        values = self._parse_fields(row)
        current = self.records.get(key) or MeasureRecord(key)
        exported = self.snapshot.get(key, {})
        changes = [
            change
            for name, new in values.items()
            if (change := self._compare(row, key, name, new, getattr(current, name), exported))
        ]
        new_values: dict[str, Any] = {c.field: c.new for c in changes}
        final = replace(current, **new_values)
        touched = {"status", "reason"} & set(new_values)
        if touched and final.status is Status.NOT_APPLICABLE and not final.reason:
            self.problem(
                row, "不适用理由", f"第{row}行“完成状态”为“不适用”，但“不适用理由”没有填写"
            )
        self.changes.extend(changes)

    def _parse_fields(self, row: int) -> dict[str, object]:
        """The row's valid field values; a faulty field is reported and left out."""
        values: dict[str, object] = {}
        for column in L.COLUMNS:
            if column.field is None or column.header not in self.columns:
                continue
            raw = stored_value(self.sheet, row, self.columns[column.header])
            try:
                values[column.field] = _parse(column.field, raw, row, column.header)
            except GongkaiError as exc:
                self.problem(row, column.header, exc.message)
        return values

    def _compare(
        self, row: int, key: str, name: str, new: object, now: object,
        exported: Mapping[str, object],
    ) -> RecordChange | None:
        if name in exported:
            before = exported[name]
            if new in (before, now):
                return None  # left as exported, or the same change the app already has
            if now != before:
                self.problem(
                    row, L.FIELD_LABELS[name],
                    f"第{row}行“{L.FIELD_LABELS[name]}”：导出后软件中已改为“{_shown(now)}”，"
                    f"表格中又填为“{_shown(new)}”，请核对后在软件中修改，或重新导出清单填写",
                )
                return None
        elif new == now:
            return None
        return RecordChange(key, name, now, new, row)


def _shown(value: object) -> str:
    if isinstance(value, Status):
        return value.label
    if isinstance(value, tuple):
        return "、".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# ---- cell values -------------------------------------------------------------------


def _parse(name: str, raw: object, row: int, header: str) -> object:
    text = cell_text(raw)
    if name == "status":
        return _parse_status(text, row)
    if name == "completed_on":
        return _parse_date(raw, text, row)
    if len(text) > L.MAX_TEXT:
        raise InvalidInput(f"第{row}行“{header}”超过 {L.MAX_TEXT} 字，请精简")
    if name == "urls":
        return _parse_urls(text, row)
    return text


def _parse_status(text: str, row: int) -> Status:
    if not text or is_dash(text):
        return Status.NOT_STARTED
    try:
        return Status.parse(text)
    except GongkaiError:
        choices = "、".join(s.label for s in Status)
        raise InvalidInput(
            f"第{row}行“完成状态”为“{text}”，不是可选的状态（可选：{choices}）"
        ) from None


def _parse_date(raw: object, text: str, row: int) -> dt.date | None:
    """A date cell, or a date typed as the window takes it (typed_input.parse_date)."""
    if not text:
        return None
    label = RECORD_LABELS["completed_on"]
    try:
        if isinstance(raw, dt.datetime | dt.date):
            day = raw.date() if isinstance(raw, dt.datetime) else raw
            return check_range(day, label)
        serial = isinstance(raw, int | float) and not isinstance(raw, bool)
        if serial and _FIRST_SERIAL <= raw <= _LAST_SERIAL:  # type: ignore[operator]
            return check_range(from_excel(raw).date(), label)
        return parse_date(text, label, compact=True)
    except InvalidInput as exc:
        raise InvalidInput(f"第{row}行：{exc}") from None


def _parse_urls(text: str, row: int) -> tuple[str, ...]:
    """The addresses in one cell, completed and checked as the window does it."""
    place = f"第{row}行“{RECORD_LABELS['urls']}”"
    urls, _completed = complete_urls(_URL_SEPARATORS.split(text), place=lambda _n: place)
    try:
        return check_urls(urls)  # at most MAX_URLS, repeats dropped
    except InvalidInput as exc:
        raise InvalidInput(f"{place}：{exc}") from None


# ---- applying ----------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedChecklist:
    count: int  # field changes applied
    measures: tuple[str, ...]  # the measures they touched, in the workbook's order
    changes: Changes
    skipped: int = 0  # changes left out with the faulty rows (``allow_partial``)

    def sentence(self) -> str:
        """"已导入 4 处更改，涉及 2 项举措" — the one line the window and the CLI show."""
        text = f"已导入 {self.count} 处更改，涉及 {len(self.measures)} 项举措"
        if self.skipped:
            text += f"；有问题的行中的 {self.skipped} 处更改没有导入"
        return text


def apply_checklist(
    ws: Workspace, result: ChecklistImport, actor: str, *, allow_partial: bool = False
) -> AppliedChecklist:
    """Apply the changes in one transaction; returns how many field changes were applied
    and which measures' records they changed.

    With problems, nothing is applied unless ``allow_partial``: then the rows
    without problems are applied and the faulty rows are left out entirely.
    The audit log records each change with actor "Excel导入：<file>（<actor>）".
    Raises ``InvalidInput`` when the workspace changed since the workbook was read.
    """
    if ws.plan.info.id != result.plan_id or ws.unit.id != result.unit_id:
        raise InvalidInput("这份清单的读取结果不属于当前工作区，请重新读取表格")
    if result.problems and not allow_partial:
        shown = "；".join(p.message for p in result.problems[:3])
        more = f"等 {len(result.problems)} 处" if len(result.problems) > 3 else ""
        raise InvalidInput(f"表格中有问题，没有导入任何内容：{shown}{more}。请改正后重新导入")
    bad_rows = {p.row for p in result.problems}
    changes = [c for c in result.changes if c.row not in bad_rows]
    by_measure: dict[str, dict[str, RecordChange]] = {}
    for change in changes:
        by_measure.setdefault(change.measure_id, {})[change.field] = change
    who = f"Excel导入：{result.source_name}" + (f"（{actor}）" if actor else "")
    with ws.transaction():
        records = ws.records()
        for change in changes:
            now = getattr(records.get(change.measure_id) or MeasureRecord(change.measure_id),
                          change.field)
            if now != change.old:
                raise InvalidInput(
                    f"读取表格后，举措 {change.measure_id} 的“{change.label}”已在软件中被修改，"
                    "没有导入任何内容。请重新读取表格"
                )
        for measure_id, fields in by_measure.items():
            values: dict[str, Any] = {name: _update_value(c) for name, c in fields.items()}
            ws.update_record(measure_id, **values, actor=who)
    return AppliedChecklist(len(changes), tuple(by_measure), Changes.of_records(by_measure),
                            skipped=len(result.changes) - len(changes))


def _update_value(change: RecordChange) -> object:
    # update_record reads None as "leave as is"; a cleared date needs the CLEAR marker.
    if change.field == "completed_on" and change.new is None:
        return CLEAR
    return change.new
