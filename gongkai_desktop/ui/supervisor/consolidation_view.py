"""The supervising office's window: units × measures, coloured by status.

- The matrix is a ``QTableView`` over :class:`ConsolidationModel` with fixed,
  uniform section sizes (smooth at 100 × 5,000); the headers stay put while the
  cells scroll, the unit header paints each unit's completion rate and bar, the
  measure header shows each measure's completion under its number.
- 只看本单位牵头的举措 rebuilds the consolidation for the measures this workspace's
  unit leads. Building runs off the UI thread (its own read-only ``Workspace``).
- The side list shows the units expected but with no bundle yet: for the selected
  measure, or for all measures when no column is selected.
- Clicking a cell opens that unit's record and evidence read-only
  (``unit_record_dialog``); evidence files can be saved (另存为…).
- 导出Excel… and 导出PDF汇总… run through ``run_operation`` with progress and cancel.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QStringListModel,
    Qt,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.supervisor.consolidation import CellState, Consolidation
from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation
from gongkai_desktop.ui.supervisor.consolidation_model import (
    CompletionRole,
    ConsolidationModel,
    legend,
    percent,
)
from gongkai_desktop.ui.supervisor.unit_record_dialog import UnitRecordDialog

if TYPE_CHECKING:
    from gongkai_desktop.report.consolidated import ConsolidatedResult
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.xlsx.consolidation import XlsxResult

Index = QModelIndex | QPersistentModelIndex
CELL_WIDTH = 56
CELL_HEIGHT = 24
UNIT_HEADER_WIDTH = 190


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConsolidationView", text)


class UnitHeader(QHeaderView):
    """The vertical header: unit name on the left, completion rate and a bar on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._bar = style.status_color("done")
        self._track = QColor("#dfe3e8")

    def paintSection(self, painter: QPainter, rect: QRect, logicalIndex: int) -> None:
        painter.save()
        super().paintSection(painter, rect, logicalIndex)
        painter.restore()
        model = self.model()
        if model is None or not rect.isValid():
            return
        value = model.headerData(logicalIndex, Qt.Orientation.Vertical, CompletionRole)
        text = percent(value)
        painter.save()
        right = rect.adjusted(0, 0, -6, -4)
        painter.drawText(right, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                         text)
        bar = QRect(rect.right() - 46, rect.bottom() - 3, 40, 2)
        painter.fillRect(bar, self._track)
        if value:
            painter.fillRect(QRect(bar.left(), bar.top(), round(40 * value), 2), self._bar)
        painter.restore()


def matrix_table(owner: QWidget, model: QAbstractItemModel, name: str) -> QTableView:
    """A units-by-measures grid, read-only, one cell selected at a time. Fixed, uniform
    sections: the view never measures 5,000 columns of text."""
    table = QTableView()
    table.setObjectName(name)
    table.setVerticalHeader(UnitHeader(table))
    table.setModel(model)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setCornerButtonEnabled(False)
    hh, vh = table.horizontalHeader(), table.verticalHeader()
    for header, size in ((hh, CELL_WIDTH), (vh, CELL_HEIGHT)):
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(size)
    hh.setFixedHeight(2 * owner.fontMetrics().height() + 10)
    vh.setFixedWidth(UNIT_HEADER_WIDTH)
    return table


def lay_out_matrix_window(window: QWidget, rows: Sequence[QLayout | QWidget], table: QTableView,
                          side: Sequence[QWidget], sizes: tuple[int, int]) -> None:
    """``rows`` (filters, summary, legend) above the grid, which sits in a splitter beside
    a column of ``side`` widgets: a title, the list that takes the height, then any more."""
    column = QWidget()
    side_layout = QVBoxLayout(column)
    side_layout.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(side):
        side_layout.addWidget(widget, 1 if i == 1 else 0)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(table)
    splitter.addWidget(column)
    splitter.setStretchFactor(0, 1)
    splitter.setSizes(list(sizes))
    layout = QVBoxLayout(window)
    for row in rows:
        if isinstance(row, QLayout):
            layout.addLayout(row)
        else:
            layout.addWidget(row)
    layout.addWidget(splitter, 1)


class ConsolidationWindow(QWidget):
    """The consolidation of ``session``'s workspace (a separate top-level window)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session = session
        self.setWindowTitle(self.tr("各单位完成情况汇总"))
        self.setWindowIcon(style.app_icon())
        self.setObjectName("consolidationWindow")
        self.model = ConsolidationModel(parent=self)
        self.missing_model = QStringListModel(self)
        self.record_dialog: UnitRecordDialog | None = None
        self.operation: Operation[Any] | None = None
        self._build()

    # ---- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.title_label = QLabel()
        self.title_label.setStyleSheet(f"font-size: 15pt; font-weight: bold;"
                                       f" color: {style.ACCENT_COLOR.name()};")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.led_check = QCheckBox(self.tr("只看本单位牵头的举措"))
        self.led_check.setToolTip(self.tr("只列出本工作区所属单位牵头的举措"))
        self.led_check.toggled.connect(lambda _on: self.reload())
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.reload)
        self.excel_button = QPushButton(self.tr("导出Excel…"))
        self.excel_button.clicked.connect(self.export_excel)
        self.pdf_button = QPushButton(self.tr("导出PDF汇总…"))
        self.pdf_button.clicked.connect(self.export_pdf)
        # Review (审核整改): the unit or the measure of the selected cell, and the files out.
        self.review_unit_button = QPushButton(self.tr("审核该单位…"))
        self.review_unit_button.setObjectName("reviewUnitButton")
        self.review_unit_button.setToolTip(self.tr("逐项审核所选单元格所在单位的填报内容"))
        self.review_unit_button.clicked.connect(lambda: self.open_review(by_unit=True))
        self.review_measure_button = QPushButton(self.tr("审核该举措…"))
        self.review_measure_button.setToolTip(self.tr("逐个单位审核所选单元格所在的举措"))
        self.review_measure_button.clicked.connect(lambda: self.open_review(by_unit=False))
        self.export_reviews_button = QPushButton(self.tr("导出整改意见…"))
        self.export_reviews_button.setToolTip(self.tr("为每个已审核的单位生成签名的整改意见文件"))
        self.export_reviews_button.clicked.connect(self.export_reviews)
        self.review_dialog: Any = None
        self._review_matrix: Any = None
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addStretch(1)
        for w in (self.led_check, self.refresh_button, self.review_unit_button,
                  self.review_measure_button, self.export_reviews_button, self.excel_button,
                  self.pdf_button):
            top.addWidget(w)

        legend_row = QHBoxLayout()
        legend_row.addWidget(QLabel(self.tr("图例：")))
        for mark, color, label in legend():
            chip = QLabel(f" {mark} ")
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            chip.setStyleSheet(f"background: {color.name()}; border: 1px solid #b8bec6;"
                               " padding: 1px 4px;")
            legend_row.addWidget(chip)
            legend_row.addWidget(QLabel(label))
            legend_row.addSpacing(8)
        legend_row.addSpacing(4)
        legend_row.addWidget(QLabel(self.tr("审核：")))
        from gongkai_desktop.review.states import ReviewState
        from gongkai_desktop.ui.review import review_style

        for state in ReviewState:  # the flags the cells carry once reviewed
            flag = QLabel()
            flag.setPixmap(review_style.icon(state).pixmap(14, 14))
            legend_row.addWidget(flag)
            legend_row.addWidget(QLabel(state.short))
            legend_row.addSpacing(4)
        hint = QLabel(self.tr("表头百分比为完成率；点击单元格查看该单位的填报内容"))
        hint.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        legend_row.addSpacing(12)
        legend_row.addWidget(hint)
        legend_row.addStretch(1)

        self.table = matrix_table(self, self.model, "consolidationTable")
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(False)
        hh, vh = self.table.horizontalHeader(), self.table.verticalHeader()
        for header in (hh, vh):
            header.setMinimumSectionSize(8)
            header.setHighlightSections(True)
        vh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.clicked.connect(self.open_cell)
        hh.sectionClicked.connect(self._on_column_clicked)

        self.missing_title = QLabel()
        self.missing_title.setWordWrap(True)
        self.missing_list = QListView()
        self.missing_list.setModel(self.missing_model)
        self.missing_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.missing_list.setUniformItemSizes(True)
        self.all_missing_button = QPushButton(self.tr("显示全部未报送单位"))
        self.all_missing_button.clicked.connect(self.show_all_missing)
        lay_out_matrix_window(self, (top, self.summary_label, legend_row), self.table,
                              (self.missing_title, self.missing_list, self.all_missing_button),
                              (900, 230))
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        manage_window(self, "consolidation", (1200, 760))

    # ---- content -------------------------------------------------------------------------

    @property
    def consolidation(self) -> Consolidation | None:
        return self.model.consolidation

    def reload(self) -> Operation[Consolidation] | None:
        """Consolidate the workspace again (worker thread); the table shows the result."""
        from gongkai_desktop.supervisor.consolidation import consolidate, nothing_to_consolidate

        path, directory = self.session.path, self.session.directory
        today = self.session.today()
        led = self.session.ws.unit if self.led_check.isChecked() else None
        refusal = nothing_to_consolidate(self.session.ws, directory, led_only=led is not None)
        if refusal is not None:  # as ``bundle consolidate`` refuses it
            show_info(self, self.tr("各单位完成情况汇总"), str(refusal))
            if led is not None:  # back to all measures (the table still shows them)
                self.led_check.blockSignals(True)
                self.led_check.setChecked(False)
                self.led_check.blockSignals(False)
            return None
        self._set_busy(True)

        def work(ws: Workspace, _progress: Progress) -> Consolidation:
            from gongkai_desktop.review.matrix import review_matrix

            cons = consolidate(ws, directory, today, led_by=led)
            self._review_matrix = (cons, review_matrix(ws, cons))
            return cons

        operation = run_workspace_operation(self, self.tr("正在汇总各单位的完成情况…"), path, work,
                                            on_success=self.set_consolidation,
                                            on_failure=self._consolidation_failed,
                                            cancellable=False)
        self.operation = operation
        return operation

    def _consolidation_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        show_error(self, error)

    def _set_busy(self, busy: bool) -> None:
        for w in (self.led_check, self.refresh_button, self.excel_button, self.pdf_button):
            w.setEnabled(not busy)

    def set_consolidation(self, cons: Consolidation) -> None:
        self._set_busy(False)
        self.model.set_consolidation(cons)
        pending = self._review_matrix
        if pending is not None and pending[0] is cons:
            self.model.set_review(pending[1])
        scope = (self.tr("{unit}牵头的举措").format(unit=cons.led_by.name) if cons.led_by
                 else self.tr("全部举措"))
        self.title_label.setText(self.tr("各单位完成情况汇总（{scope}）").format(scope=scope))
        total = cons.totals()
        reported = sum(1 for r in cons.units if r.reported)
        self.summary_label.setText(self.tr(
            "{plan}；统计日期 {day}。共 {units} 个单位（已报送 {reported} 个，未报送 {waiting} 个）"
            "× {measures} 项举措；应报 {cells} 项次，已完成 {done}，总体完成率 {rate}；"
            "逾期 {late} 项次。").format(
                plan=cons.plan.info.title, day=cons.today.isoformat(), units=cons.row_count,
                reported=reported, waiting=cons.row_count - reported,
                measures=cons.column_count, cells=total.cells, done=total.done,
                rate=percent(total.completion), late=total.overdue) + self._review_summary())
        self.show_all_missing()

    def show_all_missing(self) -> None:
        cons = self.consolidation
        if cons is None:
            return
        self.table.clearSelection()
        units = cons.units_without_bundle()
        self.missing_title.setText(self.tr("尚未报送数据包的单位（{n} 个）：").format(
            n=len(units)))
        self.missing_model.setStringList([u.name for u in units] or [self.tr("（无）")])

    def show_missing_for(self, column: int) -> None:
        cons = self.consolidation
        if cons is None or not 0 <= column < cons.column_count:
            return
        measure = cons.measures[column].measure
        units = cons.missing_units(measure.id)
        self.missing_title.setText(self.tr("举措 {id} 应报送但尚无数据包的单位（{n} 个）：")
                                   .format(id=measure.id, n=len(units)))
        self.missing_model.setStringList([u.name for u in units] or [self.tr("（无）")])

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_missing_for(current.column())

    def _on_column_clicked(self, column: int) -> None:
        self.show_missing_for(column)

    # ---- review --------------------------------------------------------------------------

    def _review_summary(self) -> str:
        from gongkai_desktop.review.matrix import counts_text

        matrix = self.model.review
        totals = matrix.totals() if matrix is not None else None
        return self.tr("审核：{counts}。").format(counts=counts_text(totals)) if totals else ""

    def review_items(self, row: int, column: int, *, by_unit: bool) -> list[tuple[str, str]]:
        """The records to step through: the unit's reported measures, or the measure's
        reporting units (cells with a role, from units with a bundle)."""
        cons = self.consolidation
        if cons is None:
            return []
        if by_unit:
            unit = cons.units[row]
            if not unit.reported:
                return []
            codes = cons.row_codes(row)
            return [(unit.unit.id, cons.measures[c].measure.id) for c in range(cons.column_count)
                    if codes[c] not in (CellState.NONE, CellState.MISSING)]
        measure = cons.measures[column].measure.id
        return [(cons.units[r].unit.id, measure) for r in range(cons.row_count)
                if cons.units[r].reported
                and cons.state(r, column) not in (CellState.NONE, CellState.MISSING)]

    def open_review(self, *, by_unit: bool, index: QModelIndex | None = None) -> Any:
        """The review window on the selected cell's unit (or measure), starting at the cell."""
        from gongkai_desktop.ui.review.review_dialog import ReviewDialog

        cons = self.consolidation
        index = index if index is not None else self.table.currentIndex()
        if cons is None or not index.isValid():
            show_info(self, self.tr("审核"), self.tr("请先在表格中选择一个单元格。"))
            return None
        row, column = index.row(), index.column()
        items = self.review_items(row, column, by_unit=by_unit)
        if not items:
            show_info(self, self.tr("审核"), self.tr("所选单位尚未报送，或没有需要审核的举措。"))
            return None
        unit, measure = cons.units[row].unit, cons.measures[column].measure
        start = next((n for n, (u, m) in enumerate(items) if u == unit.id and m == measure.id), 0)
        title = (self.tr("审核：{unit}").format(unit=unit.name) if by_unit
                 else self.tr("审核：举措 {id}").format(id=measure.id))
        if self.review_dialog is not None:
            self.review_dialog.close()
        dialog = ReviewDialog(self.session, items, start, self, title=title)
        dialog.verdictSet.connect(self._verdict_set)
        self.review_dialog = dialog
        dialog.show()
        return dialog

    def _verdict_set(self, unit_id: str, measure_id: str) -> None:
        """Show the new verdict on its cell (after 全部通过, the unit's row): only those are
        read again, so a verdict stays quick with 500,000 of them."""
        from gongkai_desktop.review.matrix import review_matrix
        from gongkai_desktop.review.verdicts import review_cells

        cons = self.consolidation
        if cons is None:
            return
        matrix = self.model.review
        if matrix is None:
            self.model.set_review(review_matrix(self.session.ws, cons))
        else:
            matrix.update(cons, review_cells(self.session.ws, unit_id, measure_id or None))
            self.model.review_changed(unit_id, cons)
        self.set_summary_only(cons)

    def set_summary_only(self, cons: Consolidation) -> None:
        text = self.summary_label.text()
        cut = text.find("审核：")
        self.summary_label.setText((text[:cut] if cut >= 0 else text) + self._review_summary())

    def export_reviews(self) -> Any:
        from gongkai_desktop.ui.review.review_actions import export_reviews

        return export_reviews(self, self.session, None)

    # ---- a cell ----------------------------------------------------------------------------

    def open_cell(self, index: QModelIndex) -> UnitRecordDialog | None:
        """The unit's record and evidence for the cell's measure, read-only."""
        cons = self.consolidation
        if cons is None or not index.isValid():
            return None
        row = cons.units[index.row()]
        measure = cons.measures[index.column()].measure
        if not row.reported:
            show_info(self, self.tr("尚未报送"), self.tr(
                "尚未收到“{unit}”的数据包，没有可查看的填报内容。").format(unit=row.unit.name))
            return None
        if self.record_dialog is None:
            self.record_dialog = UnitRecordDialog(self.session, self)
        self.record_dialog.show_record(row.unit.id, row.unit.name, measure.id,
                                       cons.state(index.row(), index.column()),
                                       cons.is_overdue(index.row(), index.column()))
        self.record_dialog.show()
        self.record_dialog.raise_()
        return self.record_dialog

    # ---- exports -----------------------------------------------------------------------------

    def _start_folder(self) -> Path:
        return prompts.start_folder(prompts.CONSOLIDATED)

    def _ask_save(self, title: str, suffix: str, file_filter: str) -> Path | None:
        from gongkai_desktop.storage.default_names import consolidation_name

        # As ``bundle consolidate -o FOLDER`` names it.
        suggested = self._start_folder() / consolidation_name(self.session.ws,
                                                              self.session.today(), suffix)
        return prompts.save_path_with_suffix(self, prompts.CONSOLIDATED, title, suggested,
                                             file_filter, suffix)

    def export_excel(self) -> Operation[XlsxResult] | None:
        if self.consolidation is None:
            return None
        out = self._ask_save(self.tr("导出汇总表（Excel）"), ".xlsx",
                             self.tr(prompts.XLSX_FILTER))
        return None if out is None else self.export_excel_to(out)

    def export_excel_to(self, out: Path) -> Operation[XlsxResult] | None:
        cons, path = self.consolidation, self.session.path
        if cons is None:
            return None

        def work(ws: Workspace, progress: Progress) -> XlsxResult:
            from gongkai_desktop.xlsx.consolidation import export_consolidation_xlsx

            return export_consolidation_xlsx(cons, ws, out, progress=progress)

        def done(result: XlsxResult) -> None:
            show_info(self, self.tr("导出完成"), result.sentence())  # the CLI's sentence

        return run_workspace_operation(self, self.tr("正在导出Excel汇总表…"), path, work,
                                       on_success=done)

    def export_pdf(self) -> Operation[ConsolidatedResult] | None:
        if self.consolidation is None:
            return None
        out = self._ask_save(self.tr("导出PDF汇总表"), ".pdf", self.tr("PDF文件 (*.pdf)"))
        return None if out is None else self.export_pdf_to(out)

    def export_pdf_to(self, out: Path) -> Operation[ConsolidatedResult] | None:
        cons = self.consolidation
        if cons is None:
            return None
        office, path = self.session.ws.unit.full_name, self.session.path

        def work(ws: Workspace, progress: Progress) -> ConsolidatedResult:
            from gongkai_desktop.report.consolidated import render_consolidation_pdf
            from gongkai_desktop.review.all_units import all_units_ledger

            ledger = all_units_ledger(ws, cons)  # 附表4 各单位整改台账
            return render_consolidation_pdf(cons, out, office=office, progress=progress,
                                            ledger=ledger)

        def done(result: ConsolidatedResult) -> None:
            show_info(self, self.tr("导出完成"), result.sentence())  # the CLI's sentence

        return run_workspace_operation(self, self.tr("正在生成PDF汇总表…"), path, work,
                                       on_success=done)
