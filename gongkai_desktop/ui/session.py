"""The open workspace as the window sees it: core objects plus change signals.

Views never talk to each other: a change goes through the core (usually via an
undo command in ``ui.commands``), then the session announces what changed and
every view that shows it refreshes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from gongkai_desktop.model import MeasureRecord, Role
from gongkai_desktop.roles import roles_for_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.units import UnitDirectory


class Session(QObject):
    recordChanged = Signal(str)  # measure id: status/explanation/… changed
    evidenceChanged = Signal(str)  # measure id: evidence added/removed
    profileChanged = Signal()

    def __init__(self, ws: Workspace, directory: UnitDirectory, parent: QObject | None = None):
        super().__init__(parent)
        self.ws = ws
        self.directory = directory
        self.roles: dict[str, frozenset[Role]] = roles_for_plan(ws.plan, ws.unit, directory)
        self.undo_stack = QUndoStack(self)
        self._records: dict[str, MeasureRecord] | None = None
        self.recordChanged.connect(self._forget_records)

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

    def _forget_records(self, _measure_id: str = "") -> None:
        self._records = None

    def close(self) -> None:
        self.undo_stack.clear()
        self.ws.close()
