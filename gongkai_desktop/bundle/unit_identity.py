"""Which unit a bundle speaks for: one the supervisor already knows, under its own id.

A bundle names its unit (id, short name, full name) in its signed manifest, but the
signer chooses those words. The supervisor accepts only a unit it knows itself: a
unit of the directory (``data/units.toml``) whose id *and* names match, or a unit the
plan names that the directory lacks (``custom:`` id made from that very name). A made-up
id under a known name, or a known id under another unit's name, is refused: otherwise
an impostor's bundle would sit beside (or in place of) the genuine unit's.
"""

from __future__ import annotations

from gongkai_desktop.errors import UnsafeInput
from gongkai_desktop.model import Plan, Unit
from gongkai_desktop.unit_choice import plan_unit_names
from gongkai_desktop.units import CUSTOM_PREFIX, UnitDirectory, normalize_name


class UnknownUnit(UnsafeInput):
    """The bundle's unit is not one the supervisor knows (under that id and name)."""


def _shown(unit: Unit) -> str:
    return f"“{unit.name}”（编号 {unit.id}）"


def known_unit(claimed: Unit, plan: Plan, directory: UnitDirectory) -> Unit:
    """The supervisor's own entry for the unit a bundle claims; ``UnknownUnit`` otherwise."""
    listed = _directory_unit(claimed.id, directory)
    if listed is not None:
        _check_names(claimed, listed)
        return listed
    for name in (claimed.name, claimed.full_name):
        other = directory.lookup(name)
        if other is not None:
            raise UnknownUnit(
                f"数据包自称是{_shown(claimed)}，但单位名录中“{other.name}”的编号是 {other.id}，"
                "编号与名称不符，未导入（可能是冒充该单位的数据包）")
    if claimed.id.startswith(CUSTOM_PREFIX) and _plan_names(claimed, plan):
        return claimed
    raise UnknownUnit(f"数据包的单位{_shown(claimed)}不在单位名录中，"
                      "也不是本任务分工列出的单位，未导入")


def _directory_unit(unit_id: str, directory: UnitDirectory) -> Unit | None:
    # ``directory.get`` would make up a unit for any ``custom:`` id: only real entries count.
    return next((u for u in directory.all() if u.id == unit_id), None)


def _check_names(claimed: Unit, listed: Unit) -> None:
    # Any of the unit's own names will do (a renamed unit's older workspaces); directory
    # names are unique, so none of them is another unit's.
    names = {normalize_name(n) for n in listed.all_names}
    if normalize_name(claimed.name) not in names:
        raise UnknownUnit(
            f"数据包的单位编号 {claimed.id} 在单位名录中是“{listed.name}”，数据包却写作"
            f"“{claimed.name}”，编号与名称不符，未导入（可能是冒充的数据包）")
    if normalize_name(claimed.full_name) not in names:
        raise UnknownUnit(
            f"数据包的单位全称“{claimed.full_name}”不是“{listed.name}”（编号 {listed.id}）"
            "在单位名录中的名称，未导入")


def _plan_names(claimed: Unit, plan: Plan) -> bool:
    """A unit only the plan names: its id is made from that name (as ``custom_unit`` does)."""
    key = normalize_name(claimed.name)
    return (claimed.id == CUSTOM_PREFIX + key
            and normalize_name(claimed.full_name) == key
            and key in {normalize_name(n) for n in plan_unit_names(plan)})
