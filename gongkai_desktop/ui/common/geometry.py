"""Every window and dialog fits the screen it opens on, and comes back where it was left.

Many office PCs have 1366×768 screens; a 1920×1080 laptop at 150 % gives 1280×720
logical pixels. Minus the taskbar that leaves about 1280×680 for a window *with* its
title bar. So a window's size comes from the available geometry of the screen its
parent is on, never from a fixed number; minimum sizes are capped to that space;
a size and position saved on a bigger (or now disconnected) monitor are pulled back
onto the current screen.

One call per window, at the end of its constructor::

    manage_window(self, "report_editor", (980, 820))

``manage_window`` names the window (``ui.windows`` lists every name), restores its saved
geometry or sizes it to fit, and saves the geometry when it is hidden.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QMargins,
    QObject,
    QPoint,
    QRect,
    QSize,
    QTimer,
)
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QMessageBox, QWidget

from gongkai_desktop.ui.common.settings import AppSettings, window_geometry

NAME_PROPERTY = "gongkaiWindow"
# A Windows 10 frame before the window is shown (title bar and borders, logical pixels);
# once shown, the real frame is used.
FRAME = QMargins(8, 31, 8, 8)


def screen_of(widget: QWidget) -> QScreen:
    """The screen the window's parent is on (a dialog opens over it), else its own."""
    parent = widget.parentWidget()
    for candidate in (parent.window() if parent is not None else None, widget):
        if candidate is not None:
            screen = candidate.screen()
            if screen is not None:
                return screen
    screen = QGuiApplication.primaryScreen()
    assert screen is not None, "no screen"
    return screen


def available(widget: QWidget) -> QRect:
    """Where the window may be, title bar included (the screen minus the taskbar)."""
    return screen_of(widget).availableGeometry()


def frame_margins(widget: QWidget) -> QMargins:
    if widget.isVisible():
        outer, inner = widget.frameGeometry(), widget.geometry()
        real = QMargins(inner.left() - outer.left(), inner.top() - outer.top(),
                        outer.right() - inner.right(), outer.bottom() - inner.bottom())
        if real.top() > 0 or real.left() > 0:
            return real
    return FRAME


def usable_size(widget: QWidget) -> QSize:
    """The largest client area that fits the screen with the window frame around it."""
    room = available(widget).marginsRemoved(frame_margins(widget))
    return QSize(max(room.width(), 200), max(room.height(), 150))


def fitted(widget: QWidget, preferred: QSize) -> QSize:
    """``preferred`` shrunk to the usable area (not below what the layout needs, if that fits)."""
    room = usable_size(widget)
    need = widget.minimumSizeHint().boundedTo(room)
    return preferred.boundedTo(room).expandedTo(need)


def cap_minimum(widget: QWidget) -> None:
    """No minimum size larger than the screen (a fixed minimum would push buttons off it)."""
    room = usable_size(widget)
    minimum = widget.minimumSize()
    if minimum.width() > room.width() or minimum.height() > room.height():
        widget.setMinimumSize(minimum.boundedTo(room))


def clamp(widget: QWidget, *, placed: bool = False) -> None:
    """Shrink and move the window so that it lies inside the screen, frame included.

    A window not shown yet is only moved when ``placed`` (restored to a saved spot);
    otherwise Qt places it on show (a dialog centred over its parent, on the screen).
    """
    if widget.isMaximized() or widget.isFullScreen():
        return
    area = available(widget)
    margins = frame_margins(widget)
    room = area.marginsRemoved(margins)
    size = widget.size().boundedTo(QSize(max(room.width(), 1), max(room.height(), 1)))
    if size != widget.size():
        widget.resize(size)
    if widget.isVisible():
        frame = widget.frameGeometry()
    elif placed:
        frame = widget.geometry().marginsAdded(margins)
    else:
        return
    frame.setSize(QSize(size.width() + margins.left() + margins.right(),
                        size.height() + margins.top() + margins.bottom()))
    x = min(max(frame.left(), area.left()), area.right() + 1 - frame.width())
    y = min(max(frame.top(), area.top()), area.bottom() + 1 - frame.height())
    if (x, y) != (frame.left(), frame.top()):
        widget.move(QPoint(max(x, area.left()), max(y, area.top())))


def fits(widget: QWidget) -> bool:
    """True when the shown window, frame included, lies inside its screen's free area."""
    return available(widget).contains(widget.frameGeometry())


class _Keeper(QObject):
    """Saves the window's geometry when it hides; re-clamps once the real frame is known."""

    def __init__(self, widget: QWidget, name: str, settings: AppSettings | None) -> None:
        super().__init__(widget)
        self._widget = widget
        self._name = name
        self._settings = settings
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._widget:
            if kind == QEvent.Type.Show:
                QTimer.singleShot(0, self, self._after_show)
            elif kind == QEvent.Type.Hide:
                save(self._widget, self._name, self._settings)
        return False

    def _after_show(self) -> None:
        clamp(self._widget)


def restore(widget: QWidget, name: str, settings: AppSettings | None = None) -> bool:
    """Put the window where it was last left (pulled onto the current screen)."""
    saved = (settings or AppSettings()).get(window_geometry(name))
    if saved.isEmpty() or not widget.restoreGeometry(saved):
        return False
    clamp(widget, placed=True)
    return True


def save(widget: QWidget, name: str, settings: AppSettings | None = None) -> None:
    store = settings or AppSettings()
    store.set(window_geometry(name), QByteArray(widget.saveGeometry()))
    store.sync()


def manage_window(widget: QWidget, name: str, preferred: tuple[int, int] | QSize | None = None, *,
           settings: AppSettings | None = None, remember: bool = True) -> None:
    """Name ``widget``, size it to fit its screen (or restore it) and remember it on hide.

    Call at the end of the constructor, once the layout is built; ``preferred`` is the
    size on a big screen (default: what the layout asks for).
    """
    widget.setProperty(NAME_PROPERTY, name)
    if preferred is None:
        preferred = widget.sizeHint()
    elif isinstance(preferred, tuple):
        preferred = QSize(*preferred)
    cap_minimum(widget)
    if not (remember and restore(widget, name, settings)):
        widget.resize(fitted(widget, preferred))
        clamp(widget)
    if remember:
        _Keeper(widget, name, settings)
    else:
        widget.installEventFilter(_Clamper(widget))


class _Clamper(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Show:
            QTimer.singleShot(0, self, lambda: clamp(self._widget))
        return False


# QMessageBox picks its own width on show (its label ends up about this wide, logical px)
# and its height follows the text: measured here before it shows.
MESSAGE_LABEL_WIDTH = 320
MESSAGE_CHROME = 130  # icon row spacing, the button row, margins


def fit_message_box(box: QMessageBox) -> None:
    """A box too tall for the screen keeps the lines that fit; the whole text goes into
    its 显示详情 part (scrollable), so 确定 stays on the screen."""
    from PySide6.QtCore import Qt

    room = usable_size(box).height() - MESSAGE_CHROME
    metrics = box.fontMetrics()

    def height(text: str) -> int:
        bounds = QRect(0, 0, MESSAGE_LABEL_WIDTH, 1_000_000)
        return metrics.boundingRect(bounds, Qt.TextFlag.TextWordWrap, text).height()

    text = box.text()
    if height(text) <= room:
        return
    lines = text.splitlines()
    more = "……（其余内容请点“显示详情”查看）"
    keep = len(lines)
    while keep > 1 and height("\n".join([*lines[:keep], more])) > room:
        keep -= 1
    box.setText("\n".join([*lines[:keep], more]))
    box.setDetailedText(text)


def window_name(widget: QWidget) -> str | None:
    """The name ``manage_window`` gave the window (None: it does not use this module)."""
    value = widget.property(NAME_PROPERTY)
    return value if isinstance(value, str) else None
