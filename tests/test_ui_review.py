"""The review loop in the windows: the office returns 2.1.1 with a comment, the unit sees
it flagged with the comment, rectifies and records its ledger, the office sees it
awaiting re-review and accepts it, the unit sees it accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.model import Status
from gongkai_desktop.review.states import ReviewState
from gongkai_desktop.review.verdicts import current_verdicts
from gongkai_desktop.ui import file_arguments
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.review import review_actions, review_style
from gongkai_desktop.ui.review.review_dialog import ReviewDialog
from gongkai_desktop.ui.supervisor import consolidation_actions
from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import PASSPHRASE, dump, export, identity
from tests.prompt_mock import PromptMock
from tests.ui_fixtures import Message, make_session, save_shot, type_text

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")

WZ_KEY = identity("重庆市万州区人民政府", "张三")
OFFICE_KEY = identity("重庆市人民政府办公厅", "王五")
COMMENT = "缺少目录的公开链接，请补充发布网址"


def answer_prompts(prompt_mock: PromptMock, path: Path) -> None:
    prompt_mock.always("save_file_name", str(path))
    prompt_mock.always("open_file_name", str(path))
    prompt_mock.always("ask_passphrase", PASSPHRASE)


def open_view(office_window: MainWindow, qtbot) -> ConsolidationWindow:
    view = consolidation_actions.install(office_window).open_view()
    assert view is not None
    qtbot.waitUntil(lambda: running_operations() == 0 and view.consolidation is not None,
                    timeout=20000)
    return view


def cell(view: ConsolidationWindow, unit_id: str, measure_id: str):
    cons = view.consolidation
    assert cons is not None
    return view.model.index(cons.row_of(unit_id), cons.column_of(measure_id))


def review_on(view: ConsolidationWindow, measure_id: str) -> ReviewDialog:
    index = cell(view, "500101", measure_id)
    view.table.setCurrentIndex(index)
    dialog = view.open_review(by_unit=True)
    assert isinstance(dialog, ReviewDialog)
    assert dialog.current == ("500101", measure_id)
    dialog.activateWindow()  # the verdict keys are the dialog's shortcuts
    return dialog


def export_review(dialog: ReviewDialog, out: Path, prompt_mock: PromptMock, qtbot,
                  messages: list[Message]) -> None:
    answer_prompts(prompt_mock, out)
    count = len(messages)
    dialog.export_unit()
    qtbot.waitUntil(lambda: len(messages) > count, timeout=20000)
    assert messages[-1].title == "已导出整改意见", messages[-1]
    assert out.is_file()


def import_review(unit_window: MainWindow, out: Path, qtbot, messages: list[Message],
                  *, accept: bool = False) -> review_actions.ReviewActions:
    actions = review_actions.install(unit_window)
    count = len(messages)
    actions.import_review_file(out)
    if accept:
        qtbot.waitUntil(lambda: actions.key_dialog is not None
                        and actions.key_dialog.isVisible(), timeout=20000)
        dialog = actions.key_dialog
        assert dialog is not None and "整改意见" in dialog.text() + dialog.informativeText()
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(messages) > count, timeout=20000)
    assert messages[-1].title == "已导入整改意见", messages[-1]
    return actions


def send_bundle(session: Session, office: Session, path: Path) -> None:
    sent = export(session.ws, path, WZ_KEY).files
    results = import_bundles(office.ws, sent, accept_keys=[WZ_KEY.fingerprint()])
    assert results[0].outcome.value == "imported", results[0].message


def test_return_rectify_accept_through_the_windows(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message], prompt_mock: PromptMock, shots: Path,
) -> None:
    unit_window, office_window = windows
    session.ws.update_record("2.1.1", status=Status.DONE, explanation="目录已编制", actor="张三")
    session.ws.update_record("1.1.1", status=Status.DONE, explanation="专栏已开设", actor="张三")
    session.recordChanged.emit("")
    send_bundle(session, office, tmp_path / "万州区-1.gkbundle")

    # The office: review 万州区 from the matrix; 退回整改 needs a comment.
    view = open_view(office_window, qtbot)
    dialog = review_on(view, "2.1.1")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    dialog.comment.setFocus()
    qtbot.keyClick(dialog.comment, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert "必须填写意见" in dialog.message.text()
    assert current_verdicts(office.ws) == {} and dialog.current == ("500101", "2.1.1")
    type_text(dialog.comment, COMMENT)
    save_shot(dialog, shots, "review_office_dialog")
    qtbot.keyClick(dialog.comment, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert dialog.current is not None and dialog.current[1] != "2.1.1"  # moved on
    verdict = current_verdicts(office.ws)[("500101", "2.1.1")]
    assert verdict.verdict.label == "退回整改" and verdict.comment == COMMENT
    assert verdict.bundle_sequence == 1
    index = cell(view, "500101", "2.1.1")
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "审核：退回整改：" + COMMENT in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "审核：退回 1" in view.summary_label.text()
    first = tmp_path / "整改意见-1.gkreview"
    export_review(dialog, first, prompt_mock, qtbot, messages)

    # The unit: import (the office key accepted explicitly); 2.1.1 is flagged.
    actions = import_review(unit_window, first, qtbot, messages, accept=True)
    assert "需整改 1 项" in messages[-1].text
    model = unit_window.model
    assert model is not None and model.review_state("2.1.1") is ReviewState.RETURNED
    tree_index = model.index_for_id("2.1.1")
    assert tree_index.data(Qt.ItemDataRole.DecorationRole) is not None
    assert QColor(tree_index.data(Qt.ItemDataRole.ForegroundRole)) == review_style.RETURNED_COLOR
    assert actions.status_label.text() == "需整改 1 项"
    assert unit_window.overview is not None
    assert unit_window.overview.tiles["rectify"].findChildren(QWidget) is not None
    unit_window.overview.refresh()
    assert unit_window.overview.tiles["rectify"].number.text() == "1"
    toolbar = unit_window.toolbar
    widgets = [toolbar.widgetForAction(a) for a in toolbar.actions()]
    assert widgets.index(actions.rectify_check) == widgets.index(toolbar.overdue_check) + 1
    actions.rectify_check.setChecked(True)  # 需整改, right after 只看逾期
    assert unit_window.proxy is not None and unit_window.proxy.visible_measure_count() == 1
    assert "显示 1 项举措" in unit_window.browser.filter_footer.text()
    assert unit_window.select_measure("2.1.1")
    QApplication.processEvents()
    panel = unit_window.panel
    banner = panel.review  # type: ignore[union-attr]
    assert banner.isVisible() and "退回整改" in banner.verdict_label.text()
    assert COMMENT in banner.comment_label.text()
    save_shot(unit_window, shots, "review_unit_returned")

    # The unit rectifies: its ledger entry (and a changed record) → 已整改（待复核）.
    ledger = banner.edit_ledger()
    assert ledger is not None
    ledger.problem.setPlainText("目录未在门户网站公开")
    ledger.action.setPlainText("在门户网站发布目录并补充链接")
    ledger.owner.setText("张三")
    assert ledger.save() is not None
    QApplication.processEvents()
    assert model.review_state("2.1.1") is ReviewState.RECTIFIED
    assert "已整改（待复核）" in banner.verdict_label.text()
    assert "在门户网站发布目录并补充链接" in banner.ledger_label.text()
    # 需整改 is one set (review.states.TO_RECTIFY): once rectified it leaves the tile, the
    # status bar and the filter alike; it waits on the office, counted as 已整改待复核.
    assert actions.status_label.text() == "已整改待复核 1 项"
    unit_window.overview.refresh()
    assert unit_window.overview.tiles["rectify"].number.text() == "0"
    assert unit_window.proxy.visible_measure_count() == 0
    actions.rectify_check.setChecked(False)
    send_bundle(session, office, tmp_path / "万州区-2.gkbundle")

    # The office sees it awaiting re-review, with the ledger, and accepts it.
    view.reload()
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)
    state = view.model.review.state(view.consolidation.row_of("500101"),
                                    view.consolidation.column_of("2.1.1"))
    assert state is ReviewState.RECTIFIED
    dialog = review_on(view, "2.1.1")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    html = dialog.record_view.toHtml()
    assert "已整改，待复核" in html and "在门户网站发布目录并补充链接" in html
    save_shot(dialog, shots, "review_office_rectified")
    save_shot(view, shots, "review_consolidation_flags")
    assert dialog.comment.toPlainText() == ""  # judged afresh; the old comment is in the history
    qtbot.keyClick(dialog.comment, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert current_verdicts(office.ws)[("500101", "2.1.1")].verdict.label == "通过"
    second = tmp_path / "整改意见-2.gkreview"
    export_review(dialog, second, prompt_mock, qtbot, messages)

    # The unit sees it accepted; importing the older file again changes nothing.
    import_review(unit_window, second, qtbot, messages)
    assert model.review_state("2.1.1") is ReviewState.ACCEPTED
    assert not actions.status_label.text()
    before = dump(session.ws)
    count = len(messages)
    actions.import_review_file(first)
    qtbot.waitUntil(lambda: len(messages) > count, timeout=20000)
    assert "此前已导入" in messages[-1].text and dump(session.ws) == before


def test_a_refused_office_key_changes_nothing(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message],
) -> None:
    from gongkai_desktop.review.reviewfile import write_review
    from gongkai_desktop.review.verdicts import set_verdict

    unit_window, _office_window = windows
    send_bundle(session, office, tmp_path / "万州区.gkbundle")
    set_verdict(office.ws, "500101", "2.1.1", "退回整改", COMMENT)
    out = write_review(office.ws, "500101", OFFICE_KEY, tmp_path / "意见.gkreview")
    actions = review_actions.install(unit_window)
    before = dump(session.ws)
    actions.import_review_file(out)
    qtbot.waitUntil(lambda: actions.key_dialog is not None and actions.key_dialog.isVisible(),
                    timeout=20000)
    qtbot.mouseClick(actions.key_dialog.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: actions.key_dialog is None, timeout=5000)
    QApplication.processEvents()
    assert dump(session.ws) == before and messages == []
    assert unit_window.statusBar().currentMessage() == "整改意见未导入：未接受上级单位的证书"


def test_a_tampered_review_given_on_start_up_is_refused(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message],
) -> None:
    from gongkai_desktop.review.reviewfile import write_review
    from gongkai_desktop.review.verdicts import set_verdict
    from tests.review_fixtures import tamper_comment

    unit_window, _office_window = windows
    send_bundle(session, office, tmp_path / "万州区.gkbundle")
    set_verdict(office.ws, "500101", "2.1.1", "退回整改", COMMENT)
    good = write_review(office.ws, "500101", OFFICE_KEY, tmp_path / "意见.gkreview")
    bad = tamper_comment(good, tmp_path / "改过.gkreview")
    before = dump(session.ws)
    file_arguments.handle_file_arguments(unit_window, [bad])
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert "签名无效" in messages[-1].text
    assert dump(session.ws) == before
    assert unit_window.model is not None and unit_window.model.review_state("2.1.1") is None


def test_reviewing_a_measure_steps_through_the_units_that_reported_it(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, directory: UnitDirectory,
) -> None:
    _unit_window, office_window = windows
    send_bundle(session, office, tmp_path / "万州区.gkbundle")
    other = make_session(tmp_path / "涪陵区.gkws", "涪陵区", directory, officer="赵六")
    fl_key = identity("重庆市涪陵区人民政府", "赵六")
    sent = export(other.ws, tmp_path / "涪陵区.gkbundle", fl_key).files
    assert import_bundles(office.ws, sent, accept_keys=[fl_key.fingerprint()])[0].outcome.value \
        == "imported"
    other.close()
    view = open_view(office_window, qtbot)
    view.table.setCurrentIndex(cell(view, "500101", "2.1.1"))
    dialog = view.open_review(by_unit=False)
    assert isinstance(dialog, ReviewDialog)
    qtbot.addWidget(dialog)
    units = [u for u, m in dialog.items]
    assert {m for _u, m in dialog.items} == {"2.1.1"} and "500101" in units and len(units) >= 2
    assert dialog.current == ("500101", "2.1.1")
    dialog.step(1)
    assert dialog.current is not None and dialog.current[0] != "500101"
    assert dialog.accept_remaining() >= 1  # 全部通过: the rest of this unit's listed measures
    assert current_verdicts(office.ws, dialog.current[0])
