"""The office's verdicts in the unit's workspace, and whether the unit has answered them.

Kept apart from ``unit_side`` (which verifies review files) so the unit's window can
read the flags without loading the certificate code at start-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongkai_desktop.review.states import UNIT_VERDICT_ACTION, ReviewState, Verdict, state_of
from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.wsconn import reading


@dataclass(frozen=True, slots=True)
class UnitVerdict:
    """The office's current verdict on one of the unit's measures, and where it stands."""

    measure_id: str
    verdict: Verdict
    comment: str
    reviewed_at: dt.datetime
    sequence: int
    state: ReviewState


def unit_verdicts(ws: Workspace) -> dict[str, UnitVerdict]:
    """measure id → the office's current verdict and its state, in this unit's workspace."""
    with reading(ws) as conn:
        rows = conn.execute("SELECT measure_id, verdict, comment, reviewed_at, sequence, audit_id"
                            " FROM unit_verdicts").fetchall()
        last = {str(m): int(i) for m, i in conn.execute(
            "SELECT measure_id, max(id) FROM audit WHERE measure_id IS NOT NULL AND action <> ?"
            " GROUP BY measure_id", (UNIT_VERDICT_ACTION,))}
    out = {}
    for measure, verdict, comment, at, seq, audit_id in rows:
        kind = Verdict(verdict)
        out[str(measure)] = UnitVerdict(str(measure), kind, str(comment), db.datetime_from(at),
                                        int(seq), state_of(kind, last.get(measure, 0) > audit_id))
    return out
