"""The evidence of one measure as a list model: names, kinds, sizes, icons, thumbnails.

Image thumbnails are made off the UI thread: a worker opens its own read-only
``Workspace`` (SQLite connections stay in their thread), reads at most
``THUMBNAIL_MAX_BYTES`` of the image and decodes it straight to 96 px with
``QImageReader``. Results are cached by content hash, so the same picture is
decoded once per run whatever measure or workspace shows it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QBuffer,
    QByteArray,
    QIODevice,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QImage,
    QImageReader,
    QPainter,
    QPen,
    QPixmap,
)

from gongkai_desktop.evidence_kinds import KIND_NAMES, VIEWABLE, evidence_kind
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = 96
THUMBNAIL_MAX_BYTES = 40 * 1024 * 1024  # bigger pictures show the plain image icon
CACHE_LIMIT = 500

ItemRole = Qt.ItemDataRole.UserRole + 1  # the EvidenceItem
KindRole = Qt.ItemDataRole.UserRole + 2  # "pdf", "image", "word", … (see kind_of)

# kind → (label on the icon, colour); the Chinese names come from the core's KIND_NAMES
_ICONS: dict[str, tuple[str, str]] = {
    "image": ("IMG", "#7b4bb7"),
    "pdf": ("PDF", "#d0312d"),
    "word": ("DOC", "#2b5797"),
    "excel": ("XLS", "#1e7145"),
    "ppt": ("PPT", "#c8501e"),
    "ofd": ("OFD", "#b7282e"),
    "archive": ("ZIP", "#6d5d3f"),
    "text": ("TXT", "#5f6670"),
    "video": ("VID", "#37474f"),
    "other": ("", "#8a9099"),
    "link": ("", "#1f6fd1"),
}
KINDS: dict[str, tuple[str, str, str]] = {
    kind: (label, colour, KIND_NAMES[kind]) for kind, (label, colour) in _ICONS.items()}
PREVIEWABLE = VIEWABLE - {"link"}  # shown in the program's own viewer


def kind_of(item: EvidenceItem) -> str:
    return evidence_kind(item)


def display_name(item: EvidenceItem) -> str:
    if item.is_file:
        return item.file_name
    return item.title or item.url


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    if size < 1024 * 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / (1024 * 1024 * 1024):.2f} GB"


def describe(item: EvidenceItem) -> str:
    """One line: kind, size (or address), when it was added."""
    kind = KINDS[kind_of(item)][2]
    added = item.added_at.strftime("%Y-%m-%d %H:%M")
    if item.is_file:
        return f"{kind} · {human_size(item.size)} · {added} 添加"
    return f"{kind} · {item.url} · {added} 添加"


# ---- icons ------------------------------------------------------------------------

_KIND_ICON_SIZES = (16, 24, 32, 48, 64, 96, 128)


def kind_icon(kind: str) -> QIcon:
    """A page with a coloured band naming the type (or a globe-and-chain for links)."""
    def paint(painter: QPainter, size: float) -> None:
        if kind == "link":
            _paint_link(painter, size)
        else:
            _paint_page(painter, size, *KINDS.get(kind, KINDS["other"])[:2])

    return style.cached_icon(f"kind:{kind}", paint, _KIND_ICON_SIZES)


def _paint_page(p: QPainter, size: float, label: str, color_name: str) -> None:
    color = QColor(color_name)
    page = QRectF(size * 0.18, size * 0.06, size * 0.64, size * 0.88)
    fold = size * 0.18
    path, corner = style.folded_page(page, fold)
    p.setPen(QPen(QColor("#9aa1aa"), max(1.0, size / 48)))
    p.setBrush(QColor("white"))
    p.drawPath(path)
    p.setBrush(QColor("#dfe3e8"))
    p.drawPath(corner)
    if size >= 24:
        p.setPen(QPen(QColor("#c9ced6"), max(1.0, size / 40)))
        for i in range(3):
            y = page.top() + page.height() * (0.22 + 0.1 * i)
            p.drawLine(
                int(page.left() + page.width() * 0.15), int(y),
                int(page.right() - page.width() * (0.35 if i == 0 else 0.15)), int(y),
            )
    band = QRectF(page.left() - size * 0.06, page.top() + page.height() * 0.55,
                  page.width() + size * 0.06, page.height() * 0.3)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawRoundedRect(band, size * 0.04, size * 0.04)
    if label and size >= 24:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, int(band.height() * 0.62)))
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(band, Qt.AlignmentFlag.AlignCenter, label)


def _paint_link(p: QPainter, size: float) -> None:
    color = QColor(KINDS["link"][1])
    box = QRectF(size * 0.1, size * 0.1, size * 0.8, size * 0.8)
    p.setPen(QPen(color, max(1.2, size / 20)))
    p.setBrush(QColor("#eaf2fc"))
    p.drawEllipse(box)
    p.setBrush(Qt.BrushStyle.NoBrush)
    # meridian and parallels of a globe
    p.drawEllipse(QRectF(box.center().x() - box.width() * 0.2, box.top(),
                         box.width() * 0.4, box.height()))
    p.drawLine(int(box.left()), int(box.center().y()), int(box.right()), int(box.center().y()))
    if size >= 24:
        for frac in (0.27, 0.73):
            y = box.top() + box.height() * frac
            inset = box.width() * 0.07
            p.drawLine(int(box.left() + inset), int(y), int(box.right() - inset), int(y))


def _framed(image: QImage) -> QPixmap:
    """The thumbnail centred on a square canvas with a thin frame, like a photo print."""
    side = THUMBNAIL_SIZE
    canvas = QPixmap(side, side)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        w, h = image.width(), image.height()
        x, y = (side - w) // 2, (side - h) // 2
        painter.fillRect(x - 1, y - 1, w + 2, h + 2, QColor("#c9ced6"))
        painter.fillRect(x, y, w, h, QColor("white"))  # transparent PNGs show on white
        painter.drawImage(x, y, image)
    finally:
        painter.end()
    return canvas


# ---- thumbnails off the UI thread ----------------------------------------------------


def decode_thumbnail(data: bytes, size: int = THUMBNAIL_SIZE - 2) -> QImage:
    """Decode ``data`` scaled to fit ``size`` px; a null image when it is not a picture."""
    array = QByteArray(data)
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    try:
        reader = QImageReader(buffer)
        reader.setAutoTransform(True)  # phone photos carry their rotation in EXIF
        full = reader.size()
        if full.isValid() and full.width() > 0 and full.height() > 0:
            reader.setScaledSize(full.scaled(QSize(size, size),
                                             Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
    finally:
        buffer.close()
    if image.isNull():
        return image
    if image.width() > size or image.height() > size:  # formats that ignore setScaledSize
        image = image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


class _ThumbnailSignals(QObject):
    ready = Signal(str, QImage)  # sha256, image (null when it could not be decoded)


class _ThumbnailJob(QRunnable):
    def __init__(self, path: Path, blobs: list[tuple[str, int]], signals: _ThumbnailSignals):
        super().__init__()
        self.path = path
        self.blobs = blobs
        self.signals = signals

    def run(self) -> None:
        try:
            ws = Workspace.open(self.path, readonly=True)
        except Exception:
            log.exception("thumbnails: cannot open %s", self.path)
            for sha, _size in self.blobs:
                self.signals.ready.emit(sha, QImage())
            return
        try:
            for sha, _size in self.blobs:
                image = QImage()
                try:
                    image = decode_thumbnail(ws.read_blob(sha, THUMBNAIL_MAX_BYTES))
                except Exception:
                    log.info("no thumbnail for %s", sha, exc_info=True)
                self.signals.ready.emit(sha, image)
        finally:
            ws.close()


class _ThumbnailCache:
    """Content hash → framed thumbnail; None marks content that is no picture."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, QIcon | None] = OrderedDict()

    def get(self, sha: str) -> tuple[bool, QIcon | None]:
        if sha not in self._items:
            return False, None
        self._items.move_to_end(sha)
        return True, self._items[sha]

    def put(self, sha: str, icon: QIcon | None) -> None:
        self._items[sha] = icon
        self._items.move_to_end(sha)
        while len(self._items) > CACHE_LIMIT:
            self._items.popitem(last=False)


_thumbnails = _ThumbnailCache()


# ---- the model --------------------------------------------------------------------------


class EvidenceListModel(QAbstractListModel):
    """Evidence of the measure set with ``set_measure``; refreshes on ``evidenceChanged``."""

    thumbnailsIdle = Signal()  # no thumbnail is being made (tests wait on this)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.measure_id: str | None = None
        self._items: list[EvidenceItem] = []
        self._detailed = False
        self._pending: set[str] = set()
        self._queued: dict[str, int] = {}
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one reader is plenty; the UI keeps the other core
        self._signals = _ThumbnailSignals(self)
        self._signals.ready.connect(self._thumbnail_ready)
        self._batch_timer = QTimer(self)
        self._batch_timer.setSingleShot(True)
        self._batch_timer.setInterval(0)
        self._batch_timer.timeout.connect(self._start_batch)
        session.evidenceChanged.connect(self._on_evidence_changed)

    # -- content ---------------------------------------------------------------------

    def set_measure(self, measure_id: str | None) -> None:
        self.measure_id = measure_id
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._items = self.session.ws.evidence(self.measure_id) if self.measure_id else []
        self.endResetModel()

    def _on_evidence_changed(self, measure_id: str) -> None:
        if self.measure_id is not None and measure_id in (self.measure_id, ""):
            self.reload()

    def set_detailed(self, detailed: bool) -> None:
        """Two-line text (name, then kind · size · date) for the list mode."""
        if detailed != self._detailed:
            self._detailed = detailed
            if self._items:
                self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1),
                                      [Qt.ItemDataRole.DisplayRole])

    def items(self) -> list[EvidenceItem]:
        return list(self._items)

    def item(self, index: QModelIndex | QPersistentModelIndex) -> EvidenceItem | None:
        if index.isValid() and 0 <= index.row() < len(self._items):
            return self._items[index.row()]
        return None

    def row_of(self, evidence_id: int) -> int:
        for row, item in enumerate(self._items):
            if item.id == evidence_id:
                return row
        return -1

    # -- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index)
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            name = display_name(item)
            return f"{name}\n{describe(item)}" if self._detailed else name
        if role == Qt.ItemDataRole.DecorationRole:
            return self.icon_for(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [display_name(item), describe(item)]
            if item.title and item.is_file:
                lines.append(f"标题：{item.title}")
            if item.note:
                lines.append(f"说明：{item.note}")
            return "\n".join(lines)
        if role == ItemRole:
            return item
        if role == KindRole:
            return kind_of(item)
        return None

    # -- icons and thumbnails ---------------------------------------------------------------

    def icon_for(self, item: EvidenceItem) -> QIcon:
        kind = kind_of(item)
        if kind == "image" and item.sha256:
            known, icon = _thumbnails.get(item.sha256)
            if known and icon is not None:
                return icon
            if not known:
                self._request(item)
        return kind_icon(kind)

    def thumbnail(self, item: EvidenceItem) -> QIcon | None:
        """The finished thumbnail of an image item, or None (not yet made, or not a picture)."""
        if not item.sha256:
            return None
        return _thumbnails.get(item.sha256)[1]

    def thumbnails_pending(self) -> bool:
        return bool(self._pending)

    def _request(self, item: EvidenceItem) -> None:
        sha = item.sha256
        if sha is None or sha in self._pending:
            return
        if (item.size or 0) > THUMBNAIL_MAX_BYTES:
            _thumbnails.put(sha, None)
            return
        self._pending.add(sha)
        self._queued[sha] = item.size or 0
        self._batch_timer.start()  # collect every request of this paint into one job

    def _start_batch(self) -> None:
        if not self._queued:
            return
        blobs = list(self._queued.items())
        self._queued.clear()
        self._pool.start(_ThumbnailJob(self.session.path, blobs, self._signals))

    def _thumbnail_ready(self, sha: str, image: QImage) -> None:
        _thumbnails.put(sha, None if image.isNull() else QIcon(_framed(image)))
        self._pending.discard(sha)
        for row, item in enumerate(self._items):
            if item.sha256 == sha:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
        if not self._pending:
            self.thumbnailsIdle.emit()

    def load_thumbnails(self, items: Sequence[EvidenceItem] | None = None) -> None:
        """Ask for every image's thumbnail now (normally the view asks while painting)."""
        for item in items if items is not None else self._items:
            self.icon_for(item)

    def shutdown(self, msecs: int = 10_000) -> None:
        """Wait for the thumbnail worker (window closing, tests)."""
        self._batch_timer.stop()
        self._queued.clear()
        self._pool.waitForDone(msecs)
