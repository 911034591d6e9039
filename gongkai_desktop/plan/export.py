"""A plan as plain JSON-ready data (the ``plan export --json`` shape).

Only str/int/list/dict/None, so ``json.dumps(..., ensure_ascii=False)`` writes it
as is; the shape is a contract for scripts, so keys never change silently.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from gongkai_desktop.model import Deadline, Measure, Plan, Role


def plan_to_json(plan: Plan, roles: Mapping[str, Collection[Role]] | None = None) -> dict[str, Any]:
    """The plan as a dict; with ``roles`` (measure id → roles of one unit) each
    measure also lists that unit's roles ("lead", "responsible", "concerned")."""
    info = plan.info
    return {
        "plan": {
            "id": info.id,
            "title": info.title,
            "document_number": info.document_number,
            "issued": info.issued.isoformat(),
            "issuer": info.issuer,
            "version": info.version,
        },
        "areas": [
            {
                "no": area.no,
                "label": area.label,
                "title": area.title,
                "subtasks": [
                    {
                        "no": sub.no,
                        "label": sub.label,
                        "title": sub.title,
                        "measures": [_measure(m, roles) for m in sub.measures],
                    }
                    for sub in area.subtasks
                ],
            }
            for area in plan.areas
        ],
    }


def _measure(m: Measure, roles: Mapping[str, Collection[Role]] | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": m.id,
        "no": m.no,
        "label": m.label,
        "text": m.text,
        "lead_units": list(m.lead_units),
        "responsible_units": list(m.responsible_units),
        "deadline": deadline_value(m.deadline),
    }
    if roles is not None:
        data["roles"] = sorted(Role(r).value for r in roles.get(m.id, ()))
    return data


def deadline_value(deadline: Deadline) -> str | None:
    """The ISO date; the note when the text sets no date (the rolling limit); else None."""
    if deadline.date is not None:
        return deadline.date.isoformat()
    return deadline.note or None
