"""Status colours and icons, and the app icon — defined once, drawn with QPainter.

Icons are painted as vector shapes at every size Qt may ask for (16 … 256 px,
so 100 %–400 % scaling stay sharp); no image files, no fonts needed. Icons are
cached per status once a QGuiApplication exists.

Importing this module is cheap (the colours only): the window's first paint
needs them. The painting code, the plan model and Qt's ``Qt`` namespace (whose
enums take PySide ~17 ms to create) load with the first icon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

if TYPE_CHECKING:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QIcon, QPainter, QPainterPath

    from gongkai_desktop.model import Status

# Colours chosen to stay apart for red-green colour blindness too: the icons differ
# in shape (ring, half, check, dash) as well as colour. Keyed by Status value.
_STATUS_COLORS: dict[str, str] = {
    "not_started": "#8a9099",  # grey
    "in_progress": "#1f6fd1",  # blue
    "done": "#2e8b4e",  # green
    "not_applicable": "#b08a3e",  # muted ochre
}
OVERDUE_COLOR = QColor("#d4380d")
ACCENT_COLOR = QColor("#b7282e")  # 政务 red, used by the app icon and headings
MUTED_TEXT_COLOR = QColor("#5f6670")

ICON_SIZES = (16, 20, 24, 32, 40, 48, 64, 96, 128, 256)
# The status, overdue and flag badges show at 16 logical pixels (tree, combos, panel):
# up to 64 covers 400 % scaling.
BADGE_SIZES = ICON_SIZES[:7]
BADGE_LOGICAL = 16

_icon_cache: dict[str, QIcon] = {}
_badge_cache: dict[tuple[str, tuple[int, ...]], QIcon] = {}
_badge_sizes: tuple[int, ...] | None = None
_watching_screens = False


def status_color(status: Status | str) -> QColor:
    from gongkai_desktop.model import Status

    return QColor(_STATUS_COLORS[Status(status).value])


def status_icon(status: Status | str) -> QIcon:
    """A small round badge: ring (未开始), half (推进中), check (已完成), dash (不适用)."""
    from gongkai_desktop.model import Status

    return _badge(f"status:{Status(status).value}",
                  lambda p, s: _paint_status(p, s, Status(status)))


def overdue_icon() -> QIcon:
    """A red clock-like badge with an exclamation bar, for 逾期."""
    return _badge("overdue", _paint_overdue)


def flag_icon() -> QIcon:
    """A red warning triangle: a measure has input kept until it is corrected (待修正)."""
    return _badge("flag", _paint_flag)


def badge_sizes() -> tuple[int, ...]:
    """The pixel sizes badges are painted at: 16, and 16 × the scale of each screen,
    rounded up to a size of BADGE_SIZES (16 and 24 on a laptop at 150 % with a 100 %
    monitor). Painting all seven sizes was most of the badges' cost at start-up; a screen
    plugged in later makes the next badges include its size."""
    global _badge_sizes, _watching_screens
    if _badge_sizes is None:
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance()
        screens = QGuiApplication.screens() if app is not None else []
        ratios = [screen.devicePixelRatio() for screen in screens]
        wanted = {BADGE_LOGICAL}
        for ratio in ratios:
            physical = BADGE_LOGICAL * ratio - 0.01
            wanted.add(next((b for b in BADGE_SIZES if b >= physical), BADGE_SIZES[-1]))
        _badge_sizes = tuple(sorted(wanted))
        if app is not None and not _watching_screens:
            _watching_screens = True
            app.screenAdded.connect(_forget_badge_sizes)  # type: ignore[attr-defined]
    return _badge_sizes


def _forget_badge_sizes(*_screen: object) -> None:
    global _badge_sizes
    _badge_sizes = None


def _badge(key: str, paint: Callable[[QPainter, float], None]) -> QIcon:
    sizes = badge_sizes()
    icon = _badge_cache.get((key, sizes))
    if icon is None:
        icon = _badge_cache[key, sizes] = _build_icon(paint, sizes)
    return icon


def app_icon() -> QIcon:
    """A red document with a white check mark: the window and taskbar icon."""
    return cached_icon("app", _paint_app)


def cached_icon(key: str, paint: Callable[[QPainter, float], None],
                sizes: tuple[int, ...] = ICON_SIZES) -> QIcon:
    """The icon ``paint`` draws at each of ``sizes``, made once per ``key``."""
    icon = _icon_cache.get(key)
    if icon is None:
        icon = _build_icon(paint, sizes)
        _icon_cache[key] = icon
    return icon


def folded_page(page: QRectF, fold: float) -> tuple[QPainterPath, QPainterPath]:
    """A sheet with its top right corner folded over: the outline and the fold."""
    from PySide6.QtGui import QPainterPath

    path = QPainterPath()
    path.moveTo(page.left(), page.top())
    path.lineTo(page.right() - fold, page.top())
    path.lineTo(page.right(), page.top() + fold)
    path.lineTo(page.right(), page.bottom())
    path.lineTo(page.left(), page.bottom())
    path.closeSubpath()
    corner = QPainterPath()
    corner.moveTo(page.right() - fold, page.top())
    corner.lineTo(page.right() - fold, page.top() + fold)
    corner.lineTo(page.right(), page.top() + fold)
    corner.closeSubpath()
    return path, corner


def _build_icon(paint: Callable[[QPainter, float], None], sizes: tuple[int, ...]) -> QIcon:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QIcon, QPainter, QPixmap

    icon = QIcon()
    for size in sizes:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint(painter, float(size))
        finally:
            painter.end()
        icon.addPixmap(pixmap)
    return icon


def _paint_status(p: QPainter, size: float, status: Status) -> None:
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QPen

    from gongkai_desktop.model import Status

    color = status_color(status)
    # setBrush(colour), not setBrush(QBrush(colour)): PySide resolving QBrush's constructors
    # creates QGradient's and QImage's enums (~2 ms) before the plan tree's first paint.
    pen_width = max(1.25, size / 10)
    margin = size * 0.12 + pen_width / 2
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    p.setPen(QPen(color, pen_width))
    if status is Status.NOT_STARTED:
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(box)
    elif status is Status.IN_PROGRESS:
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(box)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawPie(box, 90 * 16, 180 * 16)  # left half filled
    elif status is Status.DONE:
        p.setBrush(color)
        p.drawEllipse(box)
        _check_mark(p, box, QColor("white"), pen_width * 1.1)
    else:  # NOT_APPLICABLE
        p.setBrush(color.lighter(165))
        p.drawEllipse(box)
        dash = QPen(color.darker(115), pen_width * 1.1)
        dash.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(dash)
        c = box.center()
        half = box.width() * 0.27
        p.drawLine(QPointF(c.x() - half, c.y()), QPointF(c.x() + half, c.y()))


def _check_mark(p: QPainter, box: QRectF, color: QColor, width: float) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPainterPath, QPen

    path = QPainterPath()
    w, h = box.width(), box.height()
    path.moveTo(box.left() + w * 0.26, box.top() + h * 0.52)
    path.lineTo(box.left() + w * 0.44, box.top() + h * 0.70)
    path.lineTo(box.left() + w * 0.75, box.top() + h * 0.33)
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)


def _paint_overdue(p: QPainter, size: float) -> None:
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QPen

    margin = size * 0.1
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(OVERDUE_COLOR)
    p.drawEllipse(box)
    c = box.center()
    pen = QPen(QColor("white"), max(1.5, size / 8))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.drawLine(QPointF(c.x(), box.top() + box.height() * 0.24),
               QPointF(c.x(), box.top() + box.height() * 0.56))
    p.drawPoint(QPointF(c.x(), box.top() + box.height() * 0.76))


def _paint_flag(p: QPainter, size: float) -> None:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QPen, QPolygonF

    m = size * 0.08
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#c0392b"))
    p.drawPolygon(QPolygonF([QPointF(size / 2, m), QPointF(size - m, size - m),
                             QPointF(m, size - m)]))
    pen = QPen(QColor("white"), max(1.5, size / 8))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.drawLine(QPointF(size / 2, size * 0.38), QPointF(size / 2, size * 0.64))
    p.drawPoint(QPointF(size / 2, size * 0.8))


def _paint_app(p: QPainter, size: float) -> None:
    # A page with a folded corner on a red rounded square, and a white check mark.
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QPen

    radius = size * 0.18
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ACCENT_COLOR)
    p.drawRoundedRect(QRectF(0, 0, size, size), radius, radius)
    page = QRectF(size * 0.24, size * 0.14, size * 0.52, size * 0.72)
    fold = size * 0.14
    path, corner = folded_page(page, fold)
    p.setBrush(QColor("#fff7f0"))
    p.drawPath(path)
    p.setBrush(QColor("#f0c8b8"))
    p.drawPath(corner)
    if size >= 24:  # text lines vanish into mush at tiny sizes
        p.setPen(QPen(QColor("#d9b3a3"), max(1.0, size / 28)))
        for i in range(3):
            y = page.top() + page.height() * (0.24 + 0.13 * i)
            p.drawLine(QPointF(page.left() + page.width() * 0.16, y),
                       QPointF(page.right() - page.width() * (0.34 if i == 0 else 0.16), y))
    check_box = QRectF(page.left() + page.width() * 0.05, page.top() + page.height() * 0.42,
                       page.width() * 0.9, page.height() * 0.55)
    _check_mark(p, check_box, QColor("#2e8b4e"), max(1.6, size / 11))
