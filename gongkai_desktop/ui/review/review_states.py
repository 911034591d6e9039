"""The office's verdicts as the window's views show them: the tree's flags, the
overview's and status bar's 需整改 counts. No widgets here: the plan tree reads them
before the window's first paint."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gongkai_desktop.review.states import ReviewState

if TYPE_CHECKING:
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)


def review_states(session: Session) -> dict[str, ReviewState]:
    """measure id → the state of the office's verdict (empty when the table is unreadable)."""
    from gongkai_desktop.review.unit_state import unit_verdicts

    try:
        return {m: v.state for m, v in unit_verdicts(session.ws).items()}
    except Exception as exc:  # a damaged table must not stop the window
        log.warning("review verdicts unavailable: %s", exc)
        return {}


def rectify_counts(session: Session) -> tuple[int, int]:
    """(需整改, 已整改待复核) measure counts, for the overview tile and the status bar
    (the core's ``review.states.count_states`` / ``to_rectify``, like the CLI)."""
    from gongkai_desktop.review.states import count_states, to_rectify

    counts = count_states(review_states(session).values())
    return to_rectify(counts), counts[ReviewState.RECTIFIED.value]
