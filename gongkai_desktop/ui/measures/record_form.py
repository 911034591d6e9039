"""The 完成情况 tab: status, 不适用理由, completion date, explanation, URLs, remarks.

Edits save themselves. Text fields are committed after ``IDLE_MS`` without
typing, when focus leaves them, and on ``flush()`` (measure change, window
closing); the status and the date's clear button commit at once. Each commit is
one ``EditRecordCommand`` (one transaction). When the record changes elsewhere
(undo, import) only the fields whose value really differs are rewritten, so the
cursor stays where it is.

Nothing typed is dropped: a web address or date the core refuses stays in its field
as typed, framed red with the reason under it, and is kept in the session's drafts
(the tree marks the measure) until corrected or discarded. ``www.…`` addresses are
completed to ``http://…`` by the core, and the form says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.typed_input import complete_url, date_text, proposed_completion_date
from gongkai_desktop.ui.common.date_field import INVALID_STYLE, DateField
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.style import status_icon
from gongkai_desktop.ui.report import report_prompts
from gongkai_desktop.ui.workspace.commands import EditRecordCommand, perform, seal_typing
from gongkai_desktop.ui.workspace.session import Session

IDLE_MS = 600
ERROR_STYLE = "color: #c0392b;"
TEXT_FIELDS = ("reason", "explanation", "urls", "remarks")
NA_REFUSED = ("标记为“不适用”必须填写理由：请先在下方“不适用理由”中写明为什么不适用，"
              "再选择“不适用”。")
REASON_REQUIRED = "“不适用”的理由不能为空；如果此项其实适用，请先改选其他状态。"


KEEP, DISCARD, GO_BACK = 0, 1, 2  # answers to the "input not saved" question
FLAGGED_CHOICES = ("保存修正", "放弃输入", "返回修改")
FIELD_NAMES = {"urls": "公开网址", "completed_on": "完成时间"}


def parse_urls(text: str) -> tuple[tuple[str, ...], str | None]:
    """(the URLs, one per non-empty line, completed; the first problem in Chinese or None)."""
    urls, _completed, problem = read_urls(text)
    return urls, problem


def read_urls(text: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """(the URLs, those the core completed with http://, the first problem or None)."""
    urls: list[str] = []
    completed: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value:
            continue
        try:
            result = complete_url(value)
        except InvalidInput as exc:
            return tuple(urls), tuple(completed), f"第 {number} 行：{exc}"
        urls.append(result.url)
        if result.completed:
            completed.append(result.url)
    return tuple(urls), tuple(completed), None


def _same_text(a: str, b: str) -> bool:
    return a.rstrip() == b.rstrip()


def _ask_flagged(parent: QWidget, text: str) -> int:
    return report_prompts.ask_choice(parent, parent.tr("有输入尚未保存"), text,
                                     [parent.tr(c) for c in FLAGGED_CHOICES])


# (parent, text) -> KEEP / DISCARD / GO_BACK (or -1 when closed); tests may replace it.
ask_flagged: Callable[[QWidget, str], int] = _ask_flagged


def flagged_question(measure_ids: list[str], fields: list[str]) -> str:
    """The question asked when leaving a measure (or quitting) with input not saved."""
    what = "、".join(FIELD_NAMES.get(f, f) for f in fields) if fields else "输入"
    where = "、".join(measure_ids)
    return (f"举措 {where} 的“{what}”格式不对，还没有保存（已标红）。\n\n"
            "保存修正：保留输入的内容，举措上标出“待修正”，下次打开仍在，之后再改；\n"
            "放弃输入：丢掉这些输入，恢复为已保存的内容；\n"
            "返回修改：回到此处改正。")


class RecordForm(QWidget):
    """Edits one measure's record; ``set_measure`` chooses which."""

    saved = Signal(str)  # a short note for the status line ("已自动保存 14:30:12")
    dirtyChanged = Signal(bool)
    undoRequested = Signal()
    redoRequested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.measure_id: str | None = None
        self._dirty: set[str] = set()
        self._loading = False
        self._completed: tuple[str, ...] = ()  # addresses the last save completed

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(IDLE_MS)
        self.timer.timeout.connect(self.flush)

        self.status_combo = QComboBox()
        for status in Status:
            self.status_combo.addItem(status_icon(status), status.label, status)
        self.status_combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.status_combo.setMinimumWidth(140)
        self.status_combo.activated.connect(self._status_chosen)
        self.status_error = self._error_label()

        self.reason_edit = self._text_edit(self.tr("为什么此项不适用于本单位（必填）"), 64)
        self.reason_label = QLabel(self.tr("不适用理由："))
        self.reason_error = self._error_label()

        self.date_edit = DateField()
        self.date_edit.edited.connect(self._date_edited)
        self.date_error = self._error_label()
        self.date_clear = QToolButton()
        self.date_clear.setText(self.tr("清除"))
        self.date_clear.setToolTip(self.tr("不填写完成时间"))
        self.date_clear.clicked.connect(self._clear_date)
        self.date_note = QLabel()
        self.date_note.setStyleSheet("color: #5f6670;")

        self.explanation_edit = self._text_edit(
            self.tr("做了什么、何时做的、在哪里公开（例如：已于 2020 年 9 月在区政府网站"
                    "“政府信息公开”专栏发布……）"), 0)
        self.explanation_edit.setMinimumHeight(110)
        self.urls_edit = self._text_edit(
            self.tr("每行一个网址，例如 http://www.wz.gov.cn/zwgk/"), 72)
        self.urls_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.urls_error = self._error_label()
        self.urls_note = QLabel()  # "completed to http://…": said, not done silently
        self.urls_note.setStyleSheet("color: #5f6670;")
        self.urls_note.setWordWrap(True)
        self.urls_note.hide()
        self.remarks_edit = self._text_edit(self.tr("其他需要说明的情况（可选）"), 64)

        self.editors: dict[str, QPlainTextEdit] = {
            "reason": self.reason_edit,
            "explanation": self.explanation_edit,
            "urls": self.urls_edit,
            "remarks": self.remarks_edit,
        }
        for field, editor in self.editors.items():
            editor.textChanged.connect(lambda f=field: self._text_edited(f))
            editor.installEventFilter(self)
            editor.setUndoRedoEnabled(False)  # Ctrl+Z goes to the session's undo stack
        self.status_combo.installEventFilter(self)
        self.date_edit.line.installEventFilter(self)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status_combo)
        status_row.addStretch(1)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit)
        date_row.addWidget(self.date_clear)
        date_row.addWidget(self.date_note, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("完成状态："), _stacked(status_row, self.status_error))
        form.addRow(self.reason_label, _stacked(self.reason_edit, self.reason_error))
        form.addRow(self.tr("完成时间："), _stacked(date_row, self.date_error))
        form.addRow(self.tr("完成情况说明："), self.explanation_edit)
        urls_box = _stacked(self.urls_edit, self.urls_error)
        urls_box.addWidget(self.urls_note)
        form.addRow(self.tr("公开网址："), urls_box)
        form.addRow(self.tr("备注："), self.remarks_edit)
        self.form = form

        inner = QWidget()
        form.setContentsMargins(8, 10, 8, 8)
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        session.recordChanged.connect(self._on_record_changed)
        self.set_measure(None)

    # -- building -------------------------------------------------------------------------

    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.hide()
        return label

    def _text_edit(self, placeholder: str, height: int) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        if height:
            edit.setFixedHeight(height)
        edit.setSizePolicy(QSizePolicy.Policy.Expanding,
                           QSizePolicy.Policy.Fixed if height else QSizePolicy.Policy.Expanding)
        return edit

    # -- which measure ---------------------------------------------------------------------------

    def set_measure(self, measure_id: str | None) -> None:
        """Show another measure; pending edits of the current one are saved first, and
        input that cannot be saved is kept as a draft (see ``confirm_leave``)."""
        if measure_id == self.measure_id and measure_id is not None:
            return
        self.flush()
        seal_typing(self.session)
        self._keep_draft()
        self.measure_id = measure_id
        for label in (self.status_error, self.reason_error, self.urls_error, self.date_error):
            _hide_error(label)
        self._set_flag(self.urls_edit, False)
        self.date_edit.set_flagged(False)
        self.urls_note.hide()
        self._dirty.clear()
        self.date_note.clear()
        enabled = measure_id is not None and not getattr(self.session.ws, "readonly", False)
        for widget in (self.status_combo, self.date_clear):
            widget.setEnabled(enabled)
        self.date_edit.setReadOnly(not enabled)
        for editor in self.editors.values():
            editor.setReadOnly(not enabled)
        self.date_edit.calendar_start = self._calendar_start()
        self.load(force=True)
        self._restore_draft()

    def _calendar_start(self) -> dt.date | None:
        """The measure's deadline, or 1 January of the plan's year: where the calendar opens."""
        if self.measure_id is None:
            return None
        plan = self.session.ws.plan
        deadline = plan.measure(self.measure_id).deadline.date
        return deadline or dt.date(plan.info.issued.year, 1, 1)

    def flagged_fields(self) -> dict[str, str]:
        """Fields of the shown measure whose text the core refuses: field -> text as typed."""
        out: dict[str, str] = {}
        if self.measure_id is None:
            return out
        if self._urls_problem():
            out["urls"] = self.urls_edit.toPlainText()
        if self.date_edit.problem():
            out["completed_on"] = self.date_edit.text()
        return out

    def _keep_draft(self) -> None:
        """Input the core refused stays in the session's drafts (the tree marks it)."""
        if self.measure_id is not None:
            self.session.set_draft(self.measure_id, self.flagged_fields())

    def _urls_problem(self) -> str | None:
        return parse_urls(self.urls_edit.toPlainText())[1]

    def _restore_draft(self) -> None:
        if self.measure_id is None:
            return
        draft = self.session.drafts.get(self.measure_id, {})
        self._loading = True
        try:
            if "urls" in draft:
                self.urls_edit.setPlainText(draft["urls"])
            if "completed_on" in draft:
                self.date_edit.set_text(draft["completed_on"])
        finally:
            self._loading = False
        self._dirty.update(draft)
        self._show_problems()

    def unsaved_measures(self) -> list[str]:
        """Measures whose typed input could not be saved (kept as drafts until corrected)."""
        self._keep_draft()
        return sorted(self.session.drafts)

    def confirm_leave(self) -> bool:
        """Before showing another measure: True to go on. With input that cannot be saved
        the officer chooses: keep it for later, discard it, or go back and correct it."""
        self.flush()
        flagged = self.flagged_fields()
        if self.measure_id is None or not flagged:
            return True
        answer = ask_flagged(self, flagged_question([self.measure_id], list(flagged)))
        if answer == KEEP:
            self._keep_draft()
            return True
        if answer == DISCARD:
            self.discard_input()
            return True
        self.focus_flagged()
        return False

    def discard_input(self, measure_ids: list[str] | None = None) -> None:
        """Forget kept input (of these measures; all when None) and show what is saved."""
        for measure_id in list(self.session.drafts if measure_ids is None else measure_ids):
            self.session.set_draft(measure_id, {})
        if self.measure_id is not None and (measure_ids is None
                                            or self.measure_id in measure_ids):
            self._dirty.difference_update({"urls", "completed_on"})
            for label in (self.urls_error, self.date_error):
                _hide_error(label)
            self._set_flag(self.urls_edit, False)
            self.date_edit.set_flagged(False)
            self.load(force=True)
            self.date_edit.set_value(self.record().completed_on)

    def focus_flagged(self) -> None:
        if self.date_edit.problem():
            self.date_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.urls_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _set_flag(editor: QWidget, on: bool) -> None:
        editor.setStyleSheet(f"QPlainTextEdit {{ {INVALID_STYLE} }}" if on else "")

    # -- record → widgets ------------------------------------------------------------------------

    def record(self) -> MeasureRecord:
        assert self.measure_id is not None
        return self.session.ws.record(self.measure_id)

    def load(self, *, force: bool = False) -> None:
        """Put the record into the widgets; a widget already showing its value is left alone."""
        self._loading = True
        try:
            record = MeasureRecord("") if self.measure_id is None else self.record()
            index = self.status_combo.findData(record.status)
            if index != self.status_combo.currentIndex():
                self.status_combo.setCurrentIndex(index)
            if "completed_on" not in self._dirty and (
                    force or self.date_edit.value() != record.completed_on
                    or self.date_edit.problem()):
                self.date_edit.set_value(record.completed_on)
            values = {
                "reason": record.reason,
                "explanation": record.explanation,
                "urls": "\n".join(record.urls),
                "remarks": record.remarks,
            }
            for field, editor in self.editors.items():
                if field in self._dirty and not force:
                    continue
                current = editor.toPlainText()
                if field == "urls":
                    same = parse_urls(current) == (record.urls, None)
                else:
                    same = _same_text(current, values[field])
                if force or not same:
                    _set_text_keeping_cursor(editor, values[field])
            self._update_reason_visibility(record)
        finally:
            self._loading = False

    def _update_reason_visibility(self, record: MeasureRecord | None = None,
                                  force_show: bool = False) -> None:
        show = force_show or self.current_status() is Status.NOT_APPLICABLE or bool(
            self.reason_edit.toPlainText().strip()) or bool(record and record.reason)
        self.form.setRowVisible(self.reason_label, show)  # shows every widget of the row…
        self.reason_error.setVisible(show and bool(self.reason_error.text()))  # …but this one

    def current_status(self) -> Status:
        data = self.status_combo.currentData()
        return Status(data) if data is not None else Status.NOT_STARTED

    def _on_record_changed(self, measure_id: str) -> None:
        if self.measure_id is not None and measure_id in (self.measure_id, ""):
            self.load()

    # -- widgets → record --------------------------------------------------------------------------

    def _text_edited(self, field: str) -> None:
        if self._loading or self.measure_id is None:
            return
        self._dirty.add(field)
        if field == "urls":
            _hide_error(self.urls_error)
            self.urls_note.hide()
        if field == "reason":
            _hide_error(self.reason_error)
            if self.reason_edit.toPlainText().strip():
                _hide_error(self.status_error)
        self.dirtyChanged.emit(True)
        self.timer.start()

    def _date_edited(self) -> None:
        if self._loading or self.measure_id is None:
            return
        self._dirty.add("completed_on")
        self.date_note.clear()
        _hide_error(self.date_error)
        self.date_edit.set_flagged(False)
        self.dirtyChanged.emit(True)
        self.flush()

    def _clear_date(self) -> None:
        if self.measure_id is None:
            return
        self._loading = True
        try:
            self.date_edit.set_value(None)
        finally:
            self._loading = False
        _hide_error(self.date_error)
        self._dirty.add("completed_on")
        self.flush()

    def _pending_changes(self, record: MeasureRecord) -> tuple[dict[str, Any], set[str]]:
        """(dirty fields whose value differs from ``record``, fields refused with a message)."""
        changes: dict[str, Any] = {}
        refused: set[str] = set()
        for field in sorted(self._dirty):
            if field == "completed_on":
                if self.date_edit.problem():
                    self._show_problems()
                    refused.add(field)
                elif self.date_edit.value() != record.completed_on:
                    changes[field] = self.date_edit.value()
                continue
            text = self.editors[field].toPlainText()
            if field == "urls":
                urls, completed, problem = read_urls(text)
                if problem:
                    self._show_problems()
                    refused.add(field)
                elif urls != record.urls:
                    changes[field] = urls
                    self._completed = completed
                continue
            if field == "reason" and record.status is Status.NOT_APPLICABLE \
                    and not text.strip():
                self.reason_error.setText(REASON_REQUIRED)
                self.reason_error.show()
                refused.add(field)
                continue
            if not _same_text(text, getattr(record, field)):
                changes[field] = text.rstrip()
        return changes, refused

    def _show_problems(self) -> None:
        """Frame red and explain every field whose text cannot be saved."""
        unsaved = self.tr("（未保存，改正后自动保存）")
        problem = self._urls_problem()
        if problem:
            self.urls_error.setText(problem + unsaved)
            self.urls_error.show()
            self.urls_note.hide()
        self._set_flag(self.urls_edit, bool(problem))
        problem = self.date_edit.problem()
        if problem:
            self.date_error.setText(problem + unsaved)
            self.date_error.show()
        self.date_edit.set_flagged(bool(problem))

    def _show_completed(self) -> None:
        """Say which addresses got http:// and, once the officer left the box, show them."""
        completed, self._completed = self._completed, ()
        if completed:
            self.urls_note.setText(self.tr("已补全为完整网址并保存：{0}").format(
                "、".join(completed)))
            self.urls_note.show()
        if "urls" not in self._dirty and not self.urls_edit.hasFocus():
            self._sync_urls_text()

    def _sync_urls_text(self) -> None:
        """Show the saved (completed) addresses in the box, one per line."""
        if self.measure_id is None or "urls" in self._dirty:
            return
        saved = "\n".join(self.record().urls)
        if self.urls_edit.toPlainText().strip() != saved:
            self._loading = True
            try:
                _set_text_keeping_cursor(self.urls_edit, saved)
            finally:
                self._loading = False

    def _after_save(self) -> None:
        """Flags, completed addresses and the normalised date after a save."""
        self._show_problems()
        self._show_completed()
        if "completed_on" not in self._dirty and self.measure_id is not None:
            saved = self.record().completed_on
            if self.date_edit.value() == saved:
                self.date_edit.set_value(saved)  # 2020.9.15 → 2020-09-15, as understood
        self._keep_draft()

    def flush(self) -> bool:
        """Save every pending edit now; False when something typed could not be saved."""
        self.timer.stop()
        if self.measure_id is not None and self.date_edit.take_pending():
            self._dirty.add("completed_on")  # typed, Enter not pressed, focus still there
        if self.measure_id is None or not self._dirty:
            return not self._dirty
        changes, refused = self._pending_changes(self.record())
        if changes and not self._commit(changes):
            return False
        self._dirty = refused
        self._after_save()
        self.dirtyChanged.emit(bool(self._dirty))
        return not refused

    def _commit(self, changes: dict[str, Any], text: str = "") -> bool:
        assert self.measure_id is not None
        try:
            perform(self.session, EditRecordCommand(self.session, self.measure_id, changes, text))
        except InvalidInput as exc:
            self.status_error.setText(str(exc))
            self.status_error.show()
            return False
        except Exception as exc:
            show_error(self, exc)
            return False
        self.saved.emit(self.tr("已自动保存 {0}").format(dt.datetime.now().strftime("%H:%M:%S")))
        return True

    def _status_chosen(self, _index: int) -> None:
        if self.measure_id is None:
            return
        chosen = self.current_status()
        record = self.record()
        if chosen is record.status:
            return
        reason = self.reason_edit.toPlainText()
        if chosen is Status.NOT_APPLICABLE and not reason.strip():
            self._revert_status(record)
            self.status_error.setText(NA_REFUSED)
            self.status_error.show()
            self._update_reason_visibility(record, force_show=True)
            self.reason_edit.setFocus()
            return
        _hide_error(self.status_error)
        self.timer.stop()
        changes, refused = self._pending_changes(record)
        changes["status"] = chosen
        if chosen is Status.NOT_APPLICABLE and not _same_text(reason, record.reason):
            changes["reason"] = reason.rstrip()
        today = proposed_completion_date(record, chosen, changes.get("completed_on"),
                                         self.session.today())
        if today is not None and "completed_on" not in refused:
            changes["completed_on"] = today
        seal_typing(self.session)
        if not self._commit(changes):
            self._revert_status(record)
            return
        seal_typing(self.session)
        self._dirty = refused
        self._after_save()
        if today is not None and "completed_on" not in refused:
            self.date_edit.set_value(today)
            self.date_note.setText(self.tr("已填入今天的日期（{0}），可修改").format(
                date_text(today)))
        self._update_reason_visibility(self.record())
        self.dirtyChanged.emit(bool(self._dirty))

    def _revert_status(self, record: MeasureRecord) -> None:
        self._loading = True
        try:
            self.status_combo.setCurrentIndex(self.status_combo.findData(record.status))
        finally:
            self._loading = False

    # -- keys and focus --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusOut and watched in self.editors.values():
            self.flush()
            seal_typing(self.session)
            if watched is self.urls_edit:
                self._sync_urls_text()
        elif kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(
                event, QKeyEvent):
            undo = event.matches(QKeySequence.StandardKey.Undo)
            redo = event.matches(QKeySequence.StandardKey.Redo)
            if undo or redo:
                event.accept()  # ours, not the editor's private undo nor a window shortcut
                if kind == QEvent.Type.KeyPress:
                    (self.undoRequested if undo else self.redoRequested).emit()
                return True
        elif kind == QEvent.Type.Wheel and isinstance(watched, QComboBox) \
                and not watched.hasFocus():
            event.ignore()  # scrolling the page must not change the status or date
            return True
        return super().eventFilter(watched, event)


def _hide_error(label: QLabel) -> None:
    label.clear()
    label.hide()


def _stacked(top: QWidget | QHBoxLayout, below: QWidget) -> QVBoxLayout:
    """A field with its inline message right under it (no empty row when hidden)."""
    box = QVBoxLayout()
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(4)
    if isinstance(top, QWidget):
        box.addWidget(top)
    else:
        box.addLayout(top)
    box.addWidget(below)
    return box


def _set_text_keeping_cursor(editor: QPlainTextEdit, text: str) -> None:
    cursor = editor.textCursor()
    position = cursor.position()
    scroll = editor.verticalScrollBar().value()
    editor.setPlainText(text)
    cursor = editor.textCursor()
    cursor.setPosition(min(position, len(text)))
    editor.setTextCursor(cursor)
    editor.verticalScrollBar().setValue(scroll)
