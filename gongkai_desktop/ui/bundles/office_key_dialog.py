"""Accept the supervising office's key: the question asked before a receipt's key is pinned.

Shows the office, the signer and the fingerprint (and the one accepted before, when the
key changed) and says where to compare it. The rule is the core's
(``bundle.receipt.import_receipt``); this dialog only hands back the fingerprint the
user accepted, through ``keyAccepted`` (anything else: ``keyRefused``). 拒绝 is the
default button.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation

if TYPE_CHECKING:
    from gongkai_desktop.bundle.office_key import OfficeKeyCheck, OfficeKeyNotAccepted
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.session import Session


def _two_rows(grouped: str) -> str:
    """16 groups as two rows of 8: easier to read out and compare than a wrapped line."""
    groups = grouped.split()
    return " ".join(groups[:8]) + "\n" + " ".join(groups[8:])


class OfficeKeyDialog(QMessageBox):
    keyAccepted = Signal(str)  # the receipt certificate's fingerprint
    keyRefused = Signal()  # 拒绝, Esc or closed: the receipt is not imported

    def __init__(self, check: OfficeKeyCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = check
        changed = check.pinned is not None
        self.setObjectName("officeKeyDialog")
        self.setIcon(QMessageBox.Icon.Warning if changed else QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("上级单位更换了签名证书") if changed
                            else self.tr("确认上级单位的签名证书"))
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(self._text())
        self.setInformativeText(self.tr(
            "请打电话给上级单位，请对方念出其证书指纹；或与其来函上印的指纹逐组比对。"
            "一致才点“接受”。不一致或无法核实，请点“拒绝”，回执不会导入。"))
        self.accept_button = self.addButton(self.tr("接受"), QMessageBox.ButtonRole.AcceptRole)
        self.reject_button = self.addButton(self.tr("拒绝"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.reject_button)  # the safe answer
        self.setEscapeButton(self.reject_button)
        self.accepted_key = False
        self.buttonClicked.connect(self._clicked)
        self.finished.connect(self._finished)

    def _text(self) -> str:
        c = self.check
        lines = [self.tr("上级单位：{office}").format(office=c.office.name),
                 self.tr("签名人：{signer}").format(signer=c.signer),
                 self.tr("证书：{summary}").format(summary=c.cert.summary()), "",
                 self.tr("此回执的证书指纹（SHA-256）："), _two_rows(c.cert.grouped_fingerprint)]
        if c.pinned is not None:
            lines[:0] = [self.tr("此回执不是用此前确认的上级单位证书签名的。"), ""]
            lines += ["", self.tr("此前确认的“{office}”证书指纹：").format(
                office=c.pinned.office_name), _two_rows(c.pinned.cert.grouped_fingerprint)]
        elif c.seen_before:
            lines += ["", self.tr("（与此前导入的回执所用证书相同）")]
        return "\n".join(lines)

    def _clicked(self, button: QAbstractButton) -> None:
        if button is self.accept_button and not self.accepted_key:
            self.accepted_key = True
            self.keyAccepted.emit(self.check.cert.fingerprint)

    def _finished(self, _result: int) -> None:
        if not self.accepted_key:
            self.keyRefused.emit()


def import_office_file(window: MainWindow, label: str, session: Session, file: Path,
                       importer: Callable[..., Any], *, accept_key: str | None,
                       on_imported: Callable[[Any], None],
                       on_question: Callable[[OfficeKeyNotAccepted, Path], object],
                       on_failure: Callable[[BaseException], None] | None = None
                       ) -> Operation[Any]:
    """Run ``importer(ws, file, accept_key=, actor=)`` for a file the office signed (a receipt,
    a review) off the UI thread. A key not accepted yet is not a failure: ``on_question``
    gets it with the file, to show this dialog, unless another workspace is open by then;
    anything imported goes to ``on_imported``."""
    from gongkai_desktop.bundle.office_key import OfficeKeyNotAccepted
    from gongkai_desktop.ui.workspace.commands import actor_of

    workspace, actor = session.path, actor_of(session)


    def work(ws: Workspace, _progress: Progress) -> Any:
        try:
            return importer(ws, file, accept_key=accept_key, actor=actor)
        except OfficeKeyNotAccepted as question:
            return question

    def done(got: Any) -> None:
        if isinstance(got, OfficeKeyNotAccepted):
            if window.session is session:
                on_question(got, file)
        else:
            on_imported(got)

    return run_workspace_operation(window, label, workspace, work,
                                   write=True, on_success=done, on_failure=on_failure,
                                   cancellable=False)
