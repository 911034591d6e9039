"""Opening a workspace and copying evidence out run in the operation runner (#11 item 3):
the file's checks, the lock, a migration with its backup copy and the copy of a file run
in a worker thread; the window meanwhile shows 正在打开, stays responsive, and a second
open does not race the first. A failure shows its one line and keeps what was open."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from gongkai_desktop.model import Status
from gongkai_desktop.storage import migrations
from gongkai_desktop.storage.lock import is_locked
from gongkai_desktop.ui.evidence import preview as preview_module
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.workspace import workspace_actions
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.ui_fixtures import Message, make_session, open_and_wait

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.fixture
def other(tmp_path: Path, directory: UnitDirectory, ui_app: object) -> Path:
    path = tmp_path / "市司法局.gkws"
    make_session(path, "市司法局", directory).close()
    return path


@pytest.fixture
def held_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """``open_workspace`` waits for ``state["go"]`` and records the thread it ran on."""
    state: dict[str, Any] = {"go": threading.Event(), "threads": []}
    original = workspace_actions.open_workspace

    def held(path: Path, progress: Any = None) -> Any:
        state["threads"].append(threading.current_thread())
        assert state["go"].wait(10)
        return original(path, progress)

    monkeypatch.setattr(workspace_actions, "open_workspace", held)
    yield state
    state["go"].set()  # never leave a worker waiting


def test_opening_runs_in_a_worker_and_the_window_stays_responsive(
        window: MainWindow, session: Session, other: Path, qtbot: QtBot,
        held_open: dict[str, Any]) -> None:
    operation = window.workspace_actions.open_path(other)
    assert operation is not None
    qtbot.waitUntil(lambda: bool(held_open["threads"]), timeout=5000)
    # The worker is inside the open: the UI thread still runs its event loop.
    assert held_open["threads"][0] is not threading.main_thread()
    assert window.pages.currentWidget() is window.opening_page
    assert window.opening_page.label.text() == "正在打开工作区 市司法局.gkws…"
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks), timeout=2000)  # a timer fires: not frozen
    # A second open while the first runs starts nothing (no race for the window).
    assert window.workspace_actions.open_path(other) is None
    assert window.session is session  # not replaced until the open is complete
    held_open["go"].set()
    qtbot.waitUntil(lambda: not window.workspace_actions.opening, timeout=10_000)
    assert window.session is not None and window.session.path == other
    assert window.pages.currentWidget() is window.browser
    assert is_locked(other)
    assert len(held_open["threads"]) == 1


def test_a_failed_open_shows_one_line_and_keeps_the_current_workspace(
        window: MainWindow, session: Session, tmp_path: Path, qtbot: QtBot,
        messages: list[Message]) -> None:
    missing = tmp_path / "不存在.gkws"
    assert not open_and_wait(window, missing, qtbot)
    assert [m.title for m in messages] == ["无法打开工作区"]
    assert "找不到工作区文件" in messages[0].text and "\n" not in messages[0].text
    assert window.session is session
    assert window.pages.currentWidget() is window.browser  # the 正在打开 page is gone
    assert window.toolbar.isVisibleTo(window)
    session.ws.update_record("1.1.1", status=Status.IN_PROGRESS)  # still open for writing


def test_an_old_workspace_is_migrated_with_its_backup_made_off_the_ui_thread(
        window: MainWindow, tmp_path: Path, directory: UnitDirectory, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "旧版.gkws"
    current = migrations.latest_version()
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:current - 1])
        make_session(old, "市司法局", directory).close()
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == current - 1

    threads: list[threading.Thread] = []
    original = migrations.make_backup

    def backup(*args: Any) -> Path:
        threads.append(threading.current_thread())
        return original(*args)

    monkeypatch.setattr(migrations, "make_backup", backup)
    assert open_and_wait(window, old, qtbot)
    assert threads and threads[0] is not threading.main_thread()
    backups = list(tmp_path.glob(f"旧版.backup-v{current - 1}-*.sqlite"))
    assert len(backups) == 1
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    assert window.session is not None and window.session.ws.profile.unit_name == "市司法局"


def test_cancelling_an_open_keeps_the_current_workspace(
        window: MainWindow, session: Session, other: Path, qtbot: QtBot,
        held_open: dict[str, Any], messages: list[Message]) -> None:
    operation = window.workspace_actions.open_path(other)
    assert operation is not None
    qtbot.waitUntil(lambda: bool(held_open["threads"]), timeout=5000)
    operation.cancel()  # the dialog's 取消
    held_open["go"].set()
    qtbot.waitUntil(lambda: not window.workspace_actions.opening, timeout=10_000)
    assert window.session is session and not messages  # cancelling is not an error
    assert not is_locked(other)  # what the worker had opened is closed again


def test_opening_evidence_in_the_system_program_copies_it_in_the_runner(
        panel: Any, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Any] = []
    threads: list[threading.Thread] = []
    monkeypatch.setattr(preview_module, "open_url", lambda url: opened.append(url) or True)
    original = preview_module.EvidenceSource.fetch

    def fetch(self: Any, entry: Any) -> Path:
        threads.append(threading.current_thread())
        return original(self, entry)

    monkeypatch.setattr(preview_module.EvidenceSource, "fetch", fetch)
    view = panel.evidence
    pdf = tmp_path / "通知.pdf"
    pdf.write_bytes(b"%PDF-1.4 " + b"x" * 300_000)
    view.add_files([pdf])
    qtbot.waitUntil(lambda: len(view.model.items()) == 1, timeout=10_000)
    assert view.open_item(view.model.items()[0]) is not None
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    assert threads and threads[0] is not threading.main_thread()
    assert Path(opened[0].toLocalFile()).read_bytes() == pdf.read_bytes()

    out = tmp_path / "导出"
    out.mkdir()
    view.list.selectAll()
    assert view.export_selected(out) is not None
    qtbot.waitUntil(lambda: bool(view.exported), timeout=10_000)
    assert (out / "通知.pdf").read_bytes() == pdf.read_bytes()


def test_a_first_start_asks_once_over_the_complete_window_then_opens_in_the_runner(
        tmp_path: Path, directory: UnitDirectory, qtbot: QtBot, ui_app: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.ui import app as ui_app_module

    created = tmp_path / "万州区.gkws"
    asked: list[bool] = []

    def first_run(_directory: object, parent: Any) -> Path:
        asked.append(hasattr(parent, "empty_page"))  # the window behind it is complete
        make_session(created, "万州区", directory).close()
        return created

    monkeypatch.setattr(workspace_actions, "_first_run", first_run)
    window = MainWindow(None, deferred=True, directory=directory)
    qtbot.addWidget(window)
    window.show()
    ui_app_module.finish_start(window, None, [], defer=True)
    qtbot.waitUntil(lambda: window.session is not None, timeout=15_000)
    assert asked == [True]
    assert window.session is not None and window.session.path == created
    qtbot.waitUntil(lambda: hasattr(window, "bundle_actions"), timeout=5000)  # the menus follow
    window.close()
    assert not is_locked(created)


def test_a_start_whose_last_workspace_fails_offers_new_and_open(
        tmp_path: Path, directory: UnitDirectory, qtbot: QtBot, ui_app: object,
        messages: list[Message], monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.ui import app as ui_app_module
    from gongkai_desktop.ui.common.settings import LAST_WORKSPACE, AppSettings

    broken = tmp_path / "损坏.gkws"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    AppSettings().set(LAST_WORKSPACE, str(broken))
    monkeypatch.setattr(workspace_actions, "_first_run", lambda *_a: pytest.fail("asked"))
    window = MainWindow(None, deferred=True, directory=directory)
    qtbot.addWidget(window)
    window.show_opening(None)
    window.show()
    ui_app_module.finish_start(window, None, [], defer=True)
    qtbot.waitUntil(lambda: bool(messages), timeout=15_000)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.empty_page, timeout=5000)
    assert [m.title for m in messages] == ["无法打开工作区"]
    assert window.session is None
    window.close()
