"""The import dialog's rows: one file of the batch (what its preview found, then what
importing it did) and the table model that shows them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from gongkai_desktop.bundle.batch import ALREADY_TEXT
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.list_table import ListTableModel

if TYPE_CHECKING:
    from gongkai_desktop.bundle.importer import ImportPreview, ImportResult

Index = QModelIndex | QPersistentModelIndex
IMPORTED_COLOR = style.status_color("done")
KEY_COLOR = QColor("#b06000")


@dataclass
class ImportRow:
    """One file of the batch: what the preview found, then what importing it did."""

    path: Path
    group: str = ""  # the bundle it belongs to (parts of one bundle share it)
    preview: ImportPreview | None = None
    error: str = ""  # why it is refused before importing
    accepted_key: bool = False  # the supervisor accepted the key not trusted yet
    refused_key: bool = False  # ... or refused it (then the bundle is not imported)
    result: ImportResult | None = None

    @property
    def refused(self) -> bool:
        if self.result is not None:
            return self.result.outcome.value == "refused"
        return bool(self.error)

    @property
    def needs_key(self) -> bool:
        """A key not trusted yet and no choice made about it."""
        return bool(self.preview is not None and self.preview.needs_key_acceptance
                    and not self.accepted_key and not self.refused_key and self.result is None)

    @property
    def key(self) -> tuple[str, str] | None:
        """(unit id, fingerprint) of the signer, once previewed."""
        if self.preview is None:
            return None
        return self.preview.unit.id, self.preview.trust.cert.fingerprint

    @property
    def importable(self) -> bool:
        return self.result is None and self.preview is not None and not self.error

    @property
    def sort_key(self) -> tuple[str, str, int] | None:
        """(unit name, unit id, sequence) once read: the batch's order (``batch.batch_order``)."""
        p = self.preview
        return None if p is None else (p.unit.name, p.unit.id, p.sequence)

    def status(self) -> str:
        """Where this file stands, in the command line's words (``batch.state_text``)."""
        from gongkai_desktop.bundle.batch import state_text

        if self.result is not None:
            return state_text(self.result.outcome, self.result.message)
        if self.error:
            from gongkai_desktop.bundle.importer import Outcome

            return state_text(Outcome.REFUSED, self.error)
        p = self.preview
        return state_text(
            None if p is None else p.outcome,
            needs_key=p is not None and p.needs_key_acceptance,
            first_contact=p is not None and p.trust.state.value == "new",
            accepted_key=self.accepted_key, refused_key=self.refused_key)


class ImportTableModel(ListTableModel):
    """One row per file: file, unit, export date, sequence, changes, status/result."""

    HEADERS = ("文件", "单位", "导出时间", "序号", "变化", "结果")
    STATUS = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ImportRow] = []

    def set_rows(self, rows: list[ImportRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def refresh(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.HEADERS) - 1))

    def row_total(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(row, col)
            if role == Qt.ItemDataRole.ToolTipRole:
                return str(row.path) if col == 0 else (text if col == self.STATUS else None)
            return text
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS:
            if row.refused:
                return style.OVERDUE_COLOR
            if row.result is not None and row.result.outcome.value == "imported":
                return IMPORTED_COLOR
            if row.needs_key:
                return KEY_COLOR
            if row.status() == ALREADY_TEXT:
                return style.MUTED_TEXT_COLOR
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: ImportRow, col: int) -> str:
        p = row.preview
        if col == 0:
            return row.path.name
        if col == self.STATUS:
            return row.status()
        if p is None:
            return ""
        if col == 1:
            return p.unit.name
        if col == 2:
            return p.exported_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if col == 3:
            return str(p.sequence)
        if p.outcome.value == "already":
            return "—"
        return self.tr("{n} 项举措").format(n=len(p.changes)) if p.changes else self.tr("无变化")
