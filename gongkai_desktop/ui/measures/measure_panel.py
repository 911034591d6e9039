"""The right-hand side of the window: one measure, its record, evidence and history.

    panel = MeasurePanel(session)
    panel.show_measure("1.2.3")   # pending edits of the previous measure are saved first
    panel.flush()                 # before the window closes: False = something unsaved

Ctrl+Z / Ctrl+Y anywhere in the panel (also inside the text boxes) undo and redo
through ``session.undo_stack``; typing is saved first, so it is undone too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.model import Measure, MeasureRecord, Role
from gongkai_desktop.tallies import unit_overdue_days
from gongkai_desktop.ui.common.style import (
    MUTED_TEXT_COLOR,
    OVERDUE_COLOR,
    status_color,
    status_icon,
)
from gongkai_desktop.ui.evidence.evidence_view import (
    EvidenceView,
    accept_files_drag,
    take_dropped_files,
)
from gongkai_desktop.ui.measures.history_model import HistoryModel
from gongkai_desktop.ui.measures.record_form import RecordForm
from gongkai_desktop.ui.workspace.commands import seal_typing
from gongkai_desktop.ui.workspace.session import Session

ROLE_ORDER = (Role.RESPONSIBLE, Role.LEAD, Role.CONCERNED)
ROLE_HINTS = {
    Role.RESPONSIBLE: "按要求落实并在本单位网站公开",
    Role.LEAD: "推动、指导、协调、监督责任单位落实",
    Role.CONCERNED: "请确认是否涉及本单位；不涉及的标记“不适用”并写明理由",
}


def deadline_text(measure: Measure) -> str:
    deadline = measure.deadline
    if deadline.date is not None:
        d = deadline.date
        text = f"{d.year}年{d.month}月{d.day}日前"
        return f"{text}（{deadline.note}）" if deadline.note else text
    if deadline.note:
        return deadline.note
    return "未规定具体时限，全年持续推进"


def roles_text(roles: frozenset[Role]) -> str:
    if not roles:
        return "本单位不是此项的牵头单位或责任单位（仅供查看）"
    parts = [f"{role.label}：{ROLE_HINTS[role]}" for role in ROLE_ORDER if role in roles]
    return "\n".join(parts)


class _Header(QWidget):
    """Where the measure sits, its full text (selectable), units, roles and deadline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        muted = MUTED_TEXT_COLOR.name()
        self.code = QLabel()  # "举措 1.2.3": the code the overview, Excel and CLI use
        self.code.setStyleSheet("font-weight: bold;")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.crumb = QLabel()
        self.crumb.setWordWrap(True)
        self.crumb.setStyleSheet(f"color: {muted};")
        self.status = QLabel()
        self.status.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.status_icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        font = QFont(self.text.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.text.setFont(font)
        self.text.setCursor(Qt.CursorShape.IBeamCursor)

        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        for row, (key, title) in enumerate((("lead", "牵头单位"), ("responsible", "责任单位"),
                                            ("roles", "本单位职责"), ("deadline", "完成时限"))):
            name = QLabel(title)
            name.setStyleSheet(f"color: {muted};")
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        self.roles: frozenset[Role] = frozenset()
        self.overdue = QLabel()
        self.overdue.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.overdue.setStyleSheet(
            f"color: white; background: {OVERDUE_COLOR.name()}; border-radius: 3px;"
            " padding: 1px 6px;")
        grid.setColumnStretch(1, 1)

        top = QHBoxLayout()
        top.addWidget(self.code, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.crumb, 1)
        top.addWidget(self.overdue, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(6)
        top.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.text)
        layout.addSpacing(4)
        layout.addLayout(grid)

    def show_measure(self, session: Session, measure: Measure) -> None:
        plan = session.ws.plan
        crumb = ""
        for area in plan.areas:
            for sub in area.subtasks:
                if any(m.id == measure.id for m in sub.measures):
                    crumb = f"{area.label}、{area.title}  ›  {sub.label}{sub.title}"
        self.crumb.setText(crumb)
        self.code.setText(f"举措 {measure.id}")
        number = measure.label or ""
        self.text.setText(f"{number}{measure.text}")
        self.text.setToolTip(f"举措编号 {measure.id}")
        self.values["lead"].setText("、".join(measure.lead_units) or "—")
        self.values["responsible"].setText(
            "、".join(measure.responsible_units) or "（未列责任单位，由牵头单位负责落实）")
        self.roles = session.roles.get(measure.id, frozenset())
        self.values["roles"].setText(roles_text(self.roles))
        self.values["deadline"].setText(deadline_text(measure))
        self.update_status(session, measure, session.record(measure.id))

    def update_status(self, session: Session, measure: Measure, record: MeasureRecord) -> None:
        self.status.setText(record.status.label)
        self.status.setStyleSheet(f"color: {status_color(record.status).name()};"
                                  " font-weight: bold;")
        self.status_icon.setPixmap(status_icon(record.status).pixmap(16, 16))
        today = session.today()
        days = unit_overdue_days(measure, record, self.roles, today)  # as the tree marks it
        if days is not None:
            self.overdue.setText(f"已逾期 {days} 天")
            self.overdue.show()
        else:
            self.overdue.hide()


class MeasurePanel(QWidget):
    """Details, 完成情况, 佐证材料 and 历史 of the measure chosen with ``show_measure``."""

    measureRequested = Signal(str)  # undo/redo touched another measure: show it

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.measure_id: str | None = None

        self.header = _Header()
        self.header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        from gongkai_desktop.ui.review.review_banner import ReviewBanner

        self.review = ReviewBanner(session)  # the office's verdict and the 整改台账

        self.form = RecordForm(session)
        self.form.saved.connect(self._show_note)
        self.form.dirtyChanged.connect(self._dirty_changed)
        self.form.undoRequested.connect(self.undo)
        self.form.redoRequested.connect(self.redo)

        self.evidence = EvidenceView(session)
        self.evidence.message.connect(self._show_note)
        self.evidence.countChanged.connect(self._evidence_count)

        self.history_model = HistoryModel(session, self)
        self.history = QTableView()
        self.history.setModel(self.history_model)
        self.history.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.history.setAlternatingRowColors(True)
        # 原值 → 新值 wraps onto more lines instead of being cut off beside the other
        # columns (the pane is ~550 px wide on a 1366×768 screen); 操作人 and 字段 are
        # kept narrow and wrap too. The tooltip still has the whole change.
        self.history.setWordWrap(True)
        self.history.verticalHeader().hide()
        self.history.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        head = self.history.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(True)
        self.history_model.modelReset.connect(self._fit_history_columns)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.form, self.tr("完成情况"))
        self.tabs.addTab(self.evidence, self.tr("佐证材料"))
        self.tabs.addTab(self.history, self.tr("历史"))
        from gongkai_desktop.ui.measures.contributions_tab import ContributionsTab

        self.contributions = ContributionsTab(session)  # 下级填报 (#14): the offices' answers
        self.contributions.countChanged.connect(self._contributions_count)
        self.tabs.addTab(self.contributions, self.tr("下级填报"))
        self.tabs.setDocumentMode(True)

        self.note = QLabel()
        self.note.setStyleSheet(f"color: {MUTED_TEXT_COLOR.name()};")
        self.note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 8, 4)
        content_layout.setSpacing(4)
        content_layout.addWidget(self.header)
        content_layout.addWidget(self.review)
        content_layout.addWidget(self.tabs, 1)
        content_layout.addWidget(self.note)

        self.placeholder = QLabel(self.tr("请在左侧选择一项举措，查看和填写完成情况。"))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet(f"color: {MUTED_TEXT_COLOR.name()};")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        session.recordChanged.connect(self._record_changed)
        self.setFocusProxy(self.form.status_combo)  # "go to the panel" lands on the status
        self.setAcceptDrops(True)  # files dropped anywhere on the panel become evidence
        self.show_measure(None)

    # -- public -----------------------------------------------------------------------------

    def _fit_history_columns(self) -> None:
        narrow = self.history.fontMetrics().horizontalAdvance("完成情况说明") + 16
        for column in (1, 2):
            self.history.resizeColumnToContents(column)
            if self.history.columnWidth(column) > narrow:
                self.history.setColumnWidth(column, narrow)

    def show_measure(self, measure_id: str | None) -> None:
        if measure_id is not None and measure_id == self.measure_id:
            return
        self.form.set_measure(measure_id)  # saves what was typed for the previous one
        self.measure_id = measure_id
        self.evidence.set_measure(measure_id)
        self.history_model.set_measure(measure_id)
        self.review.set_measure(measure_id)
        self.contributions.set_measure(measure_id)
        if measure_id is None:
            self.stack.setCurrentWidget(self.placeholder)
            return
        measure = self.session.ws.plan.measure(measure_id)
        self.header.show_measure(self.session, measure)
        self.stack.setCurrentIndex(1)
        record = self.session.record(measure_id)
        if record.updated_at is not None:
            self._show_note(self.tr("上次修改 {0}").format(
                record.updated_at.strftime("%Y-%m-%d %H:%M")))
        else:
            self._show_note("")

    def flush(self) -> bool:
        """Save what is being typed; False when something could not be saved (a bad URL)."""
        return self.form.flush()

    def unsaved_measures(self) -> list[str]:
        """Measures with typed text that could not be saved (to warn before closing)."""
        return self.form.unsaved_measures()

    def confirm_leave(self) -> bool:
        """True when the measure may be left (input that cannot be saved was dealt with)."""
        return self.form.confirm_leave()

    def discard_input(self, measure_ids: list[str] | None = None) -> None:
        self.form.discard_input(measure_ids)

    def undo(self) -> None:
        self.form.flush()
        seal_typing(self.session)
        stack = self.session.undo_stack
        if stack.canUndo():
            self._follow(stack.command(stack.index() - 1))
            stack.undo()

    def redo(self) -> None:
        self.form.flush()
        stack = self.session.undo_stack
        if stack.canRedo():
            self._follow(stack.command(stack.index()))
            stack.redo()

    def shutdown(self) -> None:
        """Save and stop background work (the window is closing)."""
        self.flush()
        self.evidence.shutdown()

    # -- internals ---------------------------------------------------------------------------

    def _follow(self, command: object) -> None:
        measure_id = getattr(command, "measure_id", None)
        if isinstance(measure_id, str) and measure_id != self.measure_id:
            self.measureRequested.emit(measure_id)

    def _record_changed(self, measure_id: str) -> None:
        if self.measure_id is None or measure_id not in (self.measure_id, ""):
            return
        measure = self.session.ws.plan.measure(self.measure_id)
        self.header.update_status(self.session, measure, self.session.record(self.measure_id))
        self.review.refresh()  # a returned measure just changed: 已整改（待复核）

    def _show_note(self, text: str) -> None:
        self.note.setText(text)

    def _dirty_changed(self, dirty: bool) -> None:
        if dirty and self.form.flagged_fields():
            self.note.setText(self.tr("有输入格式不对，尚未保存（已标红，内容已保留）"))
        elif dirty:
            self.note.setText(self.tr("正在编辑…（停止输入后自动保存）"))

    def _evidence_count(self, count: int) -> None:
        index = self.tabs.indexOf(self.evidence)
        self.tabs.setTabText(index, self.tr("佐证材料（{0}）").format(count) if count
                             else self.tr("佐证材料"))

    def _contributions_count(self, count: int, pending: bool) -> None:
        from gongkai_desktop.ui.measures.contributions_tab import tab_title

        index = self.tabs.indexOf(self.contributions)
        self.tabs.setTabText(index, tab_title(count, pending))
        self.tabs.setTabVisible(index, count > 0 or self.contributions.has_offices)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_files_drag(event, self.measure_id is not None)

    def dropEvent(self, event: QDropEvent) -> None:
        files = take_dropped_files(event, self.measure_id is not None)
        if files:
            self.tabs.setCurrentWidget(self.evidence)
            self.evidence.add_files(files)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif event.matches(QKeySequence.StandardKey.Redo):
            self.redo()
        else:
            super().keyPressEvent(event)

