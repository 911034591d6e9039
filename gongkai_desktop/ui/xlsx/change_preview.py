"""The preview of a filled-in checklist before anything is written.

Lists every change (举措 / 字段 / 原值 / 新值) and every problem with its sheet,
row and column. 应用 is only possible without problems; with problems the officer
may explicitly choose to apply the rows that have none. The dialog itself writes
nothing: it tells its caller which choice was made (``allow_partial``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.model import Plan, Status
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.list_table import ListTableModel
from gongkai_desktop.xlsx import ChecklistImport, ImportProblem, RecordChange

_Index = QModelIndex | QPersistentModelIndex
_SHORT = 80  # characters of a value shown in a cell; the tooltip has it all


def value_text(value: object) -> str:
    """A record value as a person reads it."""
    if isinstance(value, Status):
        return value.label
    if isinstance(value, tuple | list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _one_line(text: str, limit: int = _SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ChangeTableModel(ListTableModel):
    """One row per changed field; rows the workbook has problems in are greyed."""

    HEADERS = ("举措", "字段", "原值", "新值")

    def __init__(self, changes: Sequence[RecordChange], plan: Plan,
                 bad_rows: set[int] | frozenset[int] = frozenset(),
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._changes = list(changes)
        self._texts = {m.id: m.text for m in plan.measures()}
        self._bad_rows = set(bad_rows)

    def change(self, row: int) -> RecordChange:
        return self._changes[row]

    def row_total(self) -> int:
        return len(self._changes)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._changes):
            return None
        change = self._changes[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                text = _one_line(self._texts.get(change.measure_id, ""), 24)
                return f"{change.measure_id}  {text}"
            if column == 1:
                return change.label
            value = change.old if column == 2 else change.new
            return _one_line(value_text(value))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"{change.measure_id} {self._texts.get(change.measure_id, '')}"
            if column >= 2:
                text = value_text(change.old if column == 2 else change.new)
                return text or self.tr("（空）")
            if change.row in self._bad_rows:
                return self.tr("这一行有问题，不会导入")
            return None
        if role == Qt.ItemDataRole.ForegroundRole and change.row in self._bad_rows:
            return QBrush(style.MUTED_TEXT_COLOR)
        return None


class ProblemTableModel(ListTableModel):
    """Problems found in a workbook: 工作表 / 行 / 列 / 问题."""

    HEADERS = ("工作表", "行", "列", "问题")

    def __init__(self, problems: Sequence[ImportProblem], parent: Any = None) -> None:
        super().__init__(parent)
        self._problems = list(problems)

    def problem(self, row: int) -> ImportProblem:
        return self._problems[row]

    def row_total(self) -> int:
        return len(self._problems)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._problems):
            return None
        problem = self._problems[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                problem.sheet,
                self.tr("第{0}行").format(problem.row) if problem.row else "",
                problem.column,
                problem.message,
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem.message
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 3:
            return QBrush(style.OVERDUE_COLOR)
        return None


def warnings_label(owner: QWidget, warnings: Sequence[str]) -> QLabel:
    """The importer's warnings, one 提示 line each (in ``owner``'s words); hidden if none."""
    label = QLabel("\n".join(owner.tr("提示：{0}").format(w) for w in warnings))
    label.setWordWrap(True)
    label.setVisible(bool(warnings))
    return label


def make_table(model: QAbstractTableModel, stretch: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    for column in range(model.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class ChangePreviewDialog(QDialog):
    """Shows what an imported checklist would change; ``accepted`` means apply."""

    def __init__(self, result: ChecklistImport, plan: Plan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checklist = result
        self.allow_partial = False
        self.setWindowTitle(self.tr("导入Excel清单 — 核对更改"))
        self.setMinimumSize(860, 520)
        bad_rows = {p.row for p in result.problems}
        self.applicable = [c for c in result.changes if c.row not in bad_rows]

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.summary = QLabel(self._summary_text())
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.change_model = ChangeTableModel(result.changes, plan, bad_rows, self)
        self.change_view = make_table(self.change_model, stretch=3)
        self.change_view.setAccessibleName(self.tr("将要导入的更改"))
        header = self.change_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 250)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 170)
        layout.addWidget(self.change_view, 3)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()}; font-weight: bold;")
        self.problem_model = ProblemTableModel(result.problems, self)
        self.problem_view = make_table(self.problem_model, stretch=3)
        self.problem_view.setAccessibleName(self.tr("表格中的问题"))
        layout.addWidget(self.problem_label)
        layout.addWidget(self.problem_view, 2)
        if result.problems:
            self.problem_label.setText(self.tr(
                "表格中有 {n} 处问题。请在Excel中改正后重新导入；"
                "或者选择“只应用无问题的行”：有问题的行整行不导入（上表中灰色显示）。"
            ).format(n=len(result.problems)))
        else:
            self.problem_label.hide()
            self.problem_view.hide()

        self.warning_label = warnings_label(self, result.warnings)
        layout.addWidget(self.warning_label)

        self.note = QLabel(self.tr(
            "应用后不能用“撤销”（Ctrl+Z）恢复，此前的撤销记录也会清空；"
            "每处更改都记入该举措的修改历史（注明来自哪个Excel文件）。"
        ))
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        layout.addWidget(self.note)

        self.buttons = QDialogButtonBox()
        self.apply_button = QPushButton(self.tr("应用"))
        self.apply_button.setDefault(True)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.partial_button = QPushButton(
            self.tr("只应用无问题的行（{n} 处更改）").format(n=len(self.applicable)))
        self.buttons.addButton(self.partial_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout.addWidget(self.buttons)

        self.apply_button.setEnabled(not result.problems and bool(result.changes))
        self.partial_button.setVisible(bool(result.problems))
        self.partial_button.setEnabled(bool(self.applicable))
        if not result.changes and not result.problems:
            self.cancel_button.setText(self.tr("关闭"))
        self.apply_button.clicked.connect(self._apply_all)
        self.partial_button.clicked.connect(self._apply_partial)
        self.buttons.rejected.connect(self.reject)
        manage_window(self, "change_preview", (980, 620))

    def _summary_text(self) -> str:
        result = self.checklist
        exported = ""
        if result.exported_at:
            exported = f"（{result.exported_at[:16].replace('T', ' ')} 导出）"
        head = self.tr("从“{name}”{exported}读取了 {rows} 项举措。").format(
            name=result.source_name, exported=exported, rows=result.rows)
        if not result.changes:
            return head + self.tr("表格与工作区一致，没有需要导入的更改。")
        measures = len(result.measure_ids())
        return head + self.tr("共 {n} 处更改，涉及 {m} 项举措：").format(
            n=len(result.changes), m=measures)

    def _apply_all(self) -> None:
        if self.checklist.problems or not self.checklist.changes:
            return
        self.allow_partial = False
        self.accept()

    def _apply_partial(self) -> None:
        if not self.applicable:
            return
        self.allow_partial = True
        self.accept()
