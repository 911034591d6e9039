"""The window's bundle actions: export (unit), import (office), receipts, trusted certificates.

- 导出数据包…: ``BundleExportDialog`` (size, shrinking photos, mail limit, splitting,
  file name, signing passphrase); the export runs in a worker thread.
- 导入数据包…: ``BundleImportDialog`` (many files or a folder, a preview per file, an
  explicit step to accept a changed key, a result row per file).
- 写回执… (office): pick an imported unit, write a signed ``.gkreceipt``.
- 导入回执… (unit): record the office's receipt (the office's key is accepted
  explicitly first: ``OfficeKeyDialog``); a permanent status-bar label and
  数据包记录… show which bundle was received, by whom, when.

Dialogs open window-modal with ``open()`` (never a blocking ``exec()``); file dialogs
and questions go through ``common.prompts``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QWidget,
)

from gongkai_desktop import file_kinds
from gongkai_desktop.ui.bundles.texts import status_text
from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.features import install_once
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation

if TYPE_CHECKING:  # the bundle core and the dialogs load on first use, not with the window
    from gongkai_desktop.bundle.export_history import ReceivedReceipt
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.bundles.bundle_export_dialog import (
        BundleExportDialog,
        ExportHistoryDialog,
    )
    from gongkai_desktop.ui.bundles.bundle_import_dialog import BundleImportDialog
    from gongkai_desktop.ui.bundles.office_key_dialog import OfficeKeyDialog
    from gongkai_desktop.ui.bundles.receipt_dialog import WriteReceiptDialog
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)

# ---- entry points -----------------------------------------------------------------------------


def install(window: MainWindow) -> BundleActions:
    """Add the bundle actions to ``window`` (once); the window keeps them as ``bundle_actions``."""
    return install_once(window, "bundle_actions", BundleActions)


class BundleActions(QObject):
    exported = Signal(object)  # ExportResult
    bundlesImported = Signal(list)  # ImportResult rows (consolidation views refresh)
    receiptImported = Signal(object)  # ReceivedReceipt

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.export_dialog: BundleExportDialog | None = None
        self.import_dialog: BundleImportDialog | None = None
        self.receipt_dialog: WriteReceiptDialog | None = None
        self.history_dialog: ExportHistoryDialog | None = None
        self.key_dialog: OfficeKeyDialog | None = None  # accepting the office's key
        self.receipts_waiting: list[Path] = []  # receipts that asked while key_dialog was open
        self.last_receipt: ReceivedReceipt | None = None

        self.export_action = QAction(self.tr("导出数据包(&B)…"), self)
        self.export_action.setStatusTip(self.tr(
            "把本单位的完成情况和佐证材料导出为签名的数据包（.gkbundle），通过邮件报送"))
        self.export_action.triggered.connect(self.export_bundle)
        self.import_action = QAction(self.tr("导入数据包(&M)…"), self)
        self.import_action.setStatusTip(self.tr("导入各单位报送的数据包：核验签名，预览更改后导入"))
        self.import_action.triggered.connect(lambda: self.open_import_dialog())
        self.write_receipt_action = QAction(self.tr("写回执(&T)…"), self)
        self.write_receipt_action.setStatusTip(self.tr("为已导入的数据包生成签名回执，发回报送单位"))
        self.write_receipt_action.triggered.connect(self.write_receipt)
        self.import_receipt_action = QAction(self.tr("导入回执(&U)…"), self)
        self.import_receipt_action.setStatusTip(self.tr("记录上级单位发回的回执（.gkreceipt）"))
        self.import_receipt_action.triggered.connect(self.import_receipt)
        self.history_action = QAction(self.tr("数据包记录(&H)…"), self)
        self.history_action.setStatusTip(self.tr("本工作区导出过的数据包，以及收到的回执"))
        self.history_action.triggered.connect(self.show_history)
        self.trust_action = QAction(self.tr("信任证书文件（.cer）…"), self)
        self.trust_action.setStatusTip(self.tr("预先信任报送单位单独发来的签名证书"))
        self.trust_action.triggered.connect(lambda: self.trust_certificate_file())

        window.add_actions_menu([self.export_action, self.import_receipt_action,
                                 self.history_action], separator=True)
        window.add_actions_menu([self.import_action, self.write_receipt_action,
                                 self.trust_action], separator=True)

        self.status_label = QLabel()
        self.status_label.setObjectName("bundleStatusLabel")
        self.status_label.setContentsMargins(6, 0, 6, 0)
        self.status_label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        window.statusBar().addPermanentWidget(self.status_label)
        window.sessionChanged.connect(self._session_changed)
        self._session_changed(window.session)

    # ---- session ------------------------------------------------------------------------------

    def _session_changed(self, session: Session | None) -> None:
        for dialog in (self.export_dialog, self.import_dialog, self.receipt_dialog,
                       self.history_dialog, self.key_dialog):
            if dialog is not None:
                dialog.close()
        self.export_dialog = self.import_dialog = None
        self.receipt_dialog = self.history_dialog = None
        self.key_dialog = None
        self.refresh_status()

    def refresh_status(self) -> None:
        """The unit's last export and receipt in the status bar (hidden when none)."""
        from gongkai_desktop.bundle.export_history import export_history

        session = self.window.session
        text = tip = ""
        self.last_receipt = None
        if session is not None:
            try:
                history = export_history(session.ws)
            except Exception as exc:  # a damaged table must not stop the window
                log.warning("export history unavailable: %s", exc)
                history = []
            text, tip = status_text(history)
            self.last_receipt = next((r.receipts[-1] for r in history if r.receipts), None)
        self.status_label.setText(text)
        self.status_label.setToolTip(tip)
        color = style.status_color("done") if self.last_receipt else style.MUTED_TEXT_COLOR
        self.status_label.setStyleSheet(f"color: {color.name()};")
        self.status_label.setVisible(bool(text))

    # ---- helpers ------------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        """Where bundles were last exported or imported (remembered across sessions)."""
        return prompts.start_folder(prompts.BUNDLE)

    @folder.setter
    def folder(self, path: Path) -> None:
        prompts.remember(prompts.BUNDLE, path)

    def start_folder(self, kind: str = prompts.BUNDLE) -> Path:
        """The last folder used for this kind of file; receipts and certificates start
        beside the bundles until they have their own."""
        bundles = prompts.start_folder(prompts.BUNDLE)
        return bundles if kind == prompts.BUNDLE else prompts.start_folder(kind, bundles)

    def _flush_typing(self) -> None:
        flush = getattr(self.window.panel, "flush", None)
        if callable(flush):
            flush()  # text still being typed goes into the bundle

    def ask_signing_passphrase(self, parent: QWidget, session: Session, purpose: str
                               ) -> str | None:
        """The passphrase, asked again until it unlocks the key; None when cancelled."""
        label = self.tr("请输入签名密码，以签署{what}：").format(what=purpose)
        return prompts.ask_signing_passphrase(parent, session.ws, label)

    def offer_identity(self, parent: QWidget, session: Session, then: Callable[[], Any]
                       ) -> bool:
        """True when the workspace can sign; otherwise offers to create a certificate."""
        from gongkai_desktop.signing.store import has_identity
        from gongkai_desktop.ui.report.signing_dialogs import CreateIdentityDialog

        if has_identity(session.ws):
            return True
        if prompts.ask_question(parent, self.tr("还没有签名证书"), self.tr(
                "回执和数据包都需要本单位的电子签名，本工作区还没有签名证书。\n\n"
                "现在生成本单位的签名证书吗？（也可以在“签名证书…”中导入机构颁发的证书）"),
                self.tr("生成证书…"), self.tr("取消")):
            dialog = CreateIdentityDialog(session, parent)
            dialog.accepted.connect(then)
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()
        return False

    # ---- export -------------------------------------------------------------------------------

    def export_bundle(self) -> Operation[Any] | None:
        """Estimate the sizes off the UI thread, then show the export dialog."""
        session = self.window.session
        if session is None:
            return None
        self._flush_typing()
        path = session.path

        def work(ws: Workspace, _progress: Progress) -> Any:
            from gongkai_desktop.bundle.export import estimate_export

            return estimate_export(ws)

        def done(estimate: Any) -> None:
            if self.window.session is session:
                self.show_export_dialog(estimate)

        return run_workspace_operation(self.window, self.tr("正在计算数据包大小…"), path, work,
                                       on_success=done, cancellable=False)

    def show_export_dialog(self, estimate: Any) -> BundleExportDialog | None:
        from gongkai_desktop.ui.bundles.bundle_export_dialog import BundleExportDialog

        session = self.window.session
        if session is None:
            return None
        dialog = BundleExportDialog(session, estimate, self, self.window)
        dialog.exported.connect(self._exported)
        self._open_kept("export_dialog", dialog)
        return dialog

    def _open_kept(self, name: str, dialog: QDialog) -> None:
        """Open ``dialog`` as ``self.<name>``, deleted once closed and forgotten at once
        (deleteLater comes later), so a closed dialog is never reused."""
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda *_: self._forget(name, dialog))
        dialog.destroyed.connect(lambda *_: self._forget(name, dialog))
        setattr(self, name, dialog)
        dialog.open()

    def _forget(self, name: str, dialog: object) -> None:
        if getattr(self, name, None) is dialog:
            setattr(self, name, None)

    def _exported(self, result: Any) -> None:
        self.folder = result.files[0].parent
        self.refresh_status()
        self.exported.emit(result)
        mb = 1024 * 1024
        files = "\n".join(f"{p.name}（{p.stat().st_size / mb:.1f} MB）"
                          for p in result.files if p.exists())
        head, *more = result.sentences()  # the command line's sentences
        text = head + "：\n" + files + "\n\n" + self.tr("保存位置：{folder}").format(
            folder=result.files[0].parent)
        for sentence in more:
            text += "\n\n" + sentence + "。"
        for warning in result.warnings:
            text += "\n\n" + self.tr("提示：") + warning
        show_info(self.window, self.tr("导出完成"), text)

    # ---- import -------------------------------------------------------------------------------

    def open_import_dialog(self, files: Sequence[Path] = ()) -> BundleImportDialog | None:
        from gongkai_desktop.ui.bundles.bundle_import_dialog import BundleImportDialog

        session = self.window.session
        if session is None:
            return None
        self._flush_typing()
        dialog = self.import_dialog
        if dialog is None or dialog.session is not session:
            dialog = BundleImportDialog(session, self, self.window)
            dialog.imported.connect(self._imported)
            self._open_kept("import_dialog", dialog)
        if files:
            dialog.add_files(list(files))
        return dialog

    def _imported(self, rows: list[Any]) -> None:
        self.bundlesImported.emit(rows)

    def trust_certificate_file(self, parent: QWidget | None = None) -> bool:
        """Choose a .cer, confirm its unit and fingerprint, and trust it."""
        from gongkai_desktop.bundle.certs import load_certificate_file
        from gongkai_desktop.bundle.trust import trust_certificate
        from gongkai_desktop.ui.workspace.commands import actor_of

        session = self.window.session
        if session is None:
            return False
        parent = parent or self.window
        name = prompts.open_file_name(parent, self.tr("信任证书文件"),
                                      str(self.start_folder(prompts.CERTIFICATE)),
                                      self.tr(prompts.CERT_FILTER))
        if not name:
            return False
        prompts.remember(prompts.CERTIFICATE, Path(name).parent)
        try:
            cert = load_certificate_file(Path(name))
            unit = self._unit_of_certificate(parent, cert)
            if unit is None:
                return False
            if not prompts.ask_question(parent, self.tr("信任证书"), self.tr(
                    "信任“{unit}”的这个证书吗？\n\n{summary}\n\n证书指纹（SHA-256）：\n{fp}\n\n"
                    "请与该单位盖章的纸质报告最后一页印有的证书指纹核对，或请对方电话念出。"
                    "信任后，该单位用此证书签名的数据包可以导入；"
                    "用其他证书签名的需要您确认。").format(
                        unit=unit.name, summary=cert.summary(), fp=cert.grouped_fingerprint),
                    self.tr("信任"), self.tr("取消")):
                return False
            trust_certificate(session.ws, cert, unit, actor=actor_of(session))
        except Exception as exc:
            show_error(parent, exc, self.tr("没有信任证书"))
            return False
        show_info(parent, self.tr("已信任证书"), self.tr(
            "已信任“{unit}”的证书：指纹 {fp}").format(unit=unit.name, fp=cert.grouped_fingerprint))
        return True

    def _unit_of_certificate(self, parent: QWidget, cert: Any) -> Any:
        from gongkai_desktop.bundle.trust import unit_for_certificate
        from gongkai_desktop.errors import NotFound

        directory = self.window.directory
        try:
            return unit_for_certificate(cert, directory)
        except NotFound:
            names = [u.name for u in directory.all()]
            chosen = prompts.choose_item(parent, self.tr("证书属于哪个单位"), self.tr(
                "证书中的单位“{unit}”不在单位名录中，请选择该证书所属的单位：").format(
                    unit=cert.unit or "（空）"), names)
            return directory.find(chosen) if chosen else None

    # ---- receipts -----------------------------------------------------------------------------

    def write_receipt(self) -> WriteReceiptDialog | None:
        from gongkai_desktop.ui.bundles.receipt_dialog import WriteReceiptDialog

        session = self.window.session
        if session is None:
            return None
        dialog = WriteReceiptDialog(session, self.window)
        if dialog.model.rowCount() == 0:
            dialog.deleteLater()
            show_info(self.window, self.tr("写回执"), self.tr(
                "本工作区还没有导入任何数据包。请先用“导入数据包…”导入报送单位的数据包。"))
            return None
        dialog.unitChosen.connect(self.write_receipt_for)
        self._open_kept("receipt_dialog", dialog)
        return dialog

    def write_receipt_for(self, unit_id: str, unit_name: str, sequence: int
                          ) -> Operation[Any] | None:
        """Ask where and for the passphrase, then write the signed receipt."""
        from gongkai_desktop.bundle.receipt import default_receipt_name

        session = self.window.session
        if session is None:
            return None
        if not self.offer_identity(self.window, session,
                                   lambda: self.write_receipt_for(unit_id, unit_name, sequence)):
            return None
        out = prompts.save_path_with_suffix(
            self.window, prompts.RECEIPT, self.tr("写回执"),
            self.start_folder(prompts.RECEIPT) / default_receipt_name(unit_name, sequence),
            self.tr(prompts.RECEIPT_FILTER), file_kinds.RECEIPT)
        if out is None:
            return None
        passphrase = self.ask_signing_passphrase(self.window, session, self.tr("回执"))
        if passphrase is None:
            return None
        path = session.path

        def work(ws: Workspace, _progress: Progress) -> Any:
            from gongkai_desktop.bundle.receipt import write_receipt
            from gongkai_desktop.signing.store import load_identity

            return write_receipt(ws, unit_id, load_identity(ws, passphrase), out)

        def done(receipt: Any) -> None:
            show_info(self.window, self.tr("已生成回执"), self.tr(
                "已为“{unit}”序号 {n} 的数据包生成回执：\n{path}\n\n"
                "请把该文件发回“{unit}”，对方用“导入回执…”导入。").format(
                    unit=receipt.unit.name, n=receipt.sequence, path=out))

        return run_workspace_operation(self.window, self.tr("正在生成回执…"), path, work,
                                       write=True, on_success=done,
                                       cancellable=False)

    def import_receipt(self) -> Operation[Any] | None:
        if self.window.session is None:
            return None
        name = prompts.open_file_name(self.window, self.tr("导入回执"),
                                      str(self.start_folder(prompts.RECEIPT)),
                                      self.tr(prompts.RECEIPT_FILTER))
        if not name:
            return None
        prompts.remember(prompts.RECEIPT, Path(name).parent)
        return self.import_receipt_file(Path(name))

    def import_receipt_file(self, file: Path, accept_key: str | None = None
                            ) -> Operation[Any] | None:
        """Import a receipt; a key not yet accepted first asks (``OfficeKeyDialog``)."""
        session = self.window.session
        if session is None:
            return None
        from gongkai_desktop.bundle.receipt import import_receipt
        from gongkai_desktop.ui.bundles.office_key_dialog import import_office_file

        def done(got: Any) -> None:
            if self.window.session is session:
                self.refresh_status()
                if self.history_dialog is not None:
                    self.history_dialog.refresh()
            self.receiptImported.emit(got)
            text = got.sentence()  # the command line's sentence
            if got.key_changed:
                from gongkai_desktop.bundle.office_key import KEY_CHANGED_NOTE

                text += "\n\n" + self.tr(KEY_CHANGED_NOTE) + "。"
            show_info(self.window, self.tr("已记录回执"), text)
            self._retry_waiting_receipts()

        return import_office_file(
            self.window, self.tr("正在核验回执…"), session, file, import_receipt,
            accept_key=accept_key, on_imported=done, on_question=self.ask_office_key,
            on_failure=self._receipt_failed)

    def _receipt_failed(self, error: BaseException) -> None:
        show_error(self.window, error)
        self._retry_waiting_receipts()

    def ask_office_key(self, question: Any, file: Path) -> OfficeKeyDialog:
        """Show the office's fingerprint; 接受 imports the receipt pinning that key."""
        from gongkai_desktop.ui.bundles.office_key_dialog import OfficeKeyDialog

        if self.key_dialog is not None and self.key_dialog.isVisible():
            self.receipts_waiting.append(file)  # asked again once this question is answered
            return self.key_dialog
        dialog = OfficeKeyDialog(question.check, self.window)
        dialog.keyAccepted.connect(lambda fingerprint: self.import_receipt_file(file, fingerprint))
        dialog.keyRefused.connect(self._office_key_refused)
        self._open_kept("key_dialog", dialog)
        return dialog

    def _office_key_refused(self) -> None:
        self.window.statusBar().showMessage(self.tr("回执未导入：未接受上级单位的证书"), 10000)
        self._retry_waiting_receipts()

    def _retry_waiting_receipts(self) -> None:
        files, self.receipts_waiting = self.receipts_waiting, []
        for file in files:
            self.import_receipt_file(file)

    def show_history(self) -> ExportHistoryDialog | None:
        from gongkai_desktop.ui.bundles.bundle_export_dialog import ExportHistoryDialog

        session = self.window.session
        if session is None:
            return None
        if self.history_dialog is not None:
            self.history_dialog.refresh()
            self.history_dialog.raise_()
            return self.history_dialog
        dialog = ExportHistoryDialog(session, self.window)
        self._open_kept("history_dialog", dialog)
        return dialog
