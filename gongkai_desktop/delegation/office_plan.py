"""The plan an office works on: the parent's measures assigned to it, verbatim, with the
internal deadlines; the office named in the 牵头/责任 columns so that it holds the role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from gongkai_desktop.delegation.assignment import Assignment, OfficeRole
from gongkai_desktop.delegation.offices import Office
from gongkai_desktop.model import Area, Deadline, Measure, Plan, Role, Subtask, Unit, UnitType


def office_unit(office: Office) -> Unit:
    """The office as a unit of its own workspace (not a unit of the city directory)."""
    return Unit(office.office_id, office.name, office.name, UnitType.OTHER)


def office_plan(plan: Plan, office_name: str,
                roles: Mapping[str, tuple[OfficeRole, dt.date | None]]) -> Plan:
    """``plan`` cut down to the measures in ``roles`` (measure id → role, deadline)."""
    areas = []
    for area in plan.areas:
        subtasks = []
        for sub in area.subtasks:
            measures = tuple(_measure(m, office_name, *roles[m.id])
                             for m in sub.measures if m.id in roles)
            if measures:
                subtasks.append(Subtask(sub.id, sub.no, sub.label, sub.title, measures))
        if subtasks:
            areas.append(Area(area.id, area.no, area.label, area.title, tuple(subtasks)))
    return Plan(plan.info, tuple(areas))


def _measure(m: Measure, office_name: str, role: OfficeRole, deadline: dt.date | None
             ) -> Measure:
    lead = (office_name,) if role is OfficeRole.LEAD else ()
    return Measure(m.id, m.no, m.label, m.text, lead, (office_name,),
                   Deadline(deadline, m.deadline.note))


def roles_of(assigned: list[Assignment]) -> dict[str, tuple[OfficeRole, dt.date | None]]:
    return {a.measure_id: (a.role, a.deadline) for a in assigned}


def checklist_roles(plan: Plan) -> dict[str, frozenset[Role]]:
    """An office reports on every measure of its plan; 本单位职责 also says 牵头单位 where
    it leads (``office_plan`` names it in the 牵头 column only then)."""
    return {m.id: frozenset({Role.RESPONSIBLE, *([Role.LEAD] if m.lead_units else [])})
            for m in plan.measures()}
