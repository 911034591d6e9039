"""The unit directory: who the units are and every name they go by.

The list lives in ``data/units.toml`` (editable data; the department list is an
unverified 2020 list). Lookups ignore whitespace and full/half-width forms, so a
name copied out of a PDF table (``市委组织部（市公务员\\n局）``) still matches.

``data/units.json`` beside it is the same list already parsed, with the exact TOML text
it was made from: it is used only while that text is unchanged (any edit of the TOML
file makes the next start read the TOML again), and saves the window ~5 ms of TOML
parsing before the plan shows (#15). ``python -m gongkai_desktop.units`` rewrites it,
``--check`` says whether it is stale (the test command runs it).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai_desktop import faults, paths
from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.model import Unit, UnitType

CUSTOM_PREFIX = "custom:"
MAX_NAME_LENGTH = 100
_WHITESPACE = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """The key names are compared by: NFKC (full-width brackets → half-width), no whitespace."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def _generated_aliases(
    name: str, full_name: str, unit_type: UnitType, declared: list[str]
) -> list[str]:
    """The usual ways of writing a unit's name, so the data file need not repeat them."""
    out: list[str] = []
    if unit_type is UnitType.DISTRICT:
        bases = [name, *declared]
        if full_name.endswith("人民政府"):
            for base in bases:
                out += [f"{base}政府", f"{base}人民政府"]
                out += [f"重庆市{base}人民政府", f"重庆市{base}政府"]
        elif full_name.endswith("管理委员会"):
            for base in [*bases, full_name.removesuffix("管理委员会")]:
                out += [f"{base}管委会", f"{base}管理委员会"]
    elif unit_type is UnitType.DEPARTMENT:
        if name.startswith("市"):
            out.append(f"重庆{name}")  # 市司法局 → 重庆市司法局
        if full_name.startswith("重庆市"):
            out.append(full_name.removeprefix("重庆"))  # 重庆市财政局 → 市财政局
    return out


@dataclass(frozen=True, slots=True)
class _Entry:
    unit: Unit
    administrative: bool


class UnitDirectory:
    """Every known unit, in file order, with exact and type-ahead lookup."""

    def __init__(self, units: list[Unit], administrative: set[str] | None = None) -> None:
        """Build from ready units (tests, plans); raises ``InvalidInput`` like ``load``."""
        self._units: list[Unit] = list(units)
        self._by_id: dict[str, Unit] = {}
        self._by_name: dict[str, Unit] = {}
        admin = set(administrative or ())
        self._administrative: set[str] = set()
        for unit in self._units:
            _check_unit(unit)
            if unit.id in self._by_id:
                raise InvalidInput(f"单位名录中编号“{unit.id}”重复出现")
            self._by_id[unit.id] = unit
            if unit.type is not UnitType.OTHER or unit.id in admin:
                self._administrative.add(unit.id)
            for raw in unit.all_names:
                key = normalize_name(raw)
                other = self._by_name.get(key)
                if other is not None and other.id != unit.id:
                    raise InvalidInput(
                        f"单位名录中“{raw}”同时是“{other.name}”和“{unit.name}”的名称或别名，"
                        "请删掉其中一个"
                    )
                self._by_name[key] = unit

    # ---- loading -------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> UnitDirectory:
        """Read ``units.toml`` (default: the bundled one); Chinese ``InvalidInput`` on any fault."""
        source = path if path is not None else paths.data_file("units.toml")
        raw = faults.read_bytes(source, "单位名录文件")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"单位名录文件 {source} 不是 UTF-8 编码的文本") from exc
        data = _prebuilt(source, text)
        if data is None:
            data = _parse_toml(source, text)
        entries = data.get("unit")
        if not isinstance(entries, list) or not entries:
            raise InvalidInput(f"单位名录文件 {source} 中没有任何 [[unit]] 条目")
        parsed = [_parse_entry(i, item) for i, item in enumerate(entries, start=1)]
        return cls(
            [e.unit for e in parsed], {e.unit.id for e in parsed if e.administrative}
        )

    # ---- listing ---------------------------------------------------------------

    def all(self) -> list[Unit]:
        return list(self._units)

    def districts(self) -> list[Unit]:
        return [u for u in self._units if u.type is UnitType.DISTRICT]

    def departments(self) -> list[Unit]:
        return [u for u in self._units if u.type is UnitType.DEPARTMENT]

    def others(self) -> list[Unit]:
        return [u for u in self._units if u.type is UnitType.OTHER]

    def __len__(self) -> int:
        return len(self._units)

    def __contains__(self, unit: object) -> bool:
        """True for a unit of this directory (by id), not for a custom unit."""
        return isinstance(unit, Unit) and unit.id in self._by_id

    def is_administrative(self, unit: Unit) -> bool:
        """An administrative organ (行政机关): districts, departments, ``other`` units marked so."""
        return unit.id in self._administrative

    # ---- lookup ----------------------------------------------------------------

    def get(self, unit_id: str) -> Unit:
        """The unit with this id; a ``custom:`` id gives back its custom unit."""
        unit = self._by_id.get(unit_id)
        if unit is not None:
            return unit
        if unit_id.startswith(CUSTOM_PREFIX) and unit_id != CUSTOM_PREFIX:
            return self.custom_unit(unit_id.removeprefix(CUSTOM_PREFIX))
        raise NotFound(f"单位名录中没有编号为“{unit_id}”的单位")

    def lookup(self, name: str) -> Unit | None:
        """Exact match on a name, full name or alias; None when unknown."""
        return self._by_name.get(normalize_name(name))

    def find(self, name: str) -> Unit:
        """Like ``lookup`` but raises ``NotFound`` naming up to three close matches."""
        unit = self.lookup(name)
        if unit is not None:
            return unit
        shown = name.strip()
        if not normalize_name(name):
            raise NotFound("没有填写单位名称")
        hints = self._suggestions(name)
        if hints:
            raise NotFound(
                f"没有找到单位“{shown}”。是不是：{'、'.join(u.name for u in hints)}？"
            )
        raise NotFound(f"没有找到单位“{shown}”，请检查名称或在单位名录中添加")

    def _suggestions(self, name: str, limit: int = 3) -> list[Unit]:
        # A name inside the query (万州区教委 → 万州区) or the query inside a name (万州 → 万州区).
        key = normalize_name(name)
        found = self.search(name, limit)
        if len(found) < limit:
            for unit in self._units:
                if unit not in found and any(
                    normalize_name(n) in key for n in unit.all_names
                ):
                    found.append(unit)
        return found[:limit]

    def search(self, text: str, limit: int = 20) -> list[Unit]:
        """Type-ahead: units whose any name contains ``text``, best first.

        Ranking: exact name, name starts with it, name contains it, then any
        full name or alias contains it; ties keep directory order. An empty text
        lists the directory from the top.
        """
        if limit <= 0:
            return []
        key = normalize_name(text)
        if not key:
            return self._units[:limit]
        ranked: list[tuple[int, int, Unit]] = []
        for position, unit in enumerate(self._units):
            rank = _rank(key, unit)
            if rank is not None:
                ranked.append((rank, position, unit))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [unit for _, _, unit in ranked[:limit]]

    def custom_unit(self, name: str) -> Unit:
        """A unit for a name not in the directory (e.g. from an imported plan).

        The id is ``custom:`` plus the normalised name, so the same name always
        gives the same unit. A name the directory knows gives the directory's unit,
        so a known body never gets a second identity.
        """
        shown = _WHITESPACE.sub(" ", name).strip()
        key = normalize_name(name)
        if not key:
            raise InvalidInput("单位名称不能为空")
        if len(shown) > MAX_NAME_LENGTH:
            raise InvalidInput(f"单位名称太长（最多 {MAX_NAME_LENGTH} 个字）")
        known = self.lookup(name)
        if known is not None:
            return known
        return Unit(CUSTOM_PREFIX + key, shown, shown, UnitType.OTHER)


# ---- the TOML file, and its pre-parsed copy -----------------------------------------


def prebuilt_path(source: Path) -> Path:
    return source.with_suffix(".json")


def _parse_toml(source: Path, text: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+)", str(exc))
        line = f"第{where.group(1)}行" if where else ""
        raise InvalidInput(
            f"单位名录文件 {source} {line}格式有误，请按 TOML 格式修改后重试"
        ) from exc


def _prebuilt(source: Path, text: str) -> dict[str, Any] | None:
    """The parsed TOML from the copy beside ``source``, if it was made from ``text``."""
    try:
        data = json.loads(prebuilt_path(source).read_bytes())
    except (OSError, ValueError):
        return None  # none, unreadable or damaged: the TOML file says what is true
    if not isinstance(data, dict) or data.get("made_from") != text:
        return None
    return {"unit": data.get("unit")}


def prebuilt_text(source: Path) -> str:
    """The pre-parsed copy of ``source``, as ``main`` writes it."""
    text = source.read_bytes().decode("utf-8")  # as load() reads it (line endings kept)
    data = _parse_toml(source, text)
    return json.dumps({"made_from": text, "unit": data.get("unit")},
                      ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gongkai_desktop.units [--check]``: rewrite (or check) units.json."""
    args = list(sys.argv[1:] if argv is None else argv)
    source = paths.data_file("units.toml")
    target = prebuilt_path(source)
    wanted = prebuilt_text(source)
    if args == ["--check"]:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != wanted:
            print(f"{target} 与 {source.name} 不一致：请运行 python -m gongkai_desktop.units",
                  file=sys.stderr)
            return 1
        return 0
    if args:
        print("用法：python -m gongkai_desktop.units [--check]", file=sys.stderr)
        return 2
    target.write_text(wanted, encoding="utf-8")
    print(f"已写入 {target}")
    return 0


def _rank(key: str, unit: Unit) -> int | None:
    short = normalize_name(unit.name)
    if short == key:
        return 0
    if short.startswith(key):
        return 1
    if key in short:
        return 2
    others = [normalize_name(n) for n in (unit.full_name, *unit.aliases)]
    if key in others:
        return 3
    if any(key in n for n in others):
        return 4
    return None


def _check_unit(unit: Unit) -> None:
    where = f"单位“{unit.name or unit.id}”"
    if not unit.id.strip() or not normalize_name(unit.name) or not normalize_name(unit.full_name):
        raise InvalidInput(f"单位名录中{where}缺少编号、简称或全称")
    if unit.id.startswith(CUSTOM_PREFIX):
        raise InvalidInput(f"单位名录中{where}的编号不能以“{CUSTOM_PREFIX}”开头")


def _parse_entry(index: int, item: Any) -> _Entry:
    where = f"单位名录第{index}个 [[unit]] 条目"
    if not isinstance(item, dict):
        raise InvalidInput(f"{where}格式有误")
    known_keys = {"id", "name", "full_name", "type", "aliases", "administrative"}
    unknown = sorted(set(item) - known_keys)
    if unknown:
        raise InvalidInput(f"{where}有不认识的字段：{'、'.join(unknown)}")
    values: dict[str, str] = {}
    for key, label in (("id", "编号 id"), ("name", "简称 name"), ("full_name", "全称 full_name")):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"{where}缺少{label}（应为文字）")
        values[key] = value.strip()
    where = f"单位名录中的“{values['name']}”"
    type_text = str(item.get("type", ""))
    try:
        unit_type = UnitType(type_text)
    except ValueError:
        choices = "、".join(f"“{t.value}”" for t in UnitType)
        raise InvalidInput(
            f"{where}的类型 type 为“{type_text}”，只能是 {choices} 之一"
        ) from None
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise InvalidInput(f"{where}的别名 aliases 应为文字列表，如 [\"万州\"]")
    administrative = item.get("administrative", unit_type is not UnitType.OTHER)
    if not isinstance(administrative, bool):
        raise InvalidInput(f"{where}的 administrative 只能是 true 或 false")
    declared = [a.strip() for a in aliases]
    generated = _generated_aliases(values["name"], values["full_name"], unit_type, declared)
    own = {normalize_name(values["name"]), normalize_name(values["full_name"])}
    merged: list[str] = []
    for alias in [*declared, *generated]:
        key = normalize_name(alias)
        if key not in own:
            own.add(key)
            merged.append(alias)
    unit = Unit(values["id"], values["name"], values["full_name"], unit_type, tuple(merged))
    return _Entry(unit, administrative)


if __name__ == "__main__":
    raise SystemExit(main())
