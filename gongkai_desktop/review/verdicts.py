"""The office's verdicts per unit and measure, and the review state they lead to.

Every verdict is kept (history); the latest per unit and measure is the current one.
A verdict names the unit's bundle it was given on (sequence and hash) and is written
to the office's audit log with the same transaction.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from gongkai_desktop.bundle.manifest import canonical_json
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.review.states import (
    OFFICE_VERDICT_ACTION,
    UNIT_VERDICT_ACTION,
    ReviewState,
    Verdict,
    check_comment,
    state_of,
)
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.wsconn import reading, writing
from gongkai_desktop.supervisor.store import SupervisorView


@dataclass(frozen=True, slots=True)
class OfficeVerdict:
    verdict_id: str  # travels in the review file; the unit's audit log names it back
    unit_id: str
    measure_id: str
    verdict: Verdict
    comment: str
    bundle_sequence: int
    bundle_hash: str
    reviewed_at: dt.datetime
    reviewer: str


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """A measure's current verdict and where it stands."""

    verdict: OfficeVerdict
    state: ReviewState


_COLUMNS = ("verdict_id, unit_id, measure_id, verdict, comment, bundle_sequence, bundle_hash,"
            " reviewed_at, reviewer")


def _row(row: tuple[object, ...]) -> OfficeVerdict:
    vid, unit, measure, verdict, comment, seq, digest, at, who = row
    return OfficeVerdict(str(vid), str(unit), str(measure), Verdict(str(verdict)), str(comment),
                         int(str(seq)), str(digest), db.datetime_from(str(at)), str(who))


def file_json(verdict_id: str, measure_id: str, verdict: Verdict, comment: str,
              reviewed_at: str, sequence: int) -> str:
    """The verdict as a review file carries it: a canonical JSON array."""
    return canonical_json([verdict_id, measure_id, verdict.value, comment, reviewed_at, sequence])


def _measure_ids(ws: Workspace) -> frozenset[str]:
    return frozenset(m.id for m in ws.plan.measures())


def _insert(conn: sqlite3.Connection, unit_id: str, measure_id: str, verdict: Verdict,
            comment: str, sequence: int, bundle_hash: str, actor: str,
            at: dt.datetime) -> OfficeVerdict:
    vid = uuid.uuid4().hex
    conn.execute(f"INSERT INTO sup_verdicts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (vid, unit_id, measure_id, verdict.value, comment, sequence, bundle_hash,
                  db.to_text(at), actor))
    conn.execute("INSERT OR REPLACE INTO sup_verdict_files (unit_id, measure_id, file_json)"
                 " VALUES (?, ?, ?)", (unit_id, measure_id, file_json(
                     vid, measure_id, verdict, comment, db.to_text(at), sequence)))
    audit.write(conn, actor=actor, action=OFFICE_VERDICT_ACTION, measure_id=measure_id,
                field=unit_id, new=f"{verdict.label}（序号 {sequence}）" +
                (f"：{comment}" if comment else ""), at=at)
    return OfficeVerdict(vid, unit_id, measure_id, verdict, comment, sequence, bundle_hash, at,
                         actor)


def set_verdict(ws: Workspace, unit_id: str, measure_id: str, verdict: Verdict | str,
                comment: str = "", *, actor: str = "") -> OfficeVerdict:
    """Record the office's verdict on one measure of a unit's latest imported bundle."""
    verdict = verdict if isinstance(verdict, Verdict) else Verdict.parse(verdict)
    text = check_comment(verdict, comment)
    imported = SupervisorView(ws).unit(unit_id)  # NotFound: no bundle from that unit
    if measure_id not in _measure_ids(ws):
        raise InvalidInput(f"计划中没有编号为“{measure_id}”的举措，未作改动")
    with writing(ws) as conn:
        return _insert(conn, unit_id, measure_id, verdict, text, imported.sequence,
                       imported.bundle_hash, actor, db.now())


def accept_remaining(ws: Workspace, unit_id: str, measure_ids: Iterable[str], *,
                     actor: str = "") -> int:
    """全部通过: 通过 for every given measure that has no verdict yet; how many were set."""
    imported = SupervisorView(ws).unit(unit_id)
    known = _measure_ids(ws)
    wanted = [m for m in measure_ids if m in known]
    done = set(current_verdicts(ws, unit_id))
    at = db.now()
    count = 0
    with writing(ws) as conn:
        for measure_id in wanted:
            if (unit_id, measure_id) in done:
                continue
            _insert(conn, unit_id, measure_id, Verdict.ACCEPTED, "", imported.sequence,
                    imported.bundle_hash, actor, at)
            count += 1
    return count


def current_sql(where: str = "", columns: str = _COLUMNS) -> str:
    """The latest verdict per unit and measure in one pass over the index.

    SQLite takes the bare columns of an aggregate query from the row that gave max();
    the rows come in (unit id, measure id) order. The first column is max(id).
    """
    return (f"SELECT max(id), {columns} FROM sup_verdicts{where}"
            " GROUP BY unit_id, measure_id")


def current_verdicts(ws: Workspace, unit_id: str | None = None,
                     measure_id: str | None = None) -> dict[tuple[str, str], OfficeVerdict]:
    """(unit id, measure id) → the latest verdict."""
    where, params = [], []
    if unit_id is not None:
        where.append("unit_id = ?")
        params.append(unit_id)
    if measure_id is not None:
        where.append("measure_id = ?")
        params.append(measure_id)
    cond = f" WHERE {' AND '.join(where)}" if where else ""
    with reading(ws) as conn:
        rows = [_row(r[1:]) for r in conn.execute(current_sql(cond), params)]
    return {(v.unit_id, v.measure_id): v for v in rows}


def verdict_history(ws: Workspace, unit_id: str, measure_id: str) -> list[OfficeVerdict]:
    with reading(ws) as conn:
        return [_row(r) for r in conn.execute(
            f"SELECT {_COLUMNS} FROM sup_verdicts WHERE unit_id = ? AND measure_id = ?"
            " ORDER BY id", (unit_id, measure_id))]


class _VerdictRef(Protocol):
    @property
    def unit_id(self) -> str: ...
    @property
    def measure_id(self) -> str: ...
    @property
    def verdict_id(self) -> str: ...
    @property
    def verdict(self) -> Verdict: ...


def _changed_since(conn: sqlite3.Connection, verdicts: Iterable[_VerdictRef]) -> set[str]:
    """Verdict ids the unit received and then answered by changing the measure.

    The unit's audit log (imported with its bundle) names each verdict it received; any
    later entry on the same measure, other than receiving a verdict, is its response.
    """
    answered: set[str] = set()
    for v in verdicts:
        if v.verdict is not Verdict.RETURNED:
            continue
        got = conn.execute("SELECT id FROM sup_audit WHERE unit_id = ? AND measure_id = ?"
                           " AND action = ? AND field = ?",
                           (v.unit_id, v.measure_id, UNIT_VERDICT_ACTION, v.verdict_id)).fetchone()
        if got is None:
            continue
        later = conn.execute("SELECT 1 FROM sup_audit WHERE unit_id = ? AND measure_id = ?"
                             " AND id > ? AND action <> ? LIMIT 1",
                             (v.unit_id, v.measure_id, int(got[0]), UNIT_VERDICT_ACTION)
                             ).fetchone()
        if later is not None:
            answered.add(v.verdict_id)
    return answered


def review_entries(ws: Workspace, unit_id: str | None = None,
                   measure_id: str | None = None) -> dict[tuple[str, str], ReviewEntry]:
    """(unit id, measure id) → current verdict and state, for every reviewed cell."""
    verdicts = current_verdicts(ws, unit_id, measure_id)
    with reading(ws) as conn:
        answered = _changed_since(conn, verdicts.values())
    return {key: ReviewEntry(v, state_of(v.verdict, v.verdict_id in answered))
            for key, v in verdicts.items()}


@dataclass(frozen=True, slots=True)
class CellVerdict:
    """A cell's current verdict, lean (for the matrix over every unit and measure)."""

    unit_id: str
    measure_id: str
    state: ReviewState
    comment: str


def review_cells(ws: Workspace, unit_id: str | None = None,
                 measure_id: str | None = None) -> list[CellVerdict]:
    """Every current verdict's state and comment, from plain rows (no dates parsed)."""
    where, params = [], []
    for column, value in (("unit_id", unit_id), ("measure_id", measure_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    cond = f" WHERE {' AND '.join(where)}" if where else ""
    with reading(ws) as conn:
        rows = conn.execute(current_sql(cond, "verdict_id, unit_id, measure_id, verdict, comment"),
                            params).fetchall()
        returned = [_Returned(str(r[2]), str(r[3]), str(r[1]))
                    for r in rows if r[4] == Verdict.RETURNED.value]
        answered = _changed_since(conn, returned)
    return [CellVerdict(str(u), str(m), state_of(Verdict(v), vid in answered), str(c))
            for _max, vid, u, m, v, c in rows]


@dataclass(frozen=True, slots=True)
class _Returned:
    """What ``_changed_since`` reads of a returned verdict."""

    unit_id: str
    measure_id: str
    verdict_id: str
    verdict: Verdict = Verdict.RETURNED
