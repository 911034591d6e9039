"""Importing a task breakdown (任务分工) from Excel: name it, read it, review it, save it.

- ``PlanInfoDialog``: 计划编号 / 标题 / 文号 / 印发日期 / 印发机关 for the workbook.
- ``PlanImportDialog``: the parsed tree (重点任务 → 子任务 → 举措 with units and
  deadline), the unit names the directory lacks, problems and hints; 保存到计划库
  stores the plan (refused while the table has problems).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QStringListModel,
    Qt,
)
from PySide6.QtGui import QBrush, QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import GongkaiError
from gongkai_desktop.model import Measure, Plan
from gongkai_desktop.plan.library import PlanLibrary, bundled_plan
from gongkai_desktop.plan.source import is_valid_plan_id
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.xlsx.change_preview import (
    ProblemTableModel,
    make_table,
    warnings_label,
)
from gongkai_desktop.xlsx import PlanImport

_Index = QModelIndex | QPersistentModelIndex
NO_DATE = QDate(2000, 1, 1)  # the date edit's minimum, shown as "不填写"
_DOC_NUMBER = re.compile(r"(\d{4})\s*[〕\])）]\s*(\d{1,4})\s*号")


@dataclass(frozen=True, slots=True)
class PlanFields:
    path: Path
    plan_id: str
    title: str
    document_number: str = ""
    issued: dt.date | None = None
    issuer: str = ""


def suggest_plan_id(document_number: str) -> str:
    """渝府办发〔2021〕45号 → cq-2021-45; empty when the number has no year and serial."""
    match = _DOC_NUMBER.search(document_number)
    return f"cq-{match.group(1)}-{match.group(2)}" if match else ""


class PlanInfoDialog(QDialog):
    """What the workbook does not say about itself; ``fields()`` after ``accepted``."""

    def __init__(self, path: Path, library: PlanLibrary | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.library = library or PlanLibrary()
        self._id_touched = False
        self.setWindowTitle(self.tr("导入任务分工（Excel）"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("从“{name}”导入新的任务分工。请填写它的基本信息：").format(
            name=self.path.name))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.title_edit = QLineEdit(self.path.stem)
        self.title_edit.setMaxLength(200)
        form.addRow(self.tr("标题(&T)："), self.title_edit)
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText(self.tr("如：渝府办发〔2021〕45号"))
        self.number_edit.setMaxLength(100)
        form.addRow(self.tr("文号(&N)："), self.number_edit)
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText(self.tr("如：cq-2021-45（小写字母、数字、“-”）"))
        self.id_edit.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"[a-z0-9][a-z0-9._-]{0,63}"), self.id_edit))
        form.addRow(self.tr("计划编号(&I)："), self.id_edit)
        self.issued_edit = QDateEdit()
        self.issued_edit.setCalendarPopup(True)
        self.issued_edit.setDisplayFormat("yyyy-MM-dd")
        self.issued_edit.setMinimumDate(NO_DATE)
        self.issued_edit.setSpecialValueText(self.tr("不填写"))
        self.issued_edit.setDate(NO_DATE)
        form.addRow(self.tr("印发日期(&D)："), self.issued_edit)
        self.issuer_edit = QLineEdit()
        self.issuer_edit.setPlaceholderText(self.tr("如：重庆市人民政府办公厅"))
        self.issuer_edit.setMaxLength(100)
        form.addRow(self.tr("印发机关(&O)："), self.issuer_edit)
        layout.addLayout(form)
        hint = QLabel(self.tr(
            "印发日期用于把“年底前”等时限换算成日期；不填写时取标题或表格中的年份。"))
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        layout.addWidget(hint)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")
        layout.addWidget(self.problem)

        self.buttons = QDialogButtonBox()
        self.read_button = self.buttons.addButton(
            self.tr("读取表格"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.number_edit.textChanged.connect(self._number_changed)
        self.id_edit.textEdited.connect(self._id_edited)
        for edit in (self.id_edit, self.title_edit):
            edit.textChanged.connect(self._update_state)
        self._update_state()
        manage_window(self, "plan_info")

    def _number_changed(self, text: str) -> None:
        if not self._id_touched:
            self.id_edit.setText(suggest_plan_id(text))

    def _id_edited(self, _text: str) -> None:
        self._id_touched = True

    def _update_state(self) -> None:
        plan_id = self.id_edit.text().strip()
        problem, blocked = "", True
        if plan_id and not is_valid_plan_id(plan_id):
            problem = self.tr("计划编号只能由小写字母、数字、“.”“_”“-”组成")
        elif plan_id == bundled_plan().info.id:
            problem = self.tr("“{0}”是内置任务分工的编号，请换一个").format(plan_id)
        elif plan_id and self.library.path_for(plan_id).exists():
            problem = self.tr(
                "计划库中已有编号为“{0}”的任务分工；保存时可以选择替换它").format(plan_id)
            blocked = False  # only a note: the review dialog asks to replace
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        blocked = blocked and bool(problem)
        self.read_button.setEnabled(
            bool(plan_id) and bool(self.title_edit.text().strip()) and not blocked)

    def fields(self) -> PlanFields:
        date = self.issued_edit.date()
        issued = None if date == NO_DATE else dt.date(date.year(), date.month(), date.day())
        return PlanFields(
            path=self.path,
            plan_id=self.id_edit.text().strip(),
            title=self.title_edit.text().strip(),
            document_number=self.number_edit.text().strip(),
            issued=issued,
            issuer=self.issuer_edit.text().strip(),
        )

    def accept(self) -> None:
        if self.read_button.isEnabled():
            super().accept()


# ---- the parsed tree -----------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    parent: int  # node number; -1 for an area
    row: int
    texts: tuple[str, str, str, str]
    tooltip: str = ""
    unknown: tuple[str, ...] = ()
    children: list[int] = field(default_factory=list)


class ImportedPlanModel(QAbstractItemModel):
    """重点任务 → 子任务 → 举措, with 牵头单位 / 责任单位 / 完成时限 on measure rows."""

    HEADERS = ("任务与举措", "牵头单位", "责任单位", "完成时限")

    def __init__(self, plan: Plan, unknown_units: list[str] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._unknown = set(unknown_units or ())
        self._nodes: list[_Node] = []
        self._top: list[int] = []
        self._bold = QFont()
        self._bold.setBold(True)
        for a_row, area in enumerate(plan.areas):
            area_no = self._add(-1, a_row, (f"{area.label}、{area.title}" if area.label
                                            else area.title, "", "", ""))
            self._top.append(area_no)
            for s_row, sub in enumerate(area.subtasks):
                sub_no = self._add(area_no, s_row, (f"{sub.label}{sub.title}", "", "", ""))
                for m_row, m in enumerate(sub.measures):
                    self._add_measure(sub_no, m_row, m)

    def _add(self, parent: int, row: int, texts: tuple[str, str, str, str]) -> int:
        number = len(self._nodes)
        self._nodes.append(_Node(parent, row, texts, tooltip=texts[0]))
        if parent >= 0:
            self._nodes[parent].children.append(number)
        return number

    def _add_measure(self, parent: int, row: int, m: Measure) -> None:
        deadline = m.deadline.date.isoformat() if m.deadline.date else ""
        if m.deadline.note:
            deadline = f"{deadline}（{m.deadline.note}）" if deadline else m.deadline.note
        number = self._add(parent, row, (
            f"{m.id}  {m.label}{m.text}", "、".join(m.lead_units),
            "、".join(m.responsible_units) or "——", deadline))
        node = self._nodes[number]
        node.tooltip = f"{m.id} {m.label}{m.text}"
        node.unknown = tuple(n for n in (*m.lead_units, *m.responsible_units)
                             if n in self._unknown)

    def detail_text(self, index: _Index) -> str:
        """Everything about one row as plain lines (the review pane under the tree)."""
        if not index.isValid():
            return ""
        node = self._nodes[index.internalId()]
        if not node.texts[1] and not node.texts[2]:
            return node.tooltip
        lines = [node.tooltip,
                 self.tr("牵头单位：{0}").format(node.texts[1] or "——"),
                 self.tr("责任单位：{0}").format(node.texts[2])]
        if node.texts[3]:
            lines.append(self.tr("完成时限：{0}").format(node.texts[3]))
        if node.unknown:
            lines.append(self.tr("不在单位名录中：{0}").format("、".join(node.unknown)))
        return "\n".join(lines)

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        children = self._nodes[parent.internalId()].children if parent.isValid() else self._top
        if 0 <= row < len(children) and 0 <= column < len(self.HEADERS):
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid():
            return QModelIndex()
        parent = self._nodes[child.internalId()].parent
        if parent < 0:
            return QModelIndex()
        return self.createIndex(self._nodes[parent].row, 0, parent)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.column() > 0:
            return 0
        return len(self._nodes[parent.internalId()].children if parent.isValid() else self._top)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return node.texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return node.tooltip
            if column in (1, 2) and node.unknown:
                return self.tr("{units}\n不在单位名录中：{unknown}").format(
                    units=node.texts[column], unknown="、".join(node.unknown))
            return node.texts[column] or None
        if role == Qt.ItemDataRole.FontRole and node.parent < 0:
            return self._bold
        if (role == Qt.ItemDataRole.ForegroundRole and column in (1, 2)
                and any(u in node.texts[column].split("、") for u in node.unknown)):
            return QBrush(style.OVERDUE_COLOR)
        return None


class PlanImportDialog(QDialog):
    """Review of a parsed task breakdown; 保存到计划库 stores it (``saved_path``)."""

    def __init__(self, result: PlanImport, library: PlanLibrary | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.imported = result
        self.library = library or PlanLibrary()
        self.saved_path: Path | None = None
        plan = result.plan
        info = plan.info
        self.setWindowTitle(self.tr("导入任务分工 — 核对"))
        self.setMinimumSize(900, 560)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        heading = QLabel(f"{info.title}")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        details = [self.tr("计划编号 {0}").format(info.id)]
        if info.document_number:
            details.append(info.document_number)
        details.append(self.tr("印发日期 {0}").format(info.issued.isoformat()))
        if info.issuer:
            details.append(info.issuer)
        self.summary = QLabel("　".join(details) + "\n" + self.tr(
            "从工作表“{sheet}”读取了 {areas} 项重点任务、{subs} 项子任务、{measures} 项举措。"
            "请逐项核对后保存。").format(
                sheet=result.sheet, areas=len(plan.areas), subs=len(plan.subtasks()),
                measures=len(plan.measures())))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tree_model = ImportedPlanModel(plan, result.unknown_units, self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setAccessibleName(self.tr("读取到的任务分工"))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 130), (2, 150), (3, 96)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.tree.expandAll()
        # The whole text of the chosen row: reviewing every word is the point here.
        self.detail = QLabel(self.tr("选中一行，在这里查看完整内容。"))
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 3 + 8)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setStyleSheet("QLabel { border: 1px solid palette(mid); padding: 4px; }")
        self.tree.selectionModel().currentChanged.connect(self._show_detail)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.detail)
        splitter.addWidget(left)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        unknown_title = QLabel(self.tr("不在单位名录中的单位（{n}）").format(
            n=len(result.unknown_units)))
        unknown_title.setStyleSheet("font-weight: bold;")
        side_layout.addWidget(unknown_title)
        self.unknown_model = QStringListModel(result.unknown_units, self)
        self.unknown_view = QListView()
        self.unknown_view.setModel(self.unknown_model)
        self.unknown_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.unknown_view.setAccessibleName(self.tr("不在单位名录中的单位"))
        side_layout.addWidget(self.unknown_view, 1)
        unknown_hint = QLabel(self.tr(
            "如是笔误，请在Excel中改正后重新导入；如确是本任务分工中的单位，可照常使用："
            "新建工作区时可以选择它。") if result.unknown_units
            else self.tr("表中的单位都在单位名录中。"))
        unknown_hint.setWordWrap(True)
        unknown_hint.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        side_layout.addWidget(unknown_hint)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([880, 170])
        layout.addWidget(splitter, 3)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(
            f"color: {style.OVERDUE_COLOR.name()}; font-weight: bold;")
        self.problem_model = ProblemTableModel(result.problems, self)
        self.problem_view = make_table(self.problem_model, stretch=3)
        self.problem_view.setAccessibleName(self.tr("表格中的问题"))
        layout.addWidget(self.problem_label)
        layout.addWidget(self.problem_view, 1)
        if result.problems:
            self.problem_label.setText(self.tr(
                "表格中有 {n} 处问题，改正前不能保存。请在Excel中改正后重新导入：").format(
                    n=len(result.problems)))
        else:
            self.problem_label.hide()
            self.problem_view.hide()
        self.warning_label = warnings_label(self, result.warnings)
        layout.addWidget(self.warning_label)

        bottom = QHBoxLayout()
        self.replace_check = QCheckBox(
            self.tr("替换计划库中编号同为“{0}”的任务分工").format(info.id))
        self.replace_check.setVisible(self.library.path_for(info.id).exists())
        bottom.addWidget(self.replace_check)
        bottom.addStretch(1)
        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("保存到计划库"))
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.replace_check.toggled.connect(self._update_state)
        self._update_state()
        manage_window(self, "plan_import", (1100, 720))

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.detail.setText(self.tree_model.detail_text(current))

    def _update_state(self) -> None:
        # An existing id needs the explicit choice to replace it (isHidden: not yet shown).
        blocked = not self.replace_check.isHidden() and not self.replace_check.isChecked()
        self.save_button.setEnabled(not self.imported.problems and not blocked)

    def save(self) -> bool:
        """Store the plan; True when stored (the dialog then closes)."""
        if self.imported.problems:
            return False
        try:
            self.saved_path = self.library.add(
                self.imported.plan, replace=self.replace_check.isChecked())
        except GongkaiError as exc:
            show_error(self, exc, self.tr("没有保存"))
            return False
        self.accept()
        return True
