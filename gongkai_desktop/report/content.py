"""What a self-inspection report says: plain data, decoupled from storage.

The app builds a :class:`ReportContent` from a workspace (records, evidence,
the officer's edited text); the renderer turns it into a PDF. The content
fingerprint is the SHA-256 of a canonical JSON form of everything printed
(evidence by its SHA-256), so a printed copy can be matched to its file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gongkai_desktop.model import Measure, Plan, Role, Status

FINGERPRINT_FORMAT = "gongkai-report-content-v1"


@dataclass(frozen=True, slots=True)
class ReportSection:
    """One numbered part of the body: "一、工作开展情况" and its text.

    Paragraphs are separated by blank lines. A paragraph starting with （一）
    is set in 楷体 up to its first 。; one starting with 1． or （1） is a
    third-level heading (仿宋, like the body).
    """

    heading: str
    body: str


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One measure in the completion table (附件1)."""

    seq: int
    measure: Measure
    area_title: str
    subtask_title: str
    roles: frozenset[Role]
    status: Status
    completed_on: dt.date | None = None
    explanation: str = ""  # 完成情况说明; for 不适用 the reason
    urls: tuple[str, ...] = ()
    evidence_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportEvidence:
    """One evidence file in 附件2; images are reproduced, loaded one at a time."""

    name: str
    media_type: str
    size: int
    sha256: str
    measure_id: str | None = None
    load_bytes: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    @property
    def is_image(self) -> bool:
        return self.media_type.lower() in IMAGE_TYPES


IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/jpg", "image/gif", "image/bmp",
                         "image/webp", "image/tiff"})


@dataclass(frozen=True, slots=True)
class ReportLedgerRow:
    """One line of 附件3 整改台账: a returned or unfinished measure and its rectification."""

    seq: int | None  # its 附件1 序号 (None: not in the table)
    measure_id: str
    measure_text: str
    problem: str  # 存在问题
    action: str  # 整改措施
    owner: str  # 责任人
    deadline: dt.date | None  # 整改时限 (None: not yet recorded)
    review: str = ""  # the office's verdict as shown (退回整改 / 已整改（待复核） / 通过 …)
    comment: str = ""  # the office's comment
    overdue: bool = False


@dataclass(frozen=True)
class ReportContent:
    plan: Plan
    unit_full_name: str  # 重庆市万州区人民政府: the signature and the title
    unit_name: str  # 万州区: the table's 填报单位 line
    title: str
    opening: str
    sections: Sequence[ReportSection]
    signed_on: dt.date
    rows: Sequence[ReportRow] = ()
    evidence: Sequence[ReportEvidence] = ()
    addressee: str = "市政府办公厅"
    seal_png: bytes | None = field(default=None, repr=False)
    fingerprint_note: bool = True  # print the content fingerprint on the last page
    ledger: Sequence[ReportLedgerRow] = ()  # 附件3 整改台账 (printed only when not empty)
    # 下级单位完成情况 (delegation.reporting.AnnexRow), the last annex; printed when not empty
    offices: Sequence[Any] = ()


def chinese_date(day: dt.date) -> str:
    """GB/T 9704 date: Arabic numerals, no leading zeros (2020年9月5日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def canonical_json(content: ReportContent) -> bytes:
    """Everything the report prints, in one stable byte string."""
    info = content.plan.info
    data: dict[str, Any] = {
        "format": FINGERPRINT_FORMAT,
        "plan": {"id": info.id, "version": info.version, "document_number": info.document_number},
        "unit_full_name": content.unit_full_name,
        "unit_name": content.unit_name,
        "title": content.title,
        "addressee": content.addressee,
        "opening": content.opening,
        "sections": [[s.heading, s.body] for s in content.sections],
        "signed_on": content.signed_on.isoformat(),
        "seal_sha256": hashlib.sha256(content.seal_png).hexdigest() if content.seal_png else None,
        "rows": [_row_json(r) for r in content.rows],
        "evidence": [
            [e.name, e.media_type, e.size, e.sha256.lower(), e.measure_id] for e in content.evidence
        ],
    }
    if content.ledger:  # only then: the fingerprint of a report without one is unchanged
        data["ledger"] = [[r.seq, r.measure_id, r.problem, r.action, r.owner,
                           r.deadline.isoformat() if r.deadline else None, r.review, r.comment,
                           r.overdue] for r in content.ledger]
    if content.offices:  # likewise: only a report with the annex changes its fingerprint
        data["offices"] = [[r.office, r.measure_id, r.role,
                            r.deadline.isoformat() if r.deadline else None, r.status,
                            r.explanation, r.evidence] for r in content.offices]
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _row_json(row: ReportRow) -> list[Any]:
    return [
        row.seq, row.measure.id, row.measure.label, row.measure.text, list(row.measure.lead_units),
        row.area_title, row.subtask_title, sorted(r.value for r in row.roles), row.status.value,
        row.completed_on.isoformat() if row.completed_on else None, row.explanation,
        list(row.urls), list(row.evidence_names),
    ]


def content_fingerprint(content: ReportContent) -> str:
    """SHA-256 (hex) of :func:`canonical_json`: the same content gives the same fingerprint."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def group_hex(hex_digest: str, size: int = 4) -> str:
    """"ab12cd34…" → "AB12 CD34 …" for reading aloud and comparing on paper."""
    text = hex_digest.upper()
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
