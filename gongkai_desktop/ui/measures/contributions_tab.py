"""下级填报: the offices' answers for the measure (status, explanation, URLs, evidence
with its source, when) beside the unit's own record, 下级有新填报, and 汇总下级填报."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.workspace.session import Session

HEADERS = ("下级单位", "完成状态", "完成情况说明", "公开网址", "佐证材料", "报送")
PENDING_TEXT = "下级有新填报"


def evidence_text(contribution: Any) -> str:
    names = [e.file_name if e.kind == "file" else (e.title or e.url)
             for e in contribution.evidence]
    return "、".join(names)


_icons: dict[str, QIcon] = {}


def pending_icon() -> QIcon:
    """A blue dot: the tree's 下级有新填报 mark (the red triangle is 待修正)."""
    icon = _icons.get("pending")
    if icon is None:
        pixmap = QPixmap(16, 16)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#1f6fd1"))
        painter.drawEllipse(3, 3, 10, 10)
        painter.end()
        icon = _icons["pending"] = QIcon(pixmap)
    return icon


def tab_title(count: int, pending: bool) -> str:
    """The panel's tab: 下级填报（2）, with 新 while 下级有新填报."""
    title = f"下级填报（{count}）" if count else "下级填报"
    return title + " ●新" if pending else title


class ContributionsTab(QWidget):
    rollupRequested = Signal(str)  # measure id
    assignRequested = Signal(str)
    countChanged = Signal(int, bool)  # contributions, pending

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.contributionsChanged.connect(self.refresh)
        self.measure_id: str | None = None
        self.items: list[Any] = []
        self.pending = False
        self.has_offices = False
        self.pending_label = QLabel("● " + self.tr(PENDING_TEXT))
        self.pending_label.setObjectName("rollupPendingLabel")
        self.pending_label.setStyleSheet(
            f"color: {style.OVERDUE_COLOR.name()}; font-weight: bold;")
        self.assigned_label = QLabel()
        self.assigned_label.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("contributionsTable")
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        head = self.table.horizontalHeader()
        for column in (0, 1, 5):
            head.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.rollup_button = QPushButton(self.tr("汇总下级填报(&U)…"))
        self.rollup_button.setObjectName("rollupButton")
        self.rollup_button.setToolTip(self.tr(
            "根据下级单位的填报拟出本单位的完成情况，预览后接受、修改或放弃"))
        self.rollup_button.clicked.connect(self.request_rollup)
        self.assign_button = QPushButton(self.tr("分配给下级单位(&G)…"))
        self.assign_button.clicked.connect(self.request_assign)
        self.view_button = QPushButton(self.tr("查看佐证材料(&K)…"))
        self.view_button.setToolTip(self.tr("查看所选下级单位报送的佐证材料（双击该行也可）"))
        self.view_button.clicked.connect(lambda: self.view_evidence())
        self.table.doubleClicked.connect(lambda index: self.view_evidence(index.row()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.pending_label)
        buttons.addStretch(1)
        buttons.addWidget(self.view_button)
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.rollup_button)
        self.empty = QLabel(self.tr("尚未收到下级单位对该举措的填报。"))
        self.empty.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        layout = QVBoxLayout(self)
        layout.addWidget(self.assigned_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)

    def _actions(self) -> Any:
        # The delegation feature (ui/delegation, a package above this one) registers
        # itself on the window when installed; a panel outside the window has none.
        return getattr(self.window(), "delegation_actions", None)

    def request_rollup(self) -> Any:
        if self.measure_id is None:
            return None
        self.rollupRequested.emit(self.measure_id)
        actions = self._actions()
        return actions.show_rollup(self.measure_id) if actions is not None else None

    def request_assign(self) -> Any:
        if self.measure_id is None:
            return None
        self.assignRequested.emit(self.measure_id)
        actions = self._actions()
        return actions.assign_measures([self.measure_id]) if actions is not None else None

    def view_evidence(self, row: int | None = None) -> Any:
        """The viewer on one office's evidence for this measure (contents from the
        unit's blob store, written out by ``storage.evidence.write_new_file``)."""
        from gongkai_desktop.evidence_kinds import evidence_kind
        from gongkai_desktop.storage.evidence import write_new_file
        from gongkai_desktop.ui.common.errors import show_error
        from gongkai_desktop.ui.evidence.preview import (
            Entry,
            EvidenceSource,
            EvidenceViewer,
            show_viewer,
        )

        if row is None:
            row = self.table.currentRow()
        if not 0 <= row < len(self.items) or not self.items[row].evidence:
            return None
        items = list(self.items[row].evidence)
        entries = [Entry(i, e.file_name if e.kind == "file" else (e.title or e.url),
                         evidence_kind(e), e.size, e.url, e.kind != "file" or bool(e.sha256))
                   for i, e in enumerate(items)]

        def export(ws: Any, key: int, folder: Any) -> Any:
            item = items[key]
            assert item.sha256 is not None
            return write_new_file(folder, item.file_name, item.sha256, ws.iter_blob(item.sha256))

        source = EvidenceSource(self.session.path, "delegation-" + items[0].office_id[7:19],
                                export)
        try:
            return show_viewer(EvidenceViewer(source, entries, 0, self))
        except Exception as exc:
            show_error(self, exc)
            return None

    def set_measure(self, measure_id: str | None) -> None:
        self.measure_id = measure_id
        self.refresh()

    def refresh(self) -> None:
        from gongkai_desktop.delegation import (
            assignments,
            contributions,
            list_offices,
            pending_measures,
        )

        mid = self.measure_id
        ws = self.session.ws
        self.has_offices = bool(list_offices(ws))
        self.items = contributions(ws, mid) if mid else []
        self.pending = bool(mid) and mid in pending_measures(ws)
        assigned = [a for a in assignments(ws) if a.measure_id == mid] if mid else []
        if assigned:
            self.assigned_label.setText(self.tr("已分配给：{offices}").format(offices="、".join(
                f"{a.office.name}（{a.role.label}"
                f"{'，' + a.deadline.isoformat() if a.deadline else ''}）" for a in assigned)))
        else:
            self.assigned_label.setText(self.tr("该举措尚未分配给下级单位。"))
        self.table.setRowCount(len(self.items))
        for row, c in enumerate(self.items):
            rec = c.record
            explanation = rec.explanation
            if rec.reason:
                explanation = (explanation + "\n" if explanation else "") + \
                    self.tr("不适用理由：") + rec.reason
            evidence = "\n".join(
                f"{e.file_name if e.kind == 'file' else (e.title or e.url)}"
                f"（{self.tr('来源：')}{c.office.name}）" for e in c.evidence)
            when = c.imported_at.astimezone().strftime("%Y-%m-%d %H:%M")
            how = self.tr("数据包") if c.source == "bundle" else self.tr("Excel清单")
            cells = (c.office.name, rec.status.label, explanation, "\n".join(rec.urls),
                     evidence, f"{when}\n{how}")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(self.items))
        self.empty.setVisible(not self.items)
        self.pending_label.setVisible(self.pending)
        self.rollup_button.setEnabled(bool(self.items) or bool(assigned))
        self.view_button.setEnabled(any(c.evidence for c in self.items))
        self.countChanged.emit(len(self.items), self.pending)
