"""Start-up: one window per workspace, and bundle/receipt files given on the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from gongkai_desktop.storage.lock import is_locked
from gongkai_desktop.ui import app as ui_app_module
from gongkai_desktop.ui.common.settings import LAST_WORKSPACE, AppSettings
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.units import UnitDirectory
from tests.ui_fixtures import Message, make_session, open_and_wait

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.fixture
def ws_path(tmp_path: Path, directory: UnitDirectory, ui_app: object) -> Path:
    path = tmp_path / "万州区.gkws"
    make_session(path, "万州区", directory).close()
    return path


@pytest.fixture
def make_window(qtbot: QtBot, directory: UnitDirectory) -> Iterator[Any]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow(None, directory=directory)
        qtbot.addWidget(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()


def test_the_same_workspace_is_not_opened_twice(
        ws_path: Path, make_window: Any, messages: list[Message], qtbot: QtBot) -> None:
    first, second = make_window(), make_window()
    assert open_and_wait(first, ws_path, qtbot)
    assert is_locked(ws_path)
    assert not open_and_wait(second, ws_path, qtbot)
    assert second.session is None
    assert len(messages) == 1
    assert "该工作区已在另一个窗口中打开" in messages[0].text
    assert "万州区.gkws" in messages[0].text
    assert first.session is not None and first.session.path == ws_path  # untouched
    first.set_session(None)  # closing it there frees it
    assert not is_locked(ws_path)
    assert open_and_wait(second, ws_path, qtbot)
    second.close()
    assert not is_locked(ws_path)


def test_switching_workspaces_releases_the_old_one(
        ws_path: Path, tmp_path: Path, directory: UnitDirectory, make_window: Any,
        qtbot: QtBot) -> None:
    other = tmp_path / "市司法局.gkws"
    make_session(other, "市司法局", directory).close()
    window = make_window()
    assert open_and_wait(window, ws_path, qtbot)
    assert open_and_wait(window, other, qtbot)
    assert not is_locked(ws_path) and is_locked(other)


def test_bundle_arguments_go_to_the_bundle_feature(
        ws_path: Path, make_window: Any, monkeypatch: pytest.MonkeyPatch,
        qtbot: QtBot) -> None:
    from gongkai_desktop.ui import file_arguments

    calls: list[tuple[object, list[Path], bool]] = []
    monkeypatch.setattr(file_arguments, "handle_file_arguments",
                        lambda w, paths: calls.append((w, list(paths), w.session is not None)))
    AppSettings().set(LAST_WORKSPACE, str(ws_path))
    path, bundles = ui_app_module.split_file_arguments(
        ["万州区-自查.gkbundle", "回执.GKRECEIPT"])
    assert path is None  # bundles are never opened as workspaces
    window = make_window()
    ui_app_module.finish_start(window, path, bundles)
    qtbot.waitUntil(lambda: bool(calls), timeout=15_000)  # once the workspace is open
    assert window.session is not None and window.session.path == ws_path  # the last one
    assert calls == [(window, [Path("万州区-自查.gkbundle"), Path("回执.GKRECEIPT")], True)]


def test_split_file_arguments_keeps_the_workspace() -> None:
    assert ui_app_module.split_file_arguments(["a.gkws", "b.gkbundle", "c.gkws"]) == (
        Path("a.gkws"), [Path("b.gkbundle")])
    assert ui_app_module.split_file_arguments([]) == (None, [])


def test_launcher_passes_bundle_files_to_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop import launcher

    seen: list[list[str]] = []

    def fake_run(argv: list[str]) -> int:
        seen.append(list(argv))
        return 0

    monkeypatch.setattr(ui_app_module, "run", fake_run)
    assert launcher.main(["D:/下载/万州区-自查.gkbundle"]) == 0
    assert launcher.main(["回执.gkreceipt"]) == 0
    assert seen == [["D:/下载/万州区-自查.gkbundle"], ["回执.gkreceipt"]]


def test_the_bundled_ui_font_uses_its_own_hinting_and_a_system_yahei_keeps_the_default(
        ui_app: object) -> None:
    from PySide6.QtGui import QFont

    bundled = ui_app_module.ui_font(["WenQuanYi Micro Hei"])
    assert bundled.families()[0] == "WenQuanYi Micro Hei"
    # The same look, rasterised ~3.5× faster for the first frame's Chinese glyphs.
    assert bundled.hintingPreference() == QFont.HintingPreference.PreferFullHinting
    windows = ui_app_module.ui_font(["Microsoft YaHei UI", "WenQuanYi Micro Hei"])
    assert windows.families()[0] == "Microsoft YaHei UI"
    assert windows.hintingPreference() == QFont.HintingPreference.PreferDefaultHinting
