"""管理下级单位: the unit's offices with what is assigned to each; add by typing or
from an Excel column. (The core keeps offices once added: no removal.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation
from gongkai_desktop.ui.workspace.session import Session

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace


def assignment_text(rows: list[Any]) -> str:
    """"1.1.1（牵头）、1.2.3（责任，2020-10-23）"."""
    parts = []
    for a in rows:
        extra = f"，{a.deadline.isoformat()}" if a.deadline else ""
        parts.append(f"{a.measure_id}（{a.role.label}{extra}）")
    return "、".join(parts)


class OfficesDialog(QDialog):
    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.contributionsChanged.connect(self.refresh)
        self.setWindowTitle(self.tr("管理下级单位"))
        intro = QLabel(self.tr(
            "下级单位是本单位把举措分解下去的部门、乡镇（街道）或内设机构，名称自定，"
            "不必在全市单位名录中。添加后用“分配举措…”分配任务。"))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("officesTable")
        self.table.setHorizontalHeaderLabels([self.tr("下级单位"), self.tr("分配的举措")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("下级单位名称"))
        self.name_edit.setPlaceholderText(self.tr("输入名称，多个用顿号或空格分隔，如：区司法局、区委编办"))
        self.add_button = QPushButton(self.tr("添加(&A)"))
        self.add_button.setDefault(True)  # Enter in the name adds (it never closes the dialog)
        self.add_button.clicked.connect(self.add_typed)
        self.import_button = QPushButton(self.tr("从Excel导入(&X)…"))
        self.import_button.setToolTip(self.tr(
            "读取工作簿第一张表中标题为“下级单位”“单位名称”“部门”等的一列"))
        self.import_button.clicked.connect(lambda: self.import_file())
        add_row = QHBoxLayout()
        name_label = QLabel(self.tr("名称(&N)："))
        name_label.setBuddy(self.name_edit)
        add_row.addWidget(name_label)
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.import_button)
        self.note = QLabel()
        self.note.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("关闭"))
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(add_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.refresh()
        manage_window(self, "delegation_offices", (720, 480))

    def refresh(self) -> None:
        from gongkai_desktop.delegation import assignments, list_offices

        offices = list_offices(self.session.ws)
        rows = assignments(self.session.ws)
        self.table.setRowCount(len(offices))
        for row, office in enumerate(offices):
            mine = [a for a in rows if a.office.office_id == office.office_id]
            name = QTableWidgetItem(office.name)
            name.setData(Qt.ItemDataRole.UserRole, office.office_id)
            self.table.setItem(row, 0, name)
            text = assignment_text(mine) or self.tr("（尚未分配）")
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            self.table.setItem(row, 1, item)

    def office_names(self) -> list[str]:
        cells = (self.table.item(r, 0) for r in range(self.table.rowCount()))
        return [cell.text() for cell in cells if cell is not None]

    def add_typed(self) -> bool:
        from gongkai_desktop.delegation import add_offices
        from gongkai_desktop.ui.workspace.commands import actor_of

        text = self.name_edit.text()
        for sep in "、，,;；\n\t":
            text = text.replace(sep, " ")
        names = [n for n in text.split(" ") if n.strip()]
        if not names:
            return False
        try:
            added = add_offices(self.session.ws, names, actor=actor_of(self.session))
        except Exception as exc:
            show_error(self, exc, self.tr("没有添加"))
            return False
        self.name_edit.clear()
        self._added(added, names)
        return True

    def _added(self, added: list[Any], names: list[str]) -> None:
        self.refresh()
        if added:
            self.note.setText(self.tr("已添加：{names}").format(
                names="、".join(o.name for o in added)))
        else:
            self.note.setText(self.tr("这些下级单位已在列表中"))
        self.changed.emit()

    def import_file(self, path: Path | None = None) -> Operation[Any] | None:
        from gongkai_desktop.ui.workspace.commands import actor_of

        if path is None:
            path = prompts.open_path(self, prompts.PLAN_XLSX, self.tr("从Excel导入下级单位"),
                                     self.tr(prompts.XLSX_FILTER))
            if path is None:
                return None
        ws_path, actor, source = self.session.path, actor_of(self.session), path

        def work(ws: Workspace, _progress: Progress) -> list[Any]:
            from gongkai_desktop.delegation import import_offices

            return import_offices(ws, source, actor=actor)

        return run_workspace_operation(self, self.tr("正在读取下级单位…"), ws_path, work,
                                       write=True, cancellable=False,
                                       on_success=lambda added: self._added(added, []))
