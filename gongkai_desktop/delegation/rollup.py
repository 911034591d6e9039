"""汇总下级填报: the unit's record proposed from its offices' contributions.

Status: every assigned office 已完成 → 已完成; every one 不适用 → 不适用 (their reasons
joined); any 推进中 or 已完成 → 推进中; otherwise 未开始. An assigned office that has not
answered counts as 未开始. Explanation: the contributions joined, each headed by the office
name. URLs: the unit's own, then the offices' (none dropped). Evidence: the offices' files
and links not yet on the measure, added with their source (note 来源：office, added_by
下级单位：office). The proposal is a typed diff against the unit's record that a window can
preview and edit; ``apply_rollup`` writes it in one transaction, with the audit rows, and
clears 下级有新填报.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from gongkai_desktop.changes import NOTHING, Changes
from gongkai_desktop.delegation.assignment import assignments_in
from gongkai_desktop.delegation.contributions import (
    Contribution,
    ContributionEvidence,
    contributions_in,
)
from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.storage import Workspace, audit, db, evidence, records, search
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.storage.rollup_flags import pending_in
from gongkai_desktop.storage.wsconn import reading, writing

SOURCE_PREFIX = "来源："
ADDED_BY_PREFIX = "下级单位："


@dataclass(frozen=True, slots=True)
class EvidenceToAdd:
    office_name: str
    item: ContributionEvidence

    @property
    def label(self) -> str:
        what = self.item.file_name if self.item.kind == "file" else self.item.url
        return f"{what}（{source_note(self.office_name, self.item.note)}）"


@dataclass(frozen=True, slots=True)
class RollupProposal:
    measure_id: str
    current: MeasureRecord
    proposed: MeasureRecord
    changed_fields: tuple[str, ...]  # records.FIELDS that differ
    evidence_to_add: tuple[EvidenceToAdd, ...]
    contributions: tuple[Contribution, ...]
    offices_without_answer: tuple[str, ...]  # assigned offices that returned nothing
    pending: bool  # 下级有新填报 is set

    @property
    def is_empty(self) -> bool:
        return not self.changed_fields and not self.evidence_to_add

    def describe(self) -> list[str]:
        """One line per change, for the command line and a preview."""
        lines = []
        for name in self.changed_fields:
            old = records.field_text(self.current, name) or ""
            new = records.field_text(self.proposed, name) or ""
            if name == "status":
                old, new = self.current.status.label, self.proposed.status.label
            lines.append(f"{records.FIELD_LABELS[name]}：{_short(old)} → {_short(new)}")
        for item in self.evidence_to_add:
            lines.append(f"佐证材料 + {item.label}")
        return lines


def _short(text: str, limit: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def combined_status(statuses: list[Status]) -> Status:
    if statuses and all(s is Status.DONE for s in statuses):
        return Status.DONE
    if statuses and all(s is Status.NOT_APPLICABLE for s in statuses):
        return Status.NOT_APPLICABLE
    if any(s in (Status.IN_PROGRESS, Status.DONE) for s in statuses):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def propose_rollup(ws: Workspace, measure_id: str) -> RollupProposal:
    """The unit's record as its offices' answers make it; ``NotFound`` when no office has
    this measure and none answered for it."""
    ws.plan.measure(measure_id)
    current = ws.record(measure_id)
    with reading(ws) as conn:
        found = contributions_in(conn, measure_id)
        assigned = [a for a in assignments_in(conn) if a.measure_id == measure_id]
        pending = conn.execute("SELECT 1 FROM rollup_flags WHERE measure_id = ?",
                               (measure_id,)).fetchone() is not None
        have = _existing_evidence(conn, measure_id)
    if not found and not assigned:
        raise NotFound(f"举措 {measure_id} 没有分配给下级单位，也没有下级单位的填报，无可汇总")
    answered = {c.office.office_id for c in found}
    missing = tuple(a.office.name for a in assigned if a.office.office_id not in answered)
    statuses = [c.status for c in found] + [Status.NOT_STARTED] * len(missing)
    # No office has answered yet: nothing to roll up, the unit's own status stands (the
    # rule would turn an 已完成 the unit wrote itself into 未开始).
    status = combined_status(statuses) if found else current.status
    explanation = "\n".join(f"{c.office.name}：{c.record.explanation.strip()}"
                            for c in found if c.record.explanation.strip())
    reason = ""
    if not found:
        reason = current.reason
    elif status is Status.NOT_APPLICABLE:
        reason = "；".join(f"{c.office.name}：{c.record.reason.strip()}" for c in found)
    elif current.status is Status.NOT_APPLICABLE:
        reason = ""
    else:
        reason = current.reason
    # The unit's own 公开网址 stay first: like evidence, a roll-up only adds links.
    urls = tuple(dict.fromkeys([*current.urls, *(u for c in found for u in c.record.urls)])
                 )[: records.MAX_URLS]
    completed = current.completed_on
    if status is Status.DONE and found:
        dates = [c.record.completed_on for c in found if c.record.completed_on]
        completed = max(dates) if dates else current.completed_on
    proposed = dataclasses.replace(
        current, status=status, reason=reason, completed_on=completed,
        explanation=explanation[: records.MAX_TEXT] if found else current.explanation,
        urls=urls if found else current.urls)
    to_add = []
    for c in found:
        for item in c.evidence:
            key = item.sha256 if item.kind == "file" else item.url
            if key and key not in have:
                have.add(key)
                to_add.append(EvidenceToAdd(c.office.name, item))
    return RollupProposal(measure_id, current, proposed,
                          tuple(records.changed_fields(current, proposed)), tuple(to_add),
                          tuple(found), missing, pending)


def _existing_evidence(conn: sqlite3.Connection, measure_id: str) -> set[str]:
    keys = set()
    for item in evidence.items(conn, measure_id):
        keys.add(item.sha256 if item.kind == "file" and item.sha256 else item.url)
    return keys


@dataclass(frozen=True, slots=True)
class RolledUp:
    record: MeasureRecord  # the unit's record as it now stands
    changes: Changes


def apply_rollup(ws: Workspace, proposal: RollupProposal, *, record: MeasureRecord | None = None,
                 include_evidence: bool = True, actor: str = "") -> RolledUp:
    """Write the proposal (or ``record``, the officer's edited version of it) and the
    evidence to add, in one transaction; clears 下级有新填报. Refused when the unit's record
    changed since the proposal was made (propose again)."""
    chosen = record if record is not None else proposal.proposed
    mid = proposal.measure_id
    new = records.apply_change(proposal.current, status=chosen.status, reason=chosen.reason,
                               completed_on=chosen.completed_on or None,
                               explanation=chosen.explanation, urls=chosen.urls,
                               remarks=chosen.remarks)
    if chosen.completed_on is None:
        new = dataclasses.replace(new, completed_on=None)
    at = db.now()
    with writing(ws) as conn:
        now_record = records.load(conn, mid)
        if records.changed_fields(now_record, proposal.current):
            raise InvalidInput(f"举措 {mid} 的记录在生成汇总建议之后被修改过，请重新汇总")
        changed = records.changed_fields(now_record, new)
        if changed:
            new = records.save_changed(conn, now_record, new, changed, actor=actor, at=at)
        else:
            new = now_record
        if include_evidence:
            for add in proposal.evidence_to_add:
                _add_evidence(conn, mid, add, actor, at)
        cleared = conn.execute("DELETE FROM rollup_flags WHERE measure_id = ?",
                               (mid,)).rowcount
        added = include_evidence and bool(proposal.evidence_to_add)
        if not changed and not cleared and not added:
            # nothing to do: applying twice leaves no audit row, no write at all
            return RolledUp(new, NOTHING)
        audit.write(conn, actor=actor, action="rollup", measure_id=mid, field="offices",
                    new="、".join(c.office.name for c in proposal.contributions), at=at)
        search.reindex(conn, ws.plan.info.id, [mid])
    return RolledUp(new, Changes(records=frozenset([mid]) if changed else frozenset(),
                                 evidence=frozenset([mid]) if added else frozenset(),
                                 contributions=bool(cleared)))


def _add_evidence(conn: sqlite3.Connection, measure_id: str, add: EvidenceToAdd, actor: str,
                  at: dt.datetime) -> None:
    item = add.item
    note = source_note(add.office_name, item.note)
    by = f"{ADDED_BY_PREFIX}{add.office_name}"
    if item.kind == "file":
        if not item.sha256:
            return
        try:
            blob_id, size = evidence.blob_for(conn, item.sha256)
        except NotFound:
            return  # a bundle without evidence contents: nothing to attach
        new = EvidenceItem(0, measure_id, "file", item.file_name, item.media_type, size,
                           item.sha256, "", "", note, at, by)
        stored = evidence.insert(conn, new, blob_id)
    else:
        new = EvidenceItem(0, measure_id, "link", "", "", None, None, item.url, item.title,
                           note, at, by)
        stored = evidence.insert(conn, new, None)
    data = {"id": stored.id, "kind": stored.kind, "file_name": stored.file_name,
            "url": stored.url, "source": add.office_name}
    audit.write(conn, actor=actor, action="add_evidence", measure_id=measure_id,
                field="evidence", new=json.dumps(data, ensure_ascii=False), at=at)


def source_note(office_name: str, note: str) -> str:
    """"来源：区司法局", or "来源：区司法局／法治科" for a file that came up two levels."""
    if note.startswith(SOURCE_PREFIX):
        return f"{SOURCE_PREFIX}{office_name}／{note[len(SOURCE_PREFIX):]}"[:500]
    return f"{SOURCE_PREFIX}{office_name}"


def pending_rollups(ws: Workspace) -> list[str]:
    """Measures flagged 下级有新填报, in plan order."""
    order = {m.id: i for i, m in enumerate(ws.plan.measures())}
    with reading(ws) as conn:
        found = pending_in(conn)
    return sorted(found, key=lambda m: order.get(m, 1 << 30))
