"""What a workspace contributes to the report: the table rows (附件1) and the evidence (附件2).

Rows are the measures the unit must report on (responsible or concerned), in
plan order. Evidence files are listed by their stored SHA-256 and read lazily,
one at a time, only when the renderer reproduces an image.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from gongkai_desktop.model import MeasureRecord, Plan, Status, Unit
from gongkai_desktop.report.content import ReportEvidence, ReportRow
from gongkai_desktop.roles import must_report, roles_for_plan
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.units import UnitDirectory

# An evidence image bigger than this is listed but not reproduced (never read into memory).
MAX_IMAGE_BYTES = 50 * 1024 * 1024


class ReportSource(Protocol):
    """What the report reads of a workspace."""

    @property
    def plan(self) -> Plan: ...
    @property
    def unit(self) -> Unit: ...
    def records(self) -> dict[str, MeasureRecord]: ...
    def evidence(self, measure_id: str | None = None) -> list[EvidenceItem]: ...
    def read_blob(self, sha256: str, max_bytes: int) -> bytes: ...


def evidence_label(item: EvidenceItem) -> str:
    """How an evidence item is named in the table: the file name, or the link's title/URL."""
    if item.kind == "file":
        return item.file_name
    return item.title.strip() or item.url


def report_rows(ws: ReportSource, directory: UnitDirectory) -> list[ReportRow]:
    """Every measure the unit is responsible for or concerned with, in plan order."""
    plan = ws.plan
    roles = roles_for_plan(plan, ws.unit, directory)
    records = ws.records()
    names: dict[str, list[str]] = {}
    for item in ws.evidence():
        names.setdefault(item.measure_id, []).append(evidence_label(item))
    rows: list[ReportRow] = []
    for area in plan.areas:
        for sub in area.subtasks:
            for measure in sub.measures:
                held = roles.get(measure.id, frozenset())
                if not must_report(held):
                    continue
                record = records.get(measure.id) or MeasureRecord(measure.id)
                # For 不适用 the table's 完成情况说明 column gives the reason.
                said = (record.reason if record.status is Status.NOT_APPLICABLE
                        else record.explanation)
                rows.append(ReportRow(
                    seq=len(rows) + 1, measure=measure,
                    area_title=f"{area.label}、{area.title}",
                    subtask_title=f"{sub.label}{sub.title}",
                    roles=held, status=record.status,
                    completed_on=record.completed_on if record.status is Status.DONE else None,
                    explanation=said.strip(), urls=tuple(record.urls),
                    evidence_names=tuple(names.get(measure.id, ())),
                ))
    return rows


def _loader(ws: ReportSource, sha256: str) -> Callable[[], bytes]:
    return lambda: ws.read_blob(sha256, MAX_IMAGE_BYTES)


def report_evidence(ws: ReportSource, rows: Sequence[ReportRow]) -> list[ReportEvidence]:
    """The evidence files of the rows' measures, in row order (links are in the table only)."""
    by_measure: dict[str, list[EvidenceItem]] = {}
    for item in ws.evidence():
        if item.kind == "file" and item.sha256:
            by_measure.setdefault(item.measure_id, []).append(item)
    out: list[ReportEvidence] = []
    for row in rows:
        for item in by_measure.get(row.measure.id, ()):
            assert item.sha256 is not None
            out.append(ReportEvidence(
                name=item.file_name, media_type=item.media_type or "application/octet-stream",
                size=int(item.size or 0), sha256=item.sha256, measure_id=item.measure_id,
                load_bytes=_loader(ws, item.sha256),
            ))
    return out
