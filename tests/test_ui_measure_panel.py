"""The measure panel: status, reason, date and texts save themselves, undo works,
the history lists every change."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.measures.measure_panel import MeasurePanel
from tests.ui_panel_fixtures import MEASURE, OTHER_MEASURE, TODAY, choose, type_text

CTRL = Qt.KeyboardModifier.ControlModifier
# The offscreen platform warns when a window is shown; harmless.
pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


def saved(widget: MeasurePanel) -> bool:
    return widget.note.text().startswith("已自动保存")


def test_done_with_explanation_and_date_survives_reopening(panel, session, qtbot) -> None:
    form = panel.form
    form.status_combo.setFocus()
    qtbot.keyClick(form.status_combo, Qt.Key.Key_Down)  # 未开始 → 推进中
    qtbot.keyClick(form.status_combo, Qt.Key.Key_Down)  # 推进中 → 已完成
    assert session.ws.record(MEASURE).status is Status.DONE
    assert form.date_edit.value() == TODAY  # 已完成 proposes today
    assert "今天" in form.date_note.text()

    form.date_edit.line.setFocus()
    form.date_edit.line.selectAll()  # select-all and typing replaces the whole date
    qtbot.keyClicks(form.date_edit.line, "2020-12-20")
    type_text(form.explanation_edit, "已在区政府网站“政府信息公开”专栏公开全部15项内容。")
    qtbot.waitUntil(lambda: saved(panel), timeout=3000)  # autosave after the idle delay
    record = session.ws.record(MEASURE)
    assert record.explanation == "已在区政府网站“政府信息公开”专栏公开全部15项内容。"
    assert record.completed_on == dt.date(2020, 12, 20)
    assert panel.header.status.text() == "已完成"
    assert panel.header.overdue.isHidden()  # done: no longer overdue

    path = session.path
    with Workspace.open(path, readonly=True) as reopened:
        again = reopened.record(MEASURE)
    assert (again.status, again.completed_on) == (Status.DONE, dt.date(2020, 12, 20))
    assert again.explanation.startswith("已在区政府网站")


def test_header_shows_text_units_roles_and_overdue(panel) -> None:
    header = panel.header
    assert "《政府信息公开条例》" in header.text.text()
    assert header.values["lead"].text() == "市政府办公厅"
    assert "各区县政府" in header.values["responsible"].text()
    assert header.values["roles"].text().startswith("责任单位")
    assert header.values["deadline"].text() == "2020年12月31日前"
    days = (TODAY - dt.date(2020, 12, 31)).days  # tallies.overdue_days
    assert header.overdue.isVisible() and header.overdue.text() == f"已逾期 {days} 天"
    assert header.text.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse


def test_not_applicable_needs_a_reason(panel, session, qtbot, messages, artifacts_dir) -> None:
    form = panel.form
    choose(form.status_combo, Status.NOT_APPLICABLE)
    assert form.status_error.isVisible()
    assert "必须填写理由" in form.status_error.text()
    assert form.current_status() is Status.NOT_STARTED  # the status stayed
    assert session.ws.record(MEASURE).status is Status.NOT_STARTED
    assert form.reason_edit.isVisible() and form.reason_edit.hasFocus()
    assert session.undo_stack.count() == 0
    assert messages == []  # inline, no dialog
    shots = artifacts_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    assert panel.grab().save(str(shots / "measure_panel_not_applicable_refused.png"))

    type_text(form.reason_edit, "本区无此类事项。")
    assert form.status_error.isHidden()  # typing a reason clears the message
    choose(form.status_combo, Status.NOT_APPLICABLE)
    record = session.ws.record(MEASURE)
    assert (record.status, record.reason) == (Status.NOT_APPLICABLE, "本区无此类事项。")
    assert form.status_error.isHidden()

    # Emptying the reason of a 不适用 measure is refused inline too.
    form.reason_edit.selectAll()
    qtbot.keyClick(form.reason_edit, Qt.Key.Key_Delete)
    assert form.flush() is False
    assert form.reason_error.isVisible()
    assert session.ws.record(MEASURE).reason == "本区无此类事项。"


def test_undo_and_redo_restore_status_and_text(panel, session, qtbot) -> None:
    form = panel.form
    stack = session.undo_stack
    choose(form.status_combo, Status.IN_PROGRESS)
    type_text(form.explanation_edit, "第一段")
    assert form.flush()
    type_text(form.explanation_edit, "，第二段")
    assert form.flush()
    assert session.ws.record(MEASURE).explanation == "第一段，第二段"
    assert stack.count() == 2  # typing merged into one step

    stack.undo()
    assert session.ws.record(MEASURE).explanation == ""
    assert form.explanation_edit.toPlainText() == ""
    stack.undo()
    assert session.ws.record(MEASURE).status is Status.NOT_STARTED
    assert form.current_status() is Status.NOT_STARTED
    stack.redo()
    stack.redo()
    assert session.ws.record(MEASURE).explanation == "第一段，第二段"
    assert form.explanation_edit.toPlainText() == "第一段，第二段"
    assert form.current_status() is Status.IN_PROGRESS

    # Ctrl+Z inside the text box: what was just typed is saved, then undone.
    type_text(form.explanation_edit, "，第三段")
    qtbot.keyClick(form.explanation_edit, Qt.Key.Key_Z, CTRL)
    assert session.ws.record(MEASURE).explanation == "第一段，第二段"
    assert form.explanation_edit.toPlainText() == "第一段，第二段"
    # Ctrl+Z elsewhere in the panel (the status box) undoes the status change.
    qtbot.keyClick(form.status_combo, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(form.status_combo, Qt.Key.Key_Z, CTRL)
    assert session.ws.record(MEASURE).status is Status.NOT_STARTED
    qtbot.keyClick(form.status_combo, Qt.Key.Key_Y, CTRL)
    assert session.ws.record(MEASURE).status is Status.IN_PROGRESS


def test_done_then_undo_removes_the_proposed_date(panel, session) -> None:
    choose(panel.form.status_combo, Status.DONE)
    assert session.ws.record(MEASURE).completed_on == TODAY
    session.undo_stack.undo()
    record = session.ws.record(MEASURE)
    assert (record.status, record.completed_on) == (Status.NOT_STARTED, None)
    assert panel.form.date_edit.value() is None


def test_urls_are_checked_inline_and_kept_until_fixed(panel, session, qtbot, messages) -> None:
    form = panel.form
    form.urls_edit.setFocus()
    qtbot.keyClicks(form.urls_edit, "http://www.wz.gov.cn/zwgk/")
    qtbot.keyClick(form.urls_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(form.urls_edit, "wz/xxgk")
    assert form.flush() is False
    assert form.urls_error.isVisible()
    assert "第 2 行" in form.urls_error.text() and "http://" in form.urls_error.text()
    assert session.ws.record(MEASURE).urls == ()
    assert messages == []

    # Leaving the measure keeps the bad text for when it comes back.
    panel.show_measure(OTHER_MEASURE)
    assert panel.unsaved_measures() == [MEASURE]
    panel.show_measure(MEASURE)
    assert "wz/xxgk" in form.urls_edit.toPlainText()
    assert form.urls_error.isVisible()

    form.urls_edit.moveCursor(form.urls_edit.textCursor().MoveOperation.End)
    for _ in "wz/xxgk":
        qtbot.keyClick(form.urls_edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(form.urls_edit, "https://www.wz.gov.cn/xxgk")
    assert form.flush()
    assert session.ws.record(MEASURE).urls == ("http://www.wz.gov.cn/zwgk/",
                                               "https://www.wz.gov.cn/xxgk")
    assert form.urls_error.isHidden()
    assert panel.unsaved_measures() == []


def test_edits_are_saved_on_measure_change_and_focus_out(panel, session) -> None:
    form = panel.form
    type_text(form.remarks_edit, "待区政府常务会审议")
    panel.show_measure(OTHER_MEASURE)  # no waiting: switching saves
    assert session.ws.record(MEASURE).remarks == "待区政府常务会审议"
    assert form.remarks_edit.toPlainText() == ""

    type_text(form.explanation_edit, "已完成")
    form.status_combo.setFocus()  # focus leaves the text box
    assert session.ws.record(OTHER_MEASURE).explanation == "已完成"


def test_outside_change_refreshes_without_moving_the_cursor(panel, session) -> None:
    form = panel.form
    type_text(form.explanation_edit, "第一行内容")
    assert form.flush()
    cursor = form.explanation_edit.textCursor()
    cursor.setPosition(2)
    form.explanation_edit.setTextCursor(cursor)
    session.ws.update_record(MEASURE, remarks="导入的备注")  # e.g. an import
    session.recordChanged.emit(MEASURE)
    assert form.remarks_edit.toPlainText() == "导入的备注"
    assert form.explanation_edit.textCursor().position() == 2  # untouched field, same cursor


def test_date_can_be_cleared(panel, session, qtbot) -> None:
    form = panel.form
    choose(form.status_combo, Status.DONE)
    assert session.ws.record(MEASURE).completed_on == TODAY
    qtbot.mouseClick(form.date_clear, Qt.MouseButton.LeftButton)
    assert session.ws.record(MEASURE).completed_on is None
    assert form.date_edit.text() == ""
    assert form.date_edit.line.placeholderText().startswith("未填写")
    session.undo_stack.undo()
    assert session.ws.record(MEASURE).completed_on == TODAY


def test_history_lists_the_changes(panel, session) -> None:
    form = panel.form
    choose(form.status_combo, Status.DONE)
    type_text(form.explanation_edit, "已公开")
    assert form.flush()
    panel.tabs.setCurrentWidget(panel.history)
    model = panel.history_model
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    fields = [row[2] for row in rows]
    assert "完成状态" in fields and "完成情况说明" in fields and "完成时间" in fields
    status_row = rows[fields.index("完成状态")]
    assert status_row[3] == "未开始 → 已完成"
    assert status_row[1] == "张三"
    assert rows[fields.index("完成情况说明")][3] == "（空） → 已公开"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "时间"


def test_empty_date_stays_empty_and_typing_saves(panel, session, qtbot) -> None:
    form = panel.form
    date = form.date_edit
    date.line.setFocus()
    form.explanation_edit.setFocus()  # left without typing anything
    assert date.text() == ""
    assert session.ws.record(MEASURE).completed_on is None

    date.line.setFocus()
    qtbot.keyClicks(date.line, "2020/11/5")
    form.explanation_edit.setFocus()
    assert session.ws.record(MEASURE).completed_on == dt.date(2020, 11, 5)
    assert date.text() == "2020-11-05"  # shown as understood
