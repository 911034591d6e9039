"""The consolidation matrix as a table model: rows are units, columns are measures.

Built for 100 units × 5,000 measures: ``data()`` reads one byte of the
consolidation's per-row code strings and returns objects made once (colours,
brushes, short texts), so painting allocates nothing per cell beyond what Qt
converts. Header texts (with each unit's and each measure's completion) are
made once per reset. Tooltips, asked one at a time, are made on demand.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from gongkai_desktop.bundle.consolidation import CellState, Consolidation, Counts
from gongkai_desktop.ui.common import style

Index = QModelIndex | QPersistentModelIndex
StateRole = Qt.ItemDataRole.UserRole + 1  # the cell's CellState value (int)
OverdueRole = Qt.ItemDataRole.UserRole + 2  # bool
CompletionRole = Qt.ItemDataRole.UserRole + 3  # header: float | None (0…1)
UnitIdRole = Qt.ItemDataRole.UserRole + 4  # vertical header: the unit's id
MeasureIdRole = Qt.ItemDataRole.UserRole + 5  # horizontal header: the measure's id

# One short mark per state; the colour carries the rest (marks keep it readable in grey).
MARKS: dict[CellState, str] = {
    CellState.NONE: "", CellState.MISSING: "缺", CellState.NOT_STARTED: "○",
    CellState.IN_PROGRESS: "◐", CellState.DONE: "✓", CellState.NOT_APPLICABLE: "—",
}
OVERDUE_MARK = "!"
MISSING_COLOR = QColor("#e8a27c")  # 未报送: no bundle from the unit yet


def state_color(state: CellState) -> QColor:
    """The full colour of a state (legends, headers); cells use a light tint of it."""
    if state is CellState.MISSING:
        return QColor(MISSING_COLOR)
    status = state.status
    return style.status_color(status) if status is not None else QColor("#ffffff")


def _tint(color: QColor, strength: float) -> QColor:
    """``color`` mixed into white: light enough for dark text on top."""
    return QColor(round(255 - (255 - color.red()) * strength),
                  round(255 - (255 - color.green()) * strength),
                  round(255 - (255 - color.blue()) * strength))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def counts_text(counts: Counts) -> str:
    parts = [f"应报 {counts.cells}", f"已完成 {counts.done}", f"推进中 {counts.in_progress}",
             f"未开始 {counts.not_started}", f"不适用 {counts.not_applicable}"]
    if counts.missing:
        parts.append(f"未报送 {counts.missing}")
    if counts.overdue:
        parts.append(f"逾期 {counts.overdue}")
    return "，".join(parts)


def _overdue_rows(cons: Consolidation) -> list[bytes]:
    """One byte string of overdue flags per row."""
    return [cons.row_overdue(r) for r in range(cons.row_count)]


class ConsolidationModel(QAbstractTableModel):
    def __init__(self, cons: Consolidation | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cons: Consolidation | None = None
        self._rows: list[bytes] = []
        self._late: list[bytes] = []
        self._row_headers: list[str] = []
        self._col_headers: list[str] = []
        # Per code (index = CellState value; +8 = overdue): made once, returned as is.
        self._text: list[str] = [""] * 16
        self._background: list[QBrush | None] = [None] * 16
        self._foreground: list[QBrush | None] = [None] * 16
        self._center = int(Qt.AlignmentFlag.AlignCenter)
        self._bold = QFont()
        self._bold.setBold(True)
        self._missing_header = QBrush(_tint(MISSING_COLOR, 0.35))
        self._review: Any = None  # review.matrix.ReviewMatrix: verdicts per cell
        for state in CellState:
            code = int(state)
            self._text[code] = MARKS[state]
            if state is not CellState.NONE:
                self._background[code] = QBrush(_tint(state_color(state), 0.28))
                self._text[code + 8] = MARKS[state] + OVERDUE_MARK
                self._background[code + 8] = QBrush(_tint(style.OVERDUE_COLOR, 0.30))
                self._foreground[code + 8] = QBrush(style.OVERDUE_COLOR.darker(140))
        if cons is not None:
            self.set_consolidation(cons)

    # ---- data ----------------------------------------------------------------------------

    @property
    def consolidation(self) -> Consolidation | None:
        return self._cons

    def set_consolidation(self, cons: Consolidation | None) -> None:
        self.beginResetModel()
        self._cons = cons
        if cons is None:
            self._rows, self._late, self._row_headers, self._col_headers = [], [], [], []
        else:
            self._rows = [cons.row_codes(r) for r in range(cons.row_count)]
            self._late = _overdue_rows(cons)
            self._row_headers = [row.shown_name for row in cons.units]
            self._col_headers = [f"{col.measure.id}\n{percent(col.counts.completion)}"
                                 for col in cons.measures]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._cons is None else self._cons.column_count

    def code(self, row: int, column: int) -> int:
        """The cell's CellState value, plus 8 when overdue."""
        return self._rows[row][column] + (self._late[row][column] << 3)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[self._rows[row][column] + (self._late[row][column] << 3)]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background[self._rows[row][column] + (self._late[row][column] << 3)]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground[self._rows[row][column] + (self._late[row][column] << 3)]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._center
        if role == Qt.ItemDataRole.DecorationRole:
            if self._review is None:
                return None
            state = self._review.state(row, column)
            return None if state is None else _review_icon(state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cell_tooltip(row, column) + self._review_tip(row, column)
        if role == StateRole:
            return self._rows[row][column]
        if role == OverdueRole:
            return bool(self._late[row][column])
        return None

    # ---- review (verdicts per cell) ------------------------------------------------------

    def set_review(self, matrix: Any) -> None:
        """Show the office's verdicts (a ``review.matrix.ReviewMatrix``) on the cells."""
        self._review = matrix
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, self.columnCount() - 1))

    @property
    def review(self) -> Any:
        return self._review

    def review_changed(self, unit_id: str, cons: Consolidation) -> None:
        """Repaint one unit's row after its verdicts changed."""
        row = next((n for n, r in enumerate(cons.units) if r.unit.id == unit_id), None)
        if row is not None and self.columnCount():
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _review_tip(self, row: int, column: int) -> str:
        state = self._review.state(row, column) if self._review is not None else None
        if state is None:
            return ""
        text = self._review.comment(row, column)
        return f"\n审核：{state.label}" + (f"：{text}" if text else "")

    def _review_counts(self, counts: Any) -> str:
        from gongkai_desktop.review.matrix import counts_text

        return f"\n审核：{counts_text(counts)}" if counts else ""

    def cell_tooltip(self, row: int, column: int) -> str:
        cons = self._cons
        assert cons is not None
        unit = cons.units[row]
        measure = cons.measures[column].measure
        state = cons.state(row, column)
        if state is CellState.NONE:
            what = "不承担该举措"
        else:
            what = state.label + ("（逾期）" if cons.is_overdue(row, column) else "")
        text = measure.text if len(measure.text) <= 80 else measure.text[:79] + "…"
        tip = f"{unit.shown_name} · 举措 {measure.id}\n{text}\n状态：{what}"
        if state is not CellState.NONE and unit.reported:
            tip += "\n（点击查看该单位的填报内容和佐证材料）"
        return tip

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cons = self._cons
        if cons is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self._row_headers):
                return None
            row = cons.units[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return self._row_headers[section]
            if role == CompletionRole:
                return row.counts.completion
            if role == UnitIdRole:
                return row.unit.id
            if role == Qt.ItemDataRole.BackgroundRole:
                return None if row.reported else self._missing_header
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.unit_tooltip(section)
            return None
        if not 0 <= section < len(self._col_headers):
            return None
        col = cons.measures[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._col_headers[section]
        if role == CompletionRole:
            return col.counts.completion
        if role == MeasureIdRole:
            return col.measure.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._center
        if role == Qt.ItemDataRole.ForegroundRole and col.counts.overdue:
            return QBrush(style.OVERDUE_COLOR.darker(120))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.measure_tooltip(section)
        return None

    def unit_tooltip(self, row: int) -> str:
        assert self._cons is not None
        item = self._cons.units[row]
        lines = [item.unit.full_name or item.unit.name]
        if item.imported is not None:
            got = item.imported
            lines.append(f"数据包序号 {got.sequence}，导出于 "
                         f"{got.exported_at.astimezone().strftime('%Y-%m-%d %H:%M')}")
        else:
            lines.append("尚未收到该单位的数据包")
        lines.append(f"完成率 {percent(item.counts.completion)}（{counts_text(item.counts)}）")
        if self._review is not None:
            return "\n".join(lines) + self._review_counts(self._review.by_row.get(row))
        return "\n".join(lines)

    def measure_tooltip(self, column: int) -> str:
        assert self._cons is not None
        col = self._cons.measures[column]
        m = col.measure
        lines = [f"{m.id}　{m.text}"]
        if m.lead_units:
            lines.append(f"牵头单位：{'、'.join(m.lead_units)}")
        if m.deadline.date is not None:
            lines.append(f"截止时间：{m.deadline.date.isoformat()}")
        lines.append(f"完成率 {percent(col.counts.completion)}（{counts_text(col.counts)}）")
        if col.missing_unit_ids:
            lines.append(f"未报送单位 {len(col.missing_unit_ids)} 个")
        if self._review is not None:
            return "\n".join(lines) + self._review_counts(self._review.by_column.get(column))
        return "\n".join(lines)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _review_icon(state: Any) -> Any:
    from gongkai_desktop.ui.review import review_style

    return review_style.icon(state)


def legend() -> list[tuple[str, QColor, str]]:
    """(mark, colour, label) for the view's legend, in reading order."""
    order = (CellState.DONE, CellState.IN_PROGRESS, CellState.NOT_STARTED,
             CellState.NOT_APPLICABLE, CellState.MISSING)
    out = [(MARKS[s], _tint(state_color(s), 0.28), s.label) for s in order]
    out.append((OVERDUE_MARK, _tint(style.OVERDUE_COLOR, 0.30), "逾期"))
    return out

