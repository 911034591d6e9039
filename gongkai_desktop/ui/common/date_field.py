"""A date typed the way officers write dates, with a calendar beside it.

A plain line edit (select-all and typing replaces the whole date; QDateEdit's
sections kept the old year) read by the core ``parse_date``: 2020-09-15,
2020.9.15, 2020/9/15 and 2020年9月15日 all work. Text that is not a date is
kept as typed and flagged; the form decides what to do with it. The calendar
opens on ``calendar_start`` (the measure's deadline month, or the plan's year).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.storage.records import EARLIEST_DATE, LATEST_DATE, check_date
from gongkai_desktop.typed_input import parse_date

INVALID_STYLE = "border: 2px solid #c0392b; border-radius: 3px;"


class DateField(QWidget):
    """``edited`` when the officer finished typing (Enter, focus out) or picked a day."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText(self.tr("未填写（如 2020-09-15）"))
        self.line.setClearButtonEnabled(False)
        # Empty, it is wide enough for its hint, not cut to 未填写（如 202…; with a date it
        # may give way to a note beside it. QLineEdit's size hint is room for 17 'x' plus
        # its frame and margins.
        metrics = self.line.fontMetrics()
        frame = self.line.sizeHint().width() - metrics.horizontalAdvance("x") * 17
        self._hint_width = frame + metrics.horizontalAdvance(self.line.placeholderText()) + 2
        self.line.setMaximumWidth(max(self._hint_width, metrics.horizontalAdvance(
            "2020年12月31日") + 60))
        self.line.textChanged.connect(self._fit_hint)
        self._fit_hint(self.line.text())
        self.line.editingFinished.connect(self._finished)
        self.button = QToolButton()
        self.button.setText(self.tr("日历"))
        self.button.setToolTip(self.tr("在日历中选择日期"))
        self.button.clicked.connect(self.open_calendar)
        self.calendar = QCalendarWidget()
        self.calendar.setMinimumDate(_qdate(EARLIEST_DATE))
        self.calendar.setMaximumDate(_qdate(LATEST_DATE))
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        self.menu = QMenu(self)
        action = QWidgetAction(self.menu)
        action.setDefaultWidget(self.calendar)
        self.menu.addAction(action)
        self.calendar_start: dt.date | None = None  # the month the calendar opens on
        self._last_text = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.line)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line)

    def _fit_hint(self, text: str) -> None:
        self.line.setMinimumWidth(0 if text else self._hint_width)

    # -- value ---------------------------------------------------------------------------

    def text(self) -> str:
        return self.line.text()

    def value(self) -> dt.date | None:
        """The date typed; None when empty or not a date (see ``problem``)."""
        try:
            return self.parsed()
        except InvalidInput:
            return None

    def parsed(self) -> dt.date | None:
        """The date typed, None when empty; InvalidInput (Chinese) when it is not a date."""
        text = self.line.text().strip()
        return check_date(parse_date(text)) if text else None

    def problem(self) -> str | None:
        try:
            self.parsed()
        except InvalidInput as exc:
            return str(exc)
        return None

    def set_value(self, value: dt.date | None) -> None:
        self.line.setText("" if value is None else value.isoformat())
        self._last_text = self.line.text()
        self.set_flagged(False)

    def set_text(self, text: str) -> None:
        """Put back text typed earlier (a kept draft)."""
        self.line.setText(text)
        self._last_text = text

    def take_pending(self) -> bool:
        """True (once) when text was typed that ``edited`` has not reported yet, e.g. the
        window is closed while the cursor is still in the field."""
        if self.line.text() == self._last_text:
            return False
        self._last_text = self.line.text()
        return True

    def set_flagged(self, on: bool) -> None:
        self.line.setStyleSheet(f"QLineEdit {{ {INVALID_STYLE} }}" if on else "")

    def setReadOnly(self, on: bool) -> None:
        self.line.setReadOnly(on)
        self.button.setEnabled(not on)

    # -- calendar ------------------------------------------------------------------------

    def open_calendar(self) -> None:
        start = self.value() or self.calendar_start or dt.date.today()
        if self.value() is not None:
            self.calendar.setSelectedDate(_qdate(start))
        self.calendar.setCurrentPage(start.year, start.month)
        self.menu.popup(self.button.mapToGlobal(self.button.rect().bottomLeft()))

    def _picked(self, date: QDate) -> None:
        self.menu.hide()
        self.line.setText(date.toString("yyyy-MM-dd"))
        self._finished()

    def _finished(self) -> None:
        if self.line.text() != self._last_text:
            self._last_text = self.line.text()
            self.edited.emit()


def _qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


