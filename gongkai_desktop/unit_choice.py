"""Choosing the unit of a new workspace: a directory unit, or a name a plan uses."""

from __future__ import annotations

from gongkai_desktop.errors import NotFound
from gongkai_desktop.model import Plan, Unit
from gongkai_desktop.units import UnitDirectory


def plan_unit_names(plan: Plan) -> list[str]:
    """Every unit name a plan's table writes, in first-seen order."""
    seen: dict[str, None] = {}
    for m in plan.measures():
        for name in (*m.lead_units, *m.responsible_units):
            seen.setdefault(name, None)
    return list(seen)


def unit_for_plan(name: str, plan: Plan, directory: UnitDirectory) -> Unit:
    """The directory unit called ``name``; failing that, a unit the plan itself names.

    An imported district plan names its own bureaus (区教委 …), which the
    municipal directory does not know; such a name is usable as a unit.
    """
    found = directory.lookup(name)
    if found is not None:
        return found
    if name.strip() in plan_unit_names(plan):
        return directory.custom_unit(name.strip())
    return directory.find(name)  # raises NotFound with suggestions


__all__ = ["NotFound", "plan_unit_names", "unit_for_plan"]
