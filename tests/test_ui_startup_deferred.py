"""The real start-up (``finish_start(defer=True)``): the plan tree first, then the rest.

The officer sees the workspace's tree before the feature menus, the other fonts and the
files given on the command line are dealt with; they all follow on their own, in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gongkai_desktop.ui import app as ui_app_module
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.units import UnitDirectory
from tests.ui_fixtures import make_session

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.fixture
def ws_path(tmp_path: Path, directory: UnitDirectory, ui_app: object) -> Path:
    path = tmp_path / "万州区.gkws"
    make_session(path, "万州区", directory).close()
    return path


def test_the_tree_comes_first_then_the_feature_menus_and_the_files_given(
        ws_path: Path, qtbot: QtBot, directory: UnitDirectory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.ui import file_arguments

    handled: list[tuple[list[Path], bool]] = []
    monkeypatch.setattr(file_arguments, "handle_file_arguments",
                        lambda w, paths: handled.append(
                            (list(paths), hasattr(w, "bundle_actions"))))
    window = MainWindow(None, deferred=True, directory=directory)
    qtbot.addWidget(window)
    window.show_opening(ws_path)
    window.show()
    ui_app_module.finish_start(window, ws_path, [Path("万州区-自查.gkbundle")], defer=True)
    # The workspace opens in the runner; once it is there, with its tree, the menus are
    # not yet.
    qtbot.waitUntil(lambda: window.session is not None, timeout=15_000)
    assert window.session is not None and window.session.path == ws_path
    assert window.proxy is not None and window.proxy.rowCount() > 0
    assert not hasattr(window, "bundle_actions") and not handled
    # ... but the menu bar already has its 报告与数据 menu: it does not shift when they come.
    assert window.actions_menu.menuAction().isVisible()
    qtbot.waitUntil(lambda: bool(handled), timeout=5000)
    assert hasattr(window, "report_actions") and hasattr(window, "bundle_actions")
    assert handled == [([Path("万州区-自查.gkbundle")], True)]  # after the bundle feature
    assert window.actions_menu.menuAction().isVisible()
    window.close()


def test_without_a_workspace_the_menus_still_come(
        ui_app: object, qtbot: QtBot, directory: UnitDirectory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_desktop.ui.workspace import workspace_actions

    monkeypatch.setattr(workspace_actions, "first_session",
                        lambda *args, **_k: args[-1](None))  # on_done(None): nothing opened
    window = MainWindow(None, deferred=True, directory=directory)
    qtbot.addWidget(window)
    window.show()
    ui_app_module.finish_start(window, None, [], defer=True)
    assert window.session is None
    qtbot.waitUntil(lambda: hasattr(window, "bundle_actions"), timeout=5000)
    window.close()


def test_the_search_box_stays_put_when_the_review_feature_adds_its_filter(
        ws_path: Path, qtbot: QtBot, directory: UnitDirectory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """需整改 comes with the review feature, after the tree's first paint: it takes its
    place after 只看逾期 without moving or narrowing the search box the officer sees."""
    from PySide6.QtCore import QPoint, QRect

    window = MainWindow(None, deferred=True, directory=directory)
    qtbot.addWidget(window)

    def search_rect() -> QRect:
        box = window.toolbar.search_box
        return QRect(box.mapTo(window, QPoint(0, 0)), box.size())

    before: list[QRect] = []
    real_finish = ui_app_module._finish_features

    def finish_features(w: MainWindow) -> None:
        assert not hasattr(w, "review_actions")  # the feature is not imported yet
        before.append(search_rect())
        real_finish(w)

    monkeypatch.setattr(ui_app_module, "_finish_features", finish_features)
    window.show_opening(ws_path)
    window.show()
    ui_app_module.finish_start(window, ws_path, [], defer=True)
    qtbot.waitUntil(lambda: hasattr(window, "review_actions"), timeout=15_000)
    check = window.review_actions.rectify_check
    qtbot.waitUntil(check.isVisible, timeout=5000)
    qtbot.wait(50)  # the toolbar's layout request is handled
    assert before and before[0].width() > 0 and window.toolbar.search_box.isVisible()
    after = search_rect()
    assert (after.x(), after.width()) == (before[0].x(), before[0].width())
    assert after.y() == before[0].y()
    # 需整改 sits right after 只看逾期, left of the search box, not overlapping it.
    overdue = window.toolbar.overdue_check
    assert overdue.mapTo(window, QPoint(0, 0)).x() < check.mapTo(window, QPoint(0, 0)).x()
    assert check.mapTo(window, QPoint(check.width(), 0)).x() <= after.x()
    window.close()
