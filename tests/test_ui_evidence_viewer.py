"""The evidence viewer: pictures (EXIF orientation, rotation, huge ones reduced), PDFs,
text, links and other types, next/previous across a measure's evidence, and the
same viewer in the supervising office's record dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

from gongkai_desktop.evidence_kinds import evidence_kind, kind_for, media_label
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.evidence import preview as preview_module
from gongkai_desktop.ui.evidence.evidence_view import EvidenceView
from gongkai_desktop.ui.evidence.preview import (
    MAX_DECODED_SIDE,
    EvidenceViewer,
    read_text,
    unit_viewer,
)
from tests.ui_panel_fixtures import (  # noqa: F401
    directory,
    make_pdf,
    make_png,
    panel,
    session,
    ui_app,
)

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


def loaded(viewer: EvidenceViewer, qtbot) -> None:
    qtbot.waitUntil(lambda: running_operations() == 0 and not viewer._loading, timeout=10_000)
    QApplication.processEvents()


def add(view: EvidenceView, qtbot, files: list[Path]) -> None:
    view.add_files(files)
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=10_000)


def sideways_jpeg(path: Path) -> Path:
    """A 400 × 200 photo whose EXIF says: turn it 90° clockwise to view (orientation 6)."""
    image = Image.new("RGB", (400, 200), "#336699")
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def test_kinds_are_one_core_rule() -> None:
    assert kind_for(True, "image/png", "截图.png") == "image"
    assert kind_for(True, "application/octet-stream", "通知.docx") == "word"
    assert kind_for(True, "application/pdf", "x.bin") == "pdf"
    assert kind_for(False, "", "") == "link"
    assert [media_label(k) for k in ("image", "pdf", "word", "excel", "text", "link")] == [
        "图片", "PDF", "文档", "文档", "文档", "网页链接"]


def test_read_text_takes_utf8_and_gb18030(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("会议纪要：政务公开".encode())
    (tmp_path / "b.txt").write_bytes("会议纪要：政务公开".encode("gb18030"))
    assert read_text(tmp_path / "a.txt") == ("会议纪要：政务公开", False)
    assert read_text(tmp_path / "b.txt") == ("会议纪要：政务公开", False)
    (tmp_path / "c.txt").write_bytes(b"x" * 20)
    assert read_text(tmp_path / "c.txt", limit=10) == ("x" * 10, True)


def test_viewer_steps_through_a_measures_evidence(panel, session, qtbot, tmp_path,  # noqa: F811
                                                  monkeypatch, artifacts_dir) -> None:
    opened: list[QUrl] = []
    asked: list[str] = []
    answer = [False]
    monkeypatch.setattr(preview_module, "open_url", lambda url: opened.append(url) or True)
    monkeypatch.setattr(preview_module, "ask_open",
                        lambda parent, question: asked.append(question) or answer[0])
    photo = sideways_jpeg(tmp_path / "专区照片.jpg")
    pdf = make_pdf(tmp_path / "通知.pdf", pages=2)
    text = tmp_path / "会议纪要.txt"
    text.write_text("第一行\n第二行\n", encoding="utf-8")
    doc = tmp_path / "方案.docx"
    doc.write_bytes(b"PK\x03\x04 not really a document")
    view = panel.evidence
    add(view, qtbot, [photo, pdf, text, doc])
    view.add_link("https://www.cq.gov.cn/zwgk/", "重庆市政府信息公开")
    items = view.model.items()
    assert [evidence_kind(i) for i in items] == ["image", "pdf", "text", "word", "link"]

    viewer = view.preview(items[0])
    assert viewer is not None
    qtbot.addWidget(viewer)
    loaded(viewer, qtbot)
    assert viewer.position.text() == "1 / 5" and not viewer.prev_button.isEnabled()
    assert viewer.kind_label.text() == "图片"
    # EXIF orientation 6: the 400 × 200 photo is shown upright, 200 × 400
    assert (viewer.page.shown_image().width(), viewer.page.shown_image().height()) == (200, 400)
    viewer.rotate_left_button.click()
    assert viewer.info.text() == "400 × 200 像素"
    viewer.grab().save(str(artifacts_dir / "viewer-photo.png"))

    viewer.next_button.click()
    loaded(viewer, qtbot)
    assert viewer.kind_label.text() == "PDF" and viewer.info.text() == "共 2 页"
    assert viewer.rotate_left_button.isHidden() and not viewer.whole_button.isHidden()

    viewer.next_button.click()
    loaded(viewer, qtbot)
    assert viewer.kind_label.text() == "文档"
    assert viewer.page.edit.toPlainText().startswith("第一行")

    viewer.next_button.click()
    loaded(viewer, qtbot)
    assert "不能在程序内显示" in viewer.page.label.text()
    viewer.page.button.click()  # 用其他程序打开…: asks first; declined, nothing runs
    assert len(asked) == 1 and "方案.docx" in asked[0] and opened == []
    answer[0] = True
    viewer.open_button.click()
    assert Path(opened[-1].toLocalFile()).read_bytes() == doc.read_bytes()

    viewer.next_button.click()
    loaded(viewer, qtbot)
    assert viewer.kind_label.text() == "网页链接" and not viewer.next_button.isEnabled()
    viewer.page.button.click()
    assert opened[-1].toString() == "https://www.cq.gov.cn/zwgk/"
    viewer.prev_button.click()
    loaded(viewer, qtbot)
    assert viewer.position.text() == "4 / 5"
    viewer.close()


def test_a_huge_picture_is_decoded_reduced(session, qtbot, tmp_path) -> None:  # noqa: F811
    big = tmp_path / "长图.png"
    Image.new("L", (MAX_DECODED_SIDE * 3, 50), 200).save(big)
    item = session.ws.add_evidence_file("1.1.1", big)
    viewer = unit_viewer(session, item)
    qtbot.addWidget(viewer)
    loaded(viewer, qtbot)
    assert viewer.page.image.width() == MAX_DECODED_SIDE
    assert viewer.info.text().endswith("（已缩小显示）")


def test_viewer_fits_a_small_screen(session, qtbot, tmp_path) -> None:  # noqa: F811
    item = session.ws.add_evidence_file("1.1.1", make_png(tmp_path / "图.png"))
    viewer = unit_viewer(session, item)
    qtbot.addWidget(viewer)
    loaded(viewer, qtbot)  # no copy may still run when the next test starts
    area = viewer.screen().availableGeometry()
    assert viewer.width() <= area.width() and viewer.height() <= area.height()
