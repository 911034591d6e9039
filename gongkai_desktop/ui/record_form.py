"""The 完成情况 tab: status, 不适用理由, completion date, explanation, URLs, remarks.

Edits save themselves. Text fields are committed after ``IDLE_MS`` without
typing, when focus leaves them, and on ``flush()`` (measure change, window
closing); the status and the date's clear button commit at once. Each commit is
one ``EditRecordCommand`` (one transaction). When the record changes elsewhere
(undo, import) only the fields whose value really differs are rewritten, so the
cursor stays where it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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
from gongkai_desktop.storage.records import EARLIEST_DATE, check_url
from gongkai_desktop.ui.commands import EditRecordCommand, perform, seal_typing
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.session import Session
from gongkai_desktop.ui.style import status_icon

IDLE_MS = 600
ERROR_STYLE = "color: #c0392b;"
TEXT_FIELDS = ("reason", "explanation", "urls", "remarks")
NA_REFUSED = ("标记为“不适用”必须填写理由：请先在下方“不适用理由”中写明为什么不适用，"
              "再选择“不适用”。")
REASON_REQUIRED = "“不适用”的理由不能为空；如果此项其实适用，请先改选其他状态。"


def parse_urls(text: str) -> tuple[tuple[str, ...], str | None]:
    """(the URLs, one per non-empty line; the first problem in Chinese or None)."""
    urls: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value:
            continue
        try:
            urls.append(check_url(value))
        except InvalidInput as exc:
            return tuple(urls), f"第 {number} 行：{exc}"
    return tuple(urls), None


def _same_text(a: str, b: str) -> bool:
    return a.rstrip() == b.rstrip()


class OptionalDateEdit(QDateEdit):
    """A date that may be left empty: the minimum date stands for "未填写".

    An empty date shows today while it has the focus (so typing and the calendar
    start from today) and goes back to empty on leaving unless the user picked a
    date: ``userPicked`` tells the form a date was really chosen.
    """

    userPicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty = QDate(EARLIEST_DATE.year, EARLIEST_DATE.month, EARLIEST_DATE.day)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(self._empty)
        self.setMaximumDate(QDate(2099, 12, 31))
        self.setSpecialValueText("未填写")
        self.setDate(self._empty)
        self.placeholder = False  # showing today only because an empty date got focus
        self.today: Callable[[], dt.date] = dt.date.today
        self.calendarWidget().clicked.connect(self._picked)
        self.calendarWidget().activated.connect(self._picked)
        self.dateChanged.connect(self._changed)

    def _picked(self, _date: QDate) -> None:
        self.placeholder = False
        self.userPicked.emit()

    def _changed(self, _date: QDate) -> None:
        self.placeholder = False  # the user typed or picked a date

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.date() == self._empty and event.reason() != Qt.FocusReason.PopupFocusReason:
            self.placeholder = True
            self.blockSignals(True)
            try:
                today = self.today()
                self.setDate(QDate(today.year, today.month, today.day))
            finally:
                self.blockSignals(False)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.placeholder and event.reason() != Qt.FocusReason.PopupFocusReason:
            self.placeholder = False
            self.blockSignals(True)
            try:
                self.setDate(self._empty)
            finally:
                self.blockSignals(False)

    def value(self) -> dt.date | None:
        date = self.date()
        if date == self._empty or self.placeholder:
            return None
        return dt.date(date.year(), date.month(), date.day())

    def set_value(self, value: dt.date | None) -> None:
        self.placeholder = False
        self.setDate(self._empty if value is None
                     else QDate(value.year, value.month, value.day))


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
        self._drafts: dict[str, dict[str, Any]] = {}  # unsaved (refused) text per measure

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

        self.date_edit = OptionalDateEdit()
        self.date_edit.today = lambda: self.session.today()
        self.date_edit.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.date_edit.dateChanged.connect(self._date_edited)
        self.date_edit.userPicked.connect(lambda: self._date_edited(self.date_edit.date()))
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
        for widget in (self.status_combo, self.date_edit):
            widget.installEventFilter(self)
        self.date_edit.lineEdit().installEventFilter(self)

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
        form.addRow(self.tr("完成时间："), date_row)
        form.addRow(self.tr("完成情况说明："), self.explanation_edit)
        form.addRow(self.tr("公开网址："), _stacked(self.urls_edit, self.urls_error))
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
        """Show another measure; pending edits of the current one are saved first."""
        if measure_id == self.measure_id and measure_id is not None:
            return
        self.flush()
        seal_typing(self.session)
        self._keep_draft()
        self.measure_id = measure_id
        for label in (self.status_error, self.reason_error, self.urls_error):
            _hide_error(label)
        self._dirty.clear()
        self.date_note.clear()
        enabled = measure_id is not None and not getattr(self.session.ws, "readonly", False)
        for widget in (self.status_combo, self.date_edit, self.date_clear):
            widget.setEnabled(enabled)
        for editor in self.editors.values():
            editor.setReadOnly(not enabled)
        self.load(force=True)
        self._restore_draft()

    def _keep_draft(self) -> None:
        """Text the core refused (a bad URL) is kept for when the measure comes back."""
        if self.measure_id is None:
            return
        if not self.urls_error.isHidden() or self._urls_problem():
            self._drafts[self.measure_id] = {"urls": self.urls_edit.toPlainText()}
        else:
            self._drafts.pop(self.measure_id, None)

    def _urls_problem(self) -> str | None:
        return parse_urls(self.urls_edit.toPlainText())[1]

    def _restore_draft(self) -> None:
        if self.measure_id is None:
            return
        draft = self._drafts.get(self.measure_id)
        if draft and "urls" in draft:
            self._loading = True
            try:
                self.urls_edit.setPlainText(draft["urls"])
            finally:
                self._loading = False
            self._dirty.add("urls")
            self._show_urls_problem()

    def unsaved_measures(self) -> list[str]:
        """Measures whose typed text could not be saved (shown to the user on close)."""
        self._keep_draft()
        return sorted(self._drafts)

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
            if ("completed_on" not in self._dirty and not self.date_edit.placeholder
                    and self.date_edit.value() != record.completed_on):
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
        if field == "reason":
            _hide_error(self.reason_error)
            if self.reason_edit.toPlainText().strip():
                _hide_error(self.status_error)
        self.dirtyChanged.emit(True)
        self.timer.start()

    def _date_edited(self, _date: QDate) -> None:
        if self._loading or self.measure_id is None:
            return
        self._dirty.add("completed_on")
        self.date_note.clear()
        self.dirtyChanged.emit(True)
        self.timer.start()

    def _clear_date(self) -> None:
        if self.measure_id is None:
            return
        self._loading = True
        try:
            self.date_edit.set_value(None)
        finally:
            self._loading = False
        self._dirty.add("completed_on")
        self.flush()

    def _pending_changes(self, record: MeasureRecord) -> tuple[dict[str, Any], set[str]]:
        """(dirty fields whose value differs from ``record``, fields refused with a message)."""
        changes: dict[str, Any] = {}
        refused: set[str] = set()
        for field in sorted(self._dirty):
            if field == "completed_on":
                value = self.date_edit.value()
                if value != record.completed_on:
                    changes[field] = value
                continue
            text = self.editors[field].toPlainText()
            if field == "urls":
                urls, problem = parse_urls(text)
                if problem:
                    self._show_urls_problem(problem)
                    refused.add(field)
                elif urls != record.urls:
                    changes[field] = urls
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

    def _show_urls_problem(self, problem: str | None = None) -> None:
        problem = problem or self._urls_problem()
        if problem:
            self.urls_error.setText(problem + self.tr("（未保存，改正后自动保存）"))
            self.urls_error.show()

    def flush(self) -> bool:
        """Save every pending edit now; False when something typed could not be saved."""
        self.timer.stop()
        if self.measure_id is None or not self._dirty:
            return not self._dirty
        changes, refused = self._pending_changes(self.record())
        if changes and not self._commit(changes):
            return False
        self._dirty = refused
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
        proposed = False
        if (chosen is Status.DONE and record.completed_on is None
                and changes.get("completed_on") is None):
            changes["completed_on"] = self.session.today()
            proposed = True
        seal_typing(self.session)
        if not self._commit(changes):
            self._revert_status(record)
            return
        seal_typing(self.session)
        self._dirty = refused
        if proposed:
            self.date_note.setText(self.tr("已填入今天的日期，可修改"))
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
        elif kind == QEvent.Type.FocusOut and watched is self.date_edit and isinstance(
                event, QFocusEvent) and event.reason() != Qt.FocusReason.PopupFocusReason:
            self.flush()
        elif kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(
                event, QKeyEvent):
            undo = event.matches(QKeySequence.StandardKey.Undo)
            redo = event.matches(QKeySequence.StandardKey.Redo)
            if undo or redo:
                event.accept()  # ours, not the editor's private undo nor a window shortcut
                if kind == QEvent.Type.KeyPress:
                    (self.undoRequested if undo else self.redoRequested).emit()
                return True
        elif kind == QEvent.Type.Wheel and isinstance(watched, QComboBox | QDateEdit) \
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
