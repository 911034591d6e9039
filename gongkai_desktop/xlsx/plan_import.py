"""Import a new task breakdown (任务分工) from a workbook as a ``Plan``.

The table is found by its header row (重点任务 / 贯彻举措 / 牵头单位 / 责任单位 and
common variants). Areas (一、) and sub-tasks (（一）) come from the task column —
merged over their measures, or written together in one cell — or from rows of
their own. Nothing is saved here: the caller shows ``problems``, ``warnings`` and
``unknown_units`` for review and stores the plan only when the person agrees.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gongkai_desktop.errors import GongkaiError, InvalidInput
from gongkai_desktop.model import Area, Deadline, Measure, Plan, PlanInfo, Subtask
from gongkai_desktop.plan.deadlines import parse_deadline
from gongkai_desktop.roles import is_group_word
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx.cells import cell_text, header_key, merged_values
from gongkai_desktop.xlsx.problems import ImportProblem
from gongkai_desktop.xlsx.safety import DEFAULT_LIMITS, Limits, open_workbook
from gongkai_desktop.xlsx.units_text import is_dash, split_units

_HEADER_SEARCH_ROWS = 20
_HEADERS: dict[str, tuple[str, ...]] = {
    "no": ("序号",),
    "task": ("重点任务", "工作任务", "主要任务", "重点工作", "工作要点", "任务"),
    "measure": (
        "贯彻举措", "具体举措", "工作举措", "主要举措", "举措", "具体措施", "工作措施",
        "贯彻措施", "主要措施", "措施",
    ),
    "lead": ("牵头单位", "牵头部门", "牵头"),
    "responsible": ("责任单位", "责任部门", "责任主体", "落实单位"),
    "deadline": ("完成时限", "时限要求", "完成时间", "时间要求", "时限", "完成期限"),
}
_NUMERALS = "一二三四五六七八九十"
_AREA = re.compile(rf"^\s*([{_NUMERALS}]+)\s*[、．.，,]\s*")
_SUBTASK = re.compile(rf"^\s*[（(]\s*([{_NUMERALS}]+)\s*[）)]\s*")
_MEASURE = re.compile(
    r"^\s*((?:[0-9０-９]{1,3}\s*[．.、，,](?![0-9０-９]))|(?:[（(][0-9０-９]{1,3}[）)]))\s*"
)
_YEAR = re.compile(r"(20\d\d)\s*年")
_GROUP = re.compile(r"^各|各(?:部门|单位|级)|(?:有关|相关)(?:部门|单位)")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True, slots=True)
class PlanImport:
    plan: Plan
    unknown_units: list[str]  # written names neither in the directory nor group words
    problems: list[ImportProblem]  # must be fixed before the plan is stored
    warnings: list[str] = field(default_factory=list)  # worth a look; nothing wrong as such
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def read_plan_workbook(
    path: Path,
    *,
    plan_id: str,
    title: str,
    document_number: str = "",
    issued: dt.date | None = None,
    issuer: str = "",
    directory: UnitDirectory | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> PlanImport:
    """Read the breakdown table of ``path``; raises ``InvalidInput`` when none is found.

    Deadlines without a year ("年底前") take the plan's year: the year of
    ``issued``, else the first "20xx年" in ``title`` or above the table.
    """
    if not plan_id.strip() or not title.strip():
        raise InvalidInput("请填写计划编号和标题")
    wb = open_workbook(Path(path), limits)
    found = _find_table(wb)
    if found is None:
        raise InvalidInput(
            "没有找到任务分工表：需要有“重点任务”“贯彻举措”“牵头单位”“责任单位”等表头的一行"
        )
    sheet, grid, header_row, columns, origins = found
    warnings = _ignored_columns(grid, header_row, sheet.max_column, columns)
    year = issued.year if issued else _find_year(title, grid, header_row)
    if issued is None:
        if year is None:
            issued = dt.date.today()
            warnings.append(
                "没有填写印发日期，也没有从标题中找到年份：“年底前”等时限无法换算成日期"
            )
        else:
            issued = dt.date(year, 1, 1)
            warnings.append(f"没有填写印发日期，暂记为{year}年1月1日，请核对")
    builder = _Builder(sheet.title, year, warnings)
    for row in range(header_row + 1, sheet.max_row + 1):
        builder.read_row(row, grid, columns, origins)
    areas = builder.finish()
    if not any(s.measures for a in areas for s in a.subtasks):
        raise InvalidInput(f"工作表“{sheet.title}”的表头下面没有读到任何举措")
    info = PlanInfo(plan_id.strip(), title.strip(), document_number.strip(), issued, issuer.strip())
    plan = Plan(info, areas)
    return PlanImport(
        plan=plan,
        unknown_units=_unknown_units(
            plan, UnitDirectory.load() if directory is None else directory
        ),
        problems=builder.problems,
        warnings=warnings,
        sheet=sheet.title,
    )


# ---- finding the table -------------------------------------------------------------

Grid = dict[tuple[int, int], object]


def _find_table(
    wb: Any,
) -> tuple[Any, Grid, int, dict[str, int], dict[tuple[int, int], tuple[int, int]]] | None:
    for sheet in wb.worksheets:
        grid = merged_values(sheet)
        for row in range(1, min(sheet.max_row, _HEADER_SEARCH_ROWS) + 1):
            columns = _match_headers(grid, row, sheet.max_column)
            if "measure" in columns and "lead" in columns:
                return sheet, grid, row, columns, _origins(sheet)
    return None


def _match_headers(grid: Grid, row: int, max_column: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for column in range(1, max_column + 1):
        key = header_key(grid.get((row, column)))
        for role, names in _HEADERS.items():
            if key in names and role not in columns:
                columns[role] = column
                break
    return columns


def _origins(sheet: Any) -> dict[tuple[int, int], tuple[int, int]]:
    """Each merged cell → its range's top-left cell (so one merge = one heading)."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                out[(row, column)] = (merged.min_row, merged.min_col)
    return out


def _ignored_columns(
    grid: Grid, header_row: int, max_column: int, columns: dict[str, int]
) -> list[str]:
    used = set(columns.values())
    out = []
    for column in range(1, max_column + 1):
        name = header_key(grid.get((header_row, column))) if column not in used else ""
        if name:
            out.append(f"“{name}”列不属于任务分工的内容，没有导入")
    return out


def _find_year(title: str, grid: Grid, header_row: int) -> int | None:
    texts = [title] + [
        cell_text(value) for (row, _), value in sorted(grid.items()) if row < header_row
    ]
    for text in texts:
        match = _YEAR.search(text.translate(_DIGITS))
        if match:
            return int(match.group(1))
    return None


# ---- building the plan ---------------------------------------------------------------


@dataclass
class _Heading:
    label: str
    title: str
    row: int


@dataclass
class _SubtaskDraft:
    heading: _Heading
    measures: list[Measure] = field(default_factory=list)


@dataclass
class _AreaDraft:
    heading: _Heading
    subtasks: list[_SubtaskDraft] = field(default_factory=list)


class _Builder:
    def __init__(self, sheet: str, year: int | None, warnings: list[str]) -> None:
        self.sheet = sheet
        self.year = year
        self.warnings = warnings
        self.areas: list[_AreaDraft] = []
        self.problems: list[ImportProblem] = []
        # The task cell that gave the current heading: a merged range, or a cell
        # whose text later rows repeat, is one heading however many rows it spans.
        self.last_origin: tuple[int, int] | None = None
        self.last_task = ""

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.sheet, row, column, message))

    def read_row(
        self, row: int, grid: Grid, columns: dict[str, int],
        origins: dict[tuple[int, int], tuple[int, int]],
    ) -> None:
        def text(role: str) -> str:
            column = columns.get(role)
            return cell_text(grid.get((row, column))) if column else ""

        values = [text(role) for role in ("task", "measure", "lead", "responsible")]
        filled = {v for v in values if v}
        if not filled:
            return
        only = next(iter(filled))
        if len(filled) == 1 and (_AREA.match(only) or _SUBTASK.match(only)):
            # A heading row: one text across the row (merged, or only one cell filled).
            self._heading(row, only)
            self.last_origin, self.last_task = None, ""
            return
        task_column = columns.get("task")
        task = text("task")
        if task_column and task:
            origin = origins.get((row, task_column), (row, task_column))
            if origin != self.last_origin and task != self.last_task:
                self._heading(row, task)
            self.last_origin, self.last_task = origin, task
        self._measures(row, text("measure"), text("lead"), text("responsible"), text("deadline"))

    def _heading(self, row: int, text: str) -> None:
        for kind, label, title in _split_heading(text):
            heading = _Heading(label, title, row)
            if kind == "area":
                self.areas.append(_AreaDraft(heading))
            elif kind == "subtask":
                self._area(row).subtasks.append(_SubtaskDraft(heading))
            else:
                message = f"第{row}行“重点任务”中的“{title[:30]}”没有编号（一、或（一））"
                self.problem(row, "重点任务", message)

    def _area(self, row: int) -> _AreaDraft:
        if not self.areas:
            self.warnings.append(
                f"第{row}行之前没有“一、”这样的重点任务，举措归入一个无标题的任务"
            )
            self.areas.append(_AreaDraft(_Heading("", "", row)))
        return self.areas[-1]

    def _subtask(self, row: int) -> _SubtaskDraft:
        area = self._area(row)
        if not area.subtasks:
            area.subtasks.append(_SubtaskDraft(_Heading("", "", row)))
        return area.subtasks[-1]

    def _measures(self, row: int, text: str, lead: str, responsible: str, deadline: str) -> None:
        if not text:
            if lead or responsible:
                self.problem(row, "贯彻举措", f"第{row}行有责任单位，但“贯彻举措”为空")
            return
        leads = split_units(lead)
        if not leads:
            self.warnings.append(f"第{row}行的举措没有牵头单位")
        sub = self._subtask(row)
        for label, body in _split_measures(text):
            if not body:
                self.problem(row, "贯彻举措", f"第{row}行“贯彻举措”只有编号“{label}”，没有内容")
                continue
            sub.measures.append(Measure(
                id="", no=len(sub.measures) + 1, label=label, text=body,
                lead_units=leads, responsible_units=split_units(responsible),
                deadline=self._deadline(row, body, deadline),
            ))

    def _deadline(self, row: int, body: str, column_text: str) -> Deadline:
        in_column = bool(column_text) and not is_dash(column_text)
        source, where = (column_text, "完成时限") if in_column else (body, "贯彻举措")
        try:
            found = parse_deadline(source, self.year)
        except GongkaiError as exc:
            self.problem(row, where, f"第{row}行“{where}”中的时限有误：{exc.message}")
            return Deadline()
        if found.is_empty and where == "完成时限":
            return Deadline(note=_join_lines(source))  # e.g. 长期坚持, 持续推进
        return found

    def finish(self) -> tuple[Area, ...]:
        areas = []
        for a_no, area in enumerate(self.areas, start=1):
            subtasks = []
            for s_no, sub in enumerate(area.subtasks, start=1):
                sid = f"{a_no}.{s_no}"
                measures = tuple(
                    Measure(f"{sid}.{m_no}", m_no, m.label, m.text, m.lead_units,
                            m.responsible_units, m.deadline)
                    for m_no, m in enumerate(sub.measures, start=1)
                )
                if not measures:
                    where = sub.heading
                    self.problem(
                        where.row, "重点任务",
                        f"第{where.row}行的“{where.label}{where.title[:20]}”下面没有举措",
                    )
                self._check_numbers(sub, measures)
                subtasks.append(Subtask(sid, s_no, sub.heading.label, sub.heading.title, measures))
            head = area.heading
            if not subtasks:
                self.problem(
                    head.row, "重点任务",
                    f"第{head.row}行的“{head.label}、{head.title[:20]}”下面没有举措",
                )
            areas.append(Area(str(a_no), a_no, head.label, head.title, tuple(subtasks)))
        return tuple(areas)

    def _check_numbers(self, sub: _SubtaskDraft, measures: tuple[Measure, ...]) -> None:
        numbers = [int(re.sub(r"\D", "", m.label.translate(_DIGITS)) or 0) for m in measures]
        if any(numbers) and numbers != list(range(1, len(numbers) + 1)):
            shown = "、".join(m.label for m in measures)
            self.warnings.append(
                f"第{sub.heading.row}行起的“{sub.heading.label}”下举措编号不连续（{shown}），"
                "请核对是否漏行"
            )


def _split_heading(text: str) -> list[tuple[str, str, str]]:
    """A task cell's lines → ("area" | "subtask" | "", label, title) items."""
    items: list[list[str]] = []
    for line in text.split("\n"):
        area = _AREA.match(line)
        sub = _SUBTASK.match(line)
        if area:
            items.append(["area", area.group(1), line[area.end():]])
        elif sub:
            items.append(["subtask", f"（{sub.group(1)}）", line[sub.end():]])
        elif items:
            items[-1][2] = _join_lines(items[-1][2] + "\n" + line)
        elif line.strip():
            items.append(["", "", line])
    return [(kind, label, _join_lines(title)) for kind, label, title in items]


def _split_measures(text: str) -> list[tuple[str, str]]:
    """A measure cell → (label as printed, text) items; several when each line starts "N．"."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _MEASURE.match(line)]
    if len(starts) < 2 or starts[0] != 0:
        match = _MEASURE.match(text)
        if match:
            return [(match.group(1).replace(" ", ""), _join_lines(text[match.end():]))]
        return [("", _join_lines(text))]
    out = []
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        part = "\n".join(lines[begin:end])
        match = _MEASURE.match(part)
        assert match is not None  # every start matched above
        out.append((match.group(1).replace(" ", ""), _join_lines(part[match.end():])))
    return out


def _join_lines(text: str) -> str:
    """Line breaks of a wrapped cell removed; a space kept only between two Latin words."""
    out = ""
    for line in (part.strip() for part in text.split("\n")):
        if not line:
            continue
        if out and _latin(out[-1]) and _latin(line[0]):
            out += " "
        out += line
    return out


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _unknown_units(plan: Plan, directory: UnitDirectory) -> list[str]:
    out: list[str] = []
    for m in plan.measures():
        for name in (*m.lead_units, *m.responsible_units):
            if name not in out and not _is_group(name) and directory.lookup(name) is None:
                out.append(name)
    return out


def _is_group(name: str) -> bool:
    """A group word (各区县政府, 区级各部门, 各镇街) names no single unit: never unknown."""
    return is_group_word(name) or bool(_GROUP.search(name))
