"""The viewer's pages, one per kind of evidence: a picture (fitted or zoomed, rotated,
decoded at a bounded size), a PDF (QtPdf), a text file (its first MiB), or a message
with a button (a link, or a type shown by another program)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import InvalidInput

ZOOM_STEPS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
# A picture is decoded at most this big (its long side): a 13,000 px image sent as
# evidence costs ~100 MB, not 700 MB; the viewer says it is shown reduced.
MAX_DECODED_SIDE = 4096
TEXT_LIMIT = 1024 * 1024  # a text file shows its first MiB


class ImagePage(QWidget):
    """A picture scaled to fit, or zoomed in steps, rotated in quarter turns."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image, self.reduced = read_image(path)
        self.rotation = 0
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

    def shown_image(self) -> QImage:
        if self.rotation == 0:
            return self.image
        return self.image.transformed(QTransform().rotate(self.rotation))

    def fit_factor(self) -> float:
        view = self.size() - QSize(16, 16)  # the scroll area fills this page
        shown = self.shown_image()
        if shown.width() == 0 or shown.height() == 0:
            return 1.0
        factor = min(view.width() / shown.width(), view.height() / shown.height())
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

    def rotate(self, degrees: int) -> None:
        self.rotation = (self.rotation + degrees) % 360
        self.refresh()

    def refresh(self) -> None:
        shown = self.shown_image()
        size = shown.size() * self.factor()
        pixmap = QPixmap.fromImage(shown.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.label.setPixmap(pixmap)
        if not self.fit:
            self.label.resize(pixmap.size().expandedTo(self.area.viewport().size()))

    def describe(self) -> str:
        shown = self.shown_image()
        text = f"{shown.width()} × {shown.height()} 像素"
        return text + "（已缩小显示）" if self.reduced else text

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit:
            self.refresh()


def read_image(path: Path) -> tuple[QImage, bool]:
    """The picture upright (EXIF), decoded at most MAX_DECODED_SIDE on its long side.

    The size comes from the header, so a huge image is decoded straight to the
    smaller size instead of being allocated whole first.
    """
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    reduced = False
    if size.isValid() and max(size.width(), size.height()) > MAX_DECODED_SIDE:
        reader.setScaledSize(size.scaled(MAX_DECODED_SIDE, MAX_DECODED_SIDE,
                                         Qt.AspectRatioMode.KeepAspectRatio))
        reduced = True
    image = reader.read()
    if image.isNull():
        raise InvalidInput(f"无法显示图片“{path.name}”：{reader.errorString()}")
    return image, reduced


class PdfPage(QWidget):
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

    def describe(self) -> str:
        return f"共 {self.page_count()} 页"


def read_text(path: Path, limit: int = TEXT_LIMIT) -> tuple[str, bool]:
    """The first ``limit`` bytes as text (UTF-8, else GB18030 as Chinese Windows writes it)."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    cut = len(data) > limit
    data = data[:limit]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), cut
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), cut


class TextPage(QWidget):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        text, self.cut = read_text(path)
        self.edit = QPlainTextEdit()
        self.edit.setReadOnly(True)
        self.edit.setPlainText(text)
        self.lines = self.edit.blockCount()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)

    def step(self, direction: int) -> None:
        self.edit.zoomIn(1) if direction > 0 else self.edit.zoomOut(1)

    def set_fit(self) -> None:
        pass

    def describe(self) -> str:
        return f"{self.lines} 行（只显示前 1 MB）" if self.cut else f"{self.lines} 行"


class MessagePage(QWidget):
    """Links, other file types, files not received, and errors: words and one button."""

    def __init__(self, text: str, button: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(button)
        self.button.setVisible(bool(button))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def step(self, direction: int) -> None:
        pass

    def set_fit(self) -> None:
        pass

    def describe(self) -> str:
        return ""


Page = ImagePage | PdfPage | TextPage | MessagePage
