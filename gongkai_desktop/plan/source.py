"""The reviewed, human-readable plan source (``data/plans/*.toml``) → ``Plan``.

Ids and positions come from the order of the tables, never from the file, so
a reviewer only checks labels, texts and units against the printed document.
Everything is validated; the first problem raises ``InvalidInput`` naming
where it is (e.g. "举措 1.3.2：…").
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.model import Area, Deadline, Measure, Plan, PlanInfo, Subtask

_CN_NUMERALS = "一二三四五六七八九十"
_PLAN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_MEASURE_LABEL = re.compile(r"(\d+)[．.]")

_PLAN_KEYS = {"id", "title", "document_number", "issued", "issuer", "version"}
_AREA_KEYS = {"label", "title", "subtask"}
_SUBTASK_KEYS = {"label", "title", "measure"}
_MEASURE_KEYS = {"label", "text", "lead", "responsible", "deadline", "deadline_note"}


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (labels run well below 100)."""
    if not 1 <= n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_NUMERALS[tens - 1] + "十")
    return head + (_CN_NUMERALS[ones - 1] if ones else "")


def is_valid_plan_id(plan_id: str) -> bool:
    """Plan ids name files in the plan library, so they stay plain ASCII."""
    return _PLAN_ID.fullmatch(plan_id) is not None


def load_plan_source(path: Path) -> Plan:
    """Read and validate one plan source file."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise NotFound(f"找不到任务分工源文件：{path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"任务分工源文件 {path.name} 格式错误：{exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"任务分工源文件 {path.name} 不是 UTF-8 编码") from exc
    return plan_from_mapping(data, path.name)


def plan_from_mapping(data: Mapping[str, Any], source_name: str = "任务分工源文件") -> Plan:
    """Build a ``Plan`` from already-parsed TOML data (``source_name`` is used in messages)."""
    _keys(data, {"plan", "area"}, source_name, required={"plan", "area"})
    info = _plan_info(data["plan"], f"{source_name} [plan]")
    areas_data = _table_list(data["area"], f"{source_name} [[area]]")
    areas = tuple(_area(a, no, source_name) for no, a in enumerate(areas_data, 1))
    plan = Plan(info, areas)
    ids = [m.id for m in plan.measures()]
    if len(ids) != len(set(ids)):  # cannot happen with positional ids; guards refactors
        raise InvalidInput(f"{source_name}：举措编号重复")
    return plan


def _plan_info(raw: Any, where: str) -> PlanInfo:
    table = _table(raw, where)
    _keys(table, _PLAN_KEYS, where, required=_PLAN_KEYS - {"version"})
    plan_id = _text(table, "id", where)
    if not is_valid_plan_id(plan_id):
        raise InvalidInput(
            f"{where}：编号“{plan_id}”只能由小写字母、数字、“.”“_”“-”组成（如 cq-2020-89）"
        )
    issued = table["issued"]
    if not isinstance(issued, dt.date) or isinstance(issued, dt.datetime):
        raise InvalidInput(f"{where}：“issued”应为日期，写作 2020-07-13（不加引号）")
    version = table.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidInput(f"{where}：“version”应为正整数")
    return PlanInfo(
        id=plan_id,
        title=_text(table, "title", where),
        document_number=_text(table, "document_number", where),
        issued=issued,
        issuer=_text(table, "issuer", where),
        version=version,
    )


def _area(raw: Any, no: int, source_name: str) -> Area:
    where = f"{source_name} 第{no}项重点任务"
    table = _table(raw, where)
    _keys(table, _AREA_KEYS, where, required=_AREA_KEYS)
    label = _text(table, "label", where)
    if label != chinese_numeral(no):
        raise InvalidInput(f"{where}：序号应为“{chinese_numeral(no)}”，文件中为“{label}”")
    subtasks_data = _table_list(table["subtask"], f"{where} [[area.subtask]]")
    subtasks = tuple(
        _subtask(s, no, sno, f"{where}（{label}）", source_name)
        for sno, s in enumerate(subtasks_data, 1)
    )
    return Area(str(no), no, label, _text(table, "title", where), subtasks)


def _subtask(raw: Any, area_no: int, no: int, area_where: str, source_name: str) -> Subtask:
    sid = f"{area_no}.{no}"
    where = f"{area_where}第{no}个子任务（{sid}）"
    table = _table(raw, where)
    _keys(table, _SUBTASK_KEYS, where, required=_SUBTASK_KEYS)
    label = _text(table, "label", where)
    expected = f"（{chinese_numeral(no)}）"
    if label != expected:
        raise InvalidInput(f"{where}：序号应为“{expected}”，文件中为“{label}”")
    measures_data = _table_list(table["measure"], f"{where} [[area.subtask.measure]]")
    single = len(measures_data) == 1
    measures = tuple(
        _measure(m, f"{sid}.{mno}", mno, single, source_name)
        for mno, m in enumerate(measures_data, 1)
    )
    return Subtask(sid, no, label, _text(table, "title", where), measures)


def _measure(raw: Any, mid: str, no: int, single: bool, source_name: str) -> Measure:
    where = f"{source_name} 举措 {mid}"
    table = _table(raw, where)
    _keys(table, _MEASURE_KEYS, where, required={"label", "text", "lead", "responsible"})
    label = table["label"]
    if not isinstance(label, str):
        raise InvalidInput(f"{where}：“label”应为文字")
    number = _MEASURE_LABEL.fullmatch(label)
    if label == "":
        if not single:
            raise InvalidInput(f"{where}：子任务有多条举措时，每条都要有序号（如“{no}．”）")
    elif number is None or int(number.group(1)) != no:
        raise InvalidInput(f"{where}：序号应为“{no}．”，文件中为“{label}”")
    return Measure(
        id=mid,
        no=no,
        label=label,
        text=_text(table, "text", where),
        lead_units=_units(table, "lead", where, allow_empty=False),
        responsible_units=_units(table, "responsible", where, allow_empty=True),
        deadline=_deadline(table, where),
    )


def _deadline(table: Mapping[str, Any], where: str) -> Deadline:
    date = table.get("deadline")
    if date is not None and (not isinstance(date, dt.date) or isinstance(date, dt.datetime)):
        raise InvalidInput(f"{where}：“deadline”应为日期，写作 2020-11-30（不加引号）")
    note = table.get("deadline_note", "")
    if not isinstance(note, str) or ("deadline_note" in table and not note.strip()):
        raise InvalidInput(f"{where}：“deadline_note”应为非空文字")
    return Deadline(date, note)


def _units(table: Mapping[str, Any], key: str, where: str, *, allow_empty: bool) -> tuple[str, ...]:
    kind = "牵头单位（lead）" if key == "lead" else "责任单位（responsible）"
    names = table[key]
    if not isinstance(names, list):
        raise InvalidInput(f'{where}：{kind}应为列表，如 ["市政府办公厅"]')
    if not names and not allow_empty:
        raise InvalidInput(f"{where}：至少要有一个{kind}")
    result: list[str] = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"{where}：{kind}中有空的或不是文字的单位名称")
        if name != name.strip() or any(ch in name for ch in "、，,;； \n"):
            # A separator inside a name means a cell was not split into its units.
            raise InvalidInput(f"{where}：{kind}“{name}”含空格或分隔符，请拆成多个单位")
        if name in result:
            raise InvalidInput(f"{where}：{kind}“{name}”重复")
        result.append(name)
    return tuple(result)


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}：“{key}”不能为空")
    if value != value.strip() or "\n" in value or "\r" in value:
        raise InvalidInput(f"{where}：“{key}”首尾不能有空白，也不能换行（去掉原文的断行）")
    return value


def _table(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}：应为一个表（table）")
    return raw


def _table_list(raw: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f"{where}：至少要有一项")
    return [_table(item, where) for item in raw]


def _keys(table: Mapping[str, Any], allowed: set[str], where: str, *, required: set[str]) -> None:
    # Unknown keys are refused: a misspelt "responsable" must not silently drop units.
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InvalidInput(f"{where}：不认识的字段“{'、'.join(unknown)}”")
    missing = sorted(required - set(table))
    if missing:
        raise InvalidInput(f"{where}：缺少字段“{'、'.join(missing)}”")
