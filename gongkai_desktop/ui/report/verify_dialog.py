"""验证报告: one dialog with the report, an optional certificate choice, and the result.

The PDF is checked as soon as it is chosen (off the UI thread, by the core function
the command line's `verify` uses), without a certificate: an unsigned or altered
file is reported at once and nothing more is asked. The certificate part is a
clear choice — 不核对证书 (compare the fingerprint by phone) or 核对证书 with the
sender's .cer (and a countersigner's) — and changing it checks again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QStringListModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.report.verify_text import ReportCheck, check_report_file, verdict
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Operation, Progress, run_operation

PASSED_COLOUR = "#1e7a3c"
FAILED_COLOUR = "#b3261e"


class VerifyReportDialog(QDialog):
    """Choose a report (and optionally certificates); the result shows below."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None,
                 on_checked: Callable[[ReportCheck], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("验证报告"))
        self.setSizeGripEnabled(True)
        self.folder = folder or Path.home()
        self.on_checked = on_checked
        self.pdf: Path | None = None
        self.check: ReportCheck | None = None
        self.busy = False

        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(self.tr("选择要验证的 PDF 报告"))
        browse = QPushButton(self.tr("选择报告…"))
        browse.clicked.connect(self.choose_pdf)
        self.browse_button = browse
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel(self.tr("报告文件：")))
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)

        self.no_cert = QRadioButton(
            self.tr("不核对证书（只检查签名后是否被修改；签名人请核对证书指纹）"))
        self.with_cert = QRadioButton(
            self.tr("核对证书：报送单位的证书文件（.cer），有会签时连同会签单位的"))
        self.no_cert.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.no_cert)
        group.addButton(self.with_cert)
        group.buttonToggled.connect(lambda _b, on: on and self._certs_changed())
        self.cert_model = QStringListModel(self)
        self.cert_view = QListView()
        self.cert_view.setModel(self.cert_model)
        self.cert_view.setMaximumHeight(72)
        self.cert_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.add_cert_button = QPushButton(self.tr("添加证书…"))
        self.add_cert_button.clicked.connect(self.choose_certs)
        self.remove_cert_button = QPushButton(self.tr("移除"))
        self.remove_cert_button.clicked.connect(self._remove_cert)
        cert_box = QGroupBox(self.tr("证书"))
        grid = QGridLayout(cert_box)
        grid.addWidget(self.no_cert, 0, 0, 1, 3)
        grid.addWidget(self.with_cert, 1, 0, 1, 3)
        grid.addWidget(self.cert_view, 2, 0, 2, 1)
        grid.addWidget(self.add_cert_button, 2, 1)
        grid.addWidget(self.remove_cert_button, 3, 1)
        grid.setColumnStretch(0, 1)

        self.verdict_label = QLabel()
        self.verdict_label.setWordWrap(True)
        self.result_text = QPlainTextEdit()
        self.result_text.setReadOnly(True)
        self.result_text.setPlaceholderText(self.tr("选择报告后，这里显示验证结果"))

        buttons = QDialogButtonBox()
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(cert_box)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.result_text, 1)
        layout.addWidget(buttons)
        manage_window(self, "verify_report", (760, 600))
        self._update_cert_controls()

    # -- choices --

    @property
    def certs(self) -> list[Path]:
        if not self.with_cert.isChecked():
            return []
        return [Path(p) for p in self.cert_model.stringList()]

    def choose_pdf(self) -> None:
        name = prompts.open_file_name(
            self, self.tr("选择要验证的报告"),
            str(prompts.start_folder(prompts.REPORT, self.folder)), self.tr(prompts.PDF_FILTER))
        if name:
            self.set_pdf(Path(name))

    def set_pdf(self, pdf: Path) -> Operation[ReportCheck] | None:
        self.pdf = pdf
        self.folder = pdf.parent
        prompts.remember(prompts.REPORT, pdf.parent)
        self.file_edit.setText(str(pdf))
        return self.verify()

    def choose_certs(self) -> None:
        names = prompts.open_file_names(
            self, self.tr("选择受信任的证书（.cer）"),
            prompts.suggested(prompts.CERTIFICATE, fallback=self.folder),
            self.tr(prompts.CERT_FILTER))
        if names:
            prompts.remember(prompts.CERTIFICATE, Path(names[0]).parent)
            self.add_certs([Path(n) for n in names])

    def add_certs(self, paths: Sequence[Path]) -> Operation[ReportCheck] | None:
        known = self.cert_model.stringList()
        self.cert_model.setStringList(known + [str(p) for p in paths if str(p) not in known])
        self.with_cert.setChecked(True)
        return self._certs_changed()

    def _remove_cert(self) -> None:
        index: QModelIndex = self.cert_view.currentIndex()
        if index.isValid():
            self.cert_model.removeRows(index.row(), 1)
            if not self.cert_model.stringList():
                self.no_cert.setChecked(True)
            self._certs_changed()

    def _certs_changed(self) -> Operation[ReportCheck] | None:
        self._update_cert_controls()
        return self.verify() if self.pdf is not None else None

    def _update_cert_controls(self) -> None:
        on = self.with_cert.isChecked()
        for widget in (self.cert_view, self.add_cert_button, self.remove_cert_button):
            widget.setEnabled(on or widget is self.add_cert_button)

    # -- checking --

    def verify(self) -> Operation[ReportCheck] | None:
        """Check the chosen report with the chosen certificates (worker thread)."""
        if self.pdf is None or self.busy:
            return None
        self.busy = True
        pdf, certs = self.pdf, self.certs
        self.verdict_label.setText(self.tr("正在验证…"))
        self.verdict_label.setStyleSheet("")
        self.result_text.clear()

        def work(_progress: Progress) -> ReportCheck:
            return check_report_file(pdf, certs)

        def failed(error: BaseException) -> None:
            self.busy = False
            self.verdict_label.setText(self.tr("无法验证该文件"))
            self.verdict_label.setStyleSheet(f"color: {FAILED_COLOUR}; font-weight: bold;")
            show_error(self, error)

        def done(check: ReportCheck) -> None:
            self.busy = False
            if (pdf, certs) != (self.pdf, self.certs):
                self.verify()  # the choice changed while this check ran: check again
                return
            self.show_check(check)

        return run_operation(self, self.tr("正在验证报告…"), work, on_success=done,
                             on_failure=failed, cancellable=False)

    def show_check(self, check: ReportCheck) -> None:
        self.check = check
        word = verdict(check.result)
        conclusion = next((line for line in reversed(check.lines) if line.startswith("结论：")),
                          "")
        self.verdict_label.setText(f"{word}　{conclusion}")
        colour = PASSED_COLOUR if check.passed else FAILED_COLOUR
        self.verdict_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.result_text.setPlainText("\n".join(check.lines))
        if self.on_checked is not None:
            self.on_checked(check)
