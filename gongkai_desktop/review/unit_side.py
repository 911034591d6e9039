"""The unit's side: importing the office's review file, and what each measure's verdict is.

Importing is refused, with nothing changed, unless the signature verifies, the review
is for this unit, this plan and one of this workspace's exports, every measure is in
the plan, the certificate was valid when the review was issued, and its key is the
pinned office key (``office_key``: the first one, or a changed one, needs explicit
acceptance). The same file twice, or a review older than one already imported,
changes nothing.

Each newly received verdict is written to the audit log (``review_verdict``, naming
the verdict id). A returned measure the unit changes afterwards is 已整改（待复核）;
the audit log travels in the next bundle, so the office sees the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gongkai_desktop.bundle.office_key import (
    OfficeKeyCheck,
    OfficeKeyNotAccepted,
    OfficeKeyState,
    check_office_key,
    pin_office_key,
    require_accepted,
)
from gongkai_desktop.bundle.receipt import check_own_export
from gongkai_desktop.changes import NOTHING, Changes
from gongkai_desktop.errors import InvalidInput, SignatureError
from gongkai_desktop.review.reviewfile import ReviewFile, read_review
from gongkai_desktop.review.states import UNIT_VERDICT_ACTION, count_states, to_rectify
from gongkai_desktop.review.unit_state import unit_verdicts
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.wsconn import reading, writing


class ReviewKeyNotAccepted(OfficeKeyNotAccepted):
    """The office key question, worded for a review file (``check`` says what to show)."""

    def __init__(self, check: OfficeKeyCheck) -> None:
        super().__init__(check)
        self.message = _for_review(check.message())
        self.args = (self.message,)


def _for_review(text: str) -> str:
    return text.replace("回执", "整改意见")


def _require_accepted(check: OfficeKeyCheck, accept_key: str | None) -> bool:
    try:
        return require_accepted(check, accept_key)
    except OfficeKeyNotAccepted as exc:
        raise ReviewKeyNotAccepted(exc.check) from None
    except InvalidInput as exc:
        raise InvalidInput(_for_review(str(exc))) from None


@dataclass(frozen=True, slots=True)
class ImportedReview:
    review_hash: str
    office_name: str
    signer: str
    sequence: int
    issued_at: dt.datetime
    new: bool = True  # False: nothing stored (the same file again, or an older one)
    stale: bool = False  # older than a review already imported
    key_changed: bool = False
    changed: tuple[str, ...] = ()  # measures whose verdict this import changed
    counts: dict[str, int] = field(default_factory=dict)  # state value → measures

    @property
    def changes(self) -> Changes:
        """A stored review changes the verdicts the window flags (and its key)."""
        return Changes(review=True) if self.new else NOTHING

    def sentence(self) -> str:
        """What importing the file did, the one line the window and the CLI show (a stale
        file is refused: shown as an error)."""
        if self.stale:
            return "该整改意见比已导入的旧，未导入（不会覆盖较新的审核结论）"
        if not self.new:
            return "该整改意见此前已导入，未作改动"
        return (f"已导入“{self.office_name}”（{self.signer}）对数据包序号 {self.sequence}"
                f" 的审核意见：{len(self.changed)} 项结论更新，需整改 {to_rectify(self.counts)} 项")


def _check(ws: Workspace, review: ReviewFile) -> None:
    if review.unit.id != ws.unit.id:
        raise InvalidInput(f"该整改意见是给“{review.unit.name}”的，不是本单位（{ws.unit.name}）的，"
                           "未导入")
    if review.plan_id != ws.plan.info.id:
        raise InvalidInput(f"该整改意见针对的任务分工（{review.plan_id}）与本工作区不同，未导入")
    known = {m.id for m in ws.plan.measures()}
    unknown = [v.measure_id for v in review.verdicts if v.measure_id not in known]
    if unknown:
        raise InvalidInput(f"整改意见中的举措“{unknown[0]}”不在本工作区的任务分工中，未导入")
    problem = review.cert.problem_at(review.issued_at)
    if problem is not None:
        raise SignatureError(f"整改意见的签名{problem}，不予接受")


def _stored(review: ReviewFile, **extra: object) -> ImportedReview:
    return ImportedReview(review.review_hash, review.office.name, review.signer, review.sequence,
                          review.issued_at, **extra)  # type: ignore[arg-type]


def import_review(ws: Workspace, path: Path, *, accept_key: str | None = None,
                  actor: str = "") -> ImportedReview:
    """Store the office's verdicts from a review file (see the module doc for the checks)."""
    review = read_review(path)
    _check(ws, review)
    with writing(ws) as conn:
        if conn.execute("SELECT 1 FROM unit_reviews WHERE review_hash = ?",
                        (review.review_hash,)).fetchone():
            return _stored(review, new=False)
        check_own_export(conn, review.bundle_hash, review.sequence, (review.issued_at,),
                         lead="该整改意见针对", what="整改意见", refused="未导入")
        check = check_office_key(conn, review.office, review.cert)
        pin = _require_accepted(check, accept_key)
        issued = [db.datetime_from(r[0])
                  for r in conn.execute("SELECT issued_at FROM unit_reviews")]
        if issued and max(issued) >= review.issued_at:
            return _stored(review, new=False, stale=True)
        now = db.now()
        if pin:
            pin_office_key(conn, check, actor=actor, at=now)
        conn.execute("INSERT INTO unit_reviews (review_hash, office_unit_id, office_name, signer,"
                     " cert_fingerprint, sequence, bundle_hash, issued_at, imported_at, body)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (review.review_hash, review.office.id, review.office.name, review.signer,
                      review.cert.fingerprint, review.sequence, review.bundle_hash,
                      review.issued_at.isoformat(), db.to_text(now), review.body))
        have = {str(r[0]): str(r[1]) for r in conn.execute(
            "SELECT measure_id, verdict_id FROM unit_verdicts")}
        changed = []
        for v in review.verdicts:
            if have.get(v.measure_id) == v.verdict_id:
                conn.execute("UPDATE unit_verdicts SET review_hash = ? WHERE measure_id = ?",
                             (review.review_hash, v.measure_id))
                continue
            audit.write(conn, actor=actor, action=UNIT_VERDICT_ACTION, measure_id=v.measure_id,
                        field=v.verdict_id, new=v.verdict.label + (f"：{v.comment}"
                                                                     if v.comment else ""),
                        at=now)
            audit_id = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            conn.execute("INSERT OR REPLACE INTO unit_verdicts (measure_id, verdict_id, verdict,"
                         " comment, reviewed_at, sequence, review_hash, audit_id)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (v.measure_id, v.verdict_id, v.verdict.value, v.comment,
                          db.to_text(v.reviewed_at), v.sequence, review.review_hash, audit_id))
            changed.append(v.measure_id)
        audit.write(conn, actor=actor, action="import_review", field="sequence",
                    new=f"{review.sequence}（{review.office.name}，{len(changed)} 项结论更新）",
                    at=now)
    counts = count_states(item.state for item in unit_verdicts(ws).values())
    return _stored(review, changed=tuple(changed), counts=counts,
                   key_changed=check.state is OfficeKeyState.KEY_CHANGED)


def last_review(ws: Workspace) -> ImportedReview | None:
    """The newest imported review (for the unit's status bar and history)."""
    with reading(ws) as conn:
        row = conn.execute("SELECT review_hash, office_name, signer, sequence, issued_at"
                           " FROM unit_reviews").fetchall()
    if not row:
        return None
    row = max(row, key=lambda r: db.datetime_from(r[4]))
    return ImportedReview(str(row[0]), str(row[1]), str(row[2]), int(row[3]),
                          db.datetime_from(row[4]), new=False)
