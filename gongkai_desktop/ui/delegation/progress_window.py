"""下级完成情况: offices × assigned measures, in the consolidation view's table model
(``delegation.progress.as_consolidation``), with the offices missing or overdue and the
reminders to phone beside it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QWidget,
)

from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.supervisor.consolidation_model import ConsolidationModel, legend
from gongkai_desktop.ui.supervisor.consolidation_view import (
    lay_out_matrix_window,
    matrix_table,
)
from gongkai_desktop.ui.workspace.session import Session

HINT = "点击单元格，在主窗口查看该举措的下级填报"


class DelegationMatrixModel(ConsolidationModel):
    """The consolidation model, with the offices' own row headers: tinted only for an
    office that has returned nothing for some measure (an office sends no bundle header)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.progress: Any = None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cons = self.consolidation
        if orientation == Qt.Orientation.Vertical and cons is not None \
                and self.progress is not None and 0 <= section < len(cons.units) \
                and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole):
            office_id = cons.units[section].unit.id
            missing = [c.measure_id for (oid, _m), c in self.progress.cells.items()
                       if oid == office_id and c.missing]
            if role == Qt.ItemDataRole.BackgroundRole:
                return super().headerData(section, orientation, role) if missing else None
            name = cons.units[section].unit.name
            return f"{name}\n" + (f"未报送：{'、'.join(missing)}" if missing else "均已报送")
        return super().headerData(section, orientation, role)


class DelegationProgressWindow(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        session.contributionsChanged.connect(self.reload)
        self.progress: Any = None
        self.setWindowTitle(self.tr("下级单位完成情况"))
        self.setWindowIcon(style.app_icon())
        self.model = DelegationMatrixModel(self)
        self.reminders_model = QStringListModel(self)

        title = QLabel(self.tr("下级单位完成情况"))
        title.setStyleSheet(f"font-size: 15pt; font-weight: bold;"
                            f" color: {style.ACCENT_COLOR.name()};")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("delegationSummary")
        self.summary_label.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("刷新(&R)"))
        self.refresh_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        legend_row = QHBoxLayout()
        legend_row.addWidget(QLabel(self.tr("图例：")))
        for mark, color, label in legend():
            chip = QLabel(f" {mark} ")
            chip.setStyleSheet(f"background: {color.name()}; border: 1px solid #b8bec6;"
                               " padding: 1px 4px;")
            legend_row.addWidget(chip)
            legend_row.addWidget(QLabel(label))
            legend_row.addSpacing(8)
        hint = QLabel(self.tr(HINT))
        hint.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        legend_row.addSpacing(12)
        legend_row.addWidget(hint)
        legend_row.addStretch(1)

        self.table = matrix_table(self, self.model, "delegationTable")
        self.table.clicked.connect(self.open_cell)

        self.reminders_title = QLabel(self.tr("需电话提醒："))
        self.reminders_list = QListView()
        self.reminders_list.setObjectName("delegationReminders")
        self.reminders_list.setModel(self.reminders_model)
        self.reminders_list.setWordWrap(True)
        self.reminders_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        lay_out_matrix_window(self, (top, self.summary_label, legend_row), self.table,
                              (self.reminders_title, self.reminders_list), (700, 300))
        manage_window(self, "delegation_progress", (1100, 640))

    def open_cell(self, index: QModelIndex) -> str | None:
        """Show the cell's measure in the main window, on its 下级填报 page."""
        cons = self.model.consolidation
        window = self.parent()
        if cons is None or not index.isValid() or window is None:
            return None
        measure_id = cons.measures[index.column()].measure.id
        if not getattr(window, "select_measure", lambda _m: False)(measure_id):
            return None
        panel = getattr(window, "panel", None)
        if panel is not None and hasattr(panel, "contributions"):
            panel.tabs.setCurrentWidget(panel.contributions)
        window.activateWindow()  # type: ignore[attr-defined]
        return measure_id

    def reload(self) -> None:
        """Read the matrix (a few queries on the window's connection: offices are few)."""
        from gongkai_desktop.delegation.progress import as_consolidation, delegation_progress

        ws, today = self.session.ws, self.session.today()
        progress = delegation_progress(ws, today)
        self.progress = progress
        self.model.progress = progress
        self.model.set_consolidation(as_consolidation(ws, progress, today))
        missing = [o.name for o in progress.missing_offices()]
        overdue = [o.name for o in progress.overdue_offices()]
        parts = [self.tr("下级单位 {n} 个，分配的举措 {m} 项").format(
            n=len(progress.offices), m=len(progress.measures))]
        parts.append(self.tr("未报送：{names}").format(names="、".join(missing) or "无"))
        parts.append(self.tr("逾期：{names}").format(names="、".join(overdue) or "无"))
        if progress.pending:
            parts.append(self.tr("下级有新填报待汇总：{ids}").format(
                ids="、".join(progress.pending)))
        self.summary_label.setText("；".join(parts))
        reminders = progress.reminders()
        self.reminders_model.setStringList(reminders or [self.tr("无需提醒")])
