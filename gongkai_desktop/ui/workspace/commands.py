"""Undo commands: every edit the window makes goes through one of these.

Each step (do, undo, redo) is one call into the core, so one transaction and its
audit rows; afterwards ``Session.apply_changes`` tells the views what changed (the
record or evidence of the measure the core call returned).

``perform(session, command)`` applies a command and only then pushes it, so an
edit the core refuses (``InvalidInput`` …) raises to the caller and leaves the
undo stack untouched. Pushing a command directly also works: its first ``redo``
then does the work, and a refusal is shown through ``ui.errors``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtGui import QUndoCommand

from gongkai_desktop.changes import Changes
from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.entities import CLEAR, EvidenceItem
from gongkai_desktop.storage.records import FIELD_LABELS
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.workspace.session import Session

RECORD_FIELDS = ("status", "reason", "completed_on", "explanation", "urls", "remarks")
TEXT_FIELDS = frozenset({"reason", "explanation", "urls", "remarks"})
FIELD_NAMES = FIELD_LABELS  # the core's names, so window, log and reports agree

TYPING_COMMAND_ID = 0x6B01  # same id for every typing edit; mergeWith decides
MERGE_WINDOW_SECONDS = 8.0  # a pause longer than this starts a new undo step


def actor_of(session: Session) -> str:
    """Who the audit log names: the workspace's 负责人 when one is set."""
    profile = getattr(session.ws, "profile", None)
    return str(getattr(profile, "officer", "") or "")


def _value(record: MeasureRecord, field: str) -> Any:
    return getattr(record, field)


def _core_kwargs(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Record values → ``update_record`` keywords (a removed date needs ``CLEAR``)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in RECORD_FIELDS:
            raise KeyError(key)
        if key == "completed_on" and value is None:
            out[key] = CLEAR
        elif key == "urls":
            out[key] = list(value)
        else:
            out[key] = value
    return out


class _CoreCommand(QUndoCommand):
    """Tracks whether the first ``redo`` still has to do the work."""

    def __init__(self, session: Session, text: str) -> None:
        super().__init__(text)
        self.session = session
        self._applied = False

    def apply(self) -> None:
        """The first application; raises the core's error (nothing is then changed)."""
        self._do()
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False  # next redo (after an undo) really redoes
            return
        try:
            self._redo()
        except Exception as exc:  # pushed directly and refused, or a disk error
            self.setObsolete(True)
            show_error(None, exc)

    def undo(self) -> None:
        try:
            self._undo()
        except Exception as exc:
            show_error(None, exc)

    def _do(self) -> None:
        self._redo()

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError


def perform(session: Session, command: _CoreCommand) -> None:
    """Apply ``command`` through the core, then put it on the undo stack.

    Raises what the core raises; the stack is then unchanged.
    """
    command.apply()
    session.undo_stack.push(command)


class EditRecordCommand(_CoreCommand):
    """Change some fields of one measure's record; undo puts the old values back.

    ``changes`` maps field names of ``MeasureRecord`` to new values (``urls`` a
    sequence, ``completed_on`` a date or None to remove it, ``status`` a Status).
    """

    def __init__(self, session: Session, measure_id: str, changes: Mapping[str, Any],
                 text: str = "") -> None:
        unknown = set(changes) - set(RECORD_FIELDS)
        if unknown:
            raise KeyError(f"unknown record fields: {sorted(unknown)}")
        super().__init__(session, text or self._describe(changes))
        self.measure_id = measure_id
        self.changes: dict[str, Any] = dict(changes)
        if "urls" in self.changes:
            self.changes["urls"] = tuple(self.changes["urls"])
        before = session.ws.record(measure_id)
        # Status and its reason/date travel together, so undoing a status change
        # never trips the "不适用 needs a reason" rule halfway.
        restore = set(self.changes)
        if "status" in restore:
            restore |= {"reason", "completed_on"}
        self.old: dict[str, Any] = {f: _value(before, f) for f in RECORD_FIELDS if f in restore}
        self._sealed = False
        self._last_edit = time.monotonic()

    @staticmethod
    def _describe(changes: Mapping[str, Any]) -> str:
        if "status" in changes:
            return f"将状态改为“{Status(changes['status']).label}”"
        names = "、".join(FIELD_NAMES[f] for f in RECORD_FIELDS if f in changes)
        return f"修改{names}"

    # -- the work -----------------------------------------------------------------

    def _update(self, values: Mapping[str, Any]) -> None:
        saved = self.session.ws.update_record(
            self.measure_id, **_core_kwargs(values), actor=actor_of(self.session)
        )
        self.session.apply_changes(Changes.of_records([saved.measure_id]))

    def _redo(self) -> None:
        self._update(self.changes)

    def _undo(self) -> None:
        self._update(self.old)

    def redo(self) -> None:
        first = self._applied
        super().redo()
        if not first:
            self._sealed = True  # typing after an undo/redo is a step of its own

    def undo(self) -> None:
        super().undo()
        self._sealed = True

    # -- merging typing -----------------------------------------------------------

    def typing_field(self) -> str | None:
        """The one text field this command changes, if that is all it does."""
        if len(self.changes) == 1:
            (field,) = self.changes
            if field in TEXT_FIELDS:
                return field
        return None

    def seal(self) -> None:
        """No further typing merges into this step (focus left the field, measure changed)."""
        self._sealed = True

    def id(self) -> int:
        return TYPING_COMMAND_ID if self.typing_field() else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditRecordCommand):
            return False
        field = self.typing_field()
        if (
            field is None
            or self._sealed
            or other.measure_id != self.measure_id
            or other.typing_field() != field
            or other._last_edit - self._last_edit > MERGE_WINDOW_SECONDS
        ):
            return False
        self.changes[field] = other.changes[field]
        self._last_edit = other._last_edit
        # Typed and then deleted back to where it was: nothing left to undo.
        self.setObsolete(self.changes[field] == self.old.get(field))
        return True


def seal_typing(session: Session) -> None:
    """End the current typing step, so the next edit is undone separately."""
    stack = session.undo_stack
    index = stack.index() - 1
    if index >= 0:
        top = stack.command(index)
        if isinstance(top, EditRecordCommand):
            top.seal()


class AddEvidenceCommand(_CoreCommand):
    """Evidence added to a measure; undo removes it, redo restores the same items.

    Either pass ``items`` already stored (a worker thread imported them), or
    ``add``, a function that stores one item through the workspace it is given.
    """

    def __init__(self, session: Session, measure_id: str, *,
                 items: Sequence[EvidenceItem] = (),
                 add: Callable[[Workspace], EvidenceItem] | None = None,
                 text: str = "") -> None:
        count = len(items) if items else 1
        super().__init__(session, text or f"添加佐证材料（{count} 项）")
        self.measure_id = measure_id
        self.items: list[EvidenceItem] = list(items)
        self._add = add
        self._in_workspace = bool(items)  # a worker stored them: the first redo only announces

    def _redo(self) -> None:
        if self._in_workspace:
            self._in_workspace = False
        elif self._add is not None and not self.items:
            self.items = [self._add(self.session.ws)]
        else:
            actor = actor_of(self.session)
            self.items = [self.session.ws.restore_evidence(item, actor=actor)
                          for item in self.items]
        self.session.apply_changes(Changes.of_evidence([self.measure_id]))

    def _undo(self) -> None:
        removed = [self.session.ws.remove_evidence(item.id, actor=actor_of(self.session))
                   for item in reversed(self.items)]
        self.session.apply_changes(
            Changes.of_evidence([self.measure_id, *(item.measure_id for item in removed)]))


class RemoveEvidenceCommand(_CoreCommand):
    """Evidence removed; undo puts the same items back (same content, name and note)."""

    def __init__(self, session: Session, items: Sequence[EvidenceItem], text: str = "") -> None:
        names = "、".join(_item_name(i) for i in items[:2]) + ("等" if len(items) > 2 else "")
        super().__init__(session, text or f"删除佐证材料“{names}”")
        self.items: list[EvidenceItem] = list(items)

    @property
    def measure_id(self) -> str:
        return self.items[0].measure_id if self.items else ""

    def _redo(self) -> None:
        actor = actor_of(self.session)
        self.items = [self.session.ws.remove_evidence(item.id, actor=actor) for item in self.items]
        self.session.apply_changes(Changes.of_evidence(item.measure_id for item in self.items))

    def _undo(self) -> None:
        actor = actor_of(self.session)
        self.items = [self.session.ws.restore_evidence(item, actor=actor) for item in self.items]
        self.session.apply_changes(Changes.of_evidence(item.measure_id for item in self.items))


def _item_name(item: EvidenceItem) -> str:
    return item.file_name or item.title or item.url

