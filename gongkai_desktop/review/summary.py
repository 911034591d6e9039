"""The review's part of ``summary --json``: per measure ``review`` and ``rectification``.

``"review": {"verdict", "comment", "reviewed_at", "state"}`` (state: ``returned``,
``rectified``, ``accepted``, ``to_verify``) or null; ``"rectification": {"problem",
"action", "owner", "deadline", "updated_at", "overdue"}`` or null.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongkai_desktop.review.ledger import LedgerEntry, ledger, office_ledger
from gongkai_desktop.review.states import ReviewState, Verdict, count_states
from gongkai_desktop.review.unit_state import unit_verdicts
from gongkai_desktop.review.verdicts import review_entries
from gongkai_desktop.storage import Workspace, db


def _review(verdict: Verdict, comment: str, at: dt.datetime, state: ReviewState) -> dict[str, Any]:
    return {"verdict": verdict.label, "comment": comment, "reviewed_at": db.to_text(at),
            "state": state.value}


def _rectification(entry: LedgerEntry | None, state: ReviewState | None,
                   today: dt.date) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {**entry.as_json(), "overdue": entry.overdue(today, state is ReviewState.ACCEPTED)}


def add_unit_review(ws: Workspace, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """A unit's own summary, with the office's verdicts it imported and its ledger."""
    verdicts, entries = unit_verdicts(ws), ledger(ws)
    for measure_id, item in data["measures"].items():
        v = verdicts.get(measure_id)
        state = v.state if v else None
        item["review"] = _review(v.verdict, v.comment, v.reviewed_at, v.state) if v else None
        item["rectification"] = _rectification(entries.get(measure_id), state, today)
    data["review_counts"] = count_states(v.state for v in verdicts.values())
    return data


def add_all_units_review(ws: Workspace, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """``summary --all-units``: each unit's measures gain the office's verdict and the
    unit's ledger as its latest bundle carried it."""
    entries = review_entries(ws)
    ledgers = office_ledger(ws)
    for key, unit in data["units"].items():
        unit_id = unit.get("unit_id", key)
        states = []
        for measure_id, item in unit["measures"].items():
            entry = entries.get((unit_id, measure_id))
            state = entry.state if entry else None
            if entry is not None:
                states.append(entry.state)
                v = entry.verdict
                item["review"] = _review(v.verdict, v.comment, v.reviewed_at, entry.state)
            else:
                item["review"] = None
            item["rectification"] = _rectification(ledgers.get((unit_id, measure_id)), state,
                                                    today)
        unit["review_counts"] = count_states(states)
    return data

