"""写回执 (the office): pick an imported unit whose latest bundle a signed receipt confirms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.list_table import ListTableModel

if TYPE_CHECKING:
    from gongkai_desktop.supervisor.store import ImportedUnit
    from gongkai_desktop.ui.workspace.session import Session

Index = QModelIndex | QPersistentModelIndex


class ImportedUnitsModel(ListTableModel):
    HEADERS = ("单位", "序号", "导出时间", "导入时间")

    def __init__(self, units: list[ImportedUnit], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.units = units

    def row_total(self) -> int:
        return len(self.units)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        u = self.units[index.row()]
        return (u.unit.name, str(u.sequence), u.exported_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                u.imported_at.astimezone().strftime("%Y-%m-%d %H:%M"))[index.column()]


class WriteReceiptDialog(QDialog):
    """写回执: pick the unit whose latest imported bundle the receipt confirms."""

    unitChosen = Signal(str, str, int)  # unit id, unit name, sequence

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        from gongkai_desktop.supervisor.store import SupervisorView

        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.tr("写回执"))
        self.setObjectName("writeReceiptDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = QLabel(self.tr(
            "选择报送单位，为其最近导入的数据包生成签名回执（.gkreceipt）。"
            "对方导入回执后，即可确认本单位已收到该数据包。"))
        intro.setWordWrap(True)
        units = sorted(SupervisorView(session.ws).units(), key=lambda u: u.unit.name)
        self.model = ImportedUnitsModel(units, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _i: self.choose())
        self.buttons = QDialogButtonBox()
        self.write_button = self.buttons.addButton(self.tr("写回执…"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("取消"))
        self.buttons.accepted.connect(self.choose)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        manage_window(self, "write_receipt", (620, 380))
        if units:
            self.view.selectRow(0)

    def select_unit(self, name: str) -> bool:
        for i, u in enumerate(self.model.units):
            if name in (u.unit.name, u.unit.full_name, u.unit.id):
                self.view.selectRow(i)
                return True
        return False

    def choose(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        u = self.model.units[index.row()]
        self.accept()
        self.unitChosen.emit(u.unit.id, u.unit.name, u.sequence)
