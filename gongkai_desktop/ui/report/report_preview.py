"""The generated report inside the app: QtPdf pages, page navigation, zoom, and printing.

Printing needs no external PDF viewer: each page is rendered by QtPdf at the
printer's resolution (capped, see ``MAX_PRINT_DPI``), painted onto white (QtPdf
renders onto a transparent image) and drawn to fill the A4 sheet exactly, in
the page's own orientation (附件1 is landscape).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QSize, Qt, QUrl
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QShortcut,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import Cancelled, InvalidInput
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window

# Enough for crisp print of text and seal; a "high resolution" PDF printer reports 1200 dpi,
# whose A4 page would be a 550 MB image.
MAX_PRINT_DPI = 300
ZOOM_MIN, ZOOM_MAX = 0.25, 4.0


def _exec_print_dialog(parent: QWidget, printer: QPrinter) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(parent.tr("打印自查报告"))
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintCurrentPage, True)
    return dialog.exec() == QDialog.DialogCode.Accepted


# Swapped in tests: (parent, printer) -> True to print (the printer set up as chosen).
exec_print_dialog: Callable[[QWidget, QPrinter], bool] = _exec_print_dialog


def _open_url(url: QUrl) -> bool:
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(url)


open_url: Callable[[QUrl], bool] = _open_url


def load_document(path: Path, parent: QWidget | None = None) -> QPdfDocument:
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    error = document.load(str(path))
    if error != QPdfDocument.Error.None_:
        raise InvalidInput(f"无法打开报告文件“{path.name}”：文件已损坏或不是有效的PDF")
    return document


def page_is_landscape(document: QPdfDocument, page: int) -> bool:
    size = document.pagePointSize(page)
    return size.width() > size.height()


def render_on_white(document: QPdfDocument, page: int, size: QSize) -> QImage:
    """The page at ``size`` pixels on an opaque white background (QtPdf leaves it transparent)."""
    rendered = document.render(page, size)
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.drawImage(QPointF(0, 0), rendered)
    painter.end()
    return image


def print_pages(document: QPdfDocument, printer: QPrinter, pages: list[int],
                progress: Callable[[int, int], bool] | None = None) -> int:
    """Print ``pages`` (0-based) on A4, each filling its sheet; returns how many were printed."""
    if not pages:
        return 0
    printer.setFullPage(True)  # the PDF carries its own margins; the sheet is the page
    dpi = max(72, min(printer.resolution(), MAX_PRINT_DPI))
    painter = QPainter()
    printed = 0
    try:
        for n, page in enumerate(pages):
            if progress is not None and not progress(n, len(pages)):
                raise Cancelled("已取消打印")
            landscape = page_is_landscape(document, page)
            layout = QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Landscape if landscape
                else QPageLayout.Orientation.Portrait,
                QPageLayout().margins())
            if n == 0:
                printer.setPageLayout(layout)
                if not painter.begin(printer):
                    raise InvalidInput("无法开始打印：打印机不可用或输出文件无法写入")
            else:
                printer.setPageLayout(layout)  # takes effect on the next sheet
                printer.newPage()
            target: QRect = printer.pageLayout().fullRectPixels(printer.resolution())
            points = document.pagePointSize(page)
            pixels = QSize(max(1, round(points.width() / 72 * dpi)),
                           max(1, round(points.height() / 72 * dpi)))
            painter.drawImage(target, render_on_white(document, page, pixels))
            printed += 1
    finally:
        if painter.isActive():
            painter.end()
    if progress is not None:
        progress(len(pages), len(pages))
    return printed


def chosen_pages(printer: QPrinter, page_count: int, current: int) -> list[int]:
    """The 0-based pages the print dialog asked for."""
    mode = printer.printRange()
    if mode == QPrinter.PrintRange.CurrentPage:
        return [current]
    if mode == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(page_count, printer.toPage() or page_count)
        return list(range(first - 1, last))
    return list(range(page_count))


class ReportPreviewDialog(QDialog):
    """A window showing one report PDF; non-modal, deleted when closed (see ``show_report``)."""

    def __init__(self, path: Path, parent: QWidget | None = None, *, summary: str = "") -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setObjectName("reportPreview")
        self.setWindowTitle(self.tr("自查报告预览 — {name}").format(name=self.path.name))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setSizeGripEnabled(True)
        self.document = load_document(self.path, self)
        self.printed_pages = 0

        self.view = QPdfView(self)
        self.view.setObjectName("reportPdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #5b6068; }")
        self.navigator = self.view.pageNavigator()

        bar = QHBoxLayout()
        self.prev_button = QPushButton(self.tr("上一页"))
        self.prev_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button = QPushButton(self.tr("下一页"))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.page_spin = QSpinBox()
        self.page_spin.setRange(1, max(1, self.page_count()))
        self.page_spin.setAccessibleName(self.tr("页码"))
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.valueChanged.connect(lambda v: self.go_to(v - 1))
        self.page_total = QLabel(self.tr("/ {n} 页").format(n=self.page_count()))
        for widget in (self.prev_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(8)
        bar.addWidget(QLabel(self.tr("第")))
        bar.addWidget(self.page_spin)
        bar.addWidget(self.page_total)
        bar.addSpacing(16)
        self.zoom_out_button = QPushButton(self.tr("缩小"))
        self.zoom_out_button.clicked.connect(lambda: self.step_zoom(-1))
        self.zoom_in_button = QPushButton(self.tr("放大"))
        self.zoom_in_button.clicked.connect(lambda: self.step_zoom(1))
        self.fit_width_button = QPushButton(self.tr("适合宽度"))
        self.fit_width_button.clicked.connect(
            lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.whole_page_button = QPushButton(self.tr("整页"))
        self.whole_page_button.clicked.connect(
            lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        for widget in (self.zoom_out_button, self.zoom_in_button, self.fit_width_button,
                       self.whole_page_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.folder_button = QPushButton(self.tr("打开所在文件夹"))
        self.folder_button.clicked.connect(self.show_folder)
        bar.addWidget(self.folder_button)
        self.print_button = QPushButton(self.tr("打印…"))
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_report)
        bar.addWidget(self.print_button)

        self.info = QLabel(summary or self.tr("共 {n} 页").format(n=self.page_count()))
        self.info.setObjectName("reportPreviewInfo")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.info, 1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self.navigator.currentPageChanged.connect(self._on_page_changed)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, lambda: self.step_zoom(1))
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self,
                  lambda: self.step_zoom(-1))
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_report)
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self,
                  lambda: self.go_to(self.current_page() + 1))
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self,
                  lambda: self.go_to(self.current_page() - 1))
        self._on_page_changed(0)
        manage_window(self, "report_preview", (960, 820))

    # ---- pages and zoom -------------------------------------------------------------------

    def page_count(self) -> int:
        return int(self.document.pageCount())

    def current_page(self) -> int:
        return int(self.navigator.currentPage())

    def go_to(self, page: int) -> None:
        page = max(0, min(page, self.page_count() - 1))
        if page != self.current_page():
            self.navigator.jump(page, QPointF(), self.navigator.currentZoom())
        self._on_page_changed(page)

    def _on_page_changed(self, page: int) -> None:
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(page + 1)
        self.page_spin.blockSignals(False)
        self.prev_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < self.page_count() - 1)

    def step_zoom(self, direction: int) -> None:
        factor = self.view.zoomFactor() * (1.25 if direction > 0 else 0.8)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_MIN, min(factor, ZOOM_MAX)))

    def show_folder(self) -> None:
        open_url(QUrl.fromLocalFile(str(self.path.parent)))

    # ---- printing ---------------------------------------------------------------------------

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)
        printer.setDocName(self.path.stem)
        printer.setFromTo(1, self.page_count())
        return printer

    def print_report(self) -> int:
        """Ask for a printer (print dialog), then print; returns the pages printed."""
        printer = self.make_printer()
        if not exec_print_dialog(self, printer):
            return 0
        pages = chosen_pages(printer, self.page_count(), self.current_page())
        dialog = QProgressDialog(self.tr("正在打印…"), self.tr("取消"), 0, len(pages), self)
        dialog.setWindowTitle(self.tr("打印"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(500)

        def progress(done: int, total: int) -> bool:
            dialog.setValue(done)
            dialog.setLabelText(self.tr("正在打印第 {n} 页，共 {total} 页…").format(
                n=min(done + 1, total), total=total))
            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            self.printed_pages = print_pages(self.document, printer, pages, progress)
        except Exception as exc:
            show_error(self, exc, self.tr("没有打印"))
            return 0
        finally:
            dialog.close()
            dialog.deleteLater()
        return self.printed_pages


def show_report(path: Path, parent: QWidget | None = None, *, summary: str = ""
                ) -> ReportPreviewDialog:
    """Make and show a preview window (non-modal, deleted when closed)."""
    dialog = ReportPreviewDialog(path, parent, summary=summary)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
