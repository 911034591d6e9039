"""What a write changed, so the window refreshes exactly the views that show it.

Anki's ``OpChanges``: a core write returns (or carries on its result) a ``Changes``;
the window's session turns it into its change signals; the command line ignores it.
Measure ids name what changed; the flags cover what is not tied to one measure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    records: frozenset[str] = frozenset()  # measures whose record changed
    evidence: frozenset[str] = frozenset()  # measures whose evidence list changed
    all_records: bool = False  # many records at once (a bulk import): re-read them all
    profile: bool = False  # the unit's profile (name, 负责人 …)
    review: bool = False  # the office's verdicts or the unit's 整改台账
    contributions: bool = False  # offices, assignments or offices' answers (下级填报)

    @classmethod
    def of_records(cls, measure_ids: Iterable[str]) -> Changes:
        return cls(records=frozenset(measure_ids))

    @classmethod
    def of_evidence(cls, measure_ids: Iterable[str]) -> Changes:
        return cls(evidence=frozenset(measure_ids))

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            records=self.records | other.records,
            evidence=self.evidence | other.evidence,
            all_records=self.all_records or other.all_records,
            profile=self.profile or other.profile,
            review=self.review or other.review,
            contributions=self.contributions or other.contributions,
        )

    def __bool__(self) -> bool:
        return bool(self.records or self.evidence or self.all_records or self.profile
                    or self.review or self.contributions)


NOTHING = Changes()


def combined(changes: Iterable[Changes]) -> Changes:
    """All of ``changes`` in one (``NOTHING`` for none)."""
    out = NOTHING
    for change in changes:
        out = out | change
    return out
