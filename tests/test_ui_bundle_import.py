"""Importing bundles in the window: preview, keys accepted per unit (first contact and a
changed key), results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWidget

from gongkai_desktop.bundle.trust import trusted_keys
from gongkai_desktop.model import Status
from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.store import SupervisorView
from gongkai_desktop.ui import file_arguments
from gongkai_desktop.ui.bundles import bundle_actions
from gongkai_desktop.ui.bundles.bundle_import_dialog import BundleImportDialog
from gongkai_desktop.ui.bundles.key_acceptance_dialog import KeyAcceptanceDialog
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import copy, dump, export, identity, tamper
from tests.prompt_mock import PromptMock
from tests.ui_fixtures import KeyAnswers, Message, save_shot

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")

WANZHOU = "重庆市万州区人民政府"


@pytest.fixture
def window(office_window: MainWindow) -> MainWindow:
    return office_window  # the office's window (conftest)


@pytest.fixture
def units(tmp_path: Path, directory: UnitDirectory) -> Iterator[dict[str, Workspace]]:
    """Two unit workspaces on the bundled plan, with some progress."""
    out = {}
    for name in ("万州区", "涪陵区"):
        ws = Workspace.create(tmp_path / f"{name}.gkws", bundled_plan(), directory.find(name),
                              officer="张三", actor="张三")
        ws.update_record("1.1.1", status=Status.DONE, explanation=f"{name}已公开", actor="张三")
        ws.update_record("1.1.2", status=Status.IN_PROGRESS, actor="张三")
        out[name] = ws
    yield out
    for ws in out.values():
        ws.close()


def bundle_of(ws: Workspace, folder: Path, name: str, signer: str = "张三") -> Path:
    folder.mkdir(exist_ok=True)
    return export(ws, folder / name, identity(ws.unit.full_name, signer)).files[0]


def import_dialog(window: MainWindow, qtbot, files: list[Path]) -> BundleImportDialog:
    dialog = bundle_actions.install(window).open_import_dialog(files)
    assert dialog is not None and dialog.isVisible()
    wait_previewed(dialog, qtbot, len(files))
    return dialog


def wait_previewed(dialog: BundleImportDialog, qtbot, count: int) -> None:
    qtbot.waitUntil(lambda: len(dialog.model.rows) == count
                    and all(r.status() != "待核验" for r in dialog.model.rows), timeout=20000)


def statuses(dialog: BundleImportDialog) -> dict[str, str]:
    m = dialog.model
    return {m.index(r, 0).data(): m.index(r, m.STATUS).data() for r in range(m.rowCount())}


def run_import(dialog: BundleImportDialog, qtbot) -> None:
    assert dialog.import_button.isEnabled()
    received: list[list[object]] = []
    dialog.imported.connect(received.append)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(received), timeout=20000)


def test_first_import_needs_the_keys_accepted_shows_changes_and_twice_is_already(
    window: MainWindow, office: Session, units: dict[str, Workspace], qtbot, tmp_path: Path,
    messages: list[Message], shots: Path,
) -> None:
    a = bundle_of(units["万州区"], tmp_path / "收件", "万州区-自查-2026-11-28.gkbundle")
    b = bundle_of(units["涪陵区"], tmp_path / "收件", "涪陵区-自查-2026-11-28.gkbundle")
    bad = tamper(copy(a, tmp_path / "收件" / "万州区-被改动.gkbundle"),
                 "UPDATE records SET explanation = '伪造' WHERE measure_id = '1.1.1'")
    dialog = import_dialog(window, qtbot, [a, b, bad])
    rows = statuses(dialog)
    assert rows[a.name] == "需核对证书指纹（首次收到）"
    assert rows[b.name] == "需核对证书指纹（首次收到）"
    assert rows[bad.name].startswith("已拒绝：")
    m = dialog.model
    assert [m.index(0, c).data() for c in (1, 3, 4)] == ["万州区", "1", "2 项举措"]
    dialog.view.selectRow(0)
    details = dialog.details.toPlainText()
    fingerprint = identity(WANZHOU, "张三").certificate_der()
    import hashlib

    grouped = hashlib.sha256(fingerprint).hexdigest().upper()
    assert grouped[:4] + " " + grouped[4:8] in details  # the fingerprint to compare
    assert "首次收到该单位的数据包，其签名证书尚未被信任" in details
    assert "纸质报告最后一页" in details
    assert "1.1.1" in details and "完成状态：（无）→已完成" in details
    assert "共 3 个文件：可以导入 0 个，拒绝 1 个，2 个需核对签名证书" in dialog.summary.text()
    before = dump(office.ws)
    answers = KeyAnswers(qtbot, {"万州区": True, "涪陵区": True})
    run_import(dialog, qtbot)
    assert [shown["units"] for shown in answers.shown] == [["万州区", "涪陵区"]]
    rows = statuses(dialog)
    assert rows[a.name] == "已导入" and rows[b.name] == "已导入"
    assert rows[bad.name].startswith("已拒绝：")
    assert dump(office.ws) != before
    view = SupervisorView(office.ws)
    assert {u.unit.name for u in view.units()} == {"万州区", "涪陵区"}
    assert view.record("500101", "1.1.1").explanation == "万州区已公开"
    assert "已导入 2 个，已有（未更改）0 个，拒绝 1 个" in dialog.summary.text()
    dialog.view.selectRow(2)
    save_shot(dialog, shots, "bundle_import_dialog_results")

    # The same files again: nothing changes.
    before = dump(office.ws)
    dialog.add_files([a, b])
    wait_previewed(dialog, qtbot, 2)
    assert statuses(dialog) == {a.name: "已有（未更改）", b.name: "已有（未更改）"}
    run_import(dialog, qtbot)
    assert statuses(dialog) == {a.name: "已有（未更改）", b.name: "已有（未更改）"}
    assert dump(office.ws) == before
    assert messages == []


def test_a_tampered_bundle_is_refused_in_chinese_and_changes_nothing(
    window: MainWindow, office: Session, units: dict[str, Workspace], qtbot, tmp_path: Path,
) -> None:
    a = bundle_of(units["万州区"], tmp_path / "收件", "万州区.gkbundle")
    tamper(a, "UPDATE records SET status = 'done' WHERE measure_id = '1.1.2'")
    not_a_bundle = tmp_path / "收件" / "假的.gkbundle"
    not_a_bundle.write_bytes("这不是数据包".encode() * 100)
    before = dump(office.ws)
    dialog = import_dialog(window, qtbot, [a, not_a_bundle])
    rows = statuses(dialog)
    for text in rows.values():
        assert text.startswith("已拒绝：")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text[3:])  # a Chinese reason
    assert not dialog.import_button.isEnabled()
    assert dump(office.ws) == before


def test_a_new_key_is_refused_unless_accepted(
    window: MainWindow, office: Session, units: dict[str, Workspace], qtbot, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = units["万州区"]
    first = bundle_of(ws, tmp_path / "收件", "第1次.gkbundle")
    dialog = import_dialog(window, qtbot, [first])
    KeyAnswers(qtbot, {"万州区": True})
    run_import(dialog, qtbot)
    ws.update_record("1.1.2", status=Status.DONE, actor="张三")
    second = bundle_of(ws, tmp_path / "收件", "第2次-新密钥.gkbundle", signer="李四")
    dialog.add_files([second])
    wait_previewed(dialog, qtbot, 1)
    assert statuses(dialog) == {second.name: "需确认新密钥"}
    dialog.view.selectRow(0)
    details = dialog.details.toPlainText()
    assert "已信任的证书指纹：" in details and "此数据包的证书指纹：" in details
    assert dialog.accept_key_button.isVisible()
    assert "1 个需核对签名证书" in dialog.summary.text()

    # Imported with the key refused: refused, nothing changes.
    before = dump(office.ws)
    KeyAnswers(qtbot, {"万州区": False})
    run_import(dialog, qtbot)
    (text,) = statuses(dialog).values()
    assert text.startswith("已拒绝：") and "换了签名密钥" in text
    assert dump(office.ws) == before

    # Cancelling the question leaves it undecided; accepting imports it.
    dialog.add_files([second])
    wait_previewed(dialog, qtbot, 1)
    dialog.view.selectRow(0)
    KeyAnswers(qtbot, None)
    assert not dialog.accept_new_key()
    assert statuses(dialog) == {second.name: "需确认新密钥"}
    answers = KeyAnswers(qtbot, {"万州区": True})
    qtbot.mouseClick(dialog.accept_key_button, Qt.MouseButton.LeftButton)
    shown = str(answers.shown[-1]["text"])
    assert "已信任的证书指纹：" in shown and "此数据包的证书指纹" in shown
    assert group_fingerprint(identity(WANZHOU, "李四").fingerprint()) in shown
    assert group_fingerprint(identity(WANZHOU, "张三").fingerprint()) in shown
    assert statuses(dialog) == {second.name: "可以导入（已接受新密钥）"}
    run_import(dialog, qtbot)
    assert statuses(dialog) == {second.name: "已导入"}
    assert SupervisorView(office.ws).record("500101", "1.1.2").status is Status.DONE


def test_folder_drop_and_file_arguments_fill_the_dialog(
    window: MainWindow, office: Session, units: dict[str, Workspace], qtbot, tmp_path: Path,
    prompt_mock: PromptMock,
) -> None:
    inbox = tmp_path / "收件"
    a = bundle_of(units["万州区"], inbox, "万州区.gkbundle")
    b = bundle_of(units["涪陵区"], inbox, "涪陵区.gkbundle")
    # Started with a bundle: the import dialog opens with it.
    file_arguments.handle_file_arguments(window, [a])
    dialog = bundle_actions.install(window).import_dialog
    assert dialog is not None
    wait_previewed(dialog, qtbot, 1)
    # A folder dropped onto the dialog adds the bundles inside (the same file once).
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(inbox))])
    drop = QDropEvent(QPointF(QPoint(10, 10)), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    dialog.dropEvent(drop)
    wait_previewed(dialog, qtbot, 2)
    assert set(statuses(dialog)) == {a.name, b.name}
    # The folder button asks for a folder.
    prompt_mock.always("open_folder", str(inbox))
    dialog.clear()
    dialog.choose_folder()
    wait_previewed(dialog, qtbot, 2)


def test_trusting_a_cer_ahead_of_time(
    window: MainWindow, office: Session, units: dict[str, Workspace], qtbot, tmp_path: Path,
    prompt_mock: PromptMock, messages: list[Message],
) -> None:
    cer = tmp_path / "万州区-签名证书.cer"
    cer.write_bytes(identity(WANZHOU, "张三").certificate_der())
    a = bundle_of(units["万州区"], tmp_path / "收件", "万州区.gkbundle")
    dialog = import_dialog(window, qtbot, [a])
    assert statuses(dialog) == {a.name: "需核对证书指纹（首次收到）"}
    asked: list[str] = []
    prompt_mock.always("open_file_name", str(cer))

    def ask(parent: QWidget, title: str, text: str, y: str, n: str) -> bool:
        asked.append(text)
        return True

    prompt_mock.answer_with("ask_question", ask)
    qtbot.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)
    assert "万州区" in asked[0] and "证书指纹" in asked[0]
    assert messages[-1].title == "已信任证书"
    wait_previewed(dialog, qtbot, 1)
    qtbot.waitUntil(lambda: statuses(dialog) == {a.name: "可以导入"}, timeout=20000)
    dialog.view.selectRow(0)
    assert "签名证书与已信任的一致" in dialog.details.toPlainText()


def test_start_up_files_wait_for_the_workspace(
    directory: UnitDirectory, office: Session, units: dict[str, Workspace], qtbot,
    tmp_path: Path,
) -> None:
    a = bundle_of(units["万州区"], tmp_path / "收件", "万州区.gkbundle")
    w = MainWindow(None, directory=directory)
    qtbot.addWidget(w)
    file_arguments.handle_file_arguments(w, [a])
    assert bundle_actions.install(w).import_dialog is None
    w.set_session(office)
    dialog = bundle_actions.install(w).import_dialog
    assert dialog is not None
    wait_previewed(dialog, qtbot, 1)
    w.close()


def test_a_folder_of_two_new_units_asks_once_and_imports_only_the_accepted(
    window: MainWindow, office: Session, units: dict[str, Workspace], qtbot, tmp_path: Path,
    shots: Path, messages: list[Message],
) -> None:
    inbox = tmp_path / "收件"
    bundle_of(units["万州区"], inbox, "万州区.gkbundle")
    bundle_of(units["涪陵区"], inbox, "涪陵区.gkbundle", signer="冒充者")
    dialog = bundle_actions.install(window).open_import_dialog([inbox])  # a folder
    assert dialog is not None
    wait_previewed(dialog, qtbot, 2)
    before = dump(office.ws)
    answers = KeyAnswers(qtbot, {"万州区": True, "涪陵区": False}, shots=shots)
    run_import(dialog, qtbot)
    (shown,) = answers.shown  # one dialog for both units
    assert shown["units"] == ["万州区", "涪陵区"]
    text = str(shown["text"])
    for unit, signer in ((WANZHOU, "张三"), ("重庆市涪陵区人民政府", "冒充者")):
        assert unit in text and group_fingerprint(identity(unit, signer).fingerprint()) in text
    assert "纸质报告最后一页" in text and "电话" in text
    assert shown["ok_enabled_before"] is False  # no choice is made for the user
    rows = statuses(dialog)
    assert rows["万州区.gkbundle"] == "已导入"
    assert rows["涪陵区.gkbundle"].startswith("已拒绝：")
    assert "尚未被信任" in rows["涪陵区.gkbundle"]
    assert dump(office.ws) != before
    assert [u.unit.id for u in SupervisorView(office.ws).units()] == ["500101"]
    assert [k.unit_id for k in trusted_keys(office.ws)] == ["500101"]
    assert messages == []


def test_the_key_dialog_fits_a_small_screen(
    office: Session, units: dict[str, Workspace], qtbot, tmp_path: Path, shots: Path,
) -> None:
    from gongkai_desktop.bundle.importer import preview_import
    from gongkai_desktop.ui.bundles.key_acceptance_dialog import questions_for

    preview = preview_import(office.ws, [bundle_of(units["万州区"], tmp_path, "a.gkbundle")])
    import dataclasses

    many = [(dataclasses.replace(preview, manifest=dataclasses.replace(
        preview.manifest, unit=dataclasses.replace(preview.unit, id=f"5001{n:02}"))),
        f"{n}.gkbundle") for n in range(8)]
    dialog = KeyAcceptanceDialog(questions_for(many))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert len(dialog.questions) == 8 and dialog.height() <= 620
    assert dialog.key_list.verticalScrollBar().maximum() > 0  # the list scrolls
    assert dialog.ok_button.isVisible() and not dialog.ok_button.isEnabled()
    bottom = dialog.ok_button.mapTo(dialog, dialog.ok_button.rect().bottomLeft()).y()
    assert bottom <= dialog.height()
    save_shot(dialog, shots, "key_acceptance_dialog_many")
    dialog.close()
