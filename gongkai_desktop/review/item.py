"""One record under review, as the office's review window shows it (one call per step)."""

from __future__ import annotations

from dataclasses import dataclass

from gongkai_desktop.model import Measure, MeasureRecord
from gongkai_desktop.review.ledger import LedgerEntry, office_ledger
from gongkai_desktop.review.verdicts import (
    OfficeVerdict,
    ReviewEntry,
    review_entries,
    verdict_history,
)
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.supervisor.store import ImportedUnit, SupervisorView


@dataclass(frozen=True, slots=True)
class ReviewItem:
    imported: ImportedUnit
    measure: Measure
    record: MeasureRecord
    evidence: list[EvidenceItem]
    entry: ReviewEntry | None  # the current verdict and its state
    ledger: LedgerEntry | None  # the unit's 整改台账 entry, as its latest bundle carried it
    history: list[OfficeVerdict]  # every verdict on it, oldest first


def review_item(ws: Workspace, unit_id: str, measure_id: str) -> ReviewItem:
    view = SupervisorView(ws)
    return ReviewItem(
        imported=view.unit(unit_id), measure=ws.plan.measure(measure_id),
        record=view.record(unit_id, measure_id), evidence=view.evidence(unit_id, measure_id),
        entry=review_entries(ws, unit_id, measure_id).get((unit_id, measure_id)),
        ledger=office_ledger(ws, unit_id, measure_id).get((unit_id, measure_id)),
        history=verdict_history(ws, unit_id, measure_id))
