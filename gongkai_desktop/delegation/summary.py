"""`summary --json` additions: per measure ``"offices"`` (each office's status, evidence
count and when it last changed) and ``"rollup_pending"`` (下级有新填报)."""

from __future__ import annotations

from typing import Any

from gongkai_desktop.delegation.assignment import assignments_in
from gongkai_desktop.delegation.contributions import contributions_in
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.rollup_flags import pending_in
from gongkai_desktop.storage.wsconn import reading


def add_offices_summary(ws: Workspace, summary: dict[str, Any]) -> dict[str, Any]:
    with reading(ws) as conn:
        answers = contributions_in(conn)
        assigned = assignments_in(conn)
        pending = pending_in(conn)
    by_measure: dict[str, dict[str, Any]] = {}
    for a in assigned:
        by_measure.setdefault(a.measure_id, {})[a.office.name] = {
            "status": None, "evidence": 0, "updated_at": None}
    for c in answers:
        by_measure.setdefault(c.record.measure_id, {})[c.office.name] = {
            "status": c.status.value, "evidence": len(c.evidence),
            "updated_at": c.record.updated_at.isoformat() if c.record.updated_at else None}
    for mid, entry in summary.get("measures", {}).items():
        entry["offices"] = by_measure.get(mid, {})
        entry["rollup_pending"] = mid in pending
    return summary
