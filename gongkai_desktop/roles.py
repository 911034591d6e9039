"""Which roles a unit holds on each measure, read from the 牵头单位 / 责任单位 columns.

- LEAD: the unit is named among the lead units.
- RESPONSIBLE: named among the responsible units, or covered by a group word:
  各区县政府 (district bodies), 市政府各部门 (departments), 全市各级行政机关 (every
  administrative organ in the directory: districts, departments and ``other``
  units marked ``administrative`` — 市委组织部（市公务员局） is, being also the
  市公务员局; 市委党校（重庆行政学院） is not).
- CONCERNED: through 市政府有关部门 (departments decide whether the measure
  concerns them) or a district-bureau word 区县XX局 (a district's own bureau does
  the work; the district confirms it or marks it 不适用 with a reason).

Only names resolve through the directory (aliases included); a custom unit
(not in the directory) matches only its own name written exactly.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from enum import StrEnum

from gongkai_desktop.model import Measure, Plan, Role, Unit, UnitType
from gongkai_desktop.units import UnitDirectory, normalize_name

# The group words exactly as the 2020 table writes them.
ALL_DEPARTMENTS = "市政府各部门"
ALL_DISTRICTS = "各区县政府"
ALL_ADMINISTRATIVE_ORGANS = "全市各级行政机关"
CONCERNED_DEPARTMENTS = "市政府有关部门"
DISTRICT_MARKET_BUREAU = "区县市场监管局"


class Group(StrEnum):
    """What a group word in the 责任单位 column stands for."""

    ALL_DEPARTMENTS = "all_departments"
    ALL_DISTRICTS = "all_districts"
    ALL_ADMINISTRATIVE_ORGANS = "all_administrative_organs"
    CONCERNED_DEPARTMENTS = "concerned_departments"
    DISTRICT_BUREAU = "district_bureau"


# Same meaning, other wordings (later plans, typed-in plans); compared normalised.
_GROUP_WORDS: dict[str, Group] = {
    normalize_name(word): group
    for group, words in {
        Group.ALL_DEPARTMENTS: (ALL_DEPARTMENTS, "市级各部门", "市政府各部门（单位）"),
        Group.ALL_DISTRICTS: (
            ALL_DISTRICTS, "各区县（自治县）政府", "各区县（自治县）人民政府", "各区县人民政府",
            "区县政府",
        ),
        Group.ALL_ADMINISTRATIVE_ORGANS: (ALL_ADMINISTRATIVE_ORGANS, "各级行政机关"),
        Group.CONCERNED_DEPARTMENTS: (CONCERNED_DEPARTMENTS, "市级有关部门"),
    }.items()
    for word in words
}

# 区县市场监管局, 各区县教委, 区县民政局 …: a bureau that every district has.
# "区县政府…" is not a bureau (it is the district government itself).
_DISTRICT_BUREAU = re.compile(r"^各?区县(?!政府|人民政府)(.{1,20}?(?:局|委|办))$")


def group_of(name: str) -> Group | None:
    """The group a 责任单位 entry stands for; None for a named unit."""
    key = normalize_name(name)
    group = _GROUP_WORDS.get(key)
    if group is not None:
        return group
    if _DISTRICT_BUREAU.match(key):
        return Group.DISTRICT_BUREAU
    return None


def district_bureau(name: str) -> str | None:
    """``区县市场监管局`` → ``市场监管局``; None when the entry is not a district-bureau word."""
    match = _DISTRICT_BUREAU.match(normalize_name(name))
    return match.group(1) if match else None


def is_group_word(name: str) -> bool:
    return group_of(name) is not None


def _group_role(group: Group, unit: Unit, directory: UnitDirectory) -> Role | None:
    if unit not in directory:
        return None  # a custom unit is never covered by a group word
    if group is Group.ALL_DISTRICTS and unit.type is UnitType.DISTRICT:
        return Role.RESPONSIBLE
    if group is Group.ALL_DEPARTMENTS and unit.type is UnitType.DEPARTMENT:
        return Role.RESPONSIBLE
    if group is Group.ALL_ADMINISTRATIVE_ORGANS and directory.is_administrative(unit):
        return Role.RESPONSIBLE
    if group is Group.CONCERNED_DEPARTMENTS and unit.type is UnitType.DEPARTMENT:
        return Role.CONCERNED
    if group is Group.DISTRICT_BUREAU and unit.type is UnitType.DISTRICT:
        return Role.CONCERNED
    return None


def _names_unit(name: str, unit: Unit, directory: UnitDirectory) -> bool:
    """Does a table entry name this unit? Through the directory, or by its exact own name."""
    known = directory.lookup(name)
    if known is not None:
        return known.id == unit.id
    key = normalize_name(name)
    if unit in directory:
        return False  # the entry names some body the directory does not know
    return key in {normalize_name(n) for n in unit.all_names}


def role_sources(
    measure: Measure, unit: Unit, directory: UnitDirectory
) -> dict[Role, tuple[str, ...]]:
    """Each role the unit holds, with the table entries that give it (for showing why)."""
    # Use the directory's copy: the caller's Unit may be stale (an old workspace).
    if unit in directory:
        unit = directory.get(unit.id)
    found: dict[Role, list[str]] = {}
    for name in measure.lead_units:
        if _names_unit(name, unit, directory):
            found.setdefault(Role.LEAD, []).append(name)
    for name in measure.responsible_units:
        group = group_of(name)
        role = (
            _group_role(group, unit, directory)
            if group is not None
            else (Role.RESPONSIBLE if _names_unit(name, unit, directory) else None)
        )
        if role is not None:
            found.setdefault(role, []).append(name)
    if not measure.responsible_units and Role.LEAD in found:
        # No responsible unit in the table: the lead does the work itself (DOMAIN.md).
        found[Role.RESPONSIBLE] = found[Role.LEAD]
    return {role: tuple(names) for role, names in found.items()}


def roles_for_measure(measure: Measure, unit: Unit, directory: UnitDirectory) -> frozenset[Role]:
    return frozenset(role_sources(measure, unit, directory))


def roles_for_plan(plan: Plan, unit: Unit, directory: UnitDirectory) -> dict[str, frozenset[Role]]:
    """Every measure id of the plan → the unit's roles (empty when it has none)."""
    return {m.id: roles_for_measure(m, unit, directory) for m in plan.measures()}


# The one rule of "the measures this unit must report": everything that counts or decides
# what is owed uses it (the window's 我负责的 scope, tree roll-ups, overview tiles, status
# bar, `summary --json`, attention list, checklist, report, consolidation cells, review
# --accept-remaining, self-test). A lead-only measure is not owed: the lead checks others.
REPORTING_ROLES = frozenset({Role.RESPONSIBLE, Role.CONCERNED})


def must_report(roles: Collection[Role]) -> bool:
    """A unit reports on a measure when it is responsible for it or concerned by it."""
    return not REPORTING_ROLES.isdisjoint(roles)


def holds_any_role(roles: Collection[Role]) -> bool:
    """Display only: the unit leads, is responsible for or concerned by the measure, so the
    tree shows it un-muted (a lead may record on it). Never a count: see ``must_report``."""
    return bool(roles)


def reported_measures(roles: Mapping[str, Collection[Role]]) -> list[str]:
    """The ids (in the mapping's order, e.g. ``roles_for_plan``'s) this unit must report."""
    return [mid for mid, held in roles.items() if must_report(held)]


def expected_units(
    measure: Measure, directory: UnitDirectory
) -> list[tuple[Unit, frozenset[Role]]]:
    """Every directory unit that must report on the measure, in directory order.

    A measure with no responsible units expects its lead units (they do it themselves).
    """
    out: list[tuple[Unit, frozenset[Role]]] = []
    for unit in directory.all():
        roles = roles_for_measure(measure, unit, directory)
        if must_report(roles):
            out.append((unit, roles))
    return out


def led_measures(plan: Plan, unit: Unit, directory: UnitDirectory) -> list[str]:
    """Ids of the measures this unit leads, in plan order."""
    return [
        m.id for m in plan.measures() if Role.LEAD in roles_for_measure(m, unit, directory)
    ]


def unknown_names(plan: Plan, directory: UnitDirectory) -> list[str]:
    """Unit names in the plan that are neither group words nor in the directory (sorted, unique).

    Such a unit can still take part as a custom unit, but the directory (or the
    plan) probably needs correcting.
    """
    names: set[str] = set()
    for m in plan.measures():
        for name in (*m.lead_units, *m.responsible_units):
            if group_of(name) is None and directory.lookup(name) is None:
                names.add(name)
    return sorted(names)
