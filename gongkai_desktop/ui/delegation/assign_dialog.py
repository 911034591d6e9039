"""分配举措: the measures (the one chosen in the tree already ticked, or any of the unit's),
the offices, 牵头/责任, and the internal deadline (default: the core's days before the
plan's deadline)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.ui.common.date_field import DateField
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.workspace.session import Session

LEAD, RESPONSIBLE = "牵头", "责任"


class AssignDialog(QDialog):
    assigned = Signal(list)  # Assignment rows written

    def __init__(self, session: Session, measure_ids: list[str],
                 parent: QWidget | None = None) -> None:
        from gongkai_desktop.delegation import days_before, list_offices
        from gongkai_desktop.roles import must_report

        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.tr("分配举措给下级单位"))
        plan = session.ws.plan
        wanted = set(measure_ids)

        self.only_mine = QCheckBox(self.tr("只列本单位承担的举措"))
        self.only_mine.setChecked(True)
        self.only_mine.toggled.connect(self._filter)
        self.measure_list = QListWidget()
        self.measure_list.setObjectName("assignMeasures")
        self.measure_list.setAccessibleName(self.tr("举措"))
        first: QListWidgetItem | None = None
        for m in plan.measures():
            item = QListWidgetItem(f"{m.id}　{m.text}")
            item.setToolTip(m.text)
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, must_report(session.roles.get(m.id, ())))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if m.id in wanted
                               else Qt.CheckState.Unchecked)
            self.measure_list.addItem(item)
            if m.id in wanted and first is None:
                first = item
        self._filter(True)
        if first is not None:
            self.measure_list.setCurrentItem(first)
            self.measure_list.scrollToItem(first)
        measures_box = QGroupBox(self.tr("举措（勾选要分配的）"))
        mb = QVBoxLayout(measures_box)
        mb.addWidget(self.only_mine)
        mb.addWidget(self.measure_list, 1)

        self.office_table = QTableWidget(0, 2)
        self.office_table.setObjectName("assignOffices")
        self.office_table.setHorizontalHeaderLabels([self.tr("下级单位"), self.tr("分工")])
        self.office_table.verticalHeader().hide()
        self.office_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        head = self.office_table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.role_boxes: list[QComboBox] = []
        for office in list_offices(session.ws):
            row = self.office_table.rowCount()
            self.office_table.insertRow(row)
            cell = QTableWidgetItem(office.name)
            cell.setFlags(cell.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            cell.setCheckState(Qt.CheckState.Unchecked)
            self.office_table.setItem(row, 0, cell)
            combo = QComboBox()
            combo.addItems([self.tr(RESPONSIBLE), self.tr(LEAD)])
            combo.setAccessibleName(self.tr("{name}的分工").format(name=office.name))
            self.office_table.setCellWidget(row, 1, combo)
            self.role_boxes.append(combo)
        if measure_ids:  # what the first measure already has: ticked, with its role
            from gongkai_desktop.delegation import assignments

            for a in assignments(session.ws):
                if a.measure_id == measure_ids[0]:
                    self.set_office(a.office.name, lead=a.role.label == LEAD)
        offices_box = QGroupBox(self.tr("下级单位（勾选，选择牵头或责任）"))
        ob = QVBoxLayout(offices_box)
        ob.addWidget(self.office_table, 1)

        self.default_deadline = QCheckBox(self.tr("默认：计划完成时限前"))
        self.default_deadline.setChecked(True)
        self.days_spin = QSpinBox()
        self.days_spin.setRange(0, 365)
        self.days_spin.setValue(days_before(session.ws))
        self.days_spin.setSuffix(self.tr(" 天"))
        self.days_spin.setAccessibleName(self.tr("内部时限提前的天数"))
        days_note = QLabel(self.tr("（计划无时限的不设）　或指定日期："))
        self.deadline = DateField()
        self.deadline.setEnabled(False)
        self.default_deadline.toggled.connect(lambda on: self.deadline.setEnabled(not on))
        self.default_deadline.toggled.connect(self.days_spin.setEnabled)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.default_deadline)
        deadline_row.addWidget(self.days_spin)
        deadline_row.addWidget(days_note)
        deadline_row.addWidget(self.deadline)
        deadline_row.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("内部时限："), deadline_row)

        lists = QHBoxLayout()
        lists.addWidget(measures_box, 3)
        lists.addWidget(offices_box, 2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("分配"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        self.unassign_button = QPushButton(self.tr("取消分配(&R)"))
        self.unassign_button.setToolTip(self.tr(
            "把勾选的举措从勾选的下级单位收回（已收到的下级填报保留）"))
        self.unassign_button.setAutoDefault(False)
        self.unassign_button.clicked.connect(self.take_back)
        self.buttons.addButton(self.unassign_button, QDialogButtonBox.ButtonRole.ResetRole)
        hint = QLabel(self.tr("已分配的再次分配时，分工和内部时限按本次设定更新。"))
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(lists, 1)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        manage_window(self, "delegation_assign", (900, 560))

    def _filter(self, only_mine: bool) -> None:
        for row in range(self.measure_list.count()):
            item = self.measure_list.item(row)
            mine = bool(item.data(Qt.ItemDataRole.UserRole + 1))
            ticked = item.checkState() == Qt.CheckState.Checked
            item.setHidden(only_mine and not mine and not ticked)

    # ---- what the officer chose -----------------------------------------------------------

    def checked_measures(self) -> list[str]:
        return [self.measure_list.item(r).data(Qt.ItemDataRole.UserRole)
                for r in range(self.measure_list.count())
                if self.measure_list.item(r).checkState() == Qt.CheckState.Checked]

    def set_measures_checked(self, ids: list[str]) -> None:
        for r in range(self.measure_list.count()):
            item = self.measure_list.item(r)
            if item.data(Qt.ItemDataRole.UserRole) in ids:
                item.setCheckState(Qt.CheckState.Checked)

    def _office_cell(self, row: int) -> QTableWidgetItem:
        cell = self.office_table.item(row, 0)
        assert cell is not None
        return cell

    def set_office(self, name: str, *, checked: bool = True, lead: bool = False) -> None:
        for r in range(self.office_table.rowCount()):
            if self._office_cell(r).text() == name:
                self._office_cell(r).setCheckState(
                    Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.role_boxes[r].setCurrentIndex(1 if lead else 0)

    def chosen_offices(self) -> tuple[list[str], list[str]]:
        names, lead = [], []
        for r in range(self.office_table.rowCount()):
            if self._office_cell(r).checkState() == Qt.CheckState.Checked:
                name = self._office_cell(r).text()
                names.append(name)
                if self.role_boxes[r].currentIndex() == 1:
                    lead.append(name)
        return names, lead

    def take_back(self) -> int | None:
        from gongkai_desktop.delegation import unassign
        from gongkai_desktop.errors import InvalidInput
        from gongkai_desktop.ui.workspace.commands import actor_of

        measures = self.checked_measures()
        names, _lead = self.chosen_offices()
        try:
            if not measures or not names:
                raise InvalidInput("请勾选要收回的举措和下级单位")
            removed = unassign(self.session.ws, measures, names, actor=actor_of(self.session))
        except Exception as exc:
            show_error(self, exc, self.tr("没有取消分配"))
            return None
        self.assigned.emit([])
        self.accept()
        return removed

    def apply(self) -> list[Any] | None:
        from gongkai_desktop.delegation import assign, days_before, set_days_before
        from gongkai_desktop.errors import InvalidInput
        from gongkai_desktop.ui.workspace.commands import actor_of

        measures = self.checked_measures()
        names, lead = self.chosen_offices()
        try:
            if not measures:
                raise InvalidInput("请勾选要分配的举措")
            if not names:
                raise InvalidInput("请勾选要分配给的下级单位")
            deadline = None
            if self.default_deadline.isChecked():
                if self.days_spin.value() != days_before(self.session.ws):
                    set_days_before(self.session.ws, self.days_spin.value())
            else:
                problem = self.deadline.problem()
                if problem:
                    raise InvalidInput(problem)
                deadline = self.deadline.value()
                if deadline is None:
                    raise InvalidInput("请填写内部时限，或选择默认时限")
            rows = assign(self.session.ws, measures, names, lead=lead, deadline=deadline,
                          actor=actor_of(self.session))
        except Exception as exc:
            show_error(self, exc, self.tr("没有分配"))
            return None
        self.assigned.emit(rows)
        self.accept()
        return rows
