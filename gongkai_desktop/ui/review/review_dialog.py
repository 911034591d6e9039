"""The office's review window: step through records, set a verdict per measure.

Opened from the consolidation matrix on a unit (its measures) or on a measure (the
units that reported it). Keyboard-driven so 86 units × 60 measures fit an afternoon:
Ctrl+1 通过, Ctrl+2 退回整改 (the comment is required: the comment box takes the
focus when it is empty), Ctrl+3 待核实, Alt+→ / Alt+← next and previous; a verdict
moves on to the next record. 查看 (Enter on the evidence list) opens the shared
evidence viewer. Every rule is the core's (``review.verdicts``).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.review.states import ReviewState, Verdict
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.review import review_style

if TYPE_CHECKING:
    from gongkai_desktop.review.item import ReviewItem
    from gongkai_desktop.ui.evidence.preview import EvidenceViewer
    from gongkai_desktop.ui.workspace.session import Session

VERDICT_KEYS = {Verdict.ACCEPTED: "Ctrl+1", Verdict.RETURNED: "Ctrl+2",
                Verdict.TO_VERIFY: "Ctrl+3"}


class ReviewDialog(QDialog):
    """Reviews ``items`` ((unit id, measure id) pairs) of ``session``'s workspace."""

    verdictSet = Signal(str, str)  # unit id, measure id

    def __init__(self, session: Session, items: Sequence[tuple[str, str]], index: int = 0,
                 parent: QWidget | None = None, *, title: str = "") -> None:
        super().__init__(parent)
        self.session = session
        self.items = list(items)
        self.index = -1
        self.item: ReviewItem | None = None
        self.viewer: EvidenceViewer | None = None
        self.setObjectName("reviewDialog")
        self.setWindowTitle(title or self.tr("审核"))
        self.setModal(False)
        self._build()
        self.show_index(max(0, min(index, len(self.items) - 1)))

    # ---- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.position_label = QLabel()
        self.position_label.setObjectName("reviewPosition")
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.record_view = QTextBrowser()
        self.record_view.setObjectName("reviewRecord")
        self.record_view.setOpenLinks(False)
        self.evidence_list = QListWidget()
        self.evidence_list.setObjectName("reviewEvidence")
        self.evidence_list.itemActivated.connect(lambda _i: self.view_evidence())
        self.view_button = QPushButton(self.tr("查看佐证…"))
        self.view_button.clicked.connect(self.view_evidence)
        evidence_box = QWidget()
        evidence_layout = QVBoxLayout(evidence_box)
        evidence_layout.setContentsMargins(0, 0, 0, 0)
        evidence_layout.addWidget(QLabel(self.tr("佐证材料：")))
        evidence_layout.addWidget(self.evidence_list, 1)
        evidence_layout.addWidget(self.view_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.record_view)
        split.addWidget(evidence_box)
        split.setSizes([520, 260])

        self.state_label = QLabel()
        self.state_label.setObjectName("reviewState")
        self.state_label.setWordWrap(True)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("reviewComment")
        self.comment.setPlaceholderText(self.tr("审核意见（退回整改时必填：哪里不足、需要补充什么）"))
        self.comment.setTabChangesFocus(True)
        self.comment.setMaximumHeight(80)
        self.message = QLabel()
        self.message.setObjectName("reviewMessage")
        self.message.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")

        self.verdict_buttons: dict[Verdict, QPushButton] = {}
        buttons = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("◀ 上一条"))
        self.previous_button.setToolTip("Alt+←")
        self.previous_button.clicked.connect(lambda: self.step(-1))
        buttons.addWidget(self.previous_button)
        for verdict, key in VERDICT_KEYS.items():
            button = QPushButton(f"{verdict.label}（{key}）")
            button.setObjectName(f"verdict_{verdict.value}")
            button.clicked.connect(lambda _c=False, v=verdict: self.set_verdict(v))
            self.verdict_buttons[verdict] = button
            buttons.addWidget(button)
            self._shortcut(key, lambda v=verdict: self.set_verdict(v))
        self.next_button = QPushButton(self.tr("下一条 ▶"))
        self.next_button.setToolTip("Alt+→")
        self.next_button.clicked.connect(lambda: self.step(1))
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        self.accept_all_button = QPushButton(self.tr("本单位其余全部通过"))
        self.accept_all_button.setToolTip(self.tr("本单位尚未审核的举措一律设为通过"))
        self.accept_all_button.clicked.connect(self.accept_remaining)
        buttons.addWidget(self.accept_all_button)
        self.export_button = QPushButton(self.tr("导出本单位整改意见…"))
        self.export_button.clicked.connect(self.export_unit)
        buttons.addWidget(self.export_button)
        self._shortcut("Alt+Right", lambda: self.step(1))
        self._shortcut("Alt+Left", lambda: self.step(-1))

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.position_label)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.state_label)
        layout.addWidget(self.comment)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        manage_window(self, "review", (900, 640))

    def _shortcut(self, key: str, then: Any) -> QShortcut:
        """Works wherever the focus is in the dialog (also while typing the comment)."""
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(then)
        return shortcut

    # ---- stepping ------------------------------------------------------------------------

    @property
    def current(self) -> tuple[str, str] | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def step(self, direction: int) -> None:
        target = self.index + direction
        if 0 <= target < len(self.items):
            self.show_index(target)
        else:
            self.message.setText(self.tr("已是最后一条") if direction > 0
                                 else self.tr("已是第一条"))

    def show_index(self, index: int) -> None:
        from gongkai_desktop.review.item import review_item

        if not 0 <= index < len(self.items):
            return
        unit_id, measure_id = self.items[index]
        try:
            item = review_item(self.session.ws, unit_id, measure_id)
        except Exception as exc:
            show_error(self, exc)
            return
        self.index, self.item = index, item
        self.position_label.setText(self.tr("第 {n} / {total} 条").format(
            n=index + 1, total=len(self.items)))
        self.heading.setText(f"<b>{html.escape(item.imported.unit.name)}</b>　"
                             f"{html.escape(item.measure.id)}　{html.escape(item.measure.text)}")
        self.record_view.setHtml(_record_html(item))
        self.evidence_list.clear()
        for e in item.evidence:
            name = e.file_name if e.is_file else (e.title or e.url)
            QListWidgetItem(name + ("" if not e.is_file or e.has_content
                                    else self.tr("（未随数据包提供）")), self.evidence_list)
        if item.evidence:
            self.evidence_list.setCurrentRow(0)
        self.view_button.setEnabled(bool(item.evidence))
        self._show_state()
        # A verdict being revised keeps its comment; a rectified one is judged afresh (the
        # earlier comment is in 审核记录).
        keep = item.entry is not None and item.entry.state in (ReviewState.RETURNED,
                                                               ReviewState.TO_VERIFY)
        self.comment.setPlainText(item.entry.verdict.comment if keep and item.entry else "")
        self.message.setText("")
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.items) - 1)

    def _show_state(self) -> None:
        item = self.item
        if item is None:
            return
        if item.entry is None:
            self.state_label.setText(self.tr("尚未审核"))
            self.state_label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
            return
        entry = item.entry
        when = entry.verdict.reviewed_at.astimezone().strftime("%Y-%m-%d %H:%M")
        self.state_label.setText(self.tr("当前结论：{state}（{when}，针对序号 {seq}）").format(
            state=entry.state.label, when=when, seq=entry.verdict.bundle_sequence))
        self.state_label.setStyleSheet(
            f"color: {review_style.color(entry.state).name()}; font-weight: bold;")

    # ---- verdicts ------------------------------------------------------------------------

    def set_verdict(self, verdict: Verdict) -> bool:
        """Record ``verdict`` on the current record and move on; False when refused."""
        from gongkai_desktop.errors import GongkaiError
        from gongkai_desktop.review.verdicts import set_verdict
        from gongkai_desktop.ui.workspace.commands import actor_of

        current = self.current
        if current is None:
            return False
        unit_id, measure_id = current
        try:
            set_verdict(self.session.ws, unit_id, measure_id, verdict,
                        self.comment.toPlainText(), actor=actor_of(self.session))
        except GongkaiError as exc:
            self.message.setText(str(exc))  # inline: the reviewer keeps typing
            self.comment.setFocus()
            return False
        self.verdictSet.emit(unit_id, measure_id)
        if self.index < len(self.items) - 1:
            self.show_index(self.index + 1)
        else:
            self.show_index(self.index)
            self.message.setText(self.tr("已审核到最后一条"))
        return True

    def accept_remaining(self) -> int:
        """全部通过 for the current unit's measures in this list that have no verdict yet."""
        from gongkai_desktop.review.verdicts import accept_remaining
        from gongkai_desktop.ui.workspace.commands import actor_of

        current = self.current
        if current is None:
            return 0
        unit_id = current[0]
        measures = [m for u, m in self.items if u == unit_id]
        try:
            count = accept_remaining(self.session.ws, unit_id, measures,
                                     actor=actor_of(self.session))
        except Exception as exc:
            show_error(self, exc)
            return 0
        self.show_index(self.index)
        self.message.setText(self.tr("已将其余 {n} 项设为通过").format(n=count))
        self.verdictSet.emit(unit_id, "")
        return count

    def export_unit(self) -> Any:
        from gongkai_desktop.ui.review.review_actions import export_reviews

        if self.item is None:
            return None
        unit = self.item.imported.unit
        return export_reviews(self, self.session, unit.id, unit.name)

    # ---- evidence ------------------------------------------------------------------------

    def view_evidence(self) -> EvidenceViewer | None:
        from gongkai_desktop.bundle.supervisor import SupervisorView
        from gongkai_desktop.evidence_kinds import evidence_kind
        from gongkai_desktop.ui.evidence.preview import (
            Entry,
            EvidenceSource,
            EvidenceViewer,
            show_viewer,
        )

        item = self.item
        row = self.evidence_list.currentRow()
        if item is None or not 0 <= row < len(item.evidence):
            return None
        unit_id = item.imported.unit.id
        entries = [Entry(e.id, e.file_name if e.is_file else (e.title or e.url),
                         evidence_kind(e), e.size, e.url, not e.is_file or e.has_content)
                   for e in item.evidence]
        source = EvidenceSource(
            self.session.path, "office-" + hashlib.sha256(unit_id.encode()).hexdigest()[:12],
            lambda ws, key, folder: SupervisorView(ws).export_evidence(unit_id, key, folder))
        try:
            self.viewer = show_viewer(EvidenceViewer(source, entries, row, self))
        except Exception as exc:
            show_error(self, exc)
            return None
        return self.viewer


def _record_html(item: ReviewItem) -> str:
    r = item.record
    esc = html.escape
    rows = [("完成状态", esc(r.status.label)),
            ("完成时间", r.completed_on.isoformat() if r.completed_on else "—"),
            ("完成情况说明", esc(r.explanation).replace("\n", "<br>") or "—"),
            ("不适用理由", esc(r.reason) or "—"),
            ("公开网址", "<br>".join(esc(u) for u in r.urls) or "—"),
            ("备注", esc(r.remarks) or "—")]
    if item.ledger is not None:
        lg = item.ledger
        rows += [("整改台账", f"存在问题：{esc(lg.problem)}<br>整改措施：{esc(lg.action)}<br>"
                            f"责任人：{esc(lg.owner)}　整改时限：{lg.deadline.isoformat()}")]
    if item.entry is not None and item.entry.state is ReviewState.RECTIFIED:
        rows.insert(0, ("审核", "<b>已整改，待复核</b>（单位在退回后修改了此项）"))
    history = [f"{v.reviewed_at.astimezone():%Y-%m-%d} {esc(v.verdict.label)}"
               + (f"：{esc(v.comment)}" if v.comment else "") for v in item.history]
    if history:
        rows.append(("审核记录", "<br>".join(history)))
    rows.append(("数据包", f"序号 {item.imported.sequence}"))
    body = "".join(f"<tr><td style='color:#5f6670; padding-right:8px' valign='top'>{k}</td>"
                   f"<td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"
