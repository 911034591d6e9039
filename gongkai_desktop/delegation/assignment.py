"""Which office does which measure (牵头 or 责任), and by when (the internal deadline).

The internal deadline defaults to ``days_before`` days (a workspace setting, 7 unless
set) before the plan's own deadline for the measure; a measure without a dated deadline
gets none unless one is given.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from gongkai_desktop.delegation.offices import Office, find_office, offices_in
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import Measure
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.wsconn import reading, writing

DAYS_BEFORE_SETTING = "delegation.days_before"
DEFAULT_DAYS_BEFORE = 7


class OfficeRole(StrEnum):
    LEAD = "lead"  # 牵头
    RESPONSIBLE = "responsible"  # 责任

    @property
    def label(self) -> str:
        return "牵头" if self is OfficeRole.LEAD else "责任"


@dataclass(frozen=True, slots=True)
class Assignment:
    measure_id: str
    office: Office
    role: OfficeRole
    deadline: dt.date | None  # the internal deadline, None when neither plan nor user set one
    assigned_at: dt.datetime


def days_before(ws: Workspace) -> int:
    value = ws.get_setting(DAYS_BEFORE_SETTING, DEFAULT_DAYS_BEFORE)
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 365
    return int(value) if ok else DEFAULT_DAYS_BEFORE


def set_days_before(ws: Workspace, days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
        raise InvalidInput("内部时限提前的天数应为 0 到 365 之间的整数")
    ws.set_setting(DAYS_BEFORE_SETTING, days)


def default_deadline(measure: Measure, days: int) -> dt.date | None:
    date = measure.deadline.date
    return None if date is None else date - dt.timedelta(days=days)


def assignments_in(conn: sqlite3.Connection, office_id: str | None = None) -> list[Assignment]:
    offices = {o.office_id: o for o in offices_in(conn)}
    sql = "SELECT measure_id, office_id, role, deadline, assigned_at FROM assignments"
    params: tuple[str, ...] = ()
    if office_id is not None:
        sql += " WHERE office_id = ?"
        params = (office_id,)
    out = []
    for mid, oid, role, deadline, at in conn.execute(sql, params):
        out.append(Assignment(str(mid), offices[str(oid)], OfficeRole(str(role)),
                              dt.date.fromisoformat(deadline) if deadline else None,
                              db.datetime_from(str(at))))
    return out


def assignments(ws: Workspace, *, office_id: str | None = None) -> list[Assignment]:
    """Every assignment (or one office's), in plan order, then office order."""
    order = {m.id: i for i, m in enumerate(ws.plan.measures())}
    with reading(ws) as conn:
        found = assignments_in(conn, office_id)
        position = {o.office_id: i for i, o in enumerate(offices_in(conn))}
    return sorted(found, key=lambda a: (order.get(a.measure_id, 1 << 30),
                                        position.get(a.office.office_id, 0)))


def assign(ws: Workspace, measure_ids: Sequence[str], office_names: Iterable[str], *,
           lead: Iterable[str] = (), deadline: dt.date | None = None,
           actor: str = "") -> list[Assignment]:
    """Assign every measure to every office (one transaction), as 牵头 for the offices named
    in ``lead`` (which are assigned too) and 责任 for the others. Re-assigning updates the
    role and deadline. ``deadline`` None: ``days_before`` before the plan's deadline."""
    if not measure_ids:
        raise InvalidInput("请给出至少一项举措")
    measures = [ws.plan.measure(str(m)) for m in dict.fromkeys(measure_ids)]
    leads = [find_office(ws, n) for n in lead]
    targets = [find_office(ws, n) for n in office_names]
    chosen = {o.office_id: o for o in [*targets, *leads]}
    if not chosen:
        raise InvalidInput("请用 --to 给出至少一个下级单位")
    lead_ids = {o.office_id for o in leads}
    days = days_before(ws)
    at = db.now()
    with writing(ws) as conn:
        for m in measures:
            due = deadline if deadline is not None else default_deadline(m, days)
            for office in chosen.values():
                role = OfficeRole.LEAD if office.office_id in lead_ids else OfficeRole.RESPONSIBLE
                conn.execute(
                    "INSERT INTO assignments (measure_id, office_id, role, deadline, assigned_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (measure_id, office_id) DO UPDATE SET"
                    " role = excluded.role, deadline = excluded.deadline",
                    (m.id, office.office_id, role.value, due.isoformat() if due else None,
                     db.to_text(at)))
                audit.write(conn, actor=actor, action="assign", measure_id=m.id,
                            field=office.office_id,
                            new=f"{office.name}（{role.label}，时限 {due or '无'}）", at=at)
    wanted = {m.id for m in measures}
    return [a for a in assignments(ws) if a.measure_id in wanted
            and a.office.office_id in chosen]


def unassign(ws: Workspace, measure_ids: Sequence[str], office_names: Iterable[str], *,
             actor: str = "") -> int:
    """Take measures back from offices; their contributions stay. Returns rows removed."""
    targets = [find_office(ws, n) for n in office_names]
    removed = 0
    with writing(ws) as conn:
        for mid in measure_ids:
            for office in targets:
                cur = conn.execute("DELETE FROM assignments WHERE measure_id = ? AND office_id = ?",
                                   (mid, office.office_id))
                if cur.rowcount:
                    removed += cur.rowcount
                    audit.write(conn, actor=actor, action="unassign", measure_id=mid,
                                field=office.office_id, old=office.name)
    return removed
