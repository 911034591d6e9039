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

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.evidence_kinds import KIND_NAMES, evidence_kind, media_label
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Progress, run_operation
from gongkai_desktop.ui.evidence.viewer_pages import (
    ImagePage,
    MessagePage,
    Page,
    PdfPage,
    TextPage,
)
from gongkai_desktop.ui.workspace.session import Session

_temp_root: Path | None = None



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
        self.page: Page = MessagePage("")
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
            page = MessagePage(self.tr("网页链接：{0}").format(entry.url),
                                self.tr("在浏览器中打开…"))
            page.button.clicked.connect(self.open_externally)
            self._set_page(page)
            return
        if not entry.available:
            self._set_page(MessagePage(self.tr(
                "“{0}”的文件内容没有随数据包提供（对方导出的是不含佐证文件的数据包）")
                .format(entry.name)))
            return
        if self._given is not None and self._given[0] == index:
            given, self._given = self._given[1], None
            self._loaded(given)
            return
        self._set_page(MessagePage(self.tr("正在读取“{0}”…").format(entry.name)))
        self._loading = True
        source, wanted = self.source, entry

        def work(_progress: Progress) -> Path:
            return source.fetch(wanted)

        def failed(error: BaseException) -> None:
            self._loading = False
            self._set_page(MessagePage(self.tr("无法读取“{0}”").format(wanted.name)))
            show_error(self, error)

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
                page = PdfPage(path)
            elif kind == "image":
                page = ImagePage(path)
            elif kind == "text":
                page = TextPage(path)
            else:
                page = MessagePage(
                    self.tr("“{0}”是{1}，不能在程序内显示。\n可以用电脑上的其他程序打开它。")
                    .format(self.entry.name, KIND_NAMES.get(kind, "文件")),
                    self.tr("用其他程序打开…"))
                page.button.clicked.connect(self.open_externally)
        except InvalidInput as exc:
            page = MessagePage(str(exc))
        self._set_page(page)

    def _set_page(self, page: Page) -> None:
        old = self.page
        self.page = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        if old is not page:
            self.stack.removeWidget(old)
            old.deleteLater()
        is_image = isinstance(page, ImagePage)
        is_pdf = isinstance(page, PdfPage)
        self.fit_button.setText(self.tr("适合宽度") if is_pdf else self.tr("适合窗口"))
        for button in (self.fit_button, self.zoom_in_button, self.zoom_out_button):
            button.setVisible(is_image or is_pdf or isinstance(page, TextPage))
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
        if isinstance(self.page, PdfPage):
            self.page.set_whole_page()

    def _zoom_to(self, zoom: float) -> None:
        if isinstance(self.page, ImagePage):
            self.page.set_zoom(zoom)
        self._update_info()

    def _step(self, direction: int) -> None:
        self.page.step(direction)
        self._update_info()

    def _rotate(self, degrees: int) -> None:
        if isinstance(self.page, ImagePage):
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
        if not prompts.ask_open(self, question):
            return False
        return open_url(target)


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
