"""The status bar's permanent labels: the unit, the workspace file, the progress tally."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.workspace.session import Session


class StatusLabels(QWidget):
    """Not shown itself: owns the three labels it adds to ``bar``."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.hide()
        self.unit_label = QLabel()
        self.file_label = QLabel()
        self.file_label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        self.progress_label = QLabel()
        for label in (self.unit_label, self.file_label, self.progress_label):
            label.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(label)

    def show_session(self, session: Session | None) -> None:
        if session is None:
            for label in (self.unit_label, self.file_label, self.progress_label):
                label.setText("")
            return
        self.unit_label.setText(session.ws.profile.full_name or session.ws.unit.full_name)
        self.file_label.setText(session.path.name + (self.tr("（只读）") if session.ws.readonly
                                                     else ""))
        self.file_label.setToolTip(str(session.path))
        from gongkai_desktop.progress import tally

        totals = tally(session.ws.plan.measures(), session.records(), session.roles,
                       session.today())
        text = self.tr("已完成 {done}/{total}，逾期 {overdue}").format(
            done=totals.done, total=totals.applicable, overdue=totals.overdue)
        self.progress_label.setText(text)
        self.progress_label.setStyleSheet(
            f"color: {style.OVERDUE_COLOR.name()};" if totals.overdue else "")
