"""The main window and the first-run dialog, driven like an officer would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QDialog

from gongkai_desktop import paths
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.common.settings import RECENT_FILES, AppSettings
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.measures.tree_filter import Scope
from gongkai_desktop.ui.measures.tree_model import COL_STATUS, MeasureIdRole
from gongkai_desktop.ui.workspace import workspace_actions
from gongkai_desktop.ui.workspace.commands import EditRecordCommand, perform
from gongkai_desktop.ui.workspace.first_run import FirstRunDialog
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.ui_fixtures import Message, make_session, open_and_wait, type_text

# The shared window fixtures (assigned, not imported, so linters see them as used).

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.fixture
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    day = dt.date(2020, 9, 1)  # 6.1.1 (due 2020-08-31) is overdue for 万州区
    monkeypatch.setattr(Session, "today", staticmethod(lambda: day))
    return day


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot, pinned_today) -> Iterator[MainWindow]:
    w = MainWindow(session, directory=directory)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def current_panel_measure(window: MainWindow) -> str | None:
    return getattr(window.panel, "measure_id", getattr(window.panel, "shown_measure", None))


# ---- first run ----------------------------------------------------------------------------


def test_first_run_dialog_creates_a_workspace(qtbot, ui_app, directory) -> None:
    dialog = FirstRunDialog(directory)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.create_button.isEnabled()
    type_text(dialog.search, "万州")
    first = dialog.unit_model.index(0)
    assert first.data().startswith("万州区")
    rect = dialog.unit_list.visualRect(first)
    qtbot.mouseClick(dialog.unit_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.selected_unit() is not None and dialog.selected_unit().name == "万州区"
    assert "重庆市万州区人民政府" in dialog.chosen_label.text()
    assert not dialog.create_button.isEnabled()  # 负责人 still missing
    type_text(dialog.officer, "王小明")
    qtbot.keyClicks(dialog.phone, "023-58123456")
    assert dialog.create_button.isEnabled()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = paths.user_data_dir() / "workspaces" / "万州区.gkws"
    assert dialog.created_path == expected
    with Workspace.open(expected) as ws:
        assert ws.profile.unit_name == "万州区"
        assert ws.profile.officer == "王小明"
        assert ws.profile.phone == "023-58123456"
        assert ws.plan.info.document_number == "渝府办发〔2020〕89号"


def test_first_run_refuses_to_overwrite(qtbot, ui_app, directory) -> None:
    folder = paths.user_data_dir() / "workspaces"
    folder.mkdir(parents=True, exist_ok=True)
    existing = folder / "万州区.gkws"
    make_session(existing, "万州区", directory).close()
    before = existing.read_bytes()
    dialog = FirstRunDialog(directory)
    qtbot.addWidget(dialog)
    type_text(dialog.search, "万州区")
    type_text(dialog.officer, "王小明")
    assert not dialog.create_button.isEnabled()
    assert "不会覆盖" in dialog.problem.text()
    dialog.accept()  # even if forced, nothing is written
    assert existing.read_bytes() == before
    qtbot.mouseClick(dialog.open_existing_button, Qt.MouseButton.LeftButton)
    assert dialog.created_path == existing


# ---- the window ---------------------------------------------------------------------------


def test_title_and_status_bar(window: MainWindow, session: Session, qtbot) -> None:
    assert window.windowTitle() == "政务公开自查 — 万州区"
    assert window.status_labels.unit_label.text() == "重庆市万州区人民政府"
    assert window.status_labels.file_label.text() == "万州区.gkws"
    assert window.status_labels.progress_label.text() == "已完成 0/56，逾期 1"
    session.ws.update_record("1.1.1", status=Status.DONE)
    session.recordChanged.emit("1.1.1")
    assert window.status_labels.progress_label.text() == "已完成 1/56，逾期 1"
    # The overview follows right after the tree's first paint, without being asked for.
    qtbot.waitUntil(lambda: window.right.currentWidget() is not None, timeout=2000)
    assert window.right.currentWidget() is window.overview
    assert window.toolbar.scope_combo.currentText() == "我负责的（56）"


def test_keyboard_navigation_shows_measures(window: MainWindow, qtbot) -> None:
    tree = window.tree
    tree.setFocus()
    first = window.proxy.index(0, 0)
    tree.setCurrentIndex(first)  # area 一
    assert window.right.currentWidget() is window.overview
    qtbot.keyClick(tree, Qt.Key.Key_Down)  # sub-task （一）
    assert window.right.currentWidget() is window.overview
    qtbot.keyClick(tree, Qt.Key.Key_Down)  # measure 1.1.1
    assert tree.currentIndex().data(MeasureIdRole) == "1.1.1"
    assert window.right.currentWidget() is window.panel
    assert current_panel_measure(window) == "1.1.1"
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert current_panel_measure(window) == "1.1.2"
    qtbot.keyClick(tree, Qt.Key.Key_End)
    assert current_panel_measure(window) == tree.currentIndex().data(MeasureIdRole) == "6.5.1"
    window.overview_action.trigger()
    assert window.right.currentWidget() is window.overview
    assert not tree.currentIndex().isValid()


def test_search_box_filters_the_tree(window: MainWindow, qtbot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.toolbar.search_box.hasFocus()  # Ctrl+F
    type_text(window.toolbar.search_box, "疫情")
    qtbot.waitUntil(lambda: window.proxy.search_text == "疫情", timeout=2000)
    shown = window.proxy.visible_measure_count()
    assert 0 < shown <= 5
    assert "显示" in window.browser.filter_footer.text()
    assert window.tree.delegate.search_text == "疫情"
    assert _highlighted_pixels(window) > 0  # the matches are painted yellow
    qtbot.keyClick(window.toolbar.search_box, Qt.Key.Key_Escape)  # Esc clears the search
    assert window.toolbar.search_box.text() == ""
    assert window.proxy.visible_measure_count() == 56
    assert _highlighted_pixels(window) == 0


def _highlighted_pixels(window: MainWindow) -> int:
    from gongkai_desktop.ui.common.highlight import HIGHLIGHT

    image = window.tree.viewport().grab().toImage()
    wanted = HIGHLIGHT.rgb()
    return sum(image.pixel(x, y) == wanted
               for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))


def test_overview_item_is_one_click_away(window: MainWindow, qtbot) -> None:
    view = window.overview.attention_view
    first = view.model().index(0, 0)
    assert first.data(Qt.ItemDataRole.UserRole + 1) == "6.1.1"  # overdue since 2020-08-31
    center = view.visualRect(first).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert window.current_measure_id() == "6.1.1"
    assert window.right.currentWidget() is window.panel
    assert current_panel_measure(window) == "6.1.1"


def test_overview_selects_a_measure_hidden_by_the_filters(window: MainWindow) -> None:
    window.toolbar.status_combo.setCurrentIndex(window.toolbar.status_combo.findData(Status.DONE.value))
    assert window.proxy.visible_measure_count() == 0
    assert "没有符合条件" in window.browser.filter_footer.text()
    assert window.select_measure("6.1.1")
    assert window.current_measure_id() == "6.1.1"


def test_undo_and_redo_from_the_edit_menu(window: MainWindow, session: Session) -> None:
    assert not window.undo_action.isEnabled()
    perform(session, EditRecordCommand(session, "1.1.1", {"status": Status.DONE}))
    assert window.undo_action.isEnabled()
    assert window.undo_action.text().startswith("撤销")
    index = window.model.index_for_id("1.1.1", COL_STATUS)
    assert index.data() == "已完成"
    window.undo_action.trigger()
    assert session.ws.record("1.1.1").status is Status.NOT_STARTED
    assert index.data() == "未开始"
    window.redo_action.trigger()
    assert session.ws.record("1.1.1").status is Status.DONE
    shortcuts = [s.toString() for s in window.redo_action.shortcuts()]
    assert shortcuts == ["Ctrl+Y", "Ctrl+Shift+Z"]


def test_closing_and_reopening_shows_everything(
    tmp_path: Path, directory: UnitDirectory, qtbot, ui_app, pinned_today
) -> None:
    path = tmp_path / "万州区.gkws"
    first = make_session(path, "万州区", directory)
    first.ws.update_record("1.1.1", status=Status.DONE, explanation="已在区政府网站公开权责清单",
                           actor="张三")
    window = MainWindow(first, directory=directory)
    qtbot.addWidget(window)
    window.show()
    window.toolbar.scope_combo.setCurrentIndex(window.toolbar.scope_combo.findData(Scope.ALL.value))
    window.close()
    assert window.session is None  # closed with the window

    reopened = Session(Workspace.open(path), directory)
    again = MainWindow(reopened, directory=directory)
    qtbot.addWidget(again)
    again.show()
    assert again.proxy.scope is Scope.ALL  # the tree filter was remembered
    assert again.model.index_for_id("1.1.1", COL_STATUS).data() == "已完成"
    assert again.select_measure("1.1.1")
    form = getattr(again.panel, "form", None)
    if form is not None:
        assert form.explanation_edit.toPlainText() == "已在区政府网站公开权责清单"
    assert again.status_labels.progress_label.text() == "已完成 1/56，逾期 1"
    again.close()


def test_opening_a_damaged_file_changes_nothing(
    window: MainWindow, session: Session, tmp_path: Path, messages: list[Message], qtbot
) -> None:
    damaged = tmp_path / "损坏.gkws"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    before = damaged.read_bytes()
    assert not open_and_wait(window, damaged, qtbot)
    assert len(messages) == 1
    assert messages[0].title == "无法打开工作区"
    assert messages[0].text  # the core's Chinese message, shown as is
    assert any("\u4e00" <= ch <= "\u9fff" for ch in messages[0].text)
    assert damaged.read_bytes() == before
    assert not any(p.name != damaged.name for p in tmp_path.glob("损坏.gkws*"))  # no -wal/-shm
    assert window.session is session  # still open and working
    assert window.windowTitle() == "政务公开自查 — 万州区"
    session.ws.update_record("1.1.1", status=Status.IN_PROGRESS)


def test_opening_a_foreign_file_changes_nothing(
    window: MainWindow, session: Session, tmp_path: Path, messages: list[Message], qtbot
) -> None:
    foreign = tmp_path / "别的程序.gkws"
    foreign.write_text("这不是工作区", encoding="utf-8")
    before = foreign.read_bytes()
    assert not open_and_wait(window, foreign, qtbot)
    assert [m.title for m in messages] == ["无法打开工作区"]
    assert foreign.read_bytes() == before
    assert window.session is session


def test_open_another_workspace_and_recent_files(
    window: MainWindow, session: Session, tmp_path: Path, directory: UnitDirectory, qtbot
) -> None:
    other_path = tmp_path / "市司法局.gkws"
    make_session(other_path, "市司法局", directory).close()
    assert open_and_wait(window, other_path, qtbot)
    assert window.windowTitle() == "政务公开自查 — 市司法局"
    assert window.session is not session
    recent = AppSettings().get(RECENT_FILES)
    assert Path(recent[0]) == other_path.resolve()
    window.workspace_actions.rebuild_recent_menu()
    titles = [a.text() for a in window.workspace_actions.recent_menu.actions()]
    assert titles[0] == "&1 市司法局.gkws"


def test_show_folder_opens_a_local_url(window: MainWindow, session: Session,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(workspace_actions, "open_url", lambda url: opened.append(url) or True)
    window.workspace_actions.show_folder_action.trigger()
    assert len(opened) == 1
    assert opened[0].isLocalFile()
    assert Path(opened[0].toLocalFile()) == session.path.parent.resolve()


def test_empty_window_without_a_workspace(qtbot, ui_app, directory, messages) -> None:
    w = MainWindow(None, directory=directory)
    qtbot.addWidget(w)
    w.show()
    assert w.windowTitle() == "政务公开自查"
    assert w.pages.currentWidget() is w.empty_page
    assert not w.toolbar.search_box.isEnabled()
    assert not w.overview_action.isEnabled()
    w.about_action.trigger()
    assert messages and messages[0].title == "关于"
    w.close()


def test_feature_actions_menu(window: MainWindow) -> None:
    from PySide6.QtGui import QAction

    assert not window.actions_menu.menuAction().isVisible()
    action = QAction("生成自查报告…", window)
    menu = window.add_actions_menu(action)
    assert menu is window.actions_menu
    assert window.actions_menu.menuAction().isVisible()
    assert action.isEnabled()
    window.set_session(None)
    assert not action.isEnabled()


# ---- start-up pieces --------------------------------------------------------------------


def test_app_font_and_qt_translations(ui_app) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    assert "WenQuanYi Micro Hei" in ui_app.font().families()  # Chinese never renders as boxes
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    box.deleteLater()


def test_qt_options_are_not_taken_for_files() -> None:
    from gongkai_desktop.ui.app import file_arguments

    assert file_arguments(["-platform", "offscreen", "万州区.gkws"]) == ["万州区.gkws"]
    assert file_arguments(["-style=fusion", "-reverse", "a.gkws", "b.gkws"]) == ["a.gkws", "b.gkws"]
    assert file_arguments([]) == []


def test_recent_files_keep_eight_newest_first(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "settings.ini")
    files = []
    for n in range(10):
        path = tmp_path / f"{n}.gkws"
        path.write_bytes(b"")
        files.append(path)
        settings.add_recent(path)
    settings.add_recent(files[5])  # again: moves to the top, not a duplicate
    recent = settings.recent_files()
    assert len(recent) == 8
    assert recent[0] == files[5].resolve()
    assert recent[1] == files[9].resolve()
    assert len(set(recent)) == 8
    files[9].unlink()
    assert files[9].resolve() not in settings.recent_files()  # missing files are not offered


def test_program_starts_with_qt_platform_argument(tmp_path: Path, directory) -> None:
    import os
    import subprocess
    import sys

    data = tmp_path / "data"
    data.mkdir()
    path = tmp_path / "万州区.gkws"
    make_session(path, "万州区", directory).close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(GONGKAI_DATA_DIR=str(data), GONGKAI_REPORT_SHOWN="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gongkai_desktop", "-platform", "offscreen", str(path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    try:
        assert proc.stdout is not None
        marks = []
        for line in proc.stdout:
            marks.append(line.split()[0])
            if marks[-1] == "GONGKAI_WINDOW_READY":
                break
        assert marks == ["GONGKAI_WINDOW_SHOWN", "GONGKAI_WINDOW_READY"]
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    log = (data / "logs" / "gongkai.log").read_text(encoding="utf-8")
    assert "GONGKAI_WINDOW_READY" in log


def test_zz_no_top_level_widget_leaks(qtbot, ui_app) -> None:
    # Runs last in this module: every window and dialog above was closed and deleted.
    from PySide6.QtCore import QCoreApplication, QEvent

    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    leftovers = [f"{type(w).__name__} {w.objectName()!r}" for w in QApplication.topLevelWidgets()]
    assert leftovers == []
