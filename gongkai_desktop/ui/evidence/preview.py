"""The evidence viewer, shared by the unit's window and the supervising office's.

It steps through a measure's evidence (上一个 / 下一个, PageUp / PageDown):
pictures fitted or zoomed and rotated (a photo taken sideways; the EXIF
orientation is respected), PDFs with QtPdf, text files as text, a link as its
address. Any other type opens in the system's program only after the officer
confirms it. Each file is copied out of the workspace by a worker (the one
operation runner) into a private temporary folder removed when the app exits;
where it comes from (the unit's workspace or the office's imported bundles) is an
``EvidenceSource``.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QImage,
    QImageReader,
    QKeySequence,
    QPixmap,
    QShortcut,
    QTransform,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.evidence_kinds import KIND_NAMES, evidence_kind, media_label
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Progress, run_operation
from gongkai_desktop.ui.workspace.session import Session

_temp_root: Path | None = None

ZOOM_STEPS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
# A picture is decoded at most this big (its long side): a 13,000 px image sent as
# evidence costs ~100 MB, not 700 MB; the viewer says it is shown reduced.
MAX_DECODED_SIDE = 4096
TEXT_LIMIT = 1024 * 1024  # a text file shows its first MiB


def temp_folder() -> Path:
    """One private folder per run for files handed to viewers; removed at exit."""
    global _temp_root
    if _temp_root is None or not _temp_root.exists():
        _temp_root = Path(tempfile.mkdtemp(prefix="gongkai-view-"))
        atexit.register(shutil.rmtree, _temp_root, True)
    return _temp_root


def fresh_folder(*parts: str) -> Path:
    """An emptied sub-folder of the private one, so two files of one name never clash."""
    folder = temp_folder().joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # an earlier copy may be open in another program
        with contextlib.suppress(OSError):
            old.unlink()
    return folder


def export_for_viewing(session: Session, item: EvidenceItem) -> Path:
    """A copy of the unit's file for the system's program (the caller's thread)."""
    return session.ws.export_evidence(item.id, fresh_folder(str(item.id)))


def open_url(url: QUrl) -> bool:
    """The system's program for a file or address (tests replace this)."""
    return QDesktopServices.openUrl(url)


# ---- where the files come from ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One piece of evidence as the viewer needs it."""

    key: int  # the evidence id
    name: str  # file name, or a link's title or address
    kind: str  # evidence_kinds: "image", "pdf", …, "link"
    size: int | None
    url: str = ""
    available: bool = True  # False: the office received no content for it


class EvidenceSource:
    """Copies evidence files out of a workspace; ``fetch`` runs in a worker thread."""

    def __init__(self, path: Path, label: str,
                 export: Callable[[Workspace, int, Path], Path]) -> None:
        self.path = path
        self.label = label  # names the private sub-folder
        self._export = export

    def fetch(self, entry: Entry) -> Path:
        folder = fresh_folder(self.label, str(entry.key))
        with Workspace.open(self.path, readonly=True) as ws:
            return self._export(ws, entry.key, folder)


def unit_source(session: Session) -> EvidenceSource:
    """The unit's own evidence, from its workspace."""
    return EvidenceSource(session.path, "own",
                          lambda ws, key, folder: ws.export_evidence(key, folder))


def unit_entry(item: EvidenceItem) -> Entry:
    name = item.file_name if item.is_file else (item.title or item.url)
    return Entry(item.id, name, evidence_kind(item), item.size, item.url)


# ---- pages -----------------------------------------------------------------------------


class _ImagePage(QWidget):
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


class _TextPage(QWidget):
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


class _MessagePage(QWidget):
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


Page = _ImagePage | _PdfPage | _TextPage | _MessagePage


# ---- the viewer ------------------------------------------------------------------------


class EvidenceViewer(QDialog):
    """A non-modal viewer over ``entries`` (one measure's evidence), starting at ``index``.

    ``path`` is the first entry's file when it is already on disk (no copy needed).
    """

    def __init__(self, source: EvidenceSource, entries: Sequence[Entry], index: int = 0,
                 parent: QWidget | None = None, *, path: Path | None = None) -> None:
        super().__init__(parent)
        if not entries:
            raise InvalidInput("没有可以显示的佐证材料")
        self.source = source
        self.entries = list(entries)
        self.index = max(0, min(index, len(self.entries) - 1))
        self._given = (self.index, path) if path is not None else None  # used once
        self.path: Path | None = None
        self.page: Page = _MessagePage("")
        self._loading = False
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setSizeGripEnabled(True)
        self._build()
        manage_window(self, "evidence_preview", (900, 700))
        self.show_entry(self.index)

    # -- building --

    def _build(self) -> None:
        bar = QHBoxLayout()
        self.prev_button = QPushButton(self.tr("◀ 上一个"))
        self.prev_button.setToolTip(self.tr("上一个佐证材料（PageUp）"))
        self.prev_button.clicked.connect(lambda: self.show_entry(self.index - 1))
        self.next_button = QPushButton(self.tr("下一个 ▶"))
        self.next_button.setToolTip(self.tr("下一个佐证材料（PageDown）"))
        self.next_button.clicked.connect(lambda: self.show_entry(self.index + 1))
        self.position = QLabel()
        for widget in (self.prev_button, self.position, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        self.fit_button = QPushButton(self.tr("适合窗口"))
        self.fit_button.clicked.connect(self._fit)
        self.actual_button = QPushButton(self.tr("实际大小"))
        self.actual_button.clicked.connect(lambda: self._zoom_to(1.0))
        self.whole_button = QPushButton(self.tr("整页"))
        self.whole_button.clicked.connect(self._whole_page)
        self.zoom_out_button = QPushButton(self.tr("缩小"))
        self.zoom_out_button.clicked.connect(lambda: self._step(-1))
        self.zoom_in_button = QPushButton(self.tr("放大"))
        self.zoom_in_button.clicked.connect(lambda: self._step(1))
        self.rotate_left_button = QPushButton(self.tr("向左转"))
        self.rotate_left_button.setToolTip(self.tr("逆时针旋转 90°（横拍的照片）"))
        self.rotate_left_button.clicked.connect(lambda: self._rotate(-90))
        self.rotate_right_button = QPushButton(self.tr("向右转"))
        self.rotate_right_button.setToolTip(self.tr("顺时针旋转 90°"))
        self.rotate_right_button.clicked.connect(lambda: self._rotate(90))
        for widget in (self.fit_button, self.actual_button, self.whole_button,
                       self.zoom_out_button, self.zoom_in_button, self.rotate_left_button,
                       self.rotate_right_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        self.kind_label = QLabel()
        self.kind_label.setStyleSheet("color: #555;")
        self.info = QLabel()
        bar.addWidget(self.kind_label)
        bar.addSpacing(8)
        bar.addWidget(self.info)

        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(self.tr("用其他程序打开…"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self.open_externally)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        self.close_button = close

        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(buttons)

        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, lambda: self._step(1))
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self, lambda: self._step(-1))
        QShortcut(QKeySequence("Ctrl+0"), self, self._fit)
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self,
                  lambda: self.show_entry(self.index + 1))
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self.show_entry(self.index - 1))

    # -- navigation --

    @property
    def entry(self) -> Entry:
        return self.entries[self.index]

    @property
    def kind(self) -> str:
        return self.entry.kind

    def show_entry(self, index: int) -> None:
        """Show entry ``index`` (its file is copied out by a worker first)."""
        if not self.entries or not 0 <= index < len(self.entries) or self._loading:
            return
        self.index = index
        entry = self.entry
        self.setWindowTitle(self.tr("佐证材料 — {0}").format(entry.name))
        self.position.setText(f"{index + 1} / {len(self.entries)}")
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.entries) - 1)
        self.kind_label.setText(media_label(entry.kind))
        self.path = None
        if entry.kind == "link":
            page = _MessagePage(self.tr("网页链接：{0}").format(entry.url),
                                self.tr("在浏览器中打开…"))
            page.button.clicked.connect(self.open_externally)
            self._set_page(page)
            return
        if not entry.available:
            self._set_page(_MessagePage(self.tr(
                "“{0}”的文件内容没有随数据包提供（对方导出的是不含佐证文件的数据包）")
                .format(entry.name)))
            return
        if self._given is not None and self._given[0] == index:
            given, self._given = self._given[1], None
            self._loaded(given)
            return
        self._set_page(_MessagePage(self.tr("正在读取“{0}”…").format(entry.name)))
        self._loading = True
        source, wanted = self.source, entry

        def work(_progress: Progress) -> Path:
            return source.fetch(wanted)

        def failed(_error: BaseException) -> None:
            self._loading = False
            self._set_page(_MessagePage(self.tr("无法读取“{0}”").format(wanted.name)))

        def done(path: Path) -> None:
            self._loading = False
            if self.entry == wanted:
                self._loaded(path)

        run_operation(self, self.tr("正在读取佐证材料…"), work, on_success=done,
                      on_failure=failed, cancellable=False)

    def _loaded(self, path: Path) -> None:
        self.path = path
        kind = self.entry.kind
        try:
            page: Page
            if kind == "pdf":
                page = _PdfPage(path)
            elif kind == "image":
                page = _ImagePage(path)
            elif kind == "text":
                page = _TextPage(path)
            else:
                page = _MessagePage(
                    self.tr("“{0}”是{1}，不能在程序内显示。\n可以用电脑上的其他程序打开它。")
                    .format(self.entry.name, KIND_NAMES.get(kind, "文件")),
                    self.tr("用其他程序打开…"))
                page.button.clicked.connect(self.open_externally)
        except InvalidInput as exc:
            page = _MessagePage(str(exc))
        self._set_page(page)

    def _set_page(self, page: Page) -> None:
        old = self.page
        self.page = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        if old is not page:
            self.stack.removeWidget(old)
            old.deleteLater()
        is_image = isinstance(page, _ImagePage)
        is_pdf = isinstance(page, _PdfPage)
        self.fit_button.setText(self.tr("适合宽度") if is_pdf else self.tr("适合窗口"))
        for button in (self.fit_button, self.zoom_in_button, self.zoom_out_button):
            button.setVisible(is_image or is_pdf or isinstance(page, _TextPage))
        self.fit_button.setVisible(is_image or is_pdf)
        self.actual_button.setVisible(is_image)
        self.rotate_left_button.setVisible(is_image)
        self.rotate_right_button.setVisible(is_image)
        self.whole_button.setVisible(is_pdf)
        self.open_button.setEnabled(self.path is not None or self.entry.kind == "link")
        self._update_info()

    # -- page actions --

    def _fit(self) -> None:
        self.page.set_fit()
        self._update_info()

    def _whole_page(self) -> None:
        if isinstance(self.page, _PdfPage):
            self.page.set_whole_page()

    def _zoom_to(self, zoom: float) -> None:
        if isinstance(self.page, _ImagePage):
            self.page.set_zoom(zoom)
        self._update_info()

    def _step(self, direction: int) -> None:
        self.page.step(direction)
        self._update_info()

    def _rotate(self, degrees: int) -> None:
        if isinstance(self.page, _ImagePage):
            self.page.rotate(degrees)
            self._update_info()

    def _update_info(self) -> None:
        self.info.setText(self.page.describe())

    def open_externally(self) -> bool:
        """The file (or link) in the system's program, after the officer confirms."""
        entry = self.entry
        if entry.kind == "link":
            question = self.tr("在浏览器中打开以下地址？\n{0}").format(entry.url)
            target = QUrl(entry.url)
        elif self.path is not None:
            question = self.tr("用电脑上的其他程序打开“{0}”？\n"
                               "请确认文件来源可信：打开文件时，其他程序可能运行其中的内容。"
                               ).format(entry.name)
            target = QUrl.fromLocalFile(str(self.path))
        else:
            return False
        if not ask_open(self, question):
            return False
        return open_url(target)


def ask_open(parent: QWidget, question: str) -> bool:
    """The confirmation before another program runs a file (tests replace this)."""
    answer = QMessageBox.question(parent, parent.tr("打开"), question,
                                  QMessageBox.StandardButton.Open
                                  | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Open


def unit_viewer(session: Session, item: EvidenceItem,
                items: Sequence[EvidenceItem] = (), parent: QWidget | None = None, *,
                path: Path | None = None) -> EvidenceViewer:
    """The unit's own evidence: ``items`` (the measure's list; just ``item`` when empty)."""
    entries = [unit_entry(i) for i in (items or [item])]
    keys = [e.key for e in entries]
    return EvidenceViewer(unit_source(session), entries,
                          keys.index(item.id) if item.id in keys else 0, parent, path=path)


def show_viewer(dialog: EvidenceViewer) -> EvidenceViewer:
    """Show a viewer non-modally; it is deleted when closed."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
