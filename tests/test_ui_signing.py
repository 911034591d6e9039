"""The signing-certificate dialogs: create (passphrase twice), import a .p12, export a .cer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gongkai_desktop.signing.store import has_identity, load_identity, save_identity
from gongkai_desktop.ui.report.signing_dialogs import (
    CreateIdentityDialog,
    ImportIdentityDialog,
    SigningCertificateDialog,
)
from gongkai_desktop.ui.workspace.session import Session
from tests.bundle_fixtures import identity
from tests.pdf_attacks import identity_expiring_in
from tests.prompt_mock import PromptMock
from tests.test_cli_report import make_p12
from tests.ui_fixtures import Message

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _no_boxes(messages: list[Message]) -> None:
    """No message box may block a test."""


@pytest.fixture
def overview(session: Session, qtbot) -> Iterator[SigningCertificateDialog]:
    dialog = SigningCertificateDialog(session)
    qtbot.addWidget(dialog)
    dialog.open()
    yield dialog
    if dialog.child is not None:
        dialog.child.close()
    dialog.close()


def test_create_needs_the_passphrase_twice(overview: SigningCertificateDialog, session: Session,
                                           qtbot, artifacts_dir: Path) -> None:
    assert overview.heading.text() == "本工作区还没有签名证书"
    assert not overview.export_button.isVisible()
    create = overview.create_identity()
    assert isinstance(create, CreateIdentityDialog)
    assert create.windowModality() == Qt.WindowModality.WindowModal
    assert create.signer.text() == "张三"  # the workspace's officer
    create.passphrase.setText("abc")
    assert create.problem.text() == "签名密码至少需要 6 个字符"
    create.passphrase.setText("口令abcdef")
    create.confirm.setText("口令abcdeX")
    assert create.problem.text() == "两次输入的签名密码不一致"
    assert not create.create_button.isEnabled()
    create.create_button.click()
    assert not has_identity(session.ws)
    create.confirm.setText("口令abcdef")
    assert create.problem.text() == "" and create.create_button.isEnabled()
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert create.grab().save(str(folder / "signing-create.png"))
    create.create_button.click()
    qtbot.waitUntil(lambda: has_identity(session.ws), timeout=5000)
    assert not create.isVisible()
    identity = load_identity(session.ws, "口令abcdef")
    assert identity.signer == "张三" and identity.unit == "重庆市万州区人民政府"
    # The overview now shows the certificate and its fingerprint.
    assert overview.heading.text() == "本单位的签名证书"
    assert "签署人：张三" in overview.details.text()
    assert identity.display_fingerprint()[:9] in overview.fingerprint.text()
    assert not overview.export_button.isHidden()
    assert overview.grab().save(str(folder / "signing-overview.png"))


def test_export_cer(overview: SigningCertificateDialog, session: Session, tmp_path: Path,
                    messages: list[Message], prompt_mock: PromptMock) -> None:
    save_identity(session.ws, identity("重庆市万州区人民政府"))
    overview.refresh()
    prompt_mock.answer("save_file_name", str(tmp_path / "给办公厅"))
    overview.export_button.click()
    cer = tmp_path / "给办公厅.cer"
    cert = x509.load_der_x509_certificate(cer.read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
        "重庆市万州区人民政府")
    assert prompt_mock.titles("save_file_name") == ["导出证书"]
    assert messages[-1].title == "已导出证书" and str(cer) in messages[-1].text


def test_import_p12(overview: SigningCertificateDialog, session: Session, tmp_path: Path,
                    messages: list[Message], prompt_mock: PromptMock) -> None:
    p12 = make_p12(tmp_path / "单位.p12", "p12-password")
    dialog = overview.import_identity()
    assert isinstance(dialog, ImportIdentityDialog)
    prompt_mock.answer("open_file_name", str(p12))
    dialog.browse()
    assert dialog.file.text() == str(p12)
    dialog.p12_password.setText("wrong-password")
    dialog.import_button.click()
    assert messages[-1].title == "没有导入证书" and "证书文件密码不正确" in messages[-1].text
    assert not has_identity(session.ws)
    dialog.p12_password.setText("p12-password")
    dialog.import_button.click()
    assert has_identity(session.ws) and not dialog.isVisible()
    assert load_identity(session.ws, "p12-password").signer == "赵六"
    assert "颁发者：重庆CA" in overview.details.text()


def test_import_with_a_separate_passphrase_and_replacing_asks(
        overview: SigningCertificateDialog, session: Session, tmp_path: Path,
        messages: list[Message], prompt_mock: PromptMock) -> None:
    save_identity(session.ws, identity("重庆市万州区人民政府"))
    overview.refresh()
    prompt_mock.answer("ask_choice", 1)  # 取消
    assert overview.import_identity() is None
    assert prompt_mock.titles("ask_choice") == ["更换签名证书"]
    prompt_mock.answer("ask_choice", 0, 0)  # 更换 (twice)
    dialog = overview.import_identity()
    assert isinstance(dialog, ImportIdentityDialog)
    dialog.file.setText(str(make_p12(tmp_path / "短.p12", "1234")))
    dialog.p12_password.setText("1234")
    assert "少于 6 个字符" in dialog.problem.text() and not dialog.import_button.isEnabled()
    dialog.same.setChecked(False)
    dialog.passphrase.setText("新的签名口令")
    dialog.confirm.setText("新的签名口令")
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    assert load_identity(session.ws, "新的签名口令").signer == "赵六"
    garbage = tmp_path / "假.p12"
    garbage.write_bytes(b"garbage")
    again = overview.import_identity()
    assert isinstance(again, ImportIdentityDialog)
    again.file.setText(str(garbage))
    again.p12_password.setText("whatever1")
    again.import_button.click()
    assert "不是有效的数字证书文件" in messages[-1].text
    assert load_identity(session.ws, "新的签名口令").signer == "赵六"  # unchanged


# ---- expiry: warning and renewal -------------------------------------------------------------


def test_certificate_within_30_days_warns_and_offers_renewal(
        overview: SigningCertificateDialog, session: Session, messages: list[Message],
        prompt_mock: PromptMock, qtbot, artifacts_dir: Path) -> None:
    old = identity_expiring_in(12)
    save_identity(session.ws, old)
    overview.refresh()
    qtbot.waitExposed(overview)
    assert overview.warning.isVisible() and overview.renew_button.isVisible()
    assert "过期（还剩" in overview.warning.text() and "续期" in overview.warning.text()
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert overview.grab().save(str(folder / "signing-expiring.png"))

    # Declining the confirmation changes nothing.
    texts: list[str] = []
    prompt_mock.answer_with("ask_choice",
                            lambda _p, _title, text, _choices: texts.append(text) or 1)
    assert overview.renew_identity() is None
    assert "接收单位必须改为信任新的证书指纹" in texts[0] and "签署人：张三" in texts[0]
    assert load_identity(session.ws, "口令123456").certificate == old.certificate

    # Agreeing, then a wrong passphrase (asked again), then the right one.
    prompt_mock.answer("ask_choice", 0)
    prompt_mock.answer("ask_passphrase", "不对的密码", "口令123456")
    overview.renew_button.click()
    assert prompt_mock.titles("ask_passphrase") == ["续期签名证书", "续期签名证书"]
    renewed = load_identity(session.ws, "口令123456")
    assert renewed.certificate != old.certificate and renewed.fingerprint() != old.fingerprint()
    assert (renewed.signer, renewed.unit) == (old.signer, old.unit)
    assert renewed.self_signed
    assert messages[-1].title == "已续期签名证书"
    assert renewed.display_fingerprint() in messages[-1].text
    assert not overview.warning.isVisible() and not overview.renew_button.isVisible()


def test_a_fresh_certificate_shows_no_warning(overview: SigningCertificateDialog,
                                              session: Session, qtbot) -> None:
    save_identity(session.ws, identity("重庆市万州区人民政府"))
    overview.refresh()
    qtbot.waitExposed(overview)
    assert not overview.warning.isVisible() and not overview.renew_button.isVisible()


# ---- one rule for the window and the command line --------------------------------------------


@pytest.mark.parametrize(("first", "again"), [("abc", "abc"), ("口令abcdef", "口令abcdeX")])
def test_the_dialog_and_the_command_line_say_the_same(
        overview: SigningCertificateDialog, session: Session, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        first: str, again: str) -> None:
    from gongkai_desktop.cli import main, report_cmd
    from tests.test_cli_report import make_workspace

    create = overview.create_identity()
    assert isinstance(create, CreateIdentityDialog)
    create.passphrase.setText(first)
    create.confirm.setText(again)
    shown = create.problem.text()
    assert shown in ("签名密码至少需要 6 个字符", "两次输入的签名密码不一致")
    assert not create.create_button.isEnabled()

    path = make_workspace(tmp_path / "命令行.gkws")
    before = path.read_bytes()
    typed = iter([first, again])
    monkeypatch.delenv(report_cmd.PASSPHRASE_ENV, raising=False)
    monkeypatch.setattr(report_cmd.getpass, "getpass", lambda text="": next(typed))
    code = main(["signing", "init", str(path), "--signer", "张三"])
    assert code == 1 and capsys.readouterr().err.strip() == f"错误：{shown}"
    assert path.read_bytes() == before

