"""Exporting a bundle from the window: size, shrinking photos, mail limit, splitting, signing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gongkai_desktop.bundle.export import mail_limit_bytes
from gongkai_desktop.bundle.verify import verify_bundle
from gongkai_desktop.model import Status
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.ui.bundles import bundle_actions
from gongkai_desktop.ui.bundles.bundle_export_dialog import BundleExportDialog
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import PASSPHRASE, identity, jpeg
from tests.ui_fixtures import Message, make_window, save_shot, type_text

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")

TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(Session, "today", staticmethod(lambda: TODAY))
    w = make_window(session, directory, qtbot, tmp_path)
    yield w
    w.close()


def acts(window: MainWindow) -> bundle_actions.BundleActions:
    return bundle_actions.install(window)


def signing(session: Session) -> None:
    save_identity(session.ws, identity("重庆市万州区人民政府"))


def open_dialog(window: MainWindow, qtbot) -> BundleExportDialog:
    acts(window).export_action.trigger()
    qtbot.waitUntil(lambda: acts(window).export_dialog is not None, timeout=10000)
    dialog = acts(window).export_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_actions_are_in_the_menu(window: MainWindow) -> None:
    texts = [a.text() for a in window.actions_menu.actions() if not a.isSeparator()]
    for text in ("导出数据包(&B)…", "导入数据包(&M)…", "写回执(&T)…", "导入回执(&U)…",
                 "数据包记录(&H)…", "信任证书文件（.cer）…"):
        assert text in texts
    assert bundle_actions.install(window) is acts(window)  # installed once
    window.set_session(None)
    assert not acts(window).export_action.isEnabled()


def test_export_with_shrunk_photos_writes_the_named_file(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
    shots: Path,
) -> None:
    signing(session)
    session.ws.update_record("1.1.1", status=Status.DONE, explanation="已公开", actor="张三")
    session.ws.add_evidence_bytes("1.1.1", jpeg(3200, 2400), "现场照片.jpg", actor="张三")
    dialog = open_dialog(window, qtbot)
    assert Path(dialog.file_edit.text()) == tmp_path / "万州区-自查-2026-11-28.gkbundle"
    assert "佐证文件 1 个" in dialog.contents_label.text()
    before = dialog.estimate.estimated_bytes
    assert dialog.size_label.text().startswith("预计大小：约 ")
    assert not dialog.warning_label.isVisible()  # far under 20 MB
    assert dialog.one_file.isChecked()
    assert not dialog.export_button.isEnabled()  # no passphrase yet

    dialog.shrink_check.setChecked(True)
    qtbot.waitUntil(lambda: dialog.shrink_plan is not None, timeout=20000)
    assert "已压缩图片 1 张" in dialog.shrink_label.text()
    assert "节省" in dialog.shrink_label.text()
    assert dialog.estimate.estimated_bytes < before  # the size shown went down
    dialog.shrink_check.setChecked(False)  # unticked: no saving is claimed any more
    assert "节省" not in dialog.shrink_label.text()
    assert "图片（照片、截图）1 张" in dialog.shrink_label.text()
    assert dialog.estimate.estimated_bytes == before
    dialog.shrink_check.setChecked(True)
    assert "节省" in dialog.shrink_label.text()
    dialog.limit_spin.setValue(1)  # 1 MB is a limit like any other
    assert dialog.limit_spin.value() == 1 and dialog.limit_error.isHidden()
    dialog.limit_spin.lineEdit().selectAll()
    qtbot.keyClicks(dialog.limit_spin.lineEdit(), "0")
    assert not dialog.limit_error.isHidden() and "1 到 10000 MB" in dialog.limit_error.text()
    dialog.limit_spin.setValue(20)
    assert dialog.limit_error.isHidden()
    type_text(dialog.passphrase, PASSPHRASE)
    assert dialog.export_button.isEnabled()
    dialog.resize(640, dialog.sizeHint().height())
    save_shot(dialog, shots, "bundle_export_dialog")

    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages[-1].title == "导出完成", messages
    out = tmp_path / "万州区-自查-2026-11-28.gkbundle"
    assert out.is_file()
    assert "已压缩图片 1 张" in messages[-1].text
    check = verify_bundle([out])
    assert check.manifest.images_shrunk and check.manifest.sequence == 1
    assert check.blobs == 1
    qtbot.waitUntil(lambda: acts(window).export_dialog is None)  # closed
    assert "序号 1" in acts(window).status_label.text()  # the status bar: sent, no receipt yet
    assert "尚未收到回执" in acts(window).status_label.text()


def test_over_the_mail_limit_offers_parts_and_remembers_the_limit(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
    shots: Path,
) -> None:
    signing(session)
    session.ws.add_evidence_bytes("1.1.1", os.urandom(5 * 1024 * 1024), "会议记录.pdf",
                                  actor="张三")
    dialog = open_dialog(window, qtbot)
    assert not dialog.warning_label.isVisible()
    dialog.limit_spin.setValue(3)  # MB
    assert mail_limit_bytes(session.ws) == 3 * 1024 * 1024  # stored in the workspace
    assert dialog.warning_label.isVisible()
    assert "超过邮件附件上限 3 MB" in dialog.warning_label.text()
    assert "拆分为约 3 个" in dialog.split.text()
    save_shot(dialog, shots, "bundle_export_dialog_over_limit")
    dialog.split.setChecked(True)
    type_text(dialog.passphrase, PASSPHRASE)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages[-1].title == "导出完成", messages
    parts = sorted(tmp_path.glob("*.gkbundle"))
    k = len(parts)
    assert k == 3  # as the dialog said
    assert [p.name for p in parts] == [f"万州区-自查-2026-11-28.part{i}of{k}.gkbundle"
                                       for i in range(1, k + 1)]
    assert all(p.stat().st_size <= 3 * 1024 * 1024 for p in parts)
    assert f"拆分为 {k} 个文件" in messages[-1].text
    assert verify_bundle(parts).manifest.part_count == k

    # Next time the dialog opens over the limit, with parts proposed.
    dialog = open_dialog(window, qtbot)
    assert dialog.limit_spin.value() == 3
    assert dialog.warning_label.isVisible() and dialog.split.isChecked()
    dialog.no_evidence.setChecked(True)
    type_text(dialog.passphrase, PASSPHRASE)
    dialog.file_edit.setText(str(tmp_path / "无佐证"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=20000)
    small = tmp_path / "无佐证.gkbundle"
    assert small.stat().st_size < 1024 * 1024
    assert not verify_bundle([small]).manifest.evidence_included


def test_wrong_passphrase_keeps_the_dialog_and_writes_nothing(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
) -> None:
    signing(session)
    dialog = open_dialog(window, qtbot)
    type_text(dialog.passphrase, "不是这个密码")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages[-1].text == "密码不正确"
    assert dialog.isVisible()
    assert dialog.problem_label.text() == "签名密码不正确，请重新输入"
    assert list(tmp_path.glob("*.gkbundle")) == []


def test_without_a_certificate_the_dialog_offers_to_create_one(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
) -> None:
    dialog = open_dialog(window, qtbot)
    assert "还没有签名证书" in dialog.signer_label.text()
    assert dialog.create_button.isVisible()
    assert not dialog.passphrase.isVisible()
    assert not dialog.export_button.isEnabled()
    create = dialog.create_identity()
    type_text(create.passphrase, PASSPHRASE)  # type: ignore[attr-defined]
    type_text(create.confirm, PASSPHRASE)  # type: ignore[attr-defined]
    qtbot.mouseClick(create.create_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert not dialog.create_button.isVisible()
    assert dialog.passphrase.isVisible()
    assert "签署人：张三" in dialog.signer_label.text()
    type_text(dialog.passphrase, PASSPHRASE)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages[-1].title == "导出完成", messages
    assert (tmp_path / "万州区-自查-2026-11-28.gkbundle").is_file()


def test_cancelled_estimate_or_dialog_leaves_nothing(
    window: MainWindow, session: Session, qtbot, tmp_path: Path, messages: list[Message],
) -> None:
    signing(session)
    session.ws.add_evidence_bytes("1.1.1", jpeg(2600, 2000), "照片.jpg", actor="张三")
    dialog = open_dialog(window, qtbot)
    dialog.shrink_check.setChecked(True)
    qtbot.waitUntil(lambda: dialog.shrink_plan is not None, timeout=20000)
    folder = dialog.shrink_plan.folder  # type: ignore[union-attr]
    assert folder.is_dir()
    dialog.reject()
    assert not folder.exists()  # the temporary photos are gone with the dialog
    assert list(tmp_path.glob("*.gkbundle")) == [] and messages == []
