"""汇总下级填报: the proposal (``propose_rollup``) as a change preview — the unit's
current record beside the proposed one (editable), the offices' evidence to add with its
source. 接受 writes it (``apply_rollup``); 放弃 writes nothing."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.storage import records
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.date_field import DateField
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.workspace.session import Session


def _current(label: str) -> QLabel:
    shown = QLabel(label or "（空）")
    shown.setWordWrap(True)
    shown.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
    return shown


class RollupDialog(QDialog):
    applied = Signal(str)  # measure id

    def __init__(self, session: Session, proposal: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.proposal = proposal
        cur, new = proposal.current, proposal.proposed
        self.setWindowTitle(self.tr("汇总下级填报 — 举措 {id}").format(id=proposal.measure_id))
        changes = proposal.describe()
        intro = QLabel(self.tr("根据 {n} 个下级单位的填报拟出本单位的完成情况。"
                               "可修改右侧内容后接受；放弃则不作任何改动。").format(
            n=len(proposal.contributions)))
        intro.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("<b>本单位现有</b>")), 0, 1)
        grid.addWidget(QLabel(self.tr("<b>汇总后</b>")), 0, 2)
        self.status_combo = QComboBox()
        for status in Status:
            self.status_combo.addItem(status.label, status)
        self.status_combo.setCurrentIndex(list(Status).index(new.status))
        self.status_combo.setAccessibleName(self.tr("汇总后的完成状态"))
        self.date_field = DateField()
        self.date_field.set_value(new.completed_on)
        self.explanation_edit = QPlainTextEdit(new.explanation)
        self.explanation_edit.setObjectName("rollupExplanation")
        self.explanation_edit.setAccessibleName(self.tr("汇总后的完成情况说明"))
        self.explanation_edit.setTabChangesFocus(True)
        self.urls_edit = QPlainTextEdit("\n".join(new.urls))
        self.urls_edit.setAccessibleName(self.tr("汇总后的公开网址"))
        self.urls_edit.setTabChangesFocus(True)
        self.urls_edit.setMaximumHeight(70)
        self.reason_edit = QPlainTextEdit(new.reason)
        self.reason_edit.setAccessibleName(self.tr("汇总后的不适用理由"))
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setMaximumHeight(60)
        rows = [  # field, its mnemonic, the unit's current value, the editor
            ("status", "S", cur.status.label, self.status_combo),
            ("completed_on", "D", cur.completed_on.isoformat() if cur.completed_on else "",
             self.date_field),
            ("explanation", "E", cur.explanation, self.explanation_edit),
            ("urls", "L", "\n".join(cur.urls), self.urls_edit),
            ("reason", "N", cur.reason, self.reason_edit),
        ]
        for i, (field, key, old, widget) in enumerate(rows, start=1):
            # the record form's names (完成时间, 不适用理由), from the one core table
            name = QLabel(f"{records.FIELD_LABELS[field]}(&{key})：")
            name.setBuddy(widget)
            if field in proposal.changed_fields:  # what the roll-up changes: bold
                name.setStyleSheet("font-weight: bold;")
                name.setToolTip(self.tr("汇总后此项将改变"))
            grid.addWidget(name, i, 0)
            grid.addWidget(_current(old), i, 1)
            if widget is self.date_field:  # its own width, at the left (not stretched)
                grid.addWidget(widget, i, 2, Qt.AlignmentFlag.AlignLeft)
            else:
                grid.addWidget(widget, i, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 3)
        grid.setRowStretch(3, 1)

        evidence_box = QGroupBox(self.tr("将添加的佐证材料（注明来源）"))
        self.evidence_list = QListWidget()
        self.evidence_list.setObjectName("rollupEvidence")
        for add in proposal.evidence_to_add:
            self.evidence_list.addItem(add.label)
        if not proposal.evidence_to_add:
            self.evidence_list.addItem(self.tr("（无新的佐证材料）"))
        self.evidence_list.setMaximumHeight(90)
        self.include_evidence = QCheckBox(self.tr("一并添加下级单位的佐证材料"))
        self.include_evidence.setChecked(True)
        self.include_evidence.setEnabled(bool(proposal.evidence_to_add))
        eb = QVBoxLayout(evidence_box)
        eb.addWidget(self.evidence_list)
        eb.addWidget(self.include_evidence)
        notes = []
        if proposal.offices_without_answer and not proposal.contributions:
            notes.append(self.tr("尚未报送：{names}（尚无下级填报，完成状态保持不变）").format(
                names="、".join(proposal.offices_without_answer)))
        elif proposal.offices_without_answer:
            notes.append(self.tr("尚未报送：{names}（按未开始计）").format(
                names="、".join(proposal.offices_without_answer)))
        if proposal.is_empty:
            notes.append(self.tr("下级单位的填报与本单位现有内容一致，无需更改。"))
        self.note = QLabel("\n".join(notes))
        self.note.setWordWrap(True)
        self.note.setVisible(bool(notes))
        self.changes = changes
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.accept_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.accept_button.setText(self.tr("接受"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("放弃"))
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid, 1)
        layout.addWidget(evidence_box)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        manage_window(self, "delegation_rollup", (900, 600))

    def edited_record(self) -> MeasureRecord:
        from gongkai_desktop.errors import InvalidInput

        problem = self.date_field.problem()
        if problem:
            raise InvalidInput(problem)
        urls = tuple(u.strip() for u in self.urls_edit.toPlainText().splitlines() if u.strip())
        status = self.status_combo.currentData()
        return dataclasses.replace(
            self.proposal.proposed, status=status,
            completed_on=self.date_field.value() if status is Status.DONE else None,
            explanation=self.explanation_edit.toPlainText().strip(), urls=urls,
            reason=self.reason_edit.toPlainText().strip()
            if status is Status.NOT_APPLICABLE else "")

    def apply(self) -> MeasureRecord | None:
        """Write the (edited) record and the evidence in one transaction."""
        from gongkai_desktop.delegation import apply_rollup
        from gongkai_desktop.ui.workspace.commands import actor_of

        session = self.session
        try:
            written = apply_rollup(session.ws, self.proposal, record=self.edited_record(),
                                   include_evidence=self.include_evidence.isChecked(),
                                   actor=actor_of(session))
        except Exception as exc:
            show_error(self, exc, self.tr("没有汇总"))
            return None
        # Earlier undo steps would now restore values from before the roll-up.
        session.undo_stack.clear()
        session.apply_changes(written.changes)  # record, evidence, 下级有新填报
        self.applied.emit(self.proposal.measure_id)
        self.accept()
        return written.record
