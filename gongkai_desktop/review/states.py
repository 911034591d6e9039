"""Verdicts and review states: the words both sides show and the JSON values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from gongkai_desktop.errors import InvalidInput

# Audit actions the review writes; every other action on a measure is a change of it.
UNIT_VERDICT_ACTION = "review_verdict"  # the unit received a verdict (field: verdict id)
LEDGER_ACTION = "rectify"  # the unit recorded its 整改台账 entry (new: canonical JSON)
OFFICE_VERDICT_ACTION = "set_verdict"  # the office set a verdict (its own audit log)

MAX_COMMENT = 2000


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"
    TO_VERIFY = "to_verify"

    @property
    def label(self) -> str:
        return {"accepted": "通过", "returned": "退回整改", "to_verify": "待核实"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Verdict:
        value = text.strip()
        for verdict in cls:
            if value in (verdict.value, verdict.label):
                return verdict
        raise InvalidInput(f"审核结论“{text}”无效，应为 通过、退回整改 或 待核实")


class ReviewState(StrEnum):
    """Where a measure stands in the review loop (``summary --json`` ``review.state``)."""

    ACCEPTED = "accepted"
    RETURNED = "returned"
    RECTIFIED = "rectified"  # returned, changed by the unit since: awaiting re-review
    TO_VERIFY = "to_verify"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def short(self) -> str:
        """For a matrix cell."""
        return {"accepted": "通过", "returned": "退回", "rectified": "已整改待复核",
                "to_verify": "待核实"}[self.value]


_STATE_LABELS = {ReviewState.ACCEPTED: "通过", ReviewState.RETURNED: "退回整改",
                 ReviewState.RECTIFIED: "已整改（待复核）", ReviewState.TO_VERIFY: "待核实"}


def state_of(verdict: Verdict, changed_since: bool) -> ReviewState:
    if verdict is Verdict.ACCEPTED:
        return ReviewState.ACCEPTED
    if verdict is Verdict.TO_VERIFY:
        return ReviewState.TO_VERIFY
    return ReviewState.RECTIFIED if changed_since else ReviewState.RETURNED


# 需整改: what the office returned and the unit has not rectified since. A rectified measure
# (已整改（待复核）) waits on the office, not on the officer: it is counted apart, never as
# 需整改. The toolbar filter, the overview tile, the status bar, the attention list and the
# import messages all use this set.
TO_RECTIFY = frozenset({ReviewState.RETURNED})


def needs_rectifying(state: ReviewState | None) -> bool:
    return state in TO_RECTIFY


def count_states(states: Iterable[ReviewState]) -> dict[str, int]:
    """Measures per review state value, every state present (0 when none): ``summary --json``
    ``review_counts``, an imported review's counts, the window's 需整改 / 已整改待复核."""
    out = dict.fromkeys((s.value for s in ReviewState), 0)
    for state in states:
        out[state.value] += 1
    return out


def to_rectify(counts: Mapping[str, int]) -> int:
    """How many measures are 需整改 in a ``count_states`` result."""
    return sum(counts.get(state.value, 0) for state in TO_RECTIFY)


def check_comment(verdict: Verdict, comment: str) -> str:
    text = (comment or "").strip()
    if verdict is Verdict.RETURNED and not text:
        raise InvalidInput("退回整改必须填写意见（说明哪里不足、需要补充什么）")
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"审核意见太长（{len(text)} 字，最多 {MAX_COMMENT} 字）")
    return text
