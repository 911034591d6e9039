"""Delegation to the unit's own offices through the window (#14): 万州区 adds 区司法局 and
区委编办, assigns 1.1.1 to both and 1.2.3 to one, sends a task file and a checklist;
区司法局's workspace is made from the task through 文件 → 从任务文件新建工作区…; both
return; 万州区 imports them, sees the contributions and 下级有新填报, rolls 1.1.1 up
through the preview and reports to 市政府办公厅. Plus: a hostile return refused with one
Chinese line and the workspace unchanged; the matrix names missing and overdue offices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.delegation import assignments, list_offices, pending_measures
from gongkai_desktop.model import Status
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.supervisor.store import SupervisorView
from gongkai_desktop.ui import file_arguments
from gongkai_desktop.ui.bundles import bundle_actions, key_acceptance_dialog
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.delegation import delegation_actions
from gongkai_desktop.ui.delegation.rollup_dialog import RollupDialog
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.measures.contributions_tab import ContributionsTab
from gongkai_desktop.ui.measures.tree_model import PendingRole
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import PASSPHRASE
from tests.delegation_fixtures import (
    CITY_KEY,
    SFJ_KEY,
    WZ_KEY,
    file_dump,
    fill_checklist,
    one_chinese_line,
)
from tests.prompt_mock import PromptMock
from tests.ui_fixtures import (
    KeyAnswers,
    Message,
    make_session,
    open_and_wait,
    save_shot,
    type_text,
)

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints",
                                        r"does not support raise")


def make_window(s: Session | None, directory: UnitDirectory, qtbot) -> MainWindow:
    w = MainWindow(s, directory=directory)
    delegation_actions.install(w)
    qtbot.addWidget(w)
    w.resize(1280, 680)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def unit_window(session: Session, directory: UnitDirectory, qtbot) -> Iterator[MainWindow]:
    save_identity(session.ws, WZ_KEY, PASSPHRASE)
    w = make_window(session, directory, qtbot)
    yield w
    w.close()


def wait_message(qtbot, messages: list[Message], count: int) -> Message:
    qtbot.waitUntil(lambda: len(messages) > count and running_operations() == 0,
                    timeout=30000)
    return messages[-1]


def add_offices_and_assign(w: MainWindow, qtbot) -> None:
    actions = delegation_actions.install(w)
    dialog = actions.manage_offices()
    assert dialog is not None
    type_text(dialog.name_edit, "区司法局、区委编办")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.office_names() == ["区司法局", "区委编办"]
    assert "已添加：区司法局、区委编办" in dialog.note.text()
    dialog.close()

    assert w.select_measure("1.1.1")
    assign = actions.assign_measures()  # the measure chosen in the tree, already ticked
    assert assign is not None and assign.checked_measures() == ["1.1.1"]
    assign.set_office("区司法局")
    assign.set_office("区委编办")
    qtbot.mouseClick(assign.buttons.button(assign.buttons.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    # Ctrl+click selects a second measure in the tree: both are ticked.
    tree, proxy = w.tree, w.proxy
    assert proxy is not None and w.model is not None
    second = proxy.mapFromSource(w.model.index_for_id("1.2.3"))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, tree.visualRect(second).center())
    assert sorted(actions.selected_measures()) == ["1.1.1", "1.2.3"]
    assert w.current_measure_id() == "1.2.3"  # the panel follows the last click
    assign = actions.assign_measures()
    assert assign is not None and assign.checked_measures() == ["1.1.1", "1.2.3"]
    assign.close()
    assign = actions.assign_measures(["1.2.3"])
    assert assign is not None
    assign.set_office("区司法局", lead=True)
    assert assign.apply() is not None
    session = w.session
    assert session is not None
    got = {(a.measure_id, a.office.name, a.role.label, a.deadline) for a in
           assignments(session.ws)}
    assert ("1.2.3", "区司法局", "牵头", dt.date(2020, 10, 23)) in got  # 7 days early
    assert {(m, o) for m, o, _r, _d in got} == {
        ("1.1.1", "区司法局"), ("1.1.1", "区委编办"), ("1.2.3", "区司法局")}


def test_delegate_return_roll_up_through_the_window(
    unit_window: MainWindow, session: Session, directory: UnitDirectory, qtbot,
    tmp_path: Path, messages: list[Message], prompt_mock: PromptMock, shots: Path,
) -> None:
    w = unit_window
    actions = delegation_actions.install(w)
    add_offices_and_assign(w, qtbot)

    # Task packages: 区司法局 a signed task (the passphrase asked), 区委编办 an Excel checklist.
    task, sheet = tmp_path / "区司法局-任务.gktask", tmp_path / "区委编办-任务.xlsx"
    prompt_mock.always("ask_passphrase", PASSPHRASE)
    prompt_mock.answer_with("save_file_name", lambda *_a: str(task))
    count = len(messages)
    actions.export_task("区司法局", "task")
    assert "已导出“区司法局”的任务文件" in wait_message(qtbot, messages, count).text
    prompt_mock.answer_with("save_file_name", lambda *_a: str(sheet))
    count = len(messages)
    actions.export_task("区委编办", "xlsx")
    assert "已导出“区委编办”的 1 项举措清单" in wait_message(qtbot, messages, count).text

    # 区司法局 makes its workspace from the task in its own window, fingerprint shown.
    office_window = make_window(None, directory, qtbot)
    prompt_mock.answer_with("open_file_name", lambda *_a: str(task))
    init = delegation_actions.install(office_window).init_from_task()
    assert init is not None
    label = init.findChild(QLabel, "taskFingerprint")
    assert label is not None and label.text() == wz_fingerprint()
    assert not init.ok_button.isEnabled()  # the fingerprint compared first
    save_shot(init, shots, "delegation_task_init")
    init.confirm.setChecked(True)
    type_text(init.officer_edit, "李四")
    sfj_path = tmp_path / "区司法局.gkws"
    init.path_edit.setText(str(sfj_path))
    qtbot.mouseClick(init.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: office_window.session is not None, timeout=30000)
    sfj = office_window.session
    assert sfj is not None and sfj.ws.unit.name == "区司法局"
    assert sorted(m.id for m in sfj.ws.plan.measures()) == ["1.1.1", "1.2.3"]
    sfj.ws.update_record("1.1.1", status=Status.DONE, explanation="已公开权责清单",
                         completed_on=dt.date(2020, 9, 1), actor="李四")
    sfj.ws.add_evidence_bytes("1.1.1", b"%PDF-1.4 proof" + bytes(range(256)), "权责清单.pdf")
    sfj.recordChanged.emit("")
    save_identity(sfj.ws, SFJ_KEY, PASSPHRASE)
    sfj_bundle = export_through(office_window, tmp_path / "区司法局.gkbundle", qtbot, messages)
    office_window.close()

    filled = fill_checklist(sheet, tmp_path / "区委编办-已填.xlsx",
                            {"1.1.1": {"完成状态": "推进中", "完成情况说明": "权责清单正在修订"}})

    # 万州区 imports both; 区司法局's first key is shown in 核对签名证书 (as units' keys are,
    # compared by phone) and accepted there.
    prompt_mock.answer_with("open_file_names", lambda *_a: [str(sfj_bundle), str(filled)])
    count = len(messages)
    answers = KeyAnswers(qtbot, {"区司法局": True}, shots=shots,
                         shot_name="delegation_key_acceptance")
    actions.import_returns_dialog()
    qtbot.waitUntil(lambda: len(messages) >= count + 2 and running_operations() == 0,
                    timeout=30000)
    assert len(answers.shown) == 1
    shown = answers.shown[0]
    assert shown["units"] == ["区司法局"] and shown["headings"] == ["下级单位：区司法局"]
    assert "首次收到该单位的数据包" in str(shown["text"]) and "电话" in str(shown["text"])
    assert SFJ_KEY.display_fingerprint() in str(shown["text"])
    assert shown["ok_enabled_before"] is False  # a deliberate choice, nothing by default
    assert prompt_mock.titles("ask_question") == []
    texts = "\n".join(m.text for m in messages[count:])
    assert "已导入：区司法局.gkbundle" in texts and "已导入：区委编办-已填.xlsx" in texts

    model = w.model
    assert model is not None
    assert model.index_for_id("1.1.1").data(PendingRole) is True
    assert model.index_for_id("1.2.3").data(PendingRole) is False
    assert "下级有新填报" in model.index_for_id("1.1.1").data(Qt.ItemDataRole.ToolTipRole)
    assert w.select_measure("1.1.1")
    panel = w.panel
    tab = panel.contributions  # type: ignore[union-attr]
    assert isinstance(tab, ContributionsTab)
    panel.tabs.setCurrentWidget(tab)  # type: ignore[union-attr]
    assert [c.office.name for c in tab.items] == ["区司法局", "区委编办"]
    assert tab.pending_label.isVisible()
    assert "●新" in panel.tabs.tabText(panel.tabs.indexOf(tab))  # type: ignore[union-attr]
    shown = [item.text() for r in range(2) for c in range(6)
             if (item := tab.table.item(r, c)) is not None]
    assert "权责清单.pdf（来源：区司法局）" in shown and "推进中" in shown
    save_shot(w, shots, "delegation_contributions")
    viewer = tab.view_evidence(0)  # 区司法局's PDF, from the unit's own store
    assert viewer is not None
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=30000)
    assert "权责清单.pdf" in viewer.windowTitle()
    viewer.close()

    # 汇总下级填报: the preview, accepted.
    dialog = tab.request_rollup()
    assert isinstance(dialog, RollupDialog)
    assert dialog.status_combo.currentText() == "推进中"
    assert dialog.explanation_edit.toPlainText() == \
        "区司法局：已公开权责清单\n区委编办：权责清单正在修订"
    assert [dialog.evidence_list.item(i).text() for i in range(dialog.evidence_list.count())] \
        == ["权责清单.pdf（来源：区司法局）"]
    save_shot(dialog, shots, "delegation_rollup")
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    record = session.ws.record("1.1.1")
    assert record.status is Status.IN_PROGRESS
    assert record.explanation == "区司法局：已公开权责清单\n区委编办：权责清单正在修订"
    assert [(e.file_name, e.note) for e in session.ws.evidence("1.1.1")] == [
        ("权责清单.pdf", "来源：区司法局")]
    assert pending_measures(session.ws) == set()
    assert model.index_for_id("1.1.1").data(PendingRole) is False
    assert not tab.pending_label.isVisible()
    assert panel.form.status_combo.currentData() == Status.IN_PROGRESS  # type: ignore[union-attr]

    # 万州区 reports up; 市政府办公厅 sees the rolled-up record and the evidence.
    sent = [export_through(w, tmp_path / "万州区.gkbundle", qtbot, messages)]
    city = make_session(tmp_path / "办公厅.gkws", "市政府办公厅", directory, officer="王五")
    try:
        save_identity(city.ws, CITY_KEY)
        results = import_bundles(city.ws, sent, accept_keys=[WZ_KEY.fingerprint()])
        assert results[0].outcome.value == "imported", results[0].message
        view = SupervisorView(city.ws)
        unit_id = view.units()[0].unit.id
        assert view.stored_records(unit_id)["1.1.1"].explanation.startswith("区司法局：")
        assert [(e.file_name, e.note) for e in view.evidence(unit_id)] == [
            ("权责清单.pdf", "来源：区司法局")]
    finally:
        city.close()


def export_through(window: MainWindow, out: Path, qtbot, messages: list[Message]) -> Path:
    """导出数据包… in ``window``'s own export dialog, signed with the passphrase typed."""
    actions = bundle_actions.install(window)
    actions.export_action.trigger()
    qtbot.waitUntil(lambda: actions.export_dialog is not None, timeout=20000)
    dialog = actions.export_dialog
    assert dialog is not None
    dialog.file_edit.setText(str(out))
    type_text(dialog.passphrase, PASSPHRASE)
    count = len(messages)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert wait_message(qtbot, messages, count).title == "导出完成", messages[-1]
    assert out.is_file()
    return out


def wz_fingerprint() -> str:
    from gongkai_desktop.signing.identity import group_fingerprint

    return group_fingerprint(WZ_KEY.fingerprint())


def test_hostile_return_refused_workspace_unchanged(
    unit_window: MainWindow, session: Session, qtbot, tmp_path: Path,
    messages: list[Message], prompt_mock: PromptMock,
) -> None:
    add_offices_and_assign(unit_window, qtbot)
    forged = tmp_path / "区司法局.gkbundle"
    forged.write_bytes(b"PK\x03\x04" + b"\x00" * 200)  # not a bundle at all
    evil = tmp_path / "区委编办.xlsx"
    evil.write_bytes(b"<html>not a workbook</html>")
    before = file_dump(session.path)
    count = len(messages)
    delegation_actions.install(unit_window).import_returns([forged, evil])
    got = wait_message(qtbot, messages, count)
    assert got.title == "未导入"
    for line in got.text.splitlines():
        assert line.startswith("已拒绝：") and one_chinese_line(line), got.text
    assert len(got.text.splitlines()) == 2
    assert file_dump(session.path) == before


def test_tampered_task_refused_nothing_created(
    unit_window: MainWindow, directory: UnitDirectory, qtbot, tmp_path: Path,
    messages: list[Message], prompt_mock: PromptMock,
) -> None:
    add_offices_and_assign(unit_window, qtbot)
    task = tmp_path / "任务.gktask"
    prompt_mock.always("ask_passphrase", PASSPHRASE)
    prompt_mock.answer_with("save_file_name", lambda *_a: str(task))
    count = len(messages)
    delegation_actions.install(unit_window).export_task("区司法局", "task")
    wait_message(qtbot, messages, count)
    data = task.read_bytes()
    task.write_bytes(data.replace("区司法局".encode(), "区财政局".encode()))
    office_window = make_window(None, directory, qtbot)
    count = len(messages)
    assert delegation_actions.install(office_window).init_from_task(task) is None
    assert len(messages) == count + 1 and one_chinese_line(messages[-1].text)
    assert office_window.session is None
    assert not list(tmp_path.glob("*.gkws")) or all(
        p.name == "万州区.gkws" for p in tmp_path.glob("*.gkws"))
    office_window.close()


def test_matrix_names_missing_and_overdue_offices(
    unit_window: MainWindow, session: Session, qtbot, shots: Path,
) -> None:
    from gongkai_desktop.delegation import add_offices, assign

    add_offices(session.ws, ["区司法局", "区委编办", "龙都街道"])
    assign(session.ws, ["1.1.1"], ["区司法局", "区委编办"], deadline=dt.date(2020, 9, 1))
    assign(session.ws, ["1.2.3"], ["龙都街道"], deadline=dt.date(2099, 1, 1))
    window = delegation_actions.install(unit_window).show_progress()
    assert window is not None
    qtbot.addWidget(window)
    text = window.summary_label.text()
    assert "未报送：区司法局、区委编办、龙都街道" in text
    assert "逾期：区司法局、区委编办" in text
    reminders = window.reminders_model.stringList()
    assert reminders[0] == "区司法局（逾期：1.1.1）"
    assert "龙都街道（未交：1.2.3）" in reminders
    cons = window.model.consolidation
    assert cons is not None and window.model.rowCount() == 3 and window.model.columnCount() == 2
    assert [u.shown_name for u in cons.units] == ["区司法局", "区委编办", "龙都街道"]
    assert list_offices(session.ws)[0].name == "区司法局"
    assert "未报送：1.1.1" in window.model.headerData(0, Qt.Orientation.Vertical,
                                                    Qt.ItemDataRole.ToolTipRole)
    save_shot(window, shots, "delegation_progress")
    # A cell shows its measure's 下级填报 in the main window.
    assert window.open_cell(window.model.index(2, 1)) == "1.2.3"
    assert unit_window.current_measure_id() == "1.2.3"
    panel = unit_window.panel
    assert panel is not None and panel.tabs.currentWidget() is panel.contributions  # type: ignore[attr-defined]
    window.close()


def test_a_task_file_given_on_start_up_opens_the_init_dialog(
    unit_window: MainWindow, directory: UnitDirectory, qtbot, tmp_path: Path,
    messages: list[Message], prompt_mock: PromptMock,
) -> None:
    from gongkai_desktop import launcher
    from gongkai_desktop.ui import app

    add_offices_and_assign(unit_window, qtbot)
    task = tmp_path / "任务.gktask"
    prompt_mock.always("ask_passphrase", PASSPHRASE)
    prompt_mock.answer_with("save_file_name", lambda *_a: str(task))
    count = len(messages)
    delegation_actions.install(unit_window).export_task("区司法局", "task")
    wait_message(qtbot, messages, count)
    assert launcher.unknown_command(["D:/下载/区司法局-任务.gktask"]) is None
    assert app.split_file_arguments([str(task)]) == (None, [task])
    office_window = make_window(None, directory, qtbot)
    file_arguments.handle_file_arguments(office_window, [task])
    dialog = delegation_actions.install(office_window).init_dialog
    assert dialog is not None and dialog.task.office.name == "区司法局"
    dialog.close()
    office_window.close()


def test_offices_from_excel_and_the_breakdown(
    unit_window: MainWindow, session: Session, qtbot, tmp_path: Path,
    messages: list[Message], prompt_mock: PromptMock,
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["下级单位"], ["龙都街道"], ["区财政局"]):
        sheet.append(row)
    source = tmp_path / "下级单位.xlsx"
    book.save(source)
    actions = delegation_actions.install(unit_window)
    dialog = actions.manage_offices()
    assert dialog is not None
    prompt_mock.answer_with("open_file_name", lambda *_a: str(source))
    dialog.import_file()
    qtbot.waitUntil(lambda: running_operations() == 0 and dialog.office_names() != [],
                    timeout=30000)
    assert dialog.office_names() == ["龙都街道", "区财政局"]
    # A bad name typed: one Chinese line, nothing added.
    before = file_dump(session.path)
    type_text(dialog.name_edit, "区" * 60)
    assert dialog.add_typed() is False
    assert one_chinese_line(messages[-1].text) and file_dump(session.path) == before
    dialog.close()

    assign = actions.assign_measures(["1.1.1", "1.2.3"])
    assert assign is not None
    assign.set_office("龙都街道", lead=True)
    assign.set_office("区财政局")
    assign.default_deadline.setChecked(False)
    assign.deadline.set_value(dt.date(2020, 10, 1))
    assert assign.apply() is not None
    assert {(a.measure_id, a.office.name, a.role.label, a.deadline)
            for a in assignments(session.ws)} == {
        (m, o, r, dt.date(2020, 10, 1)) for m in ("1.1.1", "1.2.3")
        for o, r in (("龙都街道", "牵头"), ("区财政局", "责任"))}

    # Opened again for 1.2.3: its offices are ticked with their roles; 取消分配 takes it back
    # from 区财政局 only.
    assign = actions.assign_measures(["1.2.3"])
    assert assign is not None
    assert assign.chosen_offices() == (["龙都街道", "区财政局"], ["龙都街道"])
    assign.set_office("龙都街道", checked=False)
    assert assign.take_back() == 1
    assert {(a.measure_id, a.office.name) for a in assignments(session.ws)
            if a.measure_id == "1.2.3"} == {("1.2.3", "龙都街道")}
    # The default deadline with another number of days, kept for next time.
    assign = actions.assign_measures(["1.2.3"])
    assert assign is not None
    assign.set_office("区财政局")
    assign.days_spin.setValue(10)
    assert assign.apply() is not None
    from gongkai_desktop.delegation import days_before

    assert days_before(session.ws) == 10
    assert {(a.office.name, a.deadline) for a in assignments(session.ws)
            if a.measure_id == "1.2.3"} == {("龙都街道", dt.date(2020, 10, 20)),
                                            ("区财政局", dt.date(2020, 10, 20))}

    out = tmp_path / "任务分解表.xlsx"
    prompt_mock.answer_with("save_file_name", lambda *_a: str(out))
    count = len(messages)
    actions.export_breakdown()
    assert "已导出任务分解表（2 项举措）" in wait_message(qtbot, messages, count).text
    assert out.is_file()


def test_rollup_edited_or_rejected(
    unit_window: MainWindow, session: Session, qtbot, tmp_path: Path,
) -> None:
    from gongkai_desktop.delegation import add_offices, assign, find_office, import_returns
    from gongkai_desktop.delegation.checklist import export_office_checklist

    add_offices(session.ws, ["区委编办"])
    assign(session.ws, ["1.1.1"], ["区委编办"])

    sheet = tmp_path / "区委编办.xlsx"
    export_office_checklist(session.ws, find_office(session.ws, "区委编办"), sheet)
    filled = fill_checklist(sheet, tmp_path / "已填.xlsx",
                            {"1.1.1": {"完成状态": "已完成", "完成情况说明": "已公开"}})
    imported = import_returns(session.ws, [filled])
    assert imported[0].outcome.value == "imported"
    actions = delegation_actions.install(unit_window)
    session.apply_changes(imported[0].changes)  # what the window does with the core's answer

    # 放弃: nothing written, the flag stays.
    before = file_dump(session.path)
    dialog = actions.show_rollup("1.1.1")
    assert dialog is not None and dialog.status_combo.currentText() == "已完成"
    # The fields carry the record form's names: 完成时间 (Alt+D), 不适用理由.
    names = {label.buddy(): label.text() for label in dialog.findChildren(QLabel)
             if label.buddy() is not None}
    assert names[dialog.date_field] == "完成时间(&D)："
    assert names[dialog.reason_edit] == "不适用理由(&N)："
    assert not any("完成日期" in text for text in names.values())
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    assert file_dump(session.path) == before and "1.1.1" in pending_measures(session.ws)

    # Edited, then accepted: the officer's words are written.
    dialog = actions.show_rollup("1.1.1")
    assert dialog is not None
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findText("推进中"))
    dialog.explanation_edit.setPlainText("区委编办已公开目录，本单位正在复核。")
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    record = session.ws.record("1.1.1")
    assert record.status is Status.IN_PROGRESS
    assert record.explanation == "区委编办已公开目录，本单位正在复核。"
    assert "1.1.1" not in pending_measures(session.ws)


def test_report_editor_offers_the_offices_annex(session: Session, qtbot) -> None:
    from gongkai_desktop.delegation import add_offices
    from gongkai_desktop.delegation.reporting import ANNEX_SETTING
    from gongkai_desktop.ui.report.report_editor import ReportEditor

    editor = ReportEditor(session)
    qtbot.addWidget(editor)
    editor.show()
    assert not editor.offices_annex_check.isVisible()  # nothing delegated: not offered
    editor.close()
    add_offices(session.ws, ["区司法局"])
    editor = ReportEditor(session)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.offices_annex_check.isVisible() and not editor.offices_annex_check.isChecked()
    editor.offices_annex_check.setChecked(True)
    assert session.ws.get_setting(ANNEX_SETTING) is True
    editor.close()


def test_a_reissued_task_updates_the_office_workspace(
    unit_window: MainWindow, session: Session, directory: UnitDirectory, qtbot,
    tmp_path: Path, messages: list[Message], prompt_mock: PromptMock,
) -> None:
    from gongkai_desktop.delegation import assign, init_from_task

    add_offices_and_assign(unit_window, qtbot)
    actions = delegation_actions.install(unit_window)
    prompt_mock.always("ask_passphrase", PASSPHRASE)
    first, second = tmp_path / "t1.gktask", tmp_path / "t2.gktask"
    for task in (first, second):
        prompt_mock.answer_with("save_file_name", lambda *_a, t=task: str(t))
        count = len(messages)
        actions.export_task("区委编办", "task")
        wait_message(qtbot, messages, count)
        if task is first:
            assign(session.ws, ["2.1.1"], ["区委编办"])
    ws, _task = init_from_task(tmp_path / "区委编办.gkws", first)
    ws.close()
    office_window = make_window(None, directory, qtbot)
    assert open_and_wait(office_window, tmp_path / "区委编办.gkws", qtbot)
    assert office_window.session is not None
    count = len(messages)
    delegation_actions.install(office_window).open_task_file(second)
    got = wait_message(qtbot, messages, count)
    # The command line's words (``TaskUpdate.sentence``, see test_delegation_hostile).
    assert got.text.startswith("已更新任务：新增 1 项举措（2.1.1），"), got
    office = office_window.session
    assert office is not None and "2.1.1" in {m.id for m in office.ws.plan.measures()}
    # The parent's own workspace cannot take a task.
    count = len(messages)
    assert actions.update_task(second) is None
    assert "不是从任务文件新建的" in messages[-1].text
    office_window.close()


def test_another_parents_office_bundle_refused_in_one_line(
    unit_window: MainWindow, session: Session, qtbot, tmp_path: Path,
    messages: list[Message], prompt_mock: PromptMock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.delegation_fixtures import World

    add_offices_and_assign(unit_window, qtbot)  # a 区司法局 of this 万州区's own
    (tmp_path / "other").mkdir()
    world = World(tmp_path / "other")  # another parent's 区司法局, same name, its own key
    asked: list[object] = []
    monkeypatch.setattr(key_acceptance_dialog, "ask_keys", lambda *a: asked.append(a))
    before = file_dump(session.path)
    count = len(messages)
    delegation_actions.install(unit_window).import_returns([world.bundle1])
    got = wait_message(qtbot, messages, count)
    assert got.title == "未导入" and len(got.text.splitlines()) == 1
    assert got.text.startswith("已拒绝：sfj-1.gkbundle") and one_chinese_line(got.text)
    assert got.text.endswith("未导入")  # (here the plan differs too: checked first)
    assert asked == [] and prompt_mock.titles("ask_question") == []  # refused before any key
    assert file_dump(session.path) == before


def test_a_changed_office_key_is_shown_with_both_fingerprints_and_needs_a_choice(
    directory: UnitDirectory, qtbot, tmp_path: Path, messages: list[Message],
    prompt_mock: PromptMock, shots: Path, ui_app: QApplication,
) -> None:
    from gongkai_desktop.delegation import ReturnOutcome, find_office, import_returns
    from gongkai_desktop.delegation.office_keys import pinned_key
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.storage.wsconn import reading
    from tests.bundle_fixtures import export, identity
    from tests.delegation_fixtures import World

    world = World(tmp_path)
    with Workspace.open(world.wz) as ws:  # 区司法局's first key, accepted earlier
        first = import_returns(ws, [world.bundle1], accept_keys=[SFJ_KEY.fingerprint()])
        assert first[0].outcome is ReturnOutcome.IMPORTED
    new_key = identity("区司法局", "新来的经办人")
    with Workspace.open(world.sfj) as ws:
        changed = export(ws, tmp_path / "sfj-新证书.gkbundle", new_key).files[0]

    session = Session(Workspace.open(world.wz), directory)
    w = make_window(session, directory, qtbot)
    actions = delegation_actions.install(w)
    before = file_dump(world.wz)

    # Refused in the dialog: nothing imported, the old key still the office's.
    refuse = KeyAnswers(qtbot, {"区司法局": False}, shots=shots,
                        shot_name="delegation_key_changed")
    actions.import_returns([changed])
    qtbot.waitUntil(lambda: bool(refuse.shown) and running_operations() == 0, timeout=30000)
    shown = refuse.shown[0]
    text = str(shown["text"])
    assert shown["headings"] == ["下级单位：区司法局"] and shown["ok_enabled_before"] is False
    assert "该单位更换了签名证书，与已信任的不同" in text
    assert SFJ_KEY.display_fingerprint() in text and new_key.display_fingerprint() in text
    assert "sfj-新证书.gkbundle" in text
    assert prompt_mock.titles("ask_question") == []
    qtbot.waitUntil(lambda: "未接受下级单位的证书" in w.statusBar().currentMessage(),
                    timeout=5000)
    assert file_dump(world.wz) == before

    # Accepted: imported, and the new key is the office's from now on.
    accept = KeyAnswers(qtbot, {"区司法局": True})
    count = len(messages)
    actions.import_returns([changed])
    got = wait_message(qtbot, messages, count)
    assert accept.shown and "已导入：sfj-新证书.gkbundle" in got.text
    with reading(session.ws) as conn:
        key = pinned_key(conn, find_office(session.ws, "区司法局").office_id)
    assert key is not None and key.fingerprint == new_key.fingerprint()
    w.close()


def test_dialogs_close_with_their_workspace(unit_window: MainWindow, session: Session,
                                            qtbot) -> None:
    from gongkai_desktop.delegation import add_offices

    add_offices(session.ws, ["区司法局"])
    actions = delegation_actions.install(unit_window)
    offices, matrix = actions.manage_offices(), actions.show_progress()
    assert offices is not None and matrix is not None and matrix.isVisible()
    unit_window.set_session(None)
    assert actions.offices_dialog is None and actions.progress_window is None
    assert not matrix.isVisible()


def test_rollup_before_any_answer_keeps_the_units_status(
    unit_window: MainWindow, session: Session, qtbot,
) -> None:
    from gongkai_desktop.delegation import add_offices, assign

    session.ws.update_record("1.1.1", status=Status.DONE, explanation="本单位已完成")
    add_offices(session.ws, ["区委编办"])
    assign(session.ws, ["1.1.1"], ["区委编办"])
    actions = delegation_actions.install(unit_window)
    before = file_dump(session.path)
    dialog = actions.show_rollup("1.1.1")
    assert dialog is not None and dialog.status_combo.currentText() == "已完成"
    assert "完成状态保持不变" in dialog.note.text()
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert session.ws.record("1.1.1").status is Status.DONE
    assert file_dump(session.path) == before  # nothing to write
