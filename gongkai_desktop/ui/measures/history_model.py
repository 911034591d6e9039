"""A measure's audit log as a table: 时间, 操作人, 字段, 原值 → 新值 (newest first)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from gongkai_desktop.model import STATUS_LABELS, Status
from gongkai_desktop.storage.entities import AuditEntry
from gongkai_desktop.ui.workspace.commands import FIELD_NAMES
from gongkai_desktop.ui.workspace.session import Session

HEADERS = ("时间", "操作人", "字段", "原值 → 新值")

ACTION_NAMES = {
    "create": "创建工作区",
    "update_record": "修改",
    "update_profile": "修改单位信息",
    "add_evidence": "添加佐证材料",
    "remove_evidence": "删除佐证材料",
    "restore_evidence": "恢复佐证材料",
    "import": "导入",
    "import_records": "导入",
}
EMPTY = "（空）"
SHORT = 60  # characters of a long text shown in the cell; the tooltip has it all


EVIDENCE_ACTIONS = {
    "add_evidence": "添加佐证材料",
    "remove_evidence": "删除佐证材料",
    "restore_evidence": "恢复佐证材料",
}


def field_name(entry: AuditEntry) -> str:
    if entry.action in EVIDENCE_ACTIONS:
        return EVIDENCE_ACTIONS[entry.action]
    if entry.field:
        return FIELD_NAMES.get(entry.field, entry.field)
    return ACTION_NAMES.get(entry.action, entry.action)


def value_text(field: str | None, value: str | None) -> str:
    """A stored audit value as a person reads it."""
    if value is None or value == "":
        return EMPTY
    if field == "status":
        try:
            return STATUS_LABELS[Status(value)]
        except ValueError:
            return value
    if field == "evidence":
        try:
            data = json.loads(value)
        except ValueError:
            return value
        if not isinstance(data, dict):
            return value
        return str(data.get("file_name") or data.get("title") or data.get("url") or value)
    if field == "urls":
        try:
            urls = json.loads(value)
        except ValueError:
            return value
        return "；".join(str(u) for u in urls) if urls else EMPTY
    return value


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT else flat[: SHORT - 1] + "…"


class HistoryModel(QAbstractTableModel):
    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.measure_id: str | None = None
        self._entries: list[AuditEntry] = []
        session.recordChanged.connect(self._on_changed)
        session.evidenceChanged.connect(self._on_changed)

    def set_measure(self, measure_id: str | None) -> None:
        self.measure_id = measure_id
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        entries = self.session.ws.audit_log(self.measure_id) if self.measure_id else []
        self._entries = list(reversed(entries))  # newest first
        self.endResetModel()

    def _on_changed(self, measure_id: str) -> None:
        if self.measure_id is not None and measure_id in (self.measure_id, ""):
            self.reload()

    def entry(self, row: int) -> AuditEntry:
        return self._entries[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):
            return HEADERS[section]
        return None

    def change_text(self, entry: AuditEntry, *, short: bool) -> str:
        if entry.action in EVIDENCE_ACTIONS:
            return value_text("evidence", entry.new or entry.old)
        old = value_text(entry.field, entry.old)
        new = value_text(entry.field, entry.new)
        if short:
            old, new = _short(old), _short(new)
        return f"{old} → {new}"

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return entry.at.strftime("%Y-%m-%d %H:%M:%S")
            if column == 1:
                return entry.actor or "—"
            if column == 2:
                return field_name(entry)
            if column == 3:
                return self.change_text(entry, short=True)
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return self.change_text(entry, short=False)
        return None
