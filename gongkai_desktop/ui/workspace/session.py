"""The open workspace as the window sees it: core objects plus change signals.

Views never talk to each other: a change goes through the core (usually via an
undo command in ``ui.commands``), the core says what it changed (``changes.Changes``)
and ``Session.apply_changes`` announces it; every view that shows it refreshes.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from gongkai_desktop import drafts
from gongkai_desktop.changes import Changes
from gongkai_desktop.model import MeasureRecord, Role
from gongkai_desktop.roles import roles_for_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)


class Session(QObject):
    recordChanged = Signal(str)  # measure id: status/explanation/… changed
    evidenceChanged = Signal(str)  # measure id: evidence added/removed
    profileChanged = Signal()
    reviewChanged = Signal()  # the office's verdicts or the unit's 整改台账
    contributionsChanged = Signal()  # offices, assignments, offices' answers (下级填报)
    draftsChanged = Signal(str)  # measure id: its kept (not yet valid) input changed

    def __init__(self, ws: Workspace, directory: UnitDirectory, parent: QObject | None = None):
        super().__init__(parent)
        self.ws = ws
        self.directory = directory
        self.roles: dict[str, frozenset[Role]] = roles_for_plan(ws.plan, ws.unit, directory)
        self.undo_stack = QUndoStack(self)
        self._records: dict[str, MeasureRecord] | None = None
        self.recordChanged.connect(self._forget_records)
        self.drafts: drafts.Drafts = drafts.load(ws.path)  # input kept until corrected

    @property
    def path(self) -> Path:
        return self.ws.path

    @staticmethod
    def today() -> dt.date:
        return dt.date.today()

    def records(self) -> dict[str, MeasureRecord]:
        """All records, cached until the next change (views ask often)."""
        if self._records is None:
            self._records = self.ws.records()
        return self._records

    def record(self, measure_id: str) -> MeasureRecord:
        return self.records().get(measure_id) or MeasureRecord(measure_id)

    def apply_changes(self, changes: Changes) -> None:
        """Announce what a core write changed; the one place the change signals are sent."""
        if changes.all_records:
            self.recordChanged.emit("")  # "" = every record
        else:
            for measure_id in sorted(changes.records):
                self.recordChanged.emit(measure_id)
        for measure_id in sorted(changes.evidence):
            self.evidenceChanged.emit(measure_id)
        if changes.profile:
            self.profileChanged.emit()
        if changes.review:
            self.reviewChanged.emit()
        if changes.contributions:
            self.contributionsChanged.emit()

    def _forget_records(self, _measure_id: str = "") -> None:
        self._records = None

    def set_draft(self, measure_id: str, fields: dict[str, str]) -> None:
        """Keep (or, with no fields, forget) a measure's input that cannot be saved yet."""
        if self.drafts.get(measure_id, {}) == fields:
            return
        if fields:
            self.drafts[measure_id] = dict(fields)
        else:
            self.drafts.pop(measure_id, None)
        try:
            drafts.save(self.path, self.drafts)
        except OSError:  # still kept in memory; the close question asks about it
            log.warning("could not write the input drafts file", exc_info=True)
        self.draftsChanged.emit(measure_id)

    def close(self) -> None:
        self.undo_stack.clear()
        self.ws.close()
