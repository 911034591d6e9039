"""The 佐证材料 tab: drop, paste, link, open, preview, export, remove with undo,
cancel a large import, and the thumbnails."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QWidget

from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.evidence import evidence_view as evidence_view_module
from gongkai_desktop.ui.evidence import preview as preview_module
from gongkai_desktop.ui.evidence.evidence_model import kind_of
from gongkai_desktop.ui.evidence.evidence_view import EvidenceView
from gongkai_desktop.ui.evidence.link_dialog import LinkDialog
from gongkai_desktop.ui.evidence.preview import unit_viewer
from tests.ui_panel_fixtures import MEASURE, choose, make_pdf, make_png, type_text

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")
CTRL = Qt.KeyboardModifier.ControlModifier


def drop_files(view: QWidget, files: list[Path]) -> bool:
    """Drag files from a file manager onto the tab: enter, then drop (real events)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    where = QPointF(view.rect().center())
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(where, actions, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(where, actions, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, drop)
    return drop.isAccepted()


def wait_for_import(view: EvidenceView, qtbot) -> None:
    operation = view.last_operation
    assert operation is not None
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=10_000)


def wait_for_thumbnails(view: EvidenceView, qtbot) -> None:
    view.model.load_thumbnails()
    qtbot.waitUntil(lambda: not view.model.thumbnails_pending(), timeout=10_000)


def test_drop_an_image_and_a_pdf(panel, session, qtbot, tmp_path, messages,
                                 artifacts_dir) -> None:
    view = panel.evidence
    panel.tabs.setCurrentWidget(view)
    shots = artifacts_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    assert panel.grab().save(str(shots / "measure_panel_evidence_empty.png"))
    image = make_png(tmp_path / "政务公开专栏截图.png")
    pdf = make_pdf(tmp_path / "关于印发政务公开工作要点的通知.pdf")
    assert drop_files(view, [image, pdf])
    wait_for_import(view, qtbot)
    assert messages == []

    stored = session.ws.evidence(MEASURE)
    assert [(i.file_name, i.media_type) for i in stored] == [
        ("政务公开专栏截图.png", "image/png"),
        ("关于印发政务公开工作要点的通知.pdf", "application/pdf"),
    ]
    assert view.model.rowCount() == 2
    assert panel.tabs.tabText(panel.tabs.indexOf(view)) == "佐证材料（2）"
    assert session.undo_stack.count() == 1  # one drop, one undo step

    wait_for_thumbnails(view, qtbot)
    image_item, pdf_item = view.model.items()
    thumb = view.model.thumbnail(image_item)
    assert thumb is not None
    pixmap = thumb.pixmap(96, 96)
    assert pixmap.width() == 96
    # the green picture shows in the thumbnail (not just a generic icon)
    centre = pixmap.toImage().pixelColor(48, 48)
    assert centre.green() > centre.red() and centre.green() > centre.blue()
    assert view.model.thumbnail(pdf_item) is None and kind_of(pdf_item) == "pdf"
    assert not view.model.index(1).data(Qt.ItemDataRole.DecorationRole).isNull()


def test_drop_on_the_panel_adds_evidence(panel, session, qtbot, tmp_path) -> None:
    panel.tabs.setCurrentWidget(panel.form)
    assert drop_files(panel, [make_png(tmp_path / "photo.png")])
    wait_for_import(panel.evidence, qtbot)
    assert [i.file_name for i in session.ws.evidence(MEASURE)] == ["photo.png"]
    assert panel.tabs.currentWidget() is panel.evidence


def test_a_folder_or_text_drop_is_not_accepted(panel, tmp_path, messages) -> None:
    view = panel.evidence
    mime = QMimeData()
    mime.setText("just text")
    enter = QDragEnterEvent(QPointF(view.rect().center()), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view, enter)
    assert not enter.isAccepted()

    folder = tmp_path / "材料"
    folder.mkdir()
    assert drop_files(view, [folder])
    assert "文件夹" in messages[-1].text


def test_paste_a_screenshot(panel, session, qtbot) -> None:
    view = panel.evidence
    panel.tabs.setCurrentWidget(view)
    shot = QImage(320, 200, QImage.Format.Format_RGB32)
    shot.fill(QColor("#1f6fd1"))
    QGuiApplication.clipboard().setImage(shot)
    view.list.setFocus()
    qtbot.keyClick(view.list, Qt.Key.Key_V, CTRL)

    (item,) = session.ws.evidence(MEASURE)
    assert item.file_name.startswith("截图-") and item.file_name.endswith(".png")
    assert len(item.file_name) == len("截图-2026-11-28-143012.png")
    assert item.media_type == "image/png"
    data = session.ws.read_blob(item.sha256, 10_000_000)
    assert QImage.fromData(data).size() == shot.size()
    wait_for_thumbnails(view, qtbot)
    assert view.model.thumbnail(item) is not None

    # the button does the same
    shot.fill(QColor("#b7282e"))
    QGuiApplication.clipboard().setImage(shot)
    qtbot.mouseClick(view.buttons["paste"], Qt.MouseButton.LeftButton)
    assert len(session.ws.evidence(MEASURE)) == 2


def test_remove_then_undo_and_redo(panel, session, qtbot, tmp_path) -> None:
    view = panel.evidence
    panel.tabs.setCurrentWidget(view)
    view.add_files([make_png(tmp_path / "a.png"), make_pdf(tmp_path / "b.pdf")])
    wait_for_import(view, qtbot)
    view.select_item(session.ws.evidence(MEASURE)[0].id)
    qtbot.mouseClick(view.buttons["delete"], Qt.MouseButton.LeftButton)
    assert [i.file_name for i in session.ws.evidence(MEASURE)] == ["b.pdf"]
    assert "撤销" in panel.note.text()

    view.list.setFocus()
    qtbot.keyClick(view.list, Qt.Key.Key_Z, CTRL)  # Ctrl+Z in the evidence tab
    restored = session.ws.evidence(MEASURE)
    assert sorted(i.file_name for i in restored) == ["a.png", "b.pdf"]
    assert view.model.rowCount() == 2
    session.undo_stack.redo()
    assert [i.file_name for i in session.ws.evidence(MEASURE)] == ["b.pdf"]

    # Undo the import itself, then redo it: the files come back from the workspace.
    session.undo_stack.undo()
    session.undo_stack.undo()
    assert session.ws.evidence(MEASURE) == []
    session.undo_stack.redo()
    assert sorted(i.file_name for i in session.ws.evidence(MEASURE)) == ["a.png", "b.pdf"]

    history = [panel.history_model.index(r, 2).data()
               for r in range(panel.history_model.rowCount())]
    assert "删除佐证材料" in history and "添加佐证材料" in history


def test_cancelling_a_large_import_stores_nothing(panel, session, qtbot, tmp_path, messages,
                                                  monkeypatch) -> None:
    big = tmp_path / "会议录像.mp4"
    with big.open("wb") as handle:
        for i in range(12):
            handle.write(bytes([i]) * (1 << 20))
    # Hold the worker at the door until the test has pressed 取消, so the cancel is
    # seen by the core's progress callback (not raced).
    gate = threading.Event()
    real_open = Workspace.open

    def held_open(path, **kwargs):
        gate.wait(10)
        return real_open(path, **kwargs)

    monkeypatch.setattr(evidence_view_module.Workspace, "open", held_open)
    view = panel.evidence
    view.add_files([big])
    operation = view.last_operation
    assert operation is not None
    operation.dialog.canceled.emit()  # the 取消 button of the progress dialog
    gate.set()
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=10_000)

    assert session.ws.evidence() == []
    assert session.undo_stack.count() == 0
    assert messages == []  # cancelling is not an error
    with sqlite3.connect(f"file:{session.path}?mode=ro", uri=True) as conn:
        chunks = conn.execute("SELECT COUNT(*) FROM blob_chunks").fetchone()[0]
    conn.close()
    assert chunks == 0


def test_too_large_file_gets_the_message(panel, session, qtbot, tmp_path, messages) -> None:
    session.ws.set_setting("max_evidence_bytes", 1000)
    big = tmp_path / "大文件.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"x" * 5000)
    small = make_png(tmp_path / "small.png", 20, 20)
    panel.evidence.add_files([big, small])
    wait_for_import(panel.evidence, qtbot)
    assert [i.file_name for i in session.ws.evidence(MEASURE)] == ["small.png"]
    assert "太大" in messages[-1].text and "大文件.pdf" in messages[-1].text


def test_same_file_twice_is_not_duplicated(panel, session, qtbot, tmp_path, messages) -> None:
    image = make_png(tmp_path / "a.png")
    panel.evidence.add_files([image])
    wait_for_import(panel.evidence, qtbot)
    panel.evidence.add_files([image])
    wait_for_import(panel.evidence, qtbot)
    assert len(session.ws.evidence(MEASURE)) == 1
    assert "内容相同" in messages[-1].text


def test_add_link_dialog_checks_the_address(panel, session, qtbot) -> None:
    view = panel.evidence
    dialog = view.add_link_interactive()
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.url_edit, "wz/zwgk")
    type_text(dialog.title_edit, "万州区政府信息公开专栏")  # focus leaves the address
    dialog.accept()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "http://" in dialog.error.text()
    assert session.ws.evidence(MEASURE) == []

    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "www.wz.gov.cn/zwgk/")
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)  # completed, then added
    (link,) = session.ws.evidence(MEASURE)
    assert (link.kind, link.url, link.title) == ("link", "http://www.wz.gov.cn/zwgk/",
                                                 "万州区政府信息公开专栏")
    assert view.model.index(0).data() == "万州区政府信息公开专栏"


def test_link_dialog_shows_the_completed_address(qtbot) -> None:
    dialog = LinkDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.url_edit, "gov.cn/zhengce/")
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)  # (leaving the box does the same)
    assert dialog.result() == LinkDialog.DialogCode.Accepted
    assert dialog.url_edit.text() == "http://gov.cn/zhengce/"
    assert "已补全" in dialog.url_note.text() and "http://gov.cn/zhengce/" in dialog.url_note.text()


def test_open_export_and_preview(panel, session, qtbot, tmp_path, monkeypatch,
                                 artifacts_dir) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(preview_module, "open_url", lambda url: opened.append(url) or True)
    view = panel.evidence
    image = make_png(tmp_path / "照片.png", 1600, 1000)
    pdf = make_pdf(tmp_path / "通知.pdf", pages=3)
    view.add_files([image, pdf])
    wait_for_import(view, qtbot)
    view.add_link("https://www.cq.gov.cn/zwgk/", "重庆市政府信息公开")
    image_item, pdf_item, link_item = view.model.items()

    view.open_item(pdf_item)  # copied out of the workspace in the runner
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=10_000)
    view.open_item(link_item)
    assert Path(opened[0].toLocalFile()).read_bytes() == pdf.read_bytes()
    assert opened[1].toString() == "https://www.cq.gov.cn/zwgk/"

    out = tmp_path / "导出"
    out.mkdir()
    view.list.selectAll()
    assert view.export_selected(out) is not None
    qtbot.waitUntil(lambda: bool(view.exported), timeout=10_000)
    written = view.exported
    assert sorted(p.name for p in written) == ["照片.png", "通知.pdf"]

    shots = artifacts_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    picture = unit_viewer(session, image_item)
    qtbot.addWidget(picture)
    picture.show()
    qtbot.waitExposed(picture)
    qtbot.waitUntil(lambda: hasattr(picture.page, "image"), timeout=10_000)
    assert picture.page.image.size().width() == 1600
    assert picture.page.factor() < 1.0  # fitted into the window
    picture.grab().save(str(shots / "preview_image.png"))

    document = unit_viewer(session, pdf_item)
    qtbot.addWidget(document)
    document.show()
    qtbot.waitExposed(document)
    qtbot.waitUntil(lambda: hasattr(document.page, "document"), timeout=10_000)
    assert document.page.document.status() == QPdfDocument.Status.Ready
    assert document.page.page_count() == 3
    assert "共 3 页" in document.info.text()
    qtbot.wait(300)  # pages are rendered in the background
    document.grab().save(str(shots / "preview_pdf.png"))
    picture.close()
    document.close()


def test_panel_screenshot_with_evidence(panel, session, qtbot, tmp_path, artifacts_dir) -> None:
    form = panel.form
    choose(form.status_combo, Status.DONE)
    type_text(form.explanation_edit,
              "已于2020年12月在区政府网站“政府信息公开”专栏全面公开《条例》第二十条规定的"
              "15项内容，并逐项核对链接。")
    type_text(form.urls_edit, "http://www.wz.gov.cn/zwgk/")
    assert panel.flush()
    view = panel.evidence
    view.add_files([
        make_png(tmp_path / "专栏首页截图.png", 900, 600, "#1f6fd1"),
        make_png(tmp_path / "公开目录.png", 600, 900, "#2e8b4e"),
        make_pdf(tmp_path / "关于全面公开法定主动公开内容的通知.pdf"),
    ])
    wait_for_import(view, qtbot)
    view.add_link("http://www.wz.gov.cn/zwgk/", "万州区政府信息公开专栏")
    panel.tabs.setCurrentWidget(view)
    wait_for_thumbnails(view, qtbot)
    qtbot.wait(50)
    shots = artifacts_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    assert panel.grab().save(str(shots / "measure_panel_done_with_evidence.png"))
    view.set_icon_mode(False)
    assert panel.grab().save(str(shots / "measure_panel_evidence_list_mode.png"))
    panel.tabs.setCurrentWidget(form)
    assert panel.grab().save(str(shots / "measure_panel_done.png"))
    panel.tabs.setCurrentWidget(panel.history)
    assert panel.grab().save(str(shots / "measure_panel_history.png"))
