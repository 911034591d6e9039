"""No hint cut off at 1280×680: the record form's 完成时间 row (the empty date's hint,
the 已填入今天的日期 note, a wrong date's message) and the roll-up dialog show their
whole text, neither elided (未填写（如 202…) nor cut at the field's edge."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QScrollArea,
    QStyle,
    QStyleOptionFrame,
    QWidget,
)

from gongkai_desktop.model import Status
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")

# The main window's inside when it fills a 1280×680 screen (scripts/screenshots.py).
INSIDE = (1264, 641)


def text_room(line: QLineEdit) -> int:
    """The width QLineEdit paints its text (and placeholder) in; wider text is elided."""
    option = QStyleOptionFrame()
    line.initStyleOption(option)
    contents = line.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, line)
    margins = line.textMargins()
    return contents.width() - margins.left() - margins.right() - 2 * 2  # its own margin


def clipped_texts(root: QWidget) -> list[str]:
    """The shown labels, and the hints of empty line edits, whose text does not fit."""
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text().strip():
            continue
        if label.wordWrap():
            fits = label.heightForWidth(label.width()) <= label.height() \
                and label.minimumSizeHint().width() <= label.width()
        else:
            hint = label.sizeHint()
            fits = hint.width() <= label.width() and hint.height() <= label.height()
        if not fits:
            found.append(label.text())
    for line in root.findChildren(QLineEdit):
        hint = line.placeholderText()
        if line.isVisibleTo(root) and not line.text() and hint \
                and line.fontMetrics().horizontalAdvance(hint) > text_room(line):
            found.append(hint)
    return found


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot) -> MainWindow:
    from gongkai_desktop.ui.features import install_features

    w = MainWindow(session, directory=directory)
    install_features(w)
    qtbot.addWidget(w)
    w.resize(*INSIDE)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_the_completion_date_row_shows_its_whole_text(window: MainWindow, qtbot) -> None:
    window.select_measure("1.1.3")  # not started: the date is empty, its hint shows
    form = window.panel.form
    qtbot.wait(20)
    assert form.date_edit.text() == "" and clipped_texts(form) == []

    done = form.status_combo.findData(Status.DONE)  # 已完成: today's date is filled in
    form.status_combo.setCurrentIndex(done)
    form.status_combo.activated.emit(done)
    qtbot.wait(20)
    assert form.date_note.isVisible() and "可修改" in form.date_note.text()
    assert clipped_texts(form) == []
    scroll = form.findChild(QScrollArea)
    assert not scroll.horizontalScrollBar().isVisible()  # nothing pushed off to the right

    form.date_edit.line.setText("2020年13月40日")  # a wrong date: its message under the row
    form.date_edit.line.editingFinished.emit()
    form.flush()
    qtbot.wait(20)
    assert form.date_error.isVisible() and clipped_texts(form) == []
    form.date_edit.line.setText("2020-09-15")  # put right, so closing asks nothing
    form.date_edit.line.editingFinished.emit()
    form.flush()
    assert not form.date_error.isVisible()


def test_the_rollup_dialog_shows_its_whole_text(window: MainWindow, session: Session,
                                               qtbot) -> None:
    from gongkai_desktop.delegation import add_offices, assign
    from gongkai_desktop.ui.delegation import delegation_actions

    session.ws.update_record("1.1.1", status=Status.DONE, explanation="本单位已完成")
    add_offices(session.ws, ["区委编办"])
    assign(session.ws, ["1.1.1"], ["区委编办"])
    dialog = delegation_actions.install(window).show_rollup("1.1.1")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.date_field.text() == ""  # no date yet: the hint shows
    assert dialog.note.isVisible()  # 尚未报送：区委编办（…完成状态保持不变）
    qtbot.wait(20)
    assert clipped_texts(dialog) == []
    dialog.reject()
