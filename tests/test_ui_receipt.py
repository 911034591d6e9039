"""Receipts in the window: the office writes one, the unit imports it and sees it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.bundle.office_key import office_key as office_key_of
from gongkai_desktop.bundle.receipt import import_receipt, write_receipt
from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint
from gongkai_desktop.ui import file_arguments
from gongkai_desktop.ui.bundles import bundle_actions, texts
from gongkai_desktop.ui.bundles.office_key_dialog import OfficeKeyDialog
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import PASSPHRASE, dump, export, identity, keys_in
from tests.prompt_mock import PromptMock
from tests.ui_fixtures import Message, make_session, save_shot

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


def answer_prompts(prompt_mock: PromptMock, path: Path) -> list[str]:
    asked: list[str] = []

    def choose(parent: QWidget, title: str, p: str, flt: str) -> str:
        asked.append(p)
        return str(path)

    def passphrase(parent: QWidget, title: str, label: str) -> str:
        asked.append(label)
        return PASSPHRASE

    prompt_mock.answer_with("save_file_name", choose)
    prompt_mock.answer_with("open_file_name", choose)
    prompt_mock.answer_with("ask_passphrase", passphrase)
    return asked


def test_receipt_round_trip_shows_in_the_unit_window(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message], prompt_mock: PromptMock, shots: Path,
) -> None:
    unit_window, office_window = windows
    unit_actions = bundle_actions.install(unit_window)
    office_actions = bundle_actions.install(office_window)
    assert not unit_actions.status_label.isVisible()  # nothing sent yet

    sent = export(session.ws, tmp_path / "万州区-自查-2026-11-28.gkbundle",
                  identity("重庆市万州区人民政府", "张三")).files[0]
    unit_actions.refresh_status()
    assert "序号 1" in unit_actions.status_label.text()
    assert "尚未收到回执" in unit_actions.status_label.text()
    rows = import_bundles(office.ws, [sent], accept_keys=keys_in([sent]))
    assert rows[0].outcome.value == "imported"

    # The office: 写回执… → pick 万州区 → file name → passphrase.
    out = tmp_path / "回执.gkreceipt"
    asked = answer_prompts(prompt_mock, out)
    office_actions.write_receipt_action.trigger()
    dialog = office_actions.receipt_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 0).data() == "万州区"
    assert dialog.select_unit("万州区")
    dialog.choose()
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages[-1].title == "已生成回执", messages
    assert Path(asked[0]).name == "万州区-回执-序号1.gkreceipt"
    assert "签署回执" in asked[1]
    assert out.is_file()

    # The unit: 导入回执… → accept the office's key → the status bar and 数据包记录 show
    # who received it, when.
    unit_actions.import_receipt_action.trigger()
    key_dialog = wait_for_key_dialog(unit_actions, qtbot)
    save_shot(key_dialog, shots, "bundle_receipt_accept_office_key")
    qtbot.mouseClick(key_dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=20000)
    assert messages[-1].title == "已记录回执", messages
    assert "序号 1 的数据包已由“市政府办公厅”（王五）于" in messages[-1].text
    label = unit_actions.status_label
    assert label.isVisible()
    assert label.text().startswith("回执：序号 1 的数据包已由“市政府办公厅”（王五）于 ")
    assert label.text().endswith(" 收到")
    history = unit_actions.show_history()
    assert history is not None
    model = history.model
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "1"
    assert model.index(0, 2).data() == "万州区-自查-2026-11-28.gkbundle"
    assert "已由“市政府办公厅”" in model.index(0, 4).data()
    fingerprint = group_fingerprint(identity("重庆市人民政府办公厅", "王五").fingerprint())
    assert history.office_key.text().startswith(
        f"上级单位证书：市政府办公厅（王五），指纹 {fingerprint}，")
    save_shot(history, shots, "bundle_receipt_history")
    unit_window.statusBar().showMessage("")
    save_shot(unit_window.statusBar(), shots, "bundle_receipt_status_bar")
    save_shot(unit_window, shots, "bundle_receipt_unit_window")
    history.close()

    # The same receipt again, given on the command line: recorded once.
    file_arguments.handle_file_arguments(unit_window, [out])
    qtbot.waitUntil(lambda: len(messages) == 3, timeout=20000)
    assert messages[-1].text.startswith("该回执此前已记录，未作改动：")


def wait_for_key_dialog(actions: bundle_actions.BundleActions, qtbot) -> OfficeKeyDialog:
    qtbot.waitUntil(lambda: actions.key_dialog is not None and actions.key_dialog.isVisible(),
                    timeout=20000)
    assert actions.key_dialog is not None
    return actions.key_dialog


def test_the_first_receipt_asks_to_accept_the_office_key(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message], monkeypatch: pytest.MonkeyPatch,
) -> None:
    unit_window, _office_window = windows
    unit_actions = bundle_actions.install(unit_window)
    sent = export(session.ws, tmp_path / "万州区.gkbundle",
                  identity("重庆市万州区人民政府", "张三")).files[0]
    import_bundles(office.ws, [sent], accept_keys=keys_in([sent]))
    out = tmp_path / "回执.gkreceipt"
    office_key = identity("重庆市人民政府办公厅", "王五")
    write_receipt(office.ws, "500101", office_key, out)
    groups = group_fingerprint(office_key.fingerprint()).split()
    shown = " ".join(groups[:8]) + "\n" + " ".join(groups[8:])  # two rows, as read out

    # 拒绝: nothing is imported, nothing pinned, no error box.
    before = dump(session.ws)
    unit_actions.import_receipt_file(out)
    dialog = wait_for_key_dialog(unit_actions, qtbot)
    text = dialog.text() + dialog.informativeText()
    assert "上级单位：市政府办公厅" in text and "签名人：王五" in text and shown in text
    assert "打电话" in text and "来函" in text
    assert dialog.defaultButton() is dialog.reject_button
    assert (dialog.accept_button.text(), dialog.reject_button.text()) == ("接受", "拒绝")
    qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: unit_actions.key_dialog is None, timeout=5000)
    QApplication.processEvents()
    assert messages == [] and dump(session.ws) == before
    assert office_key_of(session.ws) is None
    assert unit_window.statusBar().currentMessage() == "回执未导入：未接受上级单位的证书"
    assert not unit_actions.status_label.text().startswith("回执：")

    # 接受: imported and the key pinned.
    unit_actions.import_receipt_file(out)
    qtbot.mouseClick(wait_for_key_dialog(unit_actions, qtbot).accept_button,
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=20000)
    assert messages[-1].title == "已记录回执", messages
    pinned = office_key_of(session.ws)
    assert pinned is not None and pinned.fingerprint == office_key.fingerprint()
    assert unit_actions.status_label.text().startswith("回执：序号 1 的数据包已由“市政府办公厅”")

    # The same receipt again: no question, nothing changes.
    before = dump(session.ws)
    unit_actions.import_receipt_file(out)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=20000)
    assert messages[-1].text.startswith("该回执此前已记录，未作改动：")
    assert unit_actions.key_dialog is None and dump(session.ws) == before


def test_two_receipts_opened_together_ask_once(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message],
) -> None:
    unit_window, _office_window = windows
    unit_actions = bundle_actions.install(unit_window)
    office_key = identity("重庆市人民政府办公厅", "王五")
    unit_key = identity("重庆市万州区人民政府", "张三")
    files = []
    for n in (1, 2):
        session.ws.update_record("1.1.1", explanation=f"第{n}次", actor="张三")
        sent = export(session.ws, tmp_path / f"{n}.gkbundle", unit_key)
        import_bundles(office.ws, list(sent.files), accept_keys=keys_in(list(sent.files)))
        files.append(tmp_path / f"{n}.gkreceipt")
        write_receipt(office.ws, "500101", office_key, files[-1])
    file_arguments.handle_file_arguments(unit_window, files)
    dialog = wait_for_key_dialog(unit_actions, qtbot)
    qtbot.waitUntil(lambda: len(unit_actions.receipts_waiting) == 1, timeout=20000)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=20000)
    assert [m.title for m in messages] == ["已记录回执", "已记录回执"]
    assert unit_actions.key_dialog is None or not unit_actions.key_dialog.isVisible()
    assert unit_actions.status_label.text().startswith("回执：序号 2 的数据包")


def test_a_receipt_from_another_key_shows_both_fingerprints(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message],
) -> None:
    unit_window, _office_window = windows
    unit_actions = bundle_actions.install(unit_window)
    sent = export(session.ws, tmp_path / "万州区.gkbundle",
                  identity("重庆市万州区人民政府", "张三")).files[0]
    import_bundles(office.ws, [sent], accept_keys=keys_in([sent]))
    genuine_key = identity("重庆市人民政府办公厅", "王五")
    write_receipt(office.ws, "500101", genuine_key, tmp_path / "真.gkreceipt")
    import_receipt(session.ws, tmp_path / "真.gkreceipt", accept_key=genuine_key.fingerprint())
    impostor = SigningIdentity.generate("重庆市人民政府办公厅", "王五", PASSPHRASE)
    session.ws.update_record("1.1.1", explanation="第二次", actor="张三")
    sent = export(session.ws, tmp_path / "2.gkbundle", identity("重庆市万州区人民政府", "张三"))
    import_bundles(office.ws, list(sent.files), accept_keys=keys_in(list(sent.files)))
    write_receipt(office.ws, "500101", impostor, tmp_path / "假.gkreceipt")
    before = dump(session.ws)
    unit_actions.import_receipt_file(tmp_path / "假.gkreceipt")
    dialog = wait_for_key_dialog(unit_actions, qtbot)
    assert dialog.windowTitle() == "上级单位更换了签名证书"
    flat = " ".join(dialog.text().split())
    assert group_fingerprint(genuine_key.fingerprint()) in flat
    assert group_fingerprint(impostor.fingerprint()) in flat
    qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: unit_actions.key_dialog is None, timeout=5000)
    assert messages == [] and dump(session.ws) == before


def test_a_receipt_for_another_unit_is_refused(
    windows: tuple[MainWindow, MainWindow], session: Session, office: Session, qtbot,
    tmp_path: Path, messages: list[Message], prompt_mock: PromptMock,
    directory: UnitDirectory,
) -> None:
    unit_window, office_window = windows
    other = make_session(tmp_path / "涪陵区.gkws", "涪陵区", directory)
    try:
        sent = export(other.ws, tmp_path / "涪陵区.gkbundle",
                      identity("重庆市涪陵区人民政府", "张三")).files[0]
        import_bundles(office.ws, [sent], accept_keys=keys_in([sent]))
        out = tmp_path / "涪陵区回执.gkreceipt"
        answer_prompts(prompt_mock, out)
        bundle_actions.install(office_window).write_receipt_for("500102", "涪陵区", 1)
        qtbot.waitUntil(lambda: bool(messages), timeout=20000)
        assert out.is_file()
        bundle_actions.install(unit_window).import_receipt_file(out)
        qtbot.waitUntil(lambda: len(messages) == 2, timeout=20000)
        assert messages[-1].title == "操作未完成"
        assert "不是本单位" in messages[-1].text
        assert not bundle_actions.install(unit_window).status_label.isVisible()
    finally:
        other.close()


def test_no_imported_bundle_means_no_receipt_to_write(
    windows: tuple[MainWindow, MainWindow], messages: list[Message],
) -> None:
    _unit_window, office_window = windows
    assert bundle_actions.install(office_window).write_receipt() is None
    assert "还没有导入任何数据包" in messages[-1].text


def test_an_unfinished_export_shows_nothing() -> None:
    # status_text needs completed exports; an unfinished one shows nothing.
    from gongkai_desktop.bundle.receipt import ExportRecord

    record = ExportRecord(1, dt.datetime.now(dt.UTC), None, None, (), None, True)
    assert texts.status_text([record]) == ("", "")
