"""Look at an image or a PDF of the evidence without leaving the app.

The file is exported from the workspace to a private temporary folder (removed
when the app exits), then shown: pictures scaled to fit the window (or zoomed),
PDFs with QtPdf, every page, fit to width.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QImageReader, QKeySequence, QPixmap, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.ui.evidence_model import display_name, kind_of
from gongkai_desktop.ui.geometry import manage_window
from gongkai_desktop.ui.session import Session

_temp_root: Path | None = None


def temp_folder() -> Path:
    """One private folder per run for files handed to viewers; removed at exit."""
    global _temp_root
    if _temp_root is None or not _temp_root.exists():
        _temp_root = Path(tempfile.mkdtemp(prefix="gongkai-view-"))
        atexit.register(shutil.rmtree, _temp_root, True)
    return _temp_root


def export_for_viewing(session: Session, item: EvidenceItem) -> Path:
    """A copy of the file in its own sub-folder, so two files of one name never clash."""
    folder = temp_folder() / str(item.id)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # an earlier copy may be open in another program
        with contextlib.suppress(OSError):
            old.unlink()
    return session.ws.export_evidence(item.id, folder)


def open_url(url: QUrl) -> bool:
    """The system's program for a file or address (tests replace this)."""
    return QDesktopServices.openUrl(url)


ZOOM_STEPS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)


class _ImagePage(QWidget):
    """A picture scaled to fit, or zoomed in steps; scrolls when bigger than the window."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        self.image: QImage = reader.read()
        if self.image.isNull():
            raise InvalidInput(f"无法显示图片“{path.name}”：{reader.errorString()}")
        self.fit = True
        self.zoom = 1.0
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.area = QScrollArea()
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.label)
        self.area.setWidgetResizable(True)
        self.area.setStyleSheet("QScrollArea { background: #3c3f44; border: none; }"
                                  " QLabel { background: #3c3f44; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area)

    def fit_factor(self) -> float:
        view = self.size() - QSize(16, 16)  # the scroll area fills this page
        if self.image.width() == 0 or self.image.height() == 0:
            return 1.0
        factor = min(view.width() / self.image.width(), view.height() / self.image.height())
        return max(0.01, min(factor, 1.0))  # small pictures are not blown up

    def factor(self) -> float:
        return self.fit_factor() if self.fit else self.zoom

    def set_fit(self) -> None:
        self.fit = True
        self.area.setWidgetResizable(True)
        self.refresh()

    def set_zoom(self, zoom: float) -> None:
        self.fit = False
        self.zoom = max(ZOOM_STEPS[0], min(zoom, ZOOM_STEPS[-1]))
        self.area.setWidgetResizable(False)
        self.refresh()

    def step(self, direction: int) -> None:
        current = self.factor()
        if direction > 0:
            bigger = [z for z in ZOOM_STEPS if z > current + 1e-6]
            self.set_zoom(bigger[0] if bigger else ZOOM_STEPS[-1])
        else:
            smaller = [z for z in ZOOM_STEPS if z < current - 1e-6]
            self.set_zoom(smaller[-1] if smaller else ZOOM_STEPS[0])

    def refresh(self) -> None:
        factor = self.factor()
        size = self.image.size() * factor
        pixmap = QPixmap.fromImage(self.image.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.label.setPixmap(pixmap)
        if not self.fit:
            self.label.resize(pixmap.size().expandedTo(self.area.viewport().size()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit:
            self.refresh()


class _PdfPage(QWidget):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        error = self.document.load(str(path))
        if error != QPdfDocument.Error.None_:
            messages = {
                QPdfDocument.Error.IncorrectPassword: "该 PDF 设有打开密码，无法在此预览",
                QPdfDocument.Error.UnsupportedSecurityScheme: "该 PDF 使用了不支持的加密方式",
                QPdfDocument.Error.InvalidFileFormat: "文件已损坏或不是有效的 PDF",
            }
            raise InvalidInput(f"无法预览“{path.name}”：{messages.get(error, '无法读取该文件')}")
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def page_count(self) -> int:
        return self.document.pageCount()

    def step(self, direction: int) -> None:
        factor = self.view.zoomFactor() * (1.25 if direction > 0 else 0.8)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.1, min(factor, 8.0)))

    def set_fit(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def set_whole_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)


class PreviewDialog(QDialog):
    """A non-modal window showing one image or PDF; ``show_preview`` makes and shows one."""

    def __init__(self, session: Session, item: EvidenceItem, parent: QWidget | None = None,
                 *, path: Path | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.kind = kind_of(item)
        self.path = path if path is not None else export_for_viewing(session, item)
        self.setWindowTitle(self.tr("预览 — {0}").format(display_name(item)))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setSizeGripEnabled(True)

        self.page: _ImagePage | _PdfPage
        if self.kind == "pdf":
            self.page = _PdfPage(self.path)
        elif self.kind == "image":
            self.page = _ImagePage(self.path)
        else:
            raise InvalidInput(self.tr("“{0}”不是图片或 PDF，无法在程序内预览，请用“打开”")
                               .format(display_name(item)))

        bar = QHBoxLayout()
        self.fit_button = QPushButton(self.tr("适合宽度") if self.kind == "pdf"
                                      else self.tr("适合窗口"))
        self.fit_button.clicked.connect(self._fit)
        bar.addWidget(self.fit_button)
        if isinstance(self.page, _PdfPage):
            whole = QPushButton(self.tr("整页"))
            whole.clicked.connect(self.page.set_whole_page)
            bar.addWidget(whole)
        else:
            actual = QPushButton(self.tr("实际大小"))
            actual.clicked.connect(lambda: self._zoom_to(1.0))
            bar.addWidget(actual)
        zoom_out = QPushButton(self.tr("缩小"))
        zoom_out.clicked.connect(lambda: self._step(-1))
        zoom_in = QPushButton(self.tr("放大"))
        zoom_in.clicked.connect(lambda: self._step(1))
        bar.addWidget(zoom_out)
        bar.addWidget(zoom_in)
        bar.addStretch(1)
        self.info = QLabel()
        bar.addWidget(self.info)

        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(self.tr("用其他程序打开"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self.open_externally)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.page)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(buttons)

        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, lambda: self._step(1))
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self, lambda: self._step(-1))
        QShortcut(QKeySequence("Ctrl+0"), self, self._fit)
        self._update_info()
        manage_window(self, "evidence_preview", (900, 700))

    def _fit(self) -> None:
        self.page.set_fit()
        self._update_info()

    def _zoom_to(self, zoom: float) -> None:
        if isinstance(self.page, _ImagePage):
            self.page.set_zoom(zoom)
        self._update_info()

    def _step(self, direction: int) -> None:
        self.page.step(direction)
        self._update_info()

    def _update_info(self) -> None:
        if isinstance(self.page, _PdfPage):
            self.info.setText(self.tr("共 {0} 页").format(self.page.page_count()))
        else:
            image = self.page.image
            self.info.setText(self.tr("{0} × {1} 像素").format(image.width(), image.height()))

    def open_externally(self) -> None:
        open_url(QUrl.fromLocalFile(str(self.path)))


def show_preview(session: Session, item: EvidenceItem, parent: QWidget | None = None
                 ) -> PreviewDialog:
    """Make and show a preview window (non-modal, deleted when closed)."""
    dialog = PreviewDialog(session, item, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
