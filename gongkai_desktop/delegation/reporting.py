"""The report's side of delegation: the annex 下级单位完成情况 (offices × assigned measures)
and the sentence the draft of 一、工作开展情况 uses to name the offices' work."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from gongkai_desktop.delegation.assignment import OfficeRole, assignments_in
from gongkai_desktop.delegation.contributions import contributions_in
from gongkai_desktop.model import NOT_REPORTED, Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import reading

log = logging.getLogger(__name__)
ANNEX_TITLE = "下级单位完成情况"


@dataclass(frozen=True, slots=True)
class AnnexRow:
    office: str
    measure_id: str
    measure_text: str
    role: str  # 牵头 / 责任
    deadline: dt.date | None
    status: str  # the status label, or 未报送
    explanation: str
    evidence: int


def annex_rows(ws: Workspace) -> list[AnnexRow]:
    """Every assignment with the office's latest answer, offices in order, then plan order."""
    order = {m.id: i for i, m in enumerate(ws.plan.measures())}
    texts = {m.id: m.text for m in ws.plan.measures()}
    with reading(ws) as conn:
        assigned = assignments_in(conn)
        answers = {(c.office.office_id, c.record.measure_id): c for c in contributions_in(conn)}
    from gongkai_desktop.delegation.offices import offices_in

    with reading(ws) as conn:
        position = {o.office_id: i for i, o in enumerate(offices_in(conn))}
    rows = []
    for a in sorted(assigned, key=lambda a: (position.get(a.office.office_id, 0),
                                             order.get(a.measure_id, 1 << 30))):
        c = answers.get((a.office.office_id, a.measure_id))
        rows.append(AnnexRow(a.office.name, a.measure_id, texts.get(a.measure_id, ""),
                             a.role.label, a.deadline,
                             c.status.label if c is not None else NOT_REPORTED,
                             c.record.explanation if c is not None else "",
                             len(c.evidence) if c is not None else 0))
    return rows


_SENTENCE_ORDER = (Status.DONE, Status.IN_PROGRESS, Status.NOT_APPLICABLE, Status.NOT_STARTED)


def work_sentence(ws: Workspace) -> str:
    """"本单位将 3 项举措分解到区司法局、区委编办等 2 个下级单位（牵头 1 项次、责任 3 项次），
    已完成 1 项次、推进中 1 项次，未报送 2 项次。" — "" when nothing is delegated."""
    with reading(ws) as conn:
        assigned = assignments_in(conn)
        answers = {(c.office.office_id, c.record.measure_id): c for c in contributions_in(conn)}
    if not assigned:
        return ""
    names = list(dict.fromkeys(a.office.name for a in assigned))
    shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
    measures = len({a.measure_id for a in assigned})
    lead = sum(a.role is OfficeRole.LEAD for a in assigned)
    counts: dict[str, int] = {}
    for a in assigned:
        c = answers.get((a.office.office_id, a.measure_id))
        label = c.status.label if c is not None else NOT_REPORTED
        counts[label] = counts.get(label, 0) + 1
    order = [s.label for s in _SENTENCE_ORDER] + [NOT_REPORTED]
    state = "、".join(f"{k} {counts[k]} 项次" for k in order if counts.get(k))
    return (f"本单位将 {measures} 项举措分解到{shown} {len(names)} 个下级单位落实"
            f"（牵头 {lead} 项次、责任 {len(assigned) - lead} 项次），目前{state}。")


ANNEX_SETTING = "report.offices_annex"


def offices_annex_rows(ws: object, wanted: bool | None = None) -> list[AnnexRow]:
    """The annex rows when the annex is wanted (``wanted``, else the workspace setting
    ``report.offices_annex``, off by default) and anything is delegated; else none."""
    if not isinstance(ws, Workspace):
        return []
    try:
        if wanted is None:
            wanted = ws.get_setting(ANNEX_SETTING, False) is True
        return annex_rows(ws) if wanted else []
    except Exception as exc:  # the report must still build from a damaged table
        log.warning("delegation annex unavailable: %s", exc)
        return []


def work_sentence_or_empty(ws: object) -> str:
    """The same for any draft store: one that is not a workspace delegates nothing."""
    if not isinstance(ws, Workspace):
        return ""
    try:
        return work_sentence(ws)
    except Exception as exc:  # the report must still open from a damaged table
        log.warning("delegation summary unavailable: %s", exc)
        return ""
