"""What one unit reported for one measure, read-only (the office clicks a cell of the
consolidation): status, dates, explanation, addresses and the evidence, which can be
viewed or saved (另存为…)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.evidence_kinds import evidence_kind, media_label
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.supervisor.consolidation import CellState
from gongkai_desktop.supervisor.store import SupervisorView
from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.list_table import ListTableModel
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation
from gongkai_desktop.ui.evidence.preview import Entry, EvidenceSource, EvidenceViewer, show_viewer

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.workspace.session import Session

Index = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConsolidationView", text)


class EvidenceTableModel(ListTableModel):
    """One unit's evidence items of one measure (read-only)."""

    HEADERS = ("名称", "类型", "大小", "添加时间")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[EvidenceItem] = []

    def set_items(self, items: list[EvidenceItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return item.title or item.url if not item.is_file else item.file_name
            if column == 1:
                label = media_label(evidence_kind(item))
                if item.is_file and not item.has_content:
                    return label + _tr("（内容未随数据包提供）")
                return label
            if column == 2:
                return _size(item.size) if item.is_file else ""
            return item.added_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [item.file_name if item.is_file else item.url]
            if item.note:
                lines.append(item.note)
            if item.shrunk:
                lines.append(_tr("（对方发送的是压缩后的图片）"))
            return "\n".join(lines)
        return None


def _size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class UnitRecordDialog(QDialog):
    """What a unit reported for one measure, and its evidence; nothing can be changed."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.unit_id = ""
        self.setWindowTitle(self.tr("单位填报情况（只读）"))
        self.setModal(False)
        self.unit_label = QLabel()
        self.measure_label = QLabel()
        self.measure_label.setWordWrap(True)
        self.status_label = QLabel()
        self.completed_label = QLabel()
        self.explanation = QPlainTextEdit()
        self.explanation.setReadOnly(True)
        self.explanation.setMaximumHeight(120)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.urls_label = QLabel()
        self.urls_label.setWordWrap(True)
        self.urls_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remarks_label = QLabel()
        self.remarks_label.setWordWrap(True)
        self.bundle_label = QLabel()
        self.bundle_label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        for label in (self.unit_label, self.measure_label, self.status_label,
                      self.completed_label, self.reason_label, self.remarks_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow(self.tr("单位："), self.unit_label)
        form.addRow(self.tr("举措："), self.measure_label)
        form.addRow(self.tr("完成状态："), self.status_label)
        form.addRow(self.tr("完成时间："), self.completed_label)
        form.addRow(self.tr("完成情况说明："), self.explanation)
        form.addRow(self.tr("不适用理由："), self.reason_label)
        form.addRow(self.tr("公开网址："), self.urls_label)
        form.addRow(self.tr("备注："), self.remarks_label)

        self.evidence_model = EvidenceTableModel(self)
        self.evidence_view = QTableView()
        self.evidence_view.setModel(self.evidence_model)
        self.evidence_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.evidence_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.evidence_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.evidence_view.verticalHeader().setVisible(False)
        header = self.evidence_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):  # a handful of rows: measuring them costs nothing
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.evidence_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_buttons())
        self.evidence_view.doubleClicked.connect(lambda _i: self.view_selected())
        self.view_button = QPushButton(self.tr("查看…"))
        self.view_button.clicked.connect(self.view_selected)
        self.save_button = QPushButton(self.tr("另存为…"))
        self.save_button.clicked.connect(self.save_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.addButton(self.view_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("佐证材料：")))
        layout.addWidget(self.evidence_view, 1)
        layout.addWidget(self.bundle_label)
        layout.addWidget(buttons)
        manage_window(self, "unit_record", (640, 620))

    def show_record(self, unit_id: str, unit_name: str, measure_id: str, state: CellState,
                    overdue: bool) -> None:
        view = SupervisorView(self.session.ws)
        measure = self.session.ws.plan.measure(measure_id)
        record = view.record(unit_id, measure_id)
        imported = view.unit(unit_id)
        self.unit_id = unit_id
        self.unit_label.setText(imported.unit.full_name or unit_name)
        self.measure_label.setText(f"{measure.id}　{measure.text}")
        if state is CellState.NONE:
            status = self.tr("{status}（该单位不承担此举措）").format(status=record.status.label)
        else:
            status = record.status.label + (self.tr("（逾期）") if overdue else "")
        self.status_label.setText(status)
        self.status_label.setStyleSheet(
            f"color: {style.OVERDUE_COLOR.name()}; font-weight: bold;" if overdue else "")
        self.completed_label.setText(
            record.completed_on.isoformat() if record.completed_on else "—")
        self.explanation.setPlainText(record.explanation)
        self.reason_label.setText(record.reason or "—")
        self.urls_label.setText("\n".join(record.urls) or "—")
        self.remarks_label.setText(record.remarks or "—")
        self.bundle_label.setText(self.tr(
            "来自数据包序号 {seq}（{when} 导出，{officer}）").format(
                seq=imported.sequence,
                when=imported.exported_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                officer=imported.officer or "—"))
        self.evidence_model.set_items(view.evidence(unit_id, measure_id))
        self._update_buttons()

    def selected_item(self) -> EvidenceItem | None:
        index = self.evidence_view.currentIndex()
        if not index.isValid():
            return None
        return self.evidence_model.items[index.row()]

    def _update_buttons(self) -> None:
        item = self.selected_item()
        self.view_button.setEnabled(item is not None)
        self.save_button.setEnabled(item is not None and item.is_file and item.has_content)

    def view_selected(self) -> EvidenceViewer | None:
        """The viewer on the selected item, stepping through this record's evidence."""
        item = self.selected_item()
        if item is None:
            return None
        items = self.evidence_model.items
        entries = [Entry(e.id, e.file_name if e.is_file else (e.title or e.url),
                         evidence_kind(e), e.size, e.url, not e.is_file or e.has_content)
                   for e in items]
        unit_id = self.unit_id
        source = EvidenceSource(
            self.session.path, "office-" + hashlib.sha256(unit_id.encode()).hexdigest()[:12],
            lambda ws, key, folder: SupervisorView(ws).export_evidence(unit_id, key, folder))
        try:
            return show_viewer(EvidenceViewer(source, entries, items.index(item), self))
        except Exception as exc:
            show_error(self, exc)
            return None

    def save_selected(self) -> Operation[Path] | None:
        item = self.selected_item()
        if item is None or not item.is_file:
            return None
        folder = prompts.open_folder(self, self.tr("把佐证文件保存到…"),
                                       prompts.suggested(prompts.EVIDENCE_EXPORT))
        if folder:
            prompts.remember(prompts.EVIDENCE_EXPORT, folder)
        if not folder:
            return None
        return self.save_to(item, Path(folder))

    def save_to(self, item: EvidenceItem, folder: Path) -> Operation[Path]:
        """Write the evidence file into ``folder`` (worker thread; never over a file)."""
        path, unit_id = self.session.path, self.unit_id

        def work(ws: Workspace, _progress: Progress) -> Path:
            return SupervisorView(ws).export_evidence(unit_id, item.id, folder)

        def done(target: Path) -> None:
            show_info(self, self.tr("已保存"), self.tr("已保存佐证文件：\n{path}").format(
                path=target))

        return run_workspace_operation(self, self.tr("正在保存佐证文件…"), path, work,
                                       on_success=done, cancellable=False)
