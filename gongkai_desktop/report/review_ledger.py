"""The unit's 整改台账 as the report prints it (附件3) and its drafts use it.

A row for every ledger entry, and for every measure the office returned that has no
entry yet (its comment stands for the problem), in plan order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from gongkai_desktop.report.content import ReportLedgerRow, ReportRow
from gongkai_desktop.review.ledger import ledger
from gongkai_desktop.review.states import ReviewState
from gongkai_desktop.review.unit_state import unit_verdicts
from gongkai_desktop.storage import Workspace

log = logging.getLogger(__name__)


def ledger_rows(ws: Workspace, rows: Sequence[ReportRow], today: dt.date) -> list[ReportLedgerRow]:
    seq_of = {r.measure.id: r.seq for r in rows}
    entries, verdicts = ledger(ws), unit_verdicts(ws)
    out = []
    for m in ws.plan.measures():
        entry, verdict = entries.get(m.id), verdicts.get(m.id)
        returned = verdict is not None and verdict.state in (ReviewState.RETURNED,
                                                             ReviewState.RECTIFIED)
        if entry is None and not returned:
            continue
        closed = verdict is not None and verdict.state is ReviewState.ACCEPTED
        out.append(ReportLedgerRow(
            seq=seq_of.get(m.id), measure_id=m.id, measure_text=m.text,
            problem=entry.problem if entry else (verdict.comment if verdict else ""),
            action=entry.action if entry else "", owner=entry.owner if entry else "",
            deadline=entry.deadline if entry else None,
            review=verdict.state.label if verdict else "",
            comment=verdict.comment if verdict else "",
            overdue=entry.overdue(today, closed) if entry else False))
    return out


def ledger_rows_or_none(ws: object, rows: Sequence[ReportRow],
                        today: dt.date) -> list[ReportLedgerRow]:
    """The same for any draft store: a store that is not a workspace has no ledger."""
    if not isinstance(ws, Workspace):
        return []
    try:
        return ledger_rows(ws, rows, today)
    except Exception as exc:  # the report must still open from a damaged ledger table
        log.warning("rectification ledger unavailable: %s", exc)
        return []
