"""The unit's side of the review in the measure panel: the office's verdict and comment,
and the 整改台账 entry (存在问题, 整改措施, 责任人, 整改时限) with its dialog.

The rules are the core's (``review.unit_state``, ``review.ledger``); saving a ledger
entry refreshes the window's review views, so the tree shows it 已整改（待复核）.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.changes import Changes
from gongkai_desktop.review.states import ReviewState
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.buttons import action_buttons
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.review import review_style

if TYPE_CHECKING:
    from gongkai_desktop.review.ledger import LedgerEntry
    from gongkai_desktop.review.unit_state import UnitVerdict
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)


class ReviewBanner(QFrame):
    """Shown above the tabs when the office reviewed the measure or a ledger entry exists."""

    ledgerSaved = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.reviewChanged.connect(self.refresh)
        self.measure_id: str | None = None
        self.setObjectName("reviewBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("reviewVerdict")
        self.comment_label = QLabel()
        self.comment_label.setObjectName("reviewComment")
        self.comment_label.setWordWrap(True)
        self.comment_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ledger_label = QLabel()
        self.ledger_label.setObjectName("reviewLedger")
        self.ledger_label.setWordWrap(True)
        self.ledger_button = QPushButton(self.tr("整改台账…"))
        self.ledger_button.setToolTip(self.tr("记录存在问题、整改措施、责任人和整改时限"))
        self.ledger_button.clicked.connect(lambda: self.edit_ledger())
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.verdict_label, 1)
        top.addWidget(self.ledger_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.comment_label)
        layout.addWidget(self.ledger_label)
        self.dialog: LedgerDialog | None = None
        self.setVisible(False)

    def set_measure(self, measure_id: str | None) -> None:
        self.measure_id = measure_id
        self.refresh()

    def _current(self) -> tuple[UnitVerdict | None, LedgerEntry | None]:
        from gongkai_desktop.review.ledger import ledger
        from gongkai_desktop.review.unit_state import unit_verdicts

        if self.measure_id is None:
            return None, None
        try:
            return (unit_verdicts(self.session.ws).get(self.measure_id),
                    ledger(self.session.ws).get(self.measure_id))
        except Exception as exc:
            log.warning("review unavailable: %s", exc)
            return None, None

    def refresh(self, *_args: object) -> None:
        verdict, entry = self._current()
        self.setVisible(verdict is not None or entry is not None)
        if verdict is not None:
            color = review_style.color(verdict.state).name()
            when = verdict.reviewed_at.astimezone().strftime("%Y-%m-%d")
            self.verdict_label.setText(self.tr(
                "<b style='color:{color}'>上级单位审核：{state}</b>"
                "　<span style='color:{muted}'>{when}，针对数据包序号 {seq}</span>").format(
                    color=color, state=verdict.state.label, when=when, seq=verdict.sequence,
                    muted=style.MUTED_TEXT_COLOR.name()))
            self.comment_label.setText(self.tr("审核意见：") + verdict.comment
                                       if verdict.comment else "")
            self.comment_label.setVisible(bool(verdict.comment))
        else:
            self.verdict_label.setText(self.tr("<b>整改台账</b>"))
            self.comment_label.setVisible(False)
        if entry is not None:
            overdue = entry.overdue(self.session.today(),
                                    verdict is not None and verdict.state is ReviewState.ACCEPTED)
            late = (f" <b style='color:{style.OVERDUE_COLOR.name()}'>{self.tr('（已逾期）')}</b>"
                    if overdue else "")
            self.ledger_label.setText(self.tr(
                "整改台账：{problem}；措施：{action}；责任人 {owner}；时限 {deadline}").format(
                    problem=html.escape(entry.problem), action=html.escape(entry.action),
                    owner=html.escape(entry.owner), deadline=entry.deadline.isoformat()) + late)
        else:
            self.ledger_label.setText(self.tr("尚未填写整改台账") if verdict is not None
                                      and verdict.state is not ReviewState.ACCEPTED else "")
        self.ledger_label.setVisible(bool(self.ledger_label.text()))

    def edit_ledger(self) -> LedgerDialog | None:
        if self.measure_id is None:
            return None
        _verdict, entry = self._current()
        dialog = LedgerDialog(self.session, self.measure_id, entry, self)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, measure_id: str) -> None:
        # This banner, the tree, the overview and the status bar show 已整改（待复核）. Not
        # a record change: the record did not change, and the form would reload over typing.
        self.session.apply_changes(Changes(review=True))
        self.ledgerSaved.emit(measure_id)


class LedgerDialog(QDialog):
    """One measure's 整改台账 entry; 保存 records it (the core checks every field)."""

    saved = Signal(str)

    def __init__(self, session: Session, measure_id: str, entry: LedgerEntry | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.measure_id = session, measure_id
        self.setObjectName("ledgerDialog")
        self.setWindowTitle(self.tr("整改台账 —— 举措 {id}").format(id=measure_id))
        self.problem = QPlainTextEdit(entry.problem if entry else "")
        self.action = QPlainTextEdit(entry.action if entry else "")
        for box in (self.problem, self.action):
            box.setTabChangesFocus(True)
            box.setMaximumHeight(90)
        self.owner = QLineEdit(entry.owner if entry else session.ws.profile.officer)
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        day = entry.deadline if entry else session.today() + dt.timedelta(days=30)
        self.deadline.setDate(QDate(day.year, day.month, day.day))
        form = QFormLayout()
        form.addRow(self.tr("存在问题："), self.problem)
        form.addRow(self.tr("整改措施："), self.action)
        form.addRow(self.tr("责任人："), self.owner)
        form.addRow(self.tr("整改时限："), self.deadline)
        buttons = action_buttons(self, self.tr("保存"), self.save, cancel=self.tr("取消"),
                                 button=QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        manage_window(self, "ledger", (520, 360))

    def save(self) -> Any:
        from gongkai_desktop.review.ledger import record_rectification
        from gongkai_desktop.ui.workspace.commands import actor_of

        day = self.deadline.date()
        try:
            entry = record_rectification(
                self.session.ws, self.measure_id, problem=self.problem.toPlainText(),
                action=self.action.toPlainText(), owner=self.owner.text(),
                deadline=dt.date(day.year(), day.month(), day.day()),
                actor=actor_of(self.session))
        except Exception as exc:
            show_error(self, exc)
            return None
        self.saved.emit(self.measure_id)
        self.accept()
        return entry
