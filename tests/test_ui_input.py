"""What the officer types is never lost: completed addresses, Chinese dates, kept
drafts with a question on leaving or quitting, measure codes in the tree and search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gongkai_desktop import drafts
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.measures import record_form
from gongkai_desktop.ui.measures.tree_model import COL_TASK, FlaggedRole, MeasureIdRole
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests import ui_fixtures
from tests.ui_fixtures import type_text

ui_app = ui_fixtures.ui_app
directory = ui_fixtures.directory
session = ui_fixtures.session

pytestmark = pytest.mark.qt_log_ignore(
    r"does not support (propagateSizeHints|raise|grabbing the keyboard)")

MEASURE = "5.1.1"  # 万州区 is a 责任单位; deadline 2020年底前
OTHER = "1.1.1"


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    w = MainWindow(session, directory=directory)
    qtbot.addWidget(w, before_close_func=discard_on_close)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    assert w.select_measure(MEASURE)
    yield w
    monkeypatch.setattr(record_form, "ask_flagged", lambda *_args: record_form.DISCARD)
    w.close()


def discard_on_close(_window: object) -> None:
    """pytest-qt closes leftover windows after the fixtures are gone: no question then."""
    record_form.ask_flagged = lambda *_args: record_form.DISCARD
    QTimer.singleShot(0, restore_prompt)


def restore_prompt() -> None:
    record_form.ask_flagged = record_form._ask_flagged


class Answers:
    """The "input not saved" questions asked, answered from ``queue`` (else 返回修改)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.queue: list[int] = []

    def __call__(self, _parent: object, text: str) -> int:
        self.asked.append(text)
        return self.queue.pop(0) if self.queue else record_form.GO_BACK


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    answer = Answers()
    monkeypatch.setattr(record_form, "ask_flagged", answer)
    return answer


def click_measure(window: MainWindow, qtbot, measure_id: str) -> None:
    index = window.proxy.mapFromSource(window.model.index_for_id(measure_id))
    window.tree.scrollTo(index)
    rect = window.tree.visualRect(index)
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def form_of(window: MainWindow) -> record_form.RecordForm:
    return window.panel.form  # type: ignore[union-attr]


# ---- addresses ---------------------------------------------------------------------------


def test_www_address_is_completed_and_the_officer_is_told(window, session, qtbot) -> None:
    form = form_of(window)
    form.urls_edit.setFocus()
    qtbot.keyClicks(form.urls_edit, "www.cq.gov.cn/x")
    assert form.flush()
    assert session.ws.record(MEASURE).urls == ("http://www.cq.gov.cn/x",)
    assert not form.urls_note.isHidden() and "http://www.cq.gov.cn/x" in form.urls_note.text()
    form.remarks_edit.setFocus()  # leaving the box shows what was saved
    assert form.urls_edit.toPlainText() == "http://www.cq.gov.cn/x"
    assert form.urls_error.isHidden()


def test_bad_address_is_kept_and_asked_about_when_leaving(window, session, qtbot,
                                                          artifacts_dir) -> None:
    form = form_of(window)
    form.urls_edit.setFocus()
    qtbot.keyClicks(form.urls_edit, "wz/xxgk")
    form.remarks_edit.setFocus()  # the autosave refuses it, visibly
    assert not form.urls_error.isHidden() and "http://" in form.urls_error.text()
    assert "格式不对" in window.panel.note.text()  # type: ignore[union-attr]
    QApplication.processEvents()
    assert window.grab().save(str(artifacts_dir / "input_flagged_window.png"))
    assert window.tree.grab().save(str(artifacts_dir / "input_tree_codes.png"))
    assert "border" in form.urls_edit.styleSheet()  # framed red
    assert window.model.index_for_id(MEASURE).data(FlaggedRole)  # marked in the tree
    assert window.model.index_for_id(MEASURE, COL_TASK).data(
        Qt.ItemDataRole.DecorationRole) is not None

    seen: list[str] = []

    def answer_go_back() -> None:  # the real question box, answered like a click
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        seen.extend(b.text() for b in box.buttons())
        next(b for b in box.buttons() if b.text() == "返回修改").click()

    QTimer.singleShot(0, answer_go_back)
    click_measure(window, qtbot, OTHER)
    assert "5.1.1" in seen[0] and "公开网址" in seen[0]
    assert {"保存修正", "放弃输入", "返回修改"} <= set(seen[1:])
    assert window.current_measure_id() == MEASURE  # still on the measure
    assert window.panel.measure_id == MEASURE  # type: ignore[union-attr]
    assert form.urls_edit.toPlainText() == "wz/xxgk"  # the text kept
    assert session.ws.record(MEASURE).urls == ()


def test_keep_for_later_survives_quitting_and_reopening(window, session, qtbot, answers,
                                                        directory) -> None:
    form = form_of(window)
    form.urls_edit.setFocus()
    qtbot.keyClicks(form.urls_edit, "http://www.wz.gov.cn/a")
    qtbot.keyClick(form.urls_edit, Qt.Key.Key_Return)
    type_text(form.urls_edit, "区政府网站")
    answers.queue.append(record_form.KEEP)
    click_measure(window, qtbot, OTHER)
    assert window.current_measure_id() == OTHER
    assert session.drafts[MEASURE] == {"urls": "http://www.wz.gov.cn/a\n区政府网站"}
    assert window.model.index_for_id(MEASURE).data(FlaggedRole)

    answers.queue.append(record_form.KEEP)
    path = session.path
    assert window.close()  # quitting asks about the kept input, then closes
    assert "5.1.1" in answers.asked[-1]
    assert drafts.load(path) == {MEASURE: {"urls": "http://www.wz.gov.cn/a\n区政府网站"}}

    again = Session(Workspace.open(path), directory)
    w2 = MainWindow(again, directory=directory)
    qtbot.addWidget(w2, before_close_func=discard_on_close)
    try:
        w2.show()
        assert w2.model.index_for_id(MEASURE).data(FlaggedRole)
        assert w2.select_measure(MEASURE)
        assert w2.panel.form.urls_edit.toPlainText() == "http://www.wz.gov.cn/a\n区政府网站"  # type: ignore[union-attr]
        assert not w2.panel.form.urls_error.isHidden()  # type: ignore[union-attr]
        answers.queue.append(record_form.DISCARD)
        assert w2.close()
        assert drafts.load(path) == {}
    finally:
        answers.queue[:] = [record_form.DISCARD]
        w2.close()


def test_quitting_with_bad_input_can_go_back(window, session, qtbot, answers) -> None:
    form = form_of(window)
    form.urls_edit.setFocus()
    qtbot.keyClicks(form.urls_edit, "ftp://wz")
    answers.queue.append(record_form.GO_BACK)
    assert not window.close()
    assert window.isVisible() and window.current_measure_id() == MEASURE
    assert form.urls_edit.toPlainText() == "ftp://wz"

    answers.queue.append(record_form.DISCARD)
    click_measure(window, qtbot, OTHER)
    assert window.current_measure_id() == OTHER
    assert session.drafts == {}
    assert not window.model.index_for_id(MEASURE).data(FlaggedRole)
    window.select_measure(MEASURE)
    assert form.urls_edit.toPlainText() == ""


# ---- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2020-09-15", "2020.9.15", "2020/9/15", "2020年9月15日"])
def test_each_date_form_is_understood(window, session, qtbot, typed) -> None:
    form = form_of(window)
    date = form.date_edit
    date.set_value(dt.date(2026, 12, 5))  # an old value: select-all and typing replaces it
    date.line.setFocus()
    date.line.selectAll()
    type_text(date.line, typed)
    qtbot.keyClick(date.line, Qt.Key.Key_Return)
    assert session.ws.record(MEASURE).completed_on == dt.date(2020, 9, 15)
    assert date.text() == "2020-09-15"


def test_a_wrong_date_is_kept_and_flagged(window, session, qtbot) -> None:
    form = form_of(window)
    date = form.date_edit
    date.line.setFocus()
    type_text(date.line, "2020年2月30日")
    qtbot.keyClick(date.line, Qt.Key.Key_Return)
    assert session.ws.record(MEASURE).completed_on is None
    assert date.text() == "2020年2月30日"
    assert not form.date_error.isHidden() and "不存在" in form.date_error.text()
    assert "border" in date.line.styleSheet()
    assert session.drafts[MEASURE] == {"completed_on": "2020年2月30日"}


def test_a_date_still_being_typed_is_saved_on_quitting(window, session, qtbot) -> None:
    date = form_of(window).date_edit
    date.line.setFocus()
    type_text(date.line, "2020.10.8")  # no Enter, focus still in the field
    path = session.path
    assert window.close()
    with Workspace.open(path, readonly=True) as reopened:
        assert reopened.record(MEASURE).completed_on == dt.date(2020, 10, 8)


def test_calendar_opens_on_the_deadline_month(window, session) -> None:
    date = form_of(window).date_edit
    assert session.ws.plan.measure(MEASURE).deadline.date == dt.date(2020, 12, 31)
    date.open_calendar()
    try:
        assert (date.calendar.yearShown(), date.calendar.monthShown()) == (2020, 12)
    finally:
        date.menu.hide()


def test_calendar_opens_in_the_plan_year_without_a_deadline(window, session) -> None:
    no_deadline = next(m.id for m in session.ws.plan.measures() if m.deadline.date is None)
    window.select_measure(no_deadline)
    date = form_of(window).date_edit
    date.open_calendar()
    try:
        assert date.calendar.yearShown() == session.ws.plan.info.issued.year == 2020
    finally:
        date.menu.hide()


def test_done_fills_in_todays_date_in_chinese(window, session) -> None:
    form = form_of(window)
    index = form.status_combo.findData(Status.DONE)
    form.status_combo.setCurrentIndex(index)
    form.status_combo.activated.emit(index)
    today = session.today()
    assert session.ws.record(MEASURE).completed_on == today
    assert f"{today.year}年{today.month}月{today.day}日" in form.date_note.text()


# ---- codes ---------------------------------------------------------------------------------


def test_tree_and_header_show_the_code(window) -> None:
    text = window.model.index_for_id("1.2.3", COL_TASK).data()
    assert text.startswith("1.2.3  ")
    assert window.panel.header.code.text() == "举措 5.1.1"  # type: ignore[union-attr]


def test_search_finds_a_measure_by_code(window, qtbot) -> None:
    window.toolbar.search_box.setText("1.2.3")
    window.toolbar.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: window.proxy.search_text == "1.2.3", timeout=2000)
    visible = [mid for mid in window.model.measure_ids() if window.proxy.accepts_measure(mid)]
    assert visible == ["1.2.3"]  # the selected 5.1.1 is neither shown nor counted
    assert window.proxy.visible_measure_count() == 1

    window.toolbar.search_box.setText("1.2")
    window.toolbar.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: window.proxy.search_text == "1.2", timeout=2000)
    visible = [mid for mid in window.model.measure_ids() if window.proxy.accepts_measure(mid)]
    assert visible and all(mid.startswith("1.2.") for mid in visible)
    assert window.proxy.visible_measure_count() == len(visible)
    shown = window.proxy.mapFromSource(window.model.index_for_id(visible[0]))
    assert shown.isValid() and shown.data(MeasureIdRole) == visible[0]
