"""文件 → 备份工作区…: a copy the officer can reopen, written while the workspace stays open."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.units import UnitDirectory
from tests.prompt_mock import PromptMock
from tests.ui_fixtures import Message, make_session, open_and_wait

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


def test_backup_from_the_file_menu(qtbot: QtBot, tmp_path: Path, directory: UnitDirectory,
                                   ui_app: object, messages: list[Message],
                                   prompt_mock: PromptMock) -> None:
    path = tmp_path / "万州区.gkws"
    make_session(path, "万州区", directory).close()
    window = MainWindow(None, directory=directory)
    qtbot.addWidget(window)
    assert not window.workspace_actions.backup_action.isEnabled()  # nothing open yet
    assert open_and_wait(window, path, qtbot)
    assert window.session is not None
    window.session.ws.update_record("1.1.1", status=Status.DONE, explanation="已公开",
                                    actor="张三")
    suggested: list[str] = []
    target = tmp_path / "U盘" / "万州区-备份.gkws"
    target.parent.mkdir()

    def choose(_parent: object, _title: str, proposed: str, _filter: str) -> str:
        suggested.append(proposed)
        return str(target)

    prompt_mock.answer_with("save_file_name", choose)
    assert window.workspace_actions.backup_action.isEnabled()
    window.workspace_actions.backup_action.trigger()
    qtbot.waitUntil(lambda: bool(messages), timeout=10000)
    assert messages[-1].title == "备份完成" and str(target) in messages[-1].text
    assert Path(suggested[0]).name.startswith("万州区-备份-")
    with Workspace.open(target, readonly=True) as copy:
        assert copy.record("1.1.1").explanation == "已公开"
    assert window.session is not None and window.session.path == path  # still open here
    window.close()
