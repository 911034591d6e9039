"""The Excel checklist for an office without the app: the unit's checklist layout,
restricted to the office's measures (with the internal deadlines), the office's id in
its hidden identity so the filled workbook comes back to this office only."""

from __future__ import annotations

from pathlib import Path

from gongkai_desktop.delegation.assignment import assignments_in
from gongkai_desktop.delegation.contributions import contributions_in
from gongkai_desktop.delegation.office_plan import (
    checklist_roles,
    office_plan,
    office_unit,
    roles_of,
)
from gongkai_desktop.delegation.offices import Office
from gongkai_desktop.errors import NotFound
from gongkai_desktop.model import MeasureRecord
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import reading


def export_office_checklist(ws: Workspace, office: Office, out: Path) -> int:
    """Write the office's checklist workbook; returns its number of measure rows."""
    from gongkai_desktop.xlsx import export_checklist

    with reading(ws) as conn:
        assigned = assignments_in(conn, office.office_id)
        answered = {c.record.measure_id: c.record for c in contributions_in(conn)
                    if c.office.office_id == office.office_id}
    if not assigned:
        raise NotFound(f"尚未给“{office.name}”分配任何举措，没有可导出的清单")
    plan = office_plan(ws.plan, office.name, roles_of(assigned))
    records = {m.id: answered.get(m.id, MeasureRecord(m.id)) for m in plan.measures()}
    return export_checklist(plan, office_unit(office), checklist_roles(plan), records, Path(out))
