"""The unit's signing certificate in the window: create, import (.p12/.pfx), export (.cer), show.

The certificate and its passphrase-encrypted key live in the workspace file
(``signing.store``); the passphrase is never stored. Dialogs open window-modal
with ``open()``; file and question prompts go through ``ui.common.prompts``,
which tests replace, so nothing blocks a test.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# The passphrase rules and their words are the core's (the command line says the same);
# ``signing.rules`` is light: no cryptography before a key is made.
from gongkai_desktop.signing.rules import (
    MIN_PASSPHRASE,
    NO_IDENTITY,
    no_identity,
    passphrase_problem,
    typing_problem,
)
from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.geometry import manage_window

if TYPE_CHECKING:
    from cryptography import x509

    from gongkai_desktop.signing import SigningIdentity
    from gongkai_desktop.ui.workspace.session import Session

P12_FILTER = "数字证书文件 (*.p12 *.pfx)"
CER_FILTER = "证书文件 (*.cer)"


def _tr(text: str) -> str:
    return QCoreApplication.translate("SigningDialogs", text)


# ---- shared pieces --------------------------------------------------------------------------


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setMinimumWidth(260)
    return edit


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
    return label


def stored_certificate(session: Session) -> x509.Certificate | None:
    from cryptography import x509

    from gongkai_desktop.signing.store import stored_certificate_pem

    pem = stored_certificate_pem(session.ws)
    if pem is None:
        return None
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError:
        return None


def certificate_warning(cert: x509.Certificate) -> str | None:
    """注意 line when the certificate expires within 30 days (or cannot sign any more)."""
    import datetime as dt

    from gongkai_desktop.signing.validity import expiry_warning

    return expiry_warning(cert, dt.datetime.now(dt.UTC))


def renewal_text(cert: x509.Certificate) -> str:
    from gongkai_desktop.report.verify_text import certificate_lines

    lines = certificate_lines(cert)
    return _tr(
        "续期将为以下签署人和单位生成新的签名证书（新的密钥，有效期十年）：\n{who}\n\n"
        "新证书的指纹与原来的不同：接收单位必须改为信任新的证书指纹，"
        "否则无法核验以后签署的报告。续期后请导出新证书（.cer）交给接收单位，"
        "并通过电话等方式核对新指纹。以前签署的报告仍可用原来的证书核验。\n\n确定续期吗？"
    ).format(who="\n".join(lines[:2]))


def certificate_file_name(session: Session) -> str:
    """万州区-签名证书.cer, as ``signing export-cert -o FOLDER`` names it."""
    from gongkai_desktop.storage.default_names import certificate_name

    return certificate_name(session.ws)


def export_certificate(parent: QWidget, session: Session) -> Path | None:
    """Ask where, then write the stored certificate (DER .cer); no passphrase needed."""
    from gongkai_desktop.errors import GongkaiError
    from gongkai_desktop.signing.identity import write_certificate_file

    cert = stored_certificate(session)
    if cert is None:
        show_error(parent, no_identity())
        return None
    name = prompts.save_file_name(parent, _tr("导出证书"),
                          prompts.suggested(prompts.CERTIFICATE,
                                                 certificate_file_name(session)),
                          _tr(CER_FILTER))
    if not name:
        return None
    out = Path(name)
    prompts.remember(prompts.CERTIFICATE, out.parent)
    if out.suffix.lower() not in (".cer", ".crt"):
        out = out.with_name(out.name + ".cer")
    try:
        write_certificate_file(cert, out)
    except GongkaiError as exc:
        show_error(parent, exc)
        return None
    show_info(parent, _tr("已导出证书"), _tr(
        "已导出证书：\n{path}\n\n请把该文件交给接收报告的单位（如市政府办公厅），"
        "对方用“验证报告…”选择它，即可确认报告由本单位签署。").format(path=out))
    return out


# ---- create ---------------------------------------------------------------------------------


class CreateIdentityDialog(QDialog):
    """A new self-signed certificate for the unit: signer (the 负责人) and passphrase."""

    created = Signal(object)  # the SigningIdentity

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.identity: SigningIdentity | None = None
        self.setWindowTitle(self.tr("生成签名证书"))
        self.setObjectName("createIdentityDialog")
        profile = session.ws.profile

        intro = QLabel(self.tr(
            "签名证书用于对自查报告进行电子签名：接收单位用本单位导出的证书（.cer）核验，"
            "即可确认报告由本单位签署、签署后没有被修改。证书保存在本工作区文件中。"))
        intro.setWordWrap(True)
        self.rule = _muted(self.tr(
            "签名密码至少 {n} 个字符，每次签署报告时都要输入。"
            "密码不会保存，遗失后无法找回，只能重新生成证书。").format(n=MIN_PASSPHRASE))
        self.unit_label = QLabel(profile.full_name or session.ws.unit.full_name)
        self.signer = QLineEdit(profile.officer)
        self.signer.setAccessibleName(self.tr("签署人"))
        self.signer.setPlaceholderText(self.tr("政务公开工作负责人的姓名"))
        self.passphrase = _password_edit(self.tr("签名密码"))
        self.confirm = _password_edit(self.tr("确认签名密码"))
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")

        form = QFormLayout()
        form.addRow(self.tr("单位："), self.unit_label)
        form.addRow(self.tr("签署人："), self.signer)
        form.addRow(self.tr("签名密码："), self.passphrase)
        form.addRow(self.tr("确认密码："), self.confirm)

        self.buttons = QDialogButtonBox()
        self.create_button = self.buttons.addButton(self.tr("生成证书"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("取消"))
        self.buttons.accepted.connect(self.create_identity)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.rule)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        for edit in (self.signer, self.passphrase, self.confirm):
            edit.textChanged.connect(self._update)
        self._update()
        manage_window(self, "create_identity")

    def _update(self) -> None:
        self.problem.setText(typing_problem(self.passphrase.text(), self.confirm.text()) or "")
        self.create_button.setEnabled(bool(self.signer.text().strip()) and passphrase_problem(
            self.passphrase.text(), self.confirm.text()) is None)

    def create_identity(self) -> SigningIdentity | None:
        from gongkai_desktop.signing import SigningIdentity, save_identity

        if not self.create_button.isEnabled():
            return None
        try:
            unit = self.session.ws.profile.full_name or self.session.ws.unit.full_name
            identity = SigningIdentity.generate(unit, self.signer.text().strip(),
                                                self.passphrase.text())
            save_identity(self.session.ws, identity)
        except Exception as exc:
            show_error(self, exc, self.tr("没有生成证书"))
            return None
        self.identity = identity
        self.created.emit(identity)
        self.accept()
        return identity


# ---- import ---------------------------------------------------------------------------------


class ImportIdentityDialog(QDialog):
    """An authority's certificate (.p12/.pfx with its private key) for signing."""

    created = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.identity: SigningIdentity | None = None
        self.setWindowTitle(self.tr("导入数字证书"))
        self.setObjectName("importIdentityDialog")

        intro = QLabel(self.tr(
            "导入数字证书认证机构（CA）为本单位颁发的证书文件（.p12 或 .pfx，含私钥）。"))
        intro.setWordWrap(True)
        self.file = QLineEdit()
        self.file.setAccessibleName(self.tr("证书文件"))
        self.file.setPlaceholderText(self.tr("选择 .p12 或 .pfx 文件"))
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        self.p12_password = _password_edit(self.tr("证书文件密码"))
        self.same = QCheckBox(self.tr("签名密码与证书文件密码相同"))
        self.same.setChecked(True)
        self.passphrase = _password_edit(self.tr("签名密码"))
        self.confirm = _password_edit(self.tr("确认签名密码"))
        self.rule = _muted(self.tr(
            "签名密码至少 {n} 个字符，每次签署报告时都要输入；不会保存，遗失后无法找回。"
        ).format(n=MIN_PASSPHRASE))
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")

        form = QFormLayout()
        form.addRow(self.tr("证书文件："), file_row)
        form.addRow(self.tr("证书文件密码："), self.p12_password)
        form.addRow("", self.same)
        form.addRow(self.tr("签名密码："), self.passphrase)
        form.addRow(self.tr("确认密码："), self.confirm)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(self.tr("导入"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("取消"))
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.rule)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        for edit in (self.file, self.p12_password, self.passphrase, self.confirm):
            edit.textChanged.connect(self._update)
        self.same.toggled.connect(self._update)
        self._update()
        manage_window(self, "import_identity")

    def browse(self) -> None:
        name = prompts.open_file_name(self, self.tr("选择证书文件"),
                                      prompts.suggested(prompts.P12), self.tr(P12_FILTER))
        if name:
            prompts.remember(prompts.P12, Path(name).parent)
            self.file.setText(name)

    def chosen_passphrase(self) -> tuple[str, str]:
        if self.same.isChecked():
            return self.p12_password.text(), self.p12_password.text()
        return self.passphrase.text(), self.confirm.text()

    def _update(self) -> None:
        for edit in (self.passphrase, self.confirm):
            edit.setEnabled(not self.same.isChecked())
        problem = typing_problem(*self.chosen_passphrase()) or ""
        if self.same.isChecked() and problem:
            problem = self.tr("证书文件密码少于 {n} 个字符，请另设签名密码").format(
                n=MIN_PASSPHRASE)
        self.problem.setText(problem)
        self.import_button.setEnabled(bool(self.file.text().strip())
                                      and passphrase_problem(*self.chosen_passphrase()) is None)

    def run_import(self) -> SigningIdentity | None:
        from gongkai_desktop.errors import NotFound
        from gongkai_desktop.signing import save_identity
        from gongkai_desktop.signing.store import load_pkcs12_file

        if not self.import_button.isEnabled():
            return None
        path = Path(self.file.text().strip())
        try:
            if not path.is_file():
                raise NotFound(self.tr("找不到证书文件：{path}").format(path=path))
            identity = load_pkcs12_file(path, self.p12_password.text())
            save_identity(self.session.ws, identity, self.chosen_passphrase()[0])
        except Exception as exc:
            show_error(self, exc, self.tr("没有导入证书"))
            return None
        self.identity = identity
        self.created.emit(identity)
        self.accept()
        return identity


# ---- the overview dialog --------------------------------------------------------------------


class SigningCertificateDialog(QDialog):
    """签名证书: what the unit signs with, and the ways to get, replace or hand out one."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.child: QDialog | None = None
        self.setWindowTitle(self.tr("签名证书"))
        self.setObjectName("signingCertificateDialog")
        self.heading = QLabel()
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.details = QLabel()
        self.details.setObjectName("certificateDetails")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setWordWrap(True)
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("certificateFingerprint")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.fingerprint.setFont(mono)
        self.hint = _muted("")
        self.warning = QLabel()
        self.warning.setObjectName("certificateWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")

        self.renew_button = QPushButton(self.tr("续期（重新生成）…"))
        self.renew_button.setObjectName("renewCertificate")
        self.renew_button.clicked.connect(self.renew_identity)
        self.create_button = QPushButton(self.tr("生成证书…"))
        self.create_button.clicked.connect(self.create_identity)
        self.import_button = QPushButton(self.tr("导入证书（.p12/.pfx）…"))
        self.import_button.clicked.connect(self.import_identity)
        self.export_button = QPushButton(self.tr("导出证书（.cer）…"))
        self.export_button.clicked.connect(lambda: export_certificate(self, self.session))
        row = QHBoxLayout()
        for button in (self.renew_button, self.export_button, self.create_button,
                       self.import_button):
            row.addWidget(button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.warning)
        layout.addWidget(self.hint)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addWidget(close)
        self.setMinimumWidth(620)
        self.refresh()
        manage_window(self, "signing_certificate")

    def has_certificate(self) -> bool:
        return stored_certificate(self.session) is not None

    def refresh(self) -> None:
        from gongkai_desktop.report.verify_text import certificate_lines

        cert = stored_certificate(self.session)
        if cert is None:
            self.heading.setText(NO_IDENTITY)
            self.details.setText(self.tr(
                "生成一个本单位的签名证书（自签名），或导入数字证书认证机构颁发的证书，"
                "之后生成的自查报告都会带有电子签名。"))
            self.fingerprint.setText("")
            self.hint.setText("")
            self.create_button.setText(self.tr("生成证书…"))
            self.import_button.setText(self.tr("导入证书（.p12/.pfx）…"))
        else:
            lines = certificate_lines(cert)
            self.heading.setText(self.tr("本单位的签名证书"))
            self.details.setText("\n".join(lines[:-1]))
            self.fingerprint.setText(lines[-1].replace("：", "：\n", 1))
            self.hint.setText(self.tr(
                "把证书（.cer）交给接收单位，并通过电话等方式核对上面的证书指纹。"))
            self.create_button.setText(self.tr("重新生成…"))
            self.import_button.setText(self.tr("改为导入证书…"))
        self.export_button.setVisible(cert is not None)
        warning = certificate_warning(cert) if cert is not None else None
        self.warning.setText(warning or "")
        self.warning.setVisible(warning is not None)
        self.renew_button.setVisible(warning is not None)

    def _confirm_replace(self) -> bool:
        if not self.has_certificate():
            return True
        return prompts.ask_yes_no(self, self.tr("更换签名证书"), self.tr(
            "更换后，原来的证书将不能再用于签名；以后签署的报告需要用新证书核验，"
            "请把新证书交给接收单位。\n\n以前签署的报告仍可用原来的证书核验。\n\n确定更换吗？"),
            self.tr("更换"), self.tr("取消"))

    def _open_child(self, dialog: QDialog) -> QDialog:
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(dialog.deleteLater)
        self.child = dialog
        dialog.open()
        return dialog

    def create_identity(self) -> QDialog | None:
        if not self._confirm_replace():
            return None
        return self._open_child(CreateIdentityDialog(self.session, self))

    def import_identity(self) -> QDialog | None:
        if not self._confirm_replace():
            return None
        return self._open_child(ImportIdentityDialog(self.session, self))

    def renew_identity(self) -> SigningIdentity | None:
        """续期: a new certificate for the same signer and unit, after the officer agrees that
        receivers must trust the new fingerprint; the current passphrase unlocks it."""
        from gongkai_desktop.signing.store import renew_identity

        cert = stored_certificate(self.session)
        if cert is None:
            return None
        title = self.tr("续期签名证书")
        if not prompts.ask_yes_no(self, title, renewal_text(cert), self.tr("续期"),
                                  self.tr("取消")):
            return None
        renewed: list[SigningIdentity] = []
        label = self.tr("请输入当前的签名密码（新证书沿用此密码）：")
        if prompts.ask_signing_passphrase(
                self, self.session.ws, label, title=title, failed_title=self.tr("没有续期"),
                unlock=lambda passphrase: renewed.append(
                    renew_identity(self.session.ws, passphrase))) is None:
            return None
        identity = renewed[0]
        self.refresh()
        show_info(self, self.tr("已续期签名证书"), self.tr(
            "已生成新的签名证书：\n{summary}\n\n新的证书指纹（SHA-256）：\n{fp}\n\n"
            "请导出新证书（.cer）交给接收单位，并通过电话等方式核对新的证书指纹。").format(
            summary=identity.subject_summary(), fp=identity.display_fingerprint()))
        return identity
