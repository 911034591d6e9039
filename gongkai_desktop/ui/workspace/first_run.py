"""The "new workspace" dialog shown on first start: pick the plan and unit, name the people.

The plan is the bundled 2020 one unless another from the plan library is chosen.
For an imported plan the unit list also offers the units that plan names but the
directory lacks (a district plan's 区教委 …). The workspace goes to
``<user data>/workspaces/<unit name>.gkws`` (``<unit name>-<plan id>.gkws`` for an
imported plan). An existing file is never overwritten: the dialog offers to open it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
)
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop import APP_TITLE, file_kinds, paths
from gongkai_desktop.errors import GongkaiError
from gongkai_desktop.model import Plan, PlanInfo, Unit, UnitType
from gongkai_desktop.plan.library import PlanLibrary, bundled_plan
from gongkai_desktop.roles import is_group_word, must_report, roles_for_plan
from gongkai_desktop.storage import Workspace, safe_file_name
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.unit_choice import plan_unit_names, unit_for_plan
from gongkai_desktop.units import CUSTOM_PREFIX, UnitDirectory, normalize_name

SEARCH_LIMIT = 50
UNIT_TYPE_LABELS = {
    UnitType.DISTRICT: "区县政府",
    UnitType.DEPARTMENT: "市政府部门",
    UnitType.OTHER: "其他单位",
}
PLAN_UNIT_LABEL = "本任务分工中的单位"  # a unit the plan names, not in the directory
UnitRole = Qt.ItemDataRole.UserRole + 1
# Words naming many bodies at once (各镇街, 区级各部门, 有关单位): never a unit to pick.
_GROUP_WORDS = re.compile(r"^各|各(?:部门|单位|级)|(?:有关|相关)(?:部门|单位)")


def workspaces_dir() -> Path:
    folder = paths.user_data_dir() / "workspaces"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def workspace_path_for(unit: Unit, plan: Plan | None = None) -> Path:
    """Where a new workspace goes; one per unit and plan (the bundled plan's keeps the
    plain unit name, as before there was a choice of plans)."""
    name = unit.name
    if plan is not None and plan.info.id != bundled_plan().info.id:
        name = f"{unit.name}-{plan.info.id}"
    return workspaces_dir() / safe_file_name(f"{name}{file_kinds.WORKSPACE}")


def is_plan_unit(unit: Unit) -> bool:
    """A unit only the plan names (not in the directory)."""
    return unit.id.startswith(CUSTOM_PREFIX)


def plan_own_units(plan: Plan, directory: UnitDirectory) -> list[Unit]:
    """The single units a plan names that the directory lacks, in the plan's order."""
    out: list[Unit] = []
    for name in plan_unit_names(plan):
        if is_group_word(name) or _GROUP_WORDS.search(name):
            continue
        try:
            unit = unit_for_plan(name, plan, directory)
        except GongkaiError:
            continue
        if is_plan_unit(unit) and unit not in out:
            out.append(unit)
    return out


def _match_rank(key: str, unit: Unit) -> int | None:
    name = normalize_name(unit.name)
    if not key or name == key:
        return 0
    if name.startswith(key):
        return 1
    return 2 if key in name else None


class UnitListModel(QAbstractListModel):
    """The units matching what was typed, best first: the plan's own units, then the
    directory's."""

    def __init__(self, directory: UnitDirectory, parent: Any = None,
                 plan: Plan | None = None) -> None:
        super().__init__(parent)
        self._directory = directory
        self._units: list[Unit] = []
        self._plan_units: list[Unit] = []
        self._query = ""
        if plan is not None:
            self._plan_units = plan_own_units(plan, directory)
        self.set_query("")

    def set_plan(self, plan: Plan) -> None:
        self._plan_units = plan_own_units(plan, self._directory)
        self.set_query(self._query)

    def set_query(self, text: str) -> None:
        self._query = text
        key = normalize_name(text)
        ranked = sorted(
            ((rank, position, unit) for position, unit in enumerate(self._plan_units)
             if (rank := _match_rank(key, unit)) is not None),
            key=lambda item: (item[0], item[1]))
        own = [unit for _, _, unit in ranked][:SEARCH_LIMIT]
        self.beginResetModel()
        self._units = own + self._directory.search(text, limit=SEARCH_LIMIT - len(own))
        self.endResetModel()

    def unit(self, row: int) -> Unit:
        return self._units[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._units)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._units):
            return None
        unit = self._units[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if is_plan_unit(unit):
                return f"{unit.name}　（{PLAN_UNIT_LABEL}）"
            if unit.full_name != unit.name:
                return f"{unit.name}　（{unit.full_name}）"
            return unit.name
        if role == Qt.ItemDataRole.ToolTipRole:
            if is_plan_unit(unit):
                return f"{unit.name}：任务分工中写明的单位，不在单位名录中"
            aliases = f"\n也称：{'、'.join(unit.aliases[:6])}" if unit.aliases else ""
            return f"{unit.full_name}（{UNIT_TYPE_LABELS[unit.type]}）{aliases}"
        if role == UnitRole:
            return unit
        return None


class FirstRunDialog(QDialog):
    def __init__(self, directory: UnitDirectory, plan: Plan | None = None,
                 parent: QWidget | None = None, *, first_start: bool = True) -> None:
        super().__init__(parent)
        if plan is None:
            plan = bundled_plan()
        self.plan = plan
        self.library = PlanLibrary()
        self.directory = directory
        self.created_path: Path | None = None  # set on accept: the file to open
        self._existing: Path | None = None
        self.setWindowTitle(self.tr("新建自查工作区") if not first_start
                            else self.tr("欢迎使用{title}").format(title=APP_TITLE))
        self.setWindowIcon(style.app_icon())
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        heading_row = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(style.app_icon().pixmap(40, 40))
        heading_row.addWidget(logo)
        heading = QLabel(self.tr("新建本单位的自查工作区"))
        heading_font = heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.4)
        heading_font.setBold(True)
        heading.setFont(heading_font)
        heading_row.addWidget(heading, 1)
        layout.addLayout(heading_row)
        intro = QLabel(self.tr(
            "请选择本单位并填写政务公开工作负责人。每个单位一个工作区文件，"
            "保存在本机，程序全程不连接网络。"
        ))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.plan_combo = QComboBox()
        self.plan_combo.setAccessibleName(self.tr("任务分工"))
        self.plan_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.plan_combo.setMinimumContentsLength(24)
        self._fill_plans(plan)
        form.addRow(self.tr("任务分工(&T)："), self.plan_combo)
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.plan_label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        form.addRow("", self.plan_label)
        self._show_plan_details()

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("输入单位名称或简称，如“万州”“司法局”"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("搜索单位"))
        form.addRow(self.tr("本单位(&U)："), self.search)
        self.unit_model = UnitListModel(directory, self, plan=plan)
        self.unit_list = QListView()
        self.unit_list.setModel(self.unit_model)
        self.unit_list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.unit_list.setUniformItemSizes(True)
        self.unit_list.setMinimumHeight(150)
        self.unit_list.setAccessibleName(self.tr("单位列表"))
        form.addRow("", self.unit_list)
        self.chosen_label = QLabel(self.tr("尚未选择单位"))
        self.chosen_label.setWordWrap(True)
        form.addRow("", self.chosen_label)

        self.officer = QLineEdit()
        self.officer.setPlaceholderText(self.tr("必填，如：王小明"))
        self.officer.setMaxLength(50)
        form.addRow(self.tr("负责人(&R)："), self.officer)
        self.contact = QLineEdit()
        self.contact.setPlaceholderText(self.tr("具体经办人员（可不填）"))
        self.contact.setMaxLength(50)
        form.addRow(self.tr("联系人(&C)："), self.contact)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("如：023-12345678（可不填）"))
        self.phone.setMaxLength(40)
        self.phone.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"[0-9０-９+\-－()（）\s转,，、/]*"), self.phone))
        form.addRow(self.tr("联系电话(&P)："), self.phone)
        self.location = QLabel()
        self.location.setWordWrap(True)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        form.addRow(self.tr("保存位置："), self.location)
        layout.addLayout(form)

        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")
        self.problem.hide()
        layout.addWidget(self.problem)

        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(
            self.tr("创建工作区"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_existing_button = QPushButton(self.tr("打开已有工作区"))
        self.buttons.addButton(self.open_existing_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_existing_button.hide()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.open_existing_button.clicked.connect(self._open_existing)
        layout.addWidget(self.buttons)

        self.plan_combo.currentIndexChanged.connect(self._on_plan_chosen)
        self.search.textChanged.connect(self._on_search)
        self.search.installEventFilter(self)
        self.unit_list.selectionModel().currentChanged.connect(self._on_unit_changed)
        self.officer.textChanged.connect(self._update_state)
        self._update_state()
        self.search.setFocus()
        manage_window(self, "first_run")

    # ---- plan choice ----------------------------------------------------------------

    def _fill_plans(self, current: Plan) -> None:
        """The bundled plan first, then the library's imported plans."""
        infos: list[PlanInfo] = self.library.list_plans()
        if current.info.id not in {i.id for i in infos}:
            infos.append(current.info)  # a plan not (yet) in the library
        self.plan_combo.blockSignals(True)
        for info in infos:
            # The title only: the document number and date show in the line below.
            self.plan_combo.addItem(info.title, info.id)
            tip = f"{info.title}（{info.document_number}）" if info.document_number \
                else info.title
            self.plan_combo.setItemData(self.plan_combo.count() - 1, tip,
                                        Qt.ItemDataRole.ToolTipRole)
        self.plan_combo.setCurrentIndex(self.plan_combo.findData(current.info.id))
        self.plan_combo.blockSignals(False)

    def select_plan(self, plan_id: str) -> bool:
        index = self.plan_combo.findData(plan_id)
        if index < 0:
            return False
        self.plan_combo.setCurrentIndex(index)
        return self.plan.info.id == plan_id

    def _on_plan_chosen(self, index: int) -> None:
        plan_id = self.plan_combo.itemData(index)
        if plan_id == self.plan.info.id:
            return
        try:
            plan = self.library.get(plan_id)
        except GongkaiError as exc:
            self.plan_combo.blockSignals(True)
            self.plan_combo.setCurrentIndex(self.plan_combo.findData(self.plan.info.id))
            self.plan_combo.blockSignals(False)
            self._show_problem(str(exc))
            return
        chosen = self.selected_unit()
        self.plan = plan
        self._show_plan_details()
        self.unit_model.set_plan(plan)
        if chosen is None or not self._select_listed(chosen):
            self._on_search(self.search.text())
        self._on_unit_changed(self.unit_list.currentIndex())

    def _show_plan_details(self) -> None:
        info = self.plan.info
        parts = [info.document_number, info.issuer,
                 self.tr("{0}印发").format(info.issued.isoformat()),
                 self.tr("{0} 项举措").format(len(self.plan.measures()))]
        self.plan_label.setText("　".join(p for p in parts if p))

    # ---- unit choice ----------------------------------------------------------------

    def selected_unit(self) -> Unit | None:
        index = self.unit_list.currentIndex()
        return index.data(UnitRole) if index.isValid() else None

    def select_unit(self, unit: Unit) -> None:
        if not self._select_listed(unit):
            self.search.setText(unit.name)
            self._select_listed(unit)

    def _select_listed(self, unit: Unit) -> bool:
        for row in range(self.unit_model.rowCount()):
            if self.unit_model.unit(row).id == unit.id:
                self.unit_list.setCurrentIndex(self.unit_model.index(row))
                return True
        return False

    def _on_search(self, text: str) -> None:
        self.unit_model.set_query(text)
        if self.unit_model.rowCount() and text.strip():
            # The best match is chosen as one types; the list and label show which.
            self.unit_list.selectionModel().setCurrentIndex(
                self.unit_model.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self._on_unit_changed(QModelIndex())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up/Down in the search field move through the list without leaving the field.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.unit_model.rowCount():
                row = self.unit_list.currentIndex().row()
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = min(max(row + step, 0), self.unit_model.rowCount() - 1)
                self.unit_list.setCurrentIndex(self.unit_model.index(row))
                return True
        return super().eventFilter(watched, event)

    def _on_unit_changed(self, current: QModelIndex, _previous: Any = None) -> None:
        unit = current.data(UnitRole) if current.isValid() else None
        if unit is None:
            self.chosen_label.setText(self.tr("尚未选择单位"))
            self.location.setText("")
        else:
            kind = PLAN_UNIT_LABEL if is_plan_unit(unit) else UNIT_TYPE_LABELS[unit.type]
            roles = roles_for_plan(self.plan, unit, self.directory)
            count = sum(1 for r in roles.values() if must_report(r))
            self.chosen_label.setText(self.tr(
                "已选择：<b>{name}</b>（{kind}），在该任务分工中需填报 {count} 项举措"
            ).format(name=unit.full_name, kind=self.tr(kind), count=count))
            self.location.setText(str(workspace_path_for(unit, self.plan)))
        self._update_state()

    def _update_state(self) -> None:
        unit = self.selected_unit()
        self._existing = None
        self.problem.hide()
        self.open_existing_button.hide()
        if unit is not None and workspace_path_for(unit, self.plan).exists():
            self._existing = workspace_path_for(unit, self.plan)
            self._show_problem(self.tr(
                "本机已有“{name}”的工作区，不会覆盖它。可以直接打开已有工作区。"
            ).format(name=unit.name))
            self.open_existing_button.show()
        ready = unit is not None and bool(self.officer.text().strip()) and self._existing is None
        self.create_button.setEnabled(ready)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    # ---- finishing -------------------------------------------------------------------

    def _open_existing(self) -> None:
        if self._existing is not None:
            self.created_path = self._existing
            super().accept()

    def accept(self) -> None:
        unit = self.selected_unit()
        if unit is None:
            self._show_problem(self.tr("请先在列表中选择本单位"))
            return
        officer = self.officer.text().strip()
        if not officer:
            self._show_problem(self.tr("请填写负责人"))
            self.officer.setFocus()
            return
        path = workspace_path_for(unit, self.plan)
        if path.exists():
            self._update_state()
            return
        try:
            ws = Workspace.create(
                path, self.plan, unit, officer=officer, contact=self.contact.text().strip(),
                phone=self.phone.text().strip(), actor=officer,
            )
        except GongkaiError as exc:
            self._show_problem(str(exc))
            return
        except Exception as exc:
            show_error(self, exc)
            return
        ws.close()
        self.created_path = path
        super().accept()
