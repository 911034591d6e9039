"""Open every window of ``ui.windows.WINDOWS`` on a screen of a given size; report what fits.

Usage: python tests/fit_check.py WIDTH HEIGHT SCALE [--shots FOLDER] [NAME ...]

WIDTH×HEIGHT are logical pixels, SCALE the display scaling (1.5 = Windows' 150 %). Qt's
offscreen platform gets a JSON screen configuration (``-platform offscreen:configfile=``,
Qt ≥ 6.5), so the screen is real to Qt: ``QScreen.availableGeometry()`` returns it. Prints
one JSON line per window: its name, frame, the screen's available geometry and the
problems found (empty: it fits, and its buttons are on screen and visible). With
``--shots`` each window is also saved as FOLDER/NAME.png. Must run in its own process:
the platform is chosen when the QApplication is made. GONGKAI_DATA_DIR should point to a
fresh folder (saved window sizes are read from there).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def screen_config(width: int, height: int, scale: float) -> Path:
    """A screen of WIDTH×HEIGHT logical pixels at ``scale`` (1.5 = Windows' 150 %).

    Like Windows, the platform reports device pixels and a logical DPI of 96×scale; Qt
    derives the scale factor from it (the offscreen ``dpr`` is macOS-style, geometry
    already logical, so it stays 1).
    """
    config = {"synchronousWindowSystemEvents": False, "windowFrameMargins": True,
              "screens": [{"name": "office", "x": 0, "y": 0,
                           "width": round(width * scale), "height": round(height * scale),
                           "logicalDpi": round(96 * scale), "logicalBaseDpi": 96, "dpr": 1.0}]}
    fd, name = tempfile.mkstemp(suffix=".json", prefix="screen-")
    with os.fdopen(fd, "w") as f:
        json.dump(config, f)
    return Path(name)


def main() -> int:
    args = sys.argv[1:]
    shots: Path | None = None
    if "--shots" in args:
        at = args.index("--shots")
        shots = Path(args[at + 1])
        del args[at:at + 2]
        shots.mkdir(parents=True, exist_ok=True)
    width, height, scale = int(args[0]), int(args[1]), float(args[2])
    wanted = args[3:]
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen_config(width, height, scale)}"
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

    from PySide6.QtWidgets import QApplication

    from gongkai_desktop.ui.app import configure_application
    from gongkai_desktop.ui.common import errors as ui_errors
    from gongkai_desktop.ui.windows import WINDOWS
    from tests.ui_windows import FACTORIES, Scene

    app = QApplication([sys.argv[0]])
    configure_application(app)
    ui_errors.set_message_sink(lambda *_a: None)
    screen = app.primaryScreen()
    print(json.dumps({"screen": rect(screen.availableGeometry()),
                      "dpr": screen.devicePixelRatio(),
                      "size": rect(screen.geometry())}), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        scene = Scene(Path(folder))
        try:
            for name in wanted or list(WINDOWS):
                print(json.dumps(check(name, FACTORIES[name](scene), shots), ensure_ascii=False),
                      flush=True)
        finally:
            scene.close()
    return 0


def rect(r: object) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]  # type: ignore[attr-defined]


def settle() -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QThread

    for _ in range(5):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QThread.msleep(20)


def check(name: str, window: object, shots: Path | None) -> dict[str, object]:
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import (
        QAbstractButton,
        QDialog,
        QDialogButtonBox,
        QMainWindow,
        QMessageBox,
        QWidget,
    )

    from gongkai_desktop.ui.common import geometry

    assert isinstance(window, QWidget)
    window.show()
    settle()
    problems: list[str] = []
    avail = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if not avail.contains(frame):
        problems.append(f"window {rect(frame)} is not inside the screen {rect(avail)}")
    if not isinstance(window, QMessageBox) and geometry.window_name(window) != name:
        problems.append(f"does not use ui.geometry.manage(…, {name!r}, …)")

    def on_screen(widget: QWidget, what: str) -> None:
        if not widget.isVisible():
            problems.append(f"{what} is not visible")
            return
        top_left = widget.mapTo(window, QPoint(0, 0))
        inside = QRect(top_left, widget.size())
        if not window.rect().contains(inside):
            problems.append(f"{what} {rect(inside)} lies outside the window {rect(window.rect())}")
        if widget.visibleRegion().boundingRect() != widget.rect():
            problems.append(f"{what} is partly hidden (scrolled or covered)")
        global_rect = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        if not avail.contains(global_rect):
            problems.append(f"{what} {rect(global_rect)} is off the screen")

    buttons: list[str] = []
    if isinstance(window, QMainWindow):
        on_screen(window.menuBar(), "the menu bar")
        on_screen(window.statusBar(), "the status bar")
        buttons = ["menu bar", "status bar"]
    boxes = [b for b in window.findChildren(QDialogButtonBox) if b.window() is window
             and b.isVisibleTo(window)]
    for box in boxes:
        for button in box.buttons():
            if button.isVisibleTo(window):
                on_screen(button, f"button “{button.text()}”")
                buttons.append(button.text())
    if isinstance(window, QMessageBox):
        for button in window.buttons():
            on_screen(button, f"button “{button.text()}”")
            buttons.append(button.text())
    if isinstance(window, QDialog) and not boxes and not isinstance(window, QMessageBox):
        # dialogs without a button box: their own visible push buttons
        for button in window.findChildren(QAbstractButton):
            if button.isVisibleTo(window) and button.window() is window and \
                    button.metaObject().className() == "QPushButton":
                on_screen(button, f"button “{button.text()}”")
                buttons.append(button.text())
    if not buttons and not isinstance(window, QMainWindow):
        for button in window.findChildren(QAbstractButton):
            if button.isVisibleTo(window) and button.metaObject().className() == "QPushButton":
                on_screen(button, f"button “{button.text()}”")
                buttons.append(button.text())
    if not buttons:
        problems.append("no buttons found to check")
    shot = ""
    if shots is not None:
        path = shots / f"{name}.png"
        window.grab().save(str(path))
        shot = str(path)
    result = {"name": name, "class": type(window).__name__, "frame": rect(frame),
              "available": rect(avail), "buttons": buttons, "problems": problems, "shot": shot}
    if name != "main_window":
        window.close()
        window.deleteLater()
        settle()
    return result


if __name__ == "__main__":
    sys.exit(main())
