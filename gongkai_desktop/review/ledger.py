"""整改台账: for each returned or unfinished measure, 存在问题, 整改措施, 责任人, 整改时限.

The unit keeps its ledger in ``rectifications``; every entry is also written to its
audit log as canonical JSON (``rectify``), which travels in the next bundle, so the
office reads every unit's ledger from the imported audit logs (parsed strictly: a
bundle is signed, but its content is still another machine's).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from gongkai_desktop.bundle.manifest import canonical_json
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.review.states import LEDGER_ACTION
from gongkai_desktop.safe_json import loads_limited
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.wsconn import reading, writing
from gongkai_desktop.typed_input import parse_date

MAX_LEDGER_TEXT = 2000
MAX_OWNER = 100


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    measure_id: str
    problem: str  # 存在问题
    action: str  # 整改措施
    owner: str  # 责任人
    deadline: dt.date  # 整改时限
    updated_at: dt.datetime

    def overdue(self, today: dt.date, closed: bool = False) -> bool:
        """Past its deadline and not yet accepted by the office."""
        return not closed and self.deadline < today

    def as_json(self) -> dict[str, str]:
        return {"problem": self.problem, "action": self.action, "owner": self.owner,
                "deadline": self.deadline.isoformat(), "updated_at": db.to_text(self.updated_at)}


def _clean(value: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"请填写“{label}”")
    if len(text) > limit:
        raise InvalidInput(f"“{label}”过长（{len(text)} 字），最多 {limit} 字")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InvalidInput(f"“{label}”含有控制字符")
    return text


def parse_deadline(text: str) -> dt.date:
    """A 整改时限 typed as the window's date fields take it (typed_input.parse_date)."""
    return parse_date(text, "整改时限")


def record_rectification(ws: Workspace, measure_id: str, *, problem: str, action: str,
                         owner: str, deadline: dt.date | str, actor: str = "") -> LedgerEntry:
    """Record (or replace) the unit's ledger entry for one measure of its plan."""
    ws.plan.measure(measure_id)  # NotFound for a measure not in the plan
    day = deadline if isinstance(deadline, dt.date) else parse_deadline(deadline)
    entry = LedgerEntry(measure_id, _clean(problem, "存在问题", MAX_LEDGER_TEXT),
                        _clean(action, "整改措施", MAX_LEDGER_TEXT),
                        _clean(owner, "责任人", MAX_OWNER), day, db.now())
    with writing(ws) as conn:
        conn.execute("INSERT OR REPLACE INTO rectifications (measure_id, problem, action, owner,"
                     " deadline, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (measure_id, entry.problem, entry.action, entry.owner,
                      day.isoformat(), db.to_text(entry.updated_at), actor))
        audit.write(conn, actor=actor, action=LEDGER_ACTION, measure_id=measure_id,
                    field="ledger", new=canonical_json(entry.as_json()), at=entry.updated_at)
    return entry


def ledger(ws: Workspace) -> dict[str, LedgerEntry]:
    """The unit's ledger, measure id → entry, in plan order."""
    with reading(ws) as conn:
        rows = {str(r[0]): r for r in conn.execute(
            "SELECT measure_id, problem, action, owner, deadline, updated_at FROM rectifications")}
    out = {}
    for m in ws.plan.measures():
        if m.id in rows:
            _mid, problem, act, owner, deadline, at = rows[m.id]
            out[m.id] = LedgerEntry(m.id, problem, act, owner, dt.date.fromisoformat(deadline),
                                    db.datetime_from(at))
    return out


def _from_audit(measure_id: str, text: str) -> LedgerEntry | None:
    try:
        data = loads_limited(text, max_depth=1)
        if not isinstance(data, dict) or set(data) != {"problem", "action", "owner", "deadline",
                                                       "updated_at"}:
            return None
        return LedgerEntry(measure_id, _clean(data["problem"], "存在问题", MAX_LEDGER_TEXT),
                           _clean(data["action"], "整改措施", MAX_LEDGER_TEXT),
                           _clean(data["owner"], "责任人", MAX_OWNER),
                           parse_deadline(data["deadline"]),
                           db.datetime_from(str(data["updated_at"])))
    except (InvalidInput, ValueError, TypeError, AttributeError, json.JSONDecodeError):
        return None  # not what this program writes: shown as no ledger entry


def office_ledger(ws: Workspace, unit_id: str | None = None, measure_id: str | None = None
                  ) -> dict[tuple[str, str], LedgerEntry]:
    """(unit id, measure id) → each imported unit's latest ledger entry per measure."""
    where = ""
    params: list[str] = [LEDGER_ACTION]
    for column, value in (("unit_id", unit_id), ("measure_id", measure_id)):
        if value is not None:
            where += f" AND {column} = ?"
            params.append(value)
    sql = ("SELECT unit_id, measure_id, new FROM sup_audit WHERE (unit_id, measure_id, id) IN"
           " (SELECT unit_id, measure_id, max(id) FROM sup_audit WHERE action = ?"
           f" AND measure_id IS NOT NULL{where} GROUP BY unit_id, measure_id)")
    out = {}
    with reading(ws) as conn:
        rows = conn.execute(sql, params).fetchall()
    for unit, measure, new in rows:
        entry = _from_audit(str(measure), str(new or ""))
        if entry is not None:
            out[(str(unit), str(measure))] = entry
    return out
