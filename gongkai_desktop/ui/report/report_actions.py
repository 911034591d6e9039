"""The window's report actions (报告与数据 menu).

- 编写自查报告…: the report editor (one window per workspace).
- 生成并签名报告…: file name, signing passphrase, then the report is built off the UI
  thread (progress, 取消) and shown in the in-app preview, ready to print.
- 验证报告…: a signed PDF (and, optionally, the sender's .cer) checked off the UI thread;
  the result in Chinese: 完好 or 已被修改, signer, unit, time, fingerprints.
- 签名证书…: create, import, export and show the unit's signing certificate.

Prompts go through ``ui.common.prompts`` (tests replace them); dialogs open with
``open()``/``show()``, never a blocking ``exec()``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.features import install_once
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation

if TYPE_CHECKING:  # reportlab, pyHanko and the dialogs load on first use
    from cryptography import x509

    from gongkai_desktop.report.build import BuildResult
    from gongkai_desktop.report.verify_text import ReportCheck
    from gongkai_desktop.signing.verify import PdfVerification
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.report.report_editor import ReportEditor
    from gongkai_desktop.ui.report.report_preview import ReportPreviewDialog
    from gongkai_desktop.ui.report.signing_dialogs import (
        CreateIdentityDialog,
        SigningCertificateDialog,
    )
    from gongkai_desktop.ui.report.verify_dialog import VerifyReportDialog
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)



def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportActions", text)


def install(window: MainWindow) -> ReportActions:
    """Add the report actions to ``window`` (once); the window keeps them as ``report_actions``."""
    return install_once(window, "report_actions", ReportActions)


def report_file_name(session: Session) -> str:
    """万州区-自查报告-2020-09-05.pdf, as ``report -o FOLDER`` names it."""
    from gongkai_desktop.storage.default_names import report_name

    return report_name(session.ws, session.today())


def build_summary(result: BuildResult) -> str:
    """One line under the preview: pages, signature, content fingerprint (and any warning)."""
    from gongkai_desktop.signing.identity import group_fingerprint

    signed = (_tr("已签名（签署人：{name}）").format(name=result.signer) if result.signed
              else _tr("未签名"))
    text = _tr("共 {pages} 页 · {signed} · 内容指纹 {fp}").format(
        pages=result.pages, signed=signed, fp=group_fingerprint(result.fingerprint)[:19] + "…")
    if result.missing_chars:
        text += _tr("\n注意：以下字符没有可用字体，印为〓：{chars}").format(
            chars="".join(sorted(result.missing_chars)))
    if result.images_not_shown:
        text += _tr("\n注意：{n} 张佐证图片无法读取，报告中未能显示：{names}").format(
            n=len(result.images_not_shown), names="、".join(result.images_not_shown))
    return text


class ReportActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.editor: ReportEditor | None = None
        self.preview: ReportPreviewDialog | None = None
        self.signing_dialog: SigningCertificateDialog | None = None
        self.create_dialog: CreateIdentityDialog | None = None
        self.last_result: BuildResult | None = None
        self.last_verification: PdfVerification | None = None
        self.verify_dialog: VerifyReportDialog | None = None

        self.edit_action = QAction(self.tr("编写自查报告(&W)…"), self)
        self.edit_action.setStatusTip(self.tr("填写自查报告的标题、正文三部分、落款日期和印章"))
        self.edit_action.triggered.connect(self.open_editor)
        self.generate_action = QAction(self.tr("生成并签名报告(&G)…"), self)
        self.generate_action.setStatusTip(self.tr(
            "生成带电子签名的自查报告 PDF（正文、完成情况表、佐证材料），预览并打印"))
        self.generate_action.triggered.connect(lambda: self.generate_report())
        self.verify_action = QAction(self.tr("验证报告(&V)…"), self)
        self.verify_action.setStatusTip(self.tr("检查收到的报告 PDF 是否完好、由谁签署"))
        self.verify_action.triggered.connect(self.verify_report)
        self.signing_action = QAction(self.tr("签名证书(&S)…"), self)
        self.signing_action.setStatusTip(self.tr("生成、导入、导出本单位的签名证书，查看证书指纹"))
        self.signing_action.triggered.connect(self.show_signing)

        window.add_actions_menu([self.edit_action, self.generate_action], separator=True)
        window.add_actions_menu([self.verify_action, self.signing_action], separator=True)
        window.sessionChanged.connect(self._session_changed)
        self.verify_action.setEnabled(True)  # checking a received report needs no workspace

    # ---- session ---------------------------------------------------------------------------

    def _session_changed(self, _session: object) -> None:
        self.verify_action.setEnabled(True)
        if self.editor is not None:
            editor, self.editor = self.editor, None
            editor.detach()  # saves what was typed into the workspace it belongs to
            editor.close()
        for dialog in (self.signing_dialog, self.create_dialog):
            if dialog is not None:
                dialog.close()
        self.signing_dialog = self.create_dialog = None

    def _flush_panel(self) -> None:
        flush = getattr(self.window.panel, "flush", None)
        if callable(flush):
            flush()  # text still being typed in a measure goes into the report

    # ---- editor ----------------------------------------------------------------------------

    def open_editor(self) -> ReportEditor | None:
        from gongkai_desktop.ui.report.report_editor import ReportEditor

        session = self.window.session
        if session is None:
            return None
        self._flush_panel()
        if self.editor is not None and self.editor.session is session:
            self.editor.showNormal()
            self.editor.raise_()
            self.editor.activateWindow()
            return self.editor
        try:
            editor = ReportEditor(session, self.window, generate=self.generate_report)
        except Exception as exc:
            show_error(self.window, exc)
            return None
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.destroyed.connect(lambda *_: self._editor_gone(editor))
        self.editor = editor
        editor.show()
        return editor

    def _editor_gone(self, editor: object) -> None:
        if self.editor is editor:
            self.editor = None

    # ---- generating ------------------------------------------------------------------------

    def _start_folder(self) -> Path:
        return prompts.start_folder(prompts.REPORT)

    def generate_report(self, parent: QWidget | None = None) -> Operation[Any] | None:
        """Ask where and for the passphrase, then build, sign and preview the report."""
        from gongkai_desktop.signing.store import has_identity

        session = self.window.session
        if session is None:
            return None
        parent = parent or self.window
        self._flush_panel()
        if self.editor is not None and self.editor.session is session and not self.editor.flush():
            show_error(parent, _editor_error(self.editor), self.tr("没有生成报告"))
            return None
        sign = has_identity(session.ws)
        if not sign:
            choice = prompts.ask_choice(parent, self.tr("还没有签名证书"), self.tr(
                "本工作区还没有签名证书，生成的报告将不带电子签名，接收单位无法核验。\n\n"
                "建议先生成本单位的签名证书（只需一次）。"),
                [self.tr("生成证书…"), self.tr("生成不签名的报告"), self.tr("取消")])
            if choice == 0:
                self.create_identity(parent, then_generate=True)
                return None
            if choice != 1:
                return None
        out = prompts.save_path_with_suffix(
            parent, prompts.REPORT, self.tr("生成自查报告"),
            self._start_folder() / report_file_name(session), self.tr(prompts.PDF_FILTER), ".pdf")
        if out is None:
            return None
        passphrase = self.ask_signing_passphrase(parent, session) if sign else None
        if sign and passphrase is None:
            return None
        return self.build_to(out, sign=sign, passphrase=passphrase, parent=parent)

    def ask_signing_passphrase(self, parent: QWidget, session: Session) -> str | None:
        """The passphrase, asked again until it unlocks the key; None when cancelled."""
        from gongkai_desktop.ui.report.signing_dialogs import (
            certificate_warning,
            stored_certificate,
        )

        cert = stored_certificate(session)
        who = ""
        if cert is not None:
            from gongkai_desktop.report.verify_text import certificate_lines

            warning = certificate_warning(cert)
            if warning and not self._sign_despite(parent, cert, warning):
                return None
            lines = certificate_lines(cert)
            who = "\n" + lines[0] + "\n" + lines[1]
            if warning:  # within 30 days: said again where the passphrase is typed
                who += "\n" + self.tr("注意：{warning}").format(warning=warning)
        label = self.tr("请输入签名密码，以签署自查报告：") + who
        return prompts.ask_signing_passphrase(
            parent, session.ws, label, retry=self.tr("签名密码不正确，请重新输入：") + who,
            failed_title=self.tr("没有生成报告"))

    def _sign_despite(self, parent: QWidget, cert: x509.Certificate, warning: str) -> bool:
        """The certificate expires soon (or has): offer 续期 before signing; True to sign anyway."""
        from gongkai_desktop.signing.validity import validity_problem

        usable = validity_problem(cert, dt.datetime.now(dt.UTC)) is None
        choices = [self.tr("续期…"), self.tr("仍用当前证书签名"), self.tr("取消")] if usable \
            else [self.tr("续期…"), self.tr("取消")]
        choice = prompts.ask_choice(parent, self.tr("签名证书即将过期") if usable
                                    else self.tr("签名证书已不能使用"), warning, choices)
        if choice == 0:
            dialog = self.show_signing()
            if dialog is not None:
                dialog.renew_identity()
            return False
        return usable and choice == 1

    def build_to(self, out: Path, *, sign: bool, passphrase: str | None,
                 parent: QWidget | None = None) -> Operation[Any] | None:
        session = self.window.session
        if session is None:
            return None
        parent = parent or self.window
        path, directory = session.path, session.directory

        def work(ws: Workspace, progress: Progress) -> BuildResult:
            from gongkai_desktop.report.build import build_report

            return build_report(ws, directory, out, sign=sign, passphrase=passphrase,
                                progress=progress, today=session.today())

        def done(result: BuildResult) -> None:
            self.last_result = result
            self.window.statusBar().showMessage(
                self.tr("已生成自查报告：{path}").format(path=result.path), 10000)
            self.show_preview(result.path, build_summary(result), parent)

        return run_workspace_operation(parent, self.tr("正在生成自查报告…"), path, work,
                                       on_success=done, cancellable=True)

    def show_preview(self, path: Path, summary: str = "", parent: QWidget | None = None
                     ) -> ReportPreviewDialog | None:
        from gongkai_desktop.ui.report.report_preview import show_report

        try:
            dialog = show_report(path, parent or self.window, summary=summary)
        except Exception as exc:
            show_error(self.window, exc)
            return None
        if self.preview is not None:
            self.preview.close()
        dialog.destroyed.connect(lambda *_: self._preview_gone(dialog))
        self.preview = dialog
        return dialog

    def _preview_gone(self, dialog: object) -> None:
        if self.preview is dialog:
            self.preview = None

    # ---- verifying ---------------------------------------------------------------------------

    def verify_report(self) -> VerifyReportDialog | None:
        """验证报告: choose the report, then the dialog checks it and offers certificates."""
        if self.verify_dialog is not None:
            self.verify_dialog.raise_()
            self.verify_dialog.activateWindow()
            return self.verify_dialog
        pdf = prompts.open_file_name(self.window, self.tr("选择要验证的报告"),
                                     str(self._start_folder()), self.tr(prompts.PDF_FILTER))
        if not pdf:
            return None
        prompts.remember(prompts.REPORT, Path(pdf).parent)
        return self.verify_file(Path(pdf))

    def verify_file(self, pdf: Path, certs: Sequence[Path] = ()) -> VerifyReportDialog:
        """The 验证报告 dialog on ``pdf`` (checked at once, with ``certs`` if given)."""
        from gongkai_desktop.ui.report.verify_dialog import VerifyReportDialog

        def checked(check: ReportCheck) -> None:
            self.last_verification = check.result

        dialog = self.verify_dialog or VerifyReportDialog(self.window, pdf.parent, checked)
        if self.verify_dialog is None:
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.destroyed.connect(lambda *_: setattr(self, "verify_dialog", None))
            self.verify_dialog = dialog
        dialog.show()
        if certs:
            dialog.cert_model.setStringList([str(c) for c in certs])
            dialog.with_cert.setChecked(True)
        dialog.set_pdf(pdf)
        return dialog

    # ---- signing certificate -----------------------------------------------------------------

    def show_signing(self) -> SigningCertificateDialog | None:
        from gongkai_desktop.ui.report.signing_dialogs import SigningCertificateDialog

        session = self.window.session
        if session is None:
            return None
        if self.signing_dialog is not None:
            self.signing_dialog.raise_()
            return self.signing_dialog
        dialog = SigningCertificateDialog(session, self.window)
        dialog.finished.connect(dialog.deleteLater)
        dialog.destroyed.connect(lambda *_: setattr(self, "signing_dialog", None))
        self.signing_dialog = dialog
        dialog.open()
        return dialog

    def create_identity(self, parent: QWidget | None = None, *,
                        then_generate: bool = False) -> CreateIdentityDialog | None:
        from gongkai_desktop.ui.report.signing_dialogs import CreateIdentityDialog

        session = self.window.session
        if session is None:
            return None
        parent = parent or self.window
        dialog = CreateIdentityDialog(session, parent)
        if then_generate:
            # Once the dialog has closed, carry on where the officer was going.
            dialog.accepted.connect(
                lambda: QTimer.singleShot(0, self, lambda: self.generate_report(parent)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.destroyed.connect(lambda *_: setattr(self, "create_dialog", None))
        self.create_dialog = dialog
        dialog.open()
        return dialog


def _editor_error(editor: ReportEditor) -> Exception:
    from gongkai_desktop.errors import InvalidInput

    return InvalidInput(_tr("报告内容未能保存：{why}").format(why=editor.save_error))
