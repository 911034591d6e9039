"""Start the window: Qt application set-up, fonts, translations, logging, first workspace.

``run(argv)`` takes the arguments after the program name; Qt's own options
(``-platform offscreen`` …) are accepted and removed by Qt. The first remaining
argument, if any, is a workspace file to open (how a file association calls us).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLocale,
    QObject,
    QTimer,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow

from gongkai_desktop import APP_NAME, __version__, file_kinds, paths
from gongkai_desktop.logfile import LOG_FILE, file_handler, quiet_libraries
from gongkai_desktop.qt_args import file_arguments
from gongkai_desktop.ui.common import errors as ui_errors
from gongkai_desktop.ui.common import style

if TYPE_CHECKING:
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)

ORGANIZATION = "gongkai"
REPORT_SHOWN_ENV = "GONGKAI_REPORT_SHOWN"
SHOWN_MARK = "GONGKAI_WINDOW_SHOWN"  # the window's first paint
READY_MARK = "GONGKAI_WINDOW_READY"  # the plan tree's first paint, workspace open
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")
# The UI font: a system YaHei on Windows looks native; the bundled WenQuanYi Micro Hei
# covers every machine without Chinese fonts (missing glyphs fall through the list).
UI_FONT_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "WenQuanYi Micro Hei",
                    "Noto Sans CJK SC", "Source Han Sans SC")
BUNDLED_UI_FAMILY = "WenQuanYi Micro Hei"
# The one file the window needs before its first paint; the rest (the report's 楷体,
# 15 MB) is registered right after it.
UI_FONT_FILES = ("wqy-microhei.ttc",)
# Files the program may be started with that are not workspaces (a file association).

# Windows: held while the window runs; the installer and uninstaller look for it and ask
# the officer to close the program before they replace or remove its files.
RUNNING_MUTEX = "Local\\gongkai-desktop-running"
_running_mutex: list[object] = []

_configured: set[int] = set()
_registered_fonts: set[str] = set()


# ---- application set-up (also used by the tests) --------------------------------------


def register_fonts(names: tuple[str, ...] | None = None) -> list[str]:
    """Register bundled fonts (all, or the files ``names``); returns their family names."""
    families: list[str] = []
    folder = paths.resource_file("fonts")
    if not folder.is_dir():
        log.warning("font folder missing: %s", folder)
        return families
    for font in sorted(folder.iterdir()):
        if font.suffix.lower() not in FONT_SUFFIXES or font.name in _registered_fonts:
            continue
        if names is not None and font.name not in names:
            continue
        font_id = QFontDatabase.addApplicationFont(str(font))
        if font_id < 0:
            log.warning("could not load font %s", font)
            continue
        _registered_fonts.add(font.name)
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def ui_font(available: list[str] | None = None) -> QFont:
    """The application font: the first installed family of UI_FONT_FAMILIES, in order."""
    known = set(available if available is not None else QFontDatabase.families())
    chosen = [f for f in UI_FONT_FAMILIES if f in known]
    font = QFont(QGuiApplication.font())
    if chosen:
        font.setFamilies(chosen)
    # The bundled font's Chinese glyphs carry no hints, so FreeType's default light
    # autohinting first analyses every outline: the first frame's ~500 glyphs took 23 ms
    # to rasterise against 6.5 ms with the font's own (TrueType) hinting, which looks the
    # same. Not for a system YaHei: Windows would switch font engine.
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting
                              if chosen[:1] == [BUNDLED_UI_FAMILY]
                              else QFont.HintingPreference.PreferDefaultHinting)
    if font.pointSizeF() < 9:
        font.setPointSizeF(9)
    return font


def install_translations(app: QCoreApplication) -> list[str]:
    """Qt's own zh_CN strings (file and print dialogs, buttons, context menus), with the
    mnemonic labels the catalogue lacks; returns the files loaded."""
    from gongkai_desktop.ui.common import qt_translations

    return qt_translations.install(app)


def configure_application(app: QApplication, *, all_fonts: bool = True,
                          icon: bool = True) -> None:
    """Names, icon, fonts, translations, locale; idempotent per application object.

    Start-up passes ``all_fonts=False, icon=False`` (only the UI font, no icon yet)
    and calls ``complete_configuration()`` right after the window's first paint.
    """
    if id(app) in _configured:
        return
    _configured.add(id(app))
    app.setApplicationName(APP_NAME)
    # No applicationDisplayName: X11 and Windows would append it to every window title.
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORGANIZATION)
    if icon:
        app.setWindowIcon(style.app_icon())
    # By name: equal to QLocale(Chinese, China), without PySide creating its two largest
    # enums (Language, Country: ~4 ms) before the window shows.
    QLocale.setDefault(QLocale("zh_CN"))
    families = register_fonts(None if all_fonts else UI_FONT_FILES)
    app.setFont(ui_font())
    install_translations(app)
    log.info("fonts registered: %s; UI font: %s", families, app.font().families())


def complete_configuration(app: QApplication) -> None:
    """What start-up leaves for after the first paint: the other fonts, the app icon.

    The icon is painted with QPainter, which needs Qt's ``Qt`` namespace (~17 ms
    for PySide to create); the main window sets its own icon in ensure_built().
    """
    register_fonts()
    if app.windowIcon().isNull():
        app.setWindowIcon(style.app_icon())


def setup_logging() -> Path:
    """A rotating log file in the user data folder; errors name it to the user."""
    folder = paths.user_data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    handler = file_handler(path)
    quiet_libraries()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Font subsetting (reports, stamps) logs every table it touches at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    ui_errors.log_file_path = lambda: str(path)
    qInstallMessageHandler(_qt_message)
    return path


def _qt_message(mode: object, context: object, message: str) -> None:
    logging.getLogger("qt").info("%s", message)


# ---- "main window shown" report for the start-up benchmark ------------------------------


def process_start_ms() -> float:
    """Milliseconds since this process started (Linux /proc), else since this call."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        start = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return (uptime - start) * 1000
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


class FirstPaint(QObject):
    """Calls ``callback`` once, at the first paint of ``target`` (after it returns)."""

    def __init__(self, target: QObject, callback: Callable[[], None]) -> None:
        super().__init__(target)
        self._callback: Callable[[], None] | None = callback
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._callback is not None and event.type() == QEvent.Type.Paint:
            callback, self._callback = self._callback, None
            QTimer.singleShot(0, callback)  # after this paint has reached the screen
            watched.removeEventFilter(self)  # done: no Python call for every later event
            self.deleteLater()
        return False


def _report(mark: str) -> Callable[[], None]:
    def report() -> None:
        ms = process_start_ms()
        log.info("%s after %.0f ms", mark, ms)  # first: a reader may stop us at the print
        print(f"{mark} {ms:.0f}", flush=True)

    return report


# ---- run --------------------------------------------------------------------------------


def split_file_arguments(files: list[str]) -> tuple[Path | None, list[Path]]:
    """The workspace to open (the first other file) and the exchange files given
    (bundles, receipts, review and task files)."""
    workspace: Path | None = None
    bundles: list[Path] = []
    for name in files:
        path = Path(name)
        if path.suffix.lower() in file_kinds.EXCHANGE:
            bundles.append(path)
        elif workspace is None:
            workspace = path
    return workspace, bundles


def hold_running_mutex() -> None:
    """Windows only: create the named mutex the installer checks (released at exit)."""
    if sys.platform != "win32" or _running_mutex:
        return
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateMutexW.restype = ctypes.c_void_p
    _running_mutex.append(kernel32.CreateMutexW(None, False, RUNNING_MUTEX))


def run(argv: list[str]) -> int:
    started = time.perf_counter()
    hold_running_mutex()
    # Qt 6 already rounds high-DPI scale factors with PassThrough (fractional scaling).
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME, *argv])
    assert isinstance(app, QApplication)
    from gongkai_desktop.ui.common.gc_guard import UiThreadCollector

    collector = UiThreadCollector(app)  # Qt objects are only ever freed on this thread
    log_path = setup_logging()
    ui_errors.install_excepthook()
    configure_application(app, all_fonts=False, icon=False)
    log.info("start %s %s, log %s", APP_NAME, __version__, log_path)

    # The window appears first (its shell: title, menus, the 正在打开 page); the rest
    # of it, the feature menus, the other fonts and the workspace follow right after
    # its first paint: the officer sees the program at once, also when opening takes
    # a while (a migration).
    from gongkai_desktop.ui.common.settings import LAST_WORKSPACE
    from gongkai_desktop.ui.main_window import MainWindow

    path, bundles = split_file_arguments(file_arguments(argv))
    report = os.environ.get(REPORT_SHOWN_ENV) == "1"
    window = MainWindow(None, deferred=True)
    if path is not None or window.settings.get(LAST_WORKSPACE):
        window.show_opening(path)  # else: the welcome dialog over the 新建/打开 page

    def after_first_paint() -> None:
        if report:
            _report(SHOWN_MARK)()
        finish_start(window, path, bundles, report, defer=True)

    FirstPaint(window, after_first_paint)
    window.show()
    log.info("window built in %.0f ms", (time.perf_counter() - started) * 1000)
    code = app.exec()
    teardown(window)
    collector.stop()
    return code


def teardown(window: QMainWindow) -> None:
    """After the event loop: no worker thread left running, the window and everything
    it owns deleted while Qt and Python are both still whole (not at interpreter exit)."""
    from gongkai_desktop.ui.common.operations import wait_for_all

    wait_for_all()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def finish_start(window: QMainWindow, path: Path | None, bundles: list[Path],
                 report: bool = False, *, defer: bool = False) -> None:
    """Start-up after the first paint: the rest of the window, feature menus, the other
    fonts and the icon, the workspace, then the bundles and receipts the program was
    started with.

    ``defer`` (the real start-up): the workspace and its tree come first; the feature
    menus, fonts and started-with files follow right after the tree's first paint, so
    the officer sees the plan ~40 ms sooner. Without it the menus come first. Either
    way the workspace opens in the operation runner (``open_first_workspace``): the
    started-with files are handled once it is open (or failed to).
    """
    from gongkai_desktop.ui.main_window import MainWindow

    if not defer:
        if isinstance(window, MainWindow):
            window.ensure_built()
        _finish_features(window)

        def files(_session: object) -> None:
            if bundles:
                handle_exchange_files(window, bundles)

        open_first_workspace(window, path, report, then=files)
        return
    done: list[bool] = []

    def rest() -> None:
        if not done:
            done.append(True)
            _finish_features(window)
            if bundles:
                handle_exchange_files(window, bundles)

    def opened(session: object) -> None:
        tree = getattr(window, "tree", None)
        if session is not None and tree is not None:
            # One more turn of the event loop: the tree's paint (and its report) go first.
            tree.when_painted(lambda: QTimer.singleShot(0, rest))
            QTimer.singleShot(1000, rest)  # never painted (minimised): do not wait for it
        else:
            QTimer.singleShot(0, rest)

    # The worker checks the file (SQLite, no GIL held) while the toolbar is built here.
    open_first_workspace(window, path, report, then=opened)
    if isinstance(window, MainWindow):
        window.ensure_built()


def _finish_features(window: QMainWindow) -> None:
    from gongkai_desktop.ui.features import install_features

    install_features(window)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        complete_configuration(app)


def handle_exchange_files(window: QMainWindow, files: list[Path]) -> None:
    """Bundles and receipts the program was started with go to the bundle feature."""
    from gongkai_desktop.ui.file_arguments import handle_file_arguments
    from gongkai_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    try:
        handle_file_arguments(window, files)
    except Exception as exc:
        log.exception("handling %s", files)
        ui_errors.show_error(window, exc)


def open_first_workspace(window: QMainWindow, path: Path | None, report: bool = False,
                         then: Callable[[object], object] | None = None) -> None:
    """Phase two of start-up: the workspace named, the last one, or the first-run dialog,
    opened through the operation runner; ``then`` gets the session (or None) once it is
    the window's."""
    from gongkai_desktop.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    try:
        window.directory  # noqa: B018  (read now: a broken install says so at once)
    except Exception as exc:  # the directory ships with the program: a broken install
        ui_errors.show_error(window, exc, "程序文件不完整")
        window.set_session(None)
        if then is not None:
            then(None)
        return

    def opened(session: Session | None) -> None:
        if report and session is not None:
            window.tree.when_painted(_report(READY_MARK))
        window.set_session(session)
        if then is not None:
            then(session)

    window.workspace_actions.open_first(path, opened)
