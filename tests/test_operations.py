"""The operation runner hands a job the open workspace, in the worker thread.

SQLite connections belong to the thread that made them, so the job's workspace is
opened and closed in the worker, read-only unless the job writes, and closed
whatever the outcome (success, a refusal, a cancel).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from gongkai_desktop.errors import Cancelled, InvalidInput, ReadOnlyStorage, WorkspaceError
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ticker import Progress
from gongkai_desktop.ui.common.operations import (
    run_operation,
    run_workspace_operation,
    running_operations,
)
from gongkai_desktop.ui.workspace.session import Session
from tests.ui_fixtures import Message

MEASURE = "1.1.1"


def _wait(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)


def test_job_gets_an_open_workspace_in_the_worker_thread(
        session: Session, qtbot: QtBot, messages: list[Message]) -> None:
    seen: dict[str, Any] = {}
    results: list[str] = []

    def work(ws: Workspace, _progress: Progress) -> str:
        seen["thread"] = threading.get_ident()
        seen["ws"] = ws
        return ws.unit.name

    run_workspace_operation(None, "读取", session.path, work, on_success=results.append)
    _wait(qtbot)
    assert results == [session.ws.unit.name]
    assert seen["thread"] != threading.get_ident()  # not the UI thread
    assert seen["ws"] is not session.ws  # its own connection, not the window's
    with pytest.raises(WorkspaceError, match="已关闭"):
        seen["ws"].records()  # closed once the job is done
    assert messages == []


def test_read_only_unless_the_job_writes(session: Session, qtbot: QtBot,
                                         messages: list[Message]) -> None:
    failures: list[BaseException] = []

    def work(ws: Workspace, _progress: Progress) -> None:
        ws.update_record(MEASURE, status=Status.IN_PROGRESS)

    run_workspace_operation(None, "写入", session.path, work, on_failure=failures.append)
    _wait(qtbot)
    assert len(failures) == 1 and isinstance(failures[0], ReadOnlyStorage)
    assert session.ws.record(MEASURE).status is Status.NOT_STARTED

    run_workspace_operation(None, "写入", session.path, work, write=True)
    _wait(qtbot)
    assert session.ws.record(MEASURE).status is Status.IN_PROGRESS
    assert messages == []


def test_workspace_closed_after_a_failure(session: Session, qtbot: QtBot,
                                          messages: list[Message]) -> None:
    opened: list[Workspace] = []

    def work(ws: Workspace, _progress: Progress) -> None:
        opened.append(ws)
        raise InvalidInput("不对")

    run_workspace_operation(None, "写入", session.path, work, write=True)
    _wait(qtbot)
    assert [m.text for m in messages] == ["不对"]  # the one error box, as before
    with pytest.raises(WorkspaceError, match="已关闭"):
        opened[0].records()


def test_workspace_closed_after_a_cancel(session: Session, qtbot: QtBot,
                                         messages: list[Message]) -> None:
    opened: list[Workspace] = []
    started = threading.Event()
    failures: list[BaseException] = []

    def work(ws: Workspace, progress: Progress) -> None:
        opened.append(ws)
        started.set()
        while progress(0, 1):  # until Cancel is pressed
            threading.Event().wait(0.01)
        raise Cancelled("已取消")

    operation = run_workspace_operation(None, "长时间", session.path, work, write=True,
                                        on_failure=failures.append)
    qtbot.waitUntil(started.is_set, timeout=10000)
    operation.cancel()
    _wait(qtbot)
    assert len(failures) == 1 and isinstance(failures[0], Cancelled)
    with pytest.raises(WorkspaceError, match="已关闭"):
        opened[0].records()
    assert messages == []


def test_a_workspace_that_cannot_open_is_one_error(tmp_path: Any, ui_app: Any, qtbot: QtBot,
                                                    messages: list[Message]) -> None:
    ran: list[bool] = []
    missing = tmp_path / "没有.gkws"
    run_workspace_operation(None, "读取", missing, lambda ws, p: ran.append(True))
    _wait(qtbot)
    assert ran == [] and len(messages) == 1
    assert not missing.exists()


def test_jobs_without_a_workspace_keep_the_old_form(ui_app: Any, qtbot: QtBot) -> None:
    results: list[int] = []
    run_operation(None, "计算", lambda progress: 6 * 7, on_success=results.append)
    _wait(qtbot)
    assert results == [42]


def test_a_stray_storage_error_reads_as_on_the_command_line(ui_app: Any, qtbot: QtBot,
                                                             messages: list[Message]) -> None:
    """An OSError / sqlite3.Error no layer mapped: the window shows the command line's
    Chinese line (faults.unlocated), not “程序出现意外错误 OSError…” in English."""
    import errno
    import sqlite3

    from gongkai_desktop import faults

    full = OSError(errno.ENOSPC, "No space left on device", "/某处/报告.pdf")
    broken = sqlite3.OperationalError("disk I/O error")
    for error in (full, broken):
        def work(_progress: Progress, error: BaseException = error) -> None:
            raise error

        run_operation(None, "写入", work)
        _wait(qtbot)
    assert [m.text for m in messages] == [faults.unlocated(full), faults.unlocated(broken)]
    assert "磁盘空间不足" in messages[0].text and "报告.pdf" in messages[0].text
    assert "数据库读写出错" in messages[1].text
    assert all("意外错误" not in m.title + m.text and "No space" not in m.text
               and "disk I/O" not in m.text for m in messages)
