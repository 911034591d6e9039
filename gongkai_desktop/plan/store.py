"""Plan tables inside a SQLite file: the seed database, a workspace, a bundle.

One layout everywhere, so a workspace carries its own copy of the plan it was
created from and never depends on the bundled seed staying the same.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from gongkai_desktop.errors import NotFound, WorkspaceError
from gongkai_desktop.model import Area, Deadline, Measure, Plan, PlanInfo, Subtask

PLAN_SCHEMA = """
CREATE TABLE IF NOT EXISTS plan_info (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    document_number TEXT NOT NULL,
    issued TEXT NOT NULL,
    issuer TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS plan_areas (
    plan_id TEXT NOT NULL REFERENCES plan_info(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    no INTEGER NOT NULL,
    label TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (plan_id, id)
);
CREATE TABLE IF NOT EXISTS plan_subtasks (
    plan_id TEXT NOT NULL REFERENCES plan_info(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    area_id TEXT NOT NULL,
    no INTEGER NOT NULL,
    label TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (plan_id, id)
);
CREATE TABLE IF NOT EXISTS plan_measures (
    plan_id TEXT NOT NULL REFERENCES plan_info(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    subtask_id TEXT NOT NULL,
    no INTEGER NOT NULL,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    deadline TEXT,
    deadline_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, id)
);
CREATE TABLE IF NOT EXISTS plan_measure_units (
    plan_id TEXT NOT NULL REFERENCES plan_info(id) ON DELETE CASCADE,
    measure_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('lead', 'responsible')),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (plan_id, measure_id, kind, position)
);
"""


def create_plan_tables(conn: sqlite3.Connection) -> None:
    _create_in_tx(conn)


def _create_in_tx(conn: sqlite3.Connection) -> None:
    # executescript would COMMIT the caller's transaction; run statement by statement.
    for statement in PLAN_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def write_plan(conn: sqlite3.Connection, plan: Plan) -> None:
    """Insert (or replace) one plan; the caller owns the transaction."""
    info = plan.info
    _create_in_tx(conn)
    delete_plan(conn, info.id)
    conn.execute(
        "INSERT INTO plan_info (id, title, document_number, issued, issuer, version)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (info.id, info.title, info.document_number, info.issued.isoformat(), info.issuer,
         info.version),
    )
    _write_tree(conn, plan)


def rewrite_plan_tree(conn: sqlite3.Connection, plan: Plan) -> None:
    """Replace a stored plan's areas, sub-tasks and measures with ``plan``'s, in place:
    its ``plan_info`` row (which a workspace's profile refers to) stays. The caller owns
    the transaction."""
    _delete_tree(conn, plan.info.id)
    _write_tree(conn, plan)


def _write_tree(conn: sqlite3.Connection, plan: Plan) -> None:
    plan_id = plan.info.id
    for area in plan.areas:
        conn.execute(
            "INSERT INTO plan_areas VALUES (?, ?, ?, ?, ?)",
            (plan_id, area.id, area.no, area.label, area.title),
        )
        for sub in area.subtasks:
            conn.execute(
                "INSERT INTO plan_subtasks VALUES (?, ?, ?, ?, ?, ?)",
                (plan_id, sub.id, area.id, sub.no, sub.label, sub.title),
            )
            for m in sub.measures:
                _write_measure(conn, plan_id, sub.id, m)


def _write_measure(conn: sqlite3.Connection, plan_id: str, subtask_id: str, m: Measure) -> None:
    deadline = m.deadline.date.isoformat() if m.deadline.date else None
    conn.execute(
        "INSERT INTO plan_measures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (plan_id, m.id, subtask_id, m.no, m.label, m.text, deadline, m.deadline.note),
    )
    for kind, names in (("lead", m.lead_units), ("responsible", m.responsible_units)):
        for position, name in enumerate(names):
            conn.execute(
                "INSERT INTO plan_measure_units VALUES (?, ?, ?, ?, ?)",
                (plan_id, m.id, kind, position, name),
            )


def delete_plan(conn: sqlite3.Connection, plan_id: str) -> None:
    _delete_tree(conn, plan_id)
    conn.execute("DELETE FROM plan_info WHERE id = ?", (plan_id,))


def _delete_tree(conn: sqlite3.Connection, plan_id: str) -> None:
    for table in ("plan_measure_units", "plan_measures", "plan_subtasks", "plan_areas"):
        conn.execute(f"DELETE FROM {table} WHERE plan_id = ?", (plan_id,))


def plan_ids(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT id FROM plan_info ORDER BY issued, id")]


def read_plan(conn: sqlite3.Connection, plan_id: str | None = None) -> Plan:
    """Read one plan; with no id the file must hold exactly one."""
    try:
        ids = plan_ids(conn)
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError("文件中没有可读取的任务分工（计划）数据") from exc
    if plan_id is None:
        if len(ids) != 1:
            raise NotFound("文件中没有唯一的任务分工，请指定计划编号")
        plan_id = ids[0]
    if plan_id not in ids:
        raise NotFound(f"没有编号为“{plan_id}”的任务分工")
    row = conn.execute(
        "SELECT id, title, document_number, issued, issuer, version FROM plan_info WHERE id = ?",
        (plan_id,),
    ).fetchone()
    info = PlanInfo(row[0], row[1], row[2], dt.date.fromisoformat(row[3]), row[4], row[5])
    units = _read_units(conn, plan_id)
    measures_by_subtask: dict[str, list[Measure]] = {}
    for mid, sid, no, label, text, deadline, note in conn.execute(
        "SELECT id, subtask_id, no, label, text, deadline, deadline_note FROM plan_measures"
        " WHERE plan_id = ? ORDER BY no",
        (plan_id,),
    ):
        lead, responsible = units.get(mid, ((), ()))
        date = dt.date.fromisoformat(deadline) if deadline else None
        measures_by_subtask.setdefault(sid, []).append(
            Measure(mid, no, label, text, lead, responsible, Deadline(date, note))
        )
    subtasks_by_area: dict[str, list[Subtask]] = {}
    for sid, aid, no, label, title in conn.execute(
        "SELECT id, area_id, no, label, title FROM plan_subtasks WHERE plan_id = ? ORDER BY no",
        (plan_id,),
    ):
        subtasks_by_area.setdefault(aid, []).append(
            Subtask(sid, no, label, title, tuple(measures_by_subtask.get(sid, ())))
        )
    areas = tuple(
        Area(aid, no, label, title, tuple(subtasks_by_area.get(aid, ())))
        for aid, no, label, title in conn.execute(
            "SELECT id, no, label, title FROM plan_areas WHERE plan_id = ? ORDER BY no",
            (plan_id,),
        )
    )
    return Plan(info, areas)


def _read_units(
    conn: sqlite3.Connection, plan_id: str
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    lead: dict[str, list[str]] = {}
    responsible: dict[str, list[str]] = {}
    for mid, kind, name in conn.execute(
        "SELECT measure_id, kind, name FROM plan_measure_units WHERE plan_id = ?"
        " ORDER BY measure_id, kind, position",
        (plan_id,),
    ):
        (lead if kind == "lead" else responsible).setdefault(mid, []).append(name)
    ids = set(lead) | set(responsible)
    return {mid: (tuple(lead.get(mid, ())), tuple(responsible.get(mid, ()))) for mid in ids}
