"""After a write, every view shows the new state with no refresh by hand.

The core says what it changed (``changes.Changes``), ``Session.apply_changes``
announces it, and the tree, the overview and the measure panel follow the
session's signals: nothing here calls ``refresh``/``reload`` on a view.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gongkai_desktop.delegation import add_offices, assign, find_office
from gongkai_desktop.delegation.checklist import export_office_checklist
from gongkai_desktop.model import Status
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.delegation import delegation_actions
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.measures.overview import OverviewPage
from gongkai_desktop.ui.measures.tree_model import COL_STATUS, PendingRole
from gongkai_desktop.ui.workspace.commands import EditRecordCommand, perform
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.delegation_fixtures import fill_checklist
from tests.ui_fixtures import Message, make_window
from tests.ui_panel_fixtures import make_pdf

MEASURE = "1.1.1"


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot: QtBot,
           tmp_path: Path) -> Iterator[MainWindow]:
    w = make_window(session, directory, qtbot, tmp_path)
    yield w
    w.close()


def _overview(window: MainWindow) -> OverviewPage:
    overview = window.overview
    assert isinstance(overview, OverviewPage)
    return overview


def _done_tile(window: MainWindow) -> str:
    return _overview(window).tiles[Status.DONE.value].number.text()


def _attention(window: MainWindow) -> list[str]:
    return [item.measure_id for item in _overview(window).attention_model.items()]


def test_an_office_return_and_its_roll_up_show_everywhere(
        window: MainWindow, session: Session, qtbot: QtBot, tmp_path: Path,
        messages: list[Message]) -> None:
    add_offices(session.ws, ["区委编办"])
    assign(session.ws, [MEASURE], ["区委编办"])
    sheet = tmp_path / "区委编办.xlsx"
    export_office_checklist(session.ws, find_office(session.ws, "区委编办"), sheet)
    filled = fill_checklist(sheet, tmp_path / "已填.xlsx",
                            {MEASURE: {"完成状态": "已完成", "完成情况说明": "已公开"}})
    assert window.select_measure(MEASURE)
    panel = window.panel
    tab = panel.contributions
    assert window.model is not None
    tree_index = window.model.index_for_id(MEASURE, COL_STATUS)
    assert not tree_index.data(PendingRole) and not tab.pending

    actions = delegation_actions.install(window)
    count = len(messages)
    actions.import_returns([filled])
    qtbot.waitUntil(lambda: len(messages) > count and running_operations() == 0, timeout=30000)
    # 下级有新填报: the tree's flag and the panel's tab, no refresh by hand.
    assert window.model.index_for_id(MEASURE, COL_STATUS).data(PendingRole)
    assert tab.pending and [c.office.name for c in tab.items] == ["区委编办"]

    dialog = actions.show_rollup(MEASURE)
    assert dialog is not None
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert session.ws.record(MEASURE).status is Status.DONE
    status = window.model.index_for_id(MEASURE, COL_STATUS)
    assert status.data() == "已完成" and not status.data(PendingRole)  # the tree
    assert panel.form.current_status() is Status.DONE  # the panel's form …
    assert panel.form.explanation_edit.toPlainText().endswith("已公开")
    assert not tab.pending  # … and its 下级填报 tab
    qtbot.waitUntil(lambda: _done_tile(window) == "1", timeout=5000)  # the overview


def test_added_evidence_shows_in_the_panel_and_the_overview(
        window: MainWindow, session: Session, qtbot: QtBot, tmp_path: Path,
        messages: list[Message]) -> None:
    assert window.select_measure(MEASURE)
    perform(session, EditRecordCommand(session, MEASURE, {"status": Status.DONE}))
    # 已完成 without evidence: the overview lists it.
    qtbot.waitUntil(lambda: MEASURE in _attention(window), timeout=5000)
    evidence = window.panel.evidence
    assert evidence.model.rowCount() == 0

    evidence.add_files([make_pdf(tmp_path / "公开目录.pdf")])
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=30000)
    assert [evidence.model.item(evidence.model.index(0)).file_name] == ["公开目录.pdf"]
    qtbot.waitUntil(lambda: MEASURE not in _attention(window), timeout=5000)
    assert messages == []

    session.undo_stack.undo()  # the evidence goes again: the overview lists it again
    assert evidence.model.rowCount() == 0
    qtbot.waitUntil(lambda: MEASURE in _attention(window), timeout=5000)
