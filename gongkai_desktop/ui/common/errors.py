"""The one place that shows errors to the user.

Expected failures (``GongkaiError``) show their Chinese message; an ``OSError`` or
``sqlite3.Error`` no layer mapped shows ``faults.unlocated`` (as on the command line),
its traceback logged. Anything else is logged with its traceback to the rotating log
file and shown as a dialog that names the log; the app keeps running. Tests swap
``show_message`` out.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from gongkai_desktop.errors import Cancelled, GongkaiError

log = logging.getLogger(__name__)

# (parent, title, text, icon) -> None; replaced in tests so no modal box blocks.
MessageSink = Callable[[QWidget | None, str, str, QMessageBox.Icon], None]


def message_box(parent: QWidget | None, title: str, text: str,
                icon: QMessageBox.Icon) -> QMessageBox:
    """The box ``show_message`` shows (not yet shown): fitted to the screen."""
    from gongkai_desktop.ui.common.geometry import fit_message_box

    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    fit_message_box(box)
    return box


def _message_box(parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon) -> None:
    message_box(parent, title, text, icon).exec()


show_message: MessageSink = _message_box
log_file_path: Callable[[], str] = lambda: "（未设置日志文件）"  # noqa: E731  set by app start-up


def set_message_sink(sink: MessageSink) -> None:
    global show_message
    show_message = sink


def show_error(parent: QWidget | None, error: BaseException, title: str = "操作未完成") -> None:
    """Show an error the right way for its kind."""
    if isinstance(error, Cancelled):
        return  # the user asked for it; nothing to report
    if isinstance(error, GongkaiError):
        log.info("shown to user: %s", error)
        show_message(parent, title, str(error), QMessageBox.Icon.Warning)
        return
    sqlite3 = sys.modules.get("sqlite3")  # not imported before the first paint: then no
    # SQLite error can exist yet
    storage_errors = (OSError, sqlite3.Error) if sqlite3 is not None else (OSError,)
    if isinstance(error, storage_errors):  # a layer that did not map it: the
        # command line's safety net, so the window says the same Chinese line
        from gongkai_desktop import faults

        log.warning("unmapped storage error", exc_info=(type(error), error, error.__traceback__))
        show_message(parent, title, faults.unlocated(error), QMessageBox.Icon.Warning)
        return
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    show_message(
        parent,
        "程序出现意外错误",
        f"程序遇到了一个意外错误，当前操作未完成，已保存的数据不受影响。\n\n"
        f"错误：{type(error).__name__}: {error}\n\n"
        f"详细信息已记录在日志文件中，请将其发送给技术支持：\n{log_file_path()}",
        QMessageBox.Icon.Critical,
    )


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    show_message(parent, title, text, QMessageBox.Icon.Information)


def install_excepthook() -> None:
    """Route uncaught exceptions (e.g. in a slot) to the log and the error dialog."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.error("uncaught: %s", "".join(traceback.format_exception(kind, value, tb)))
        show_error(None, value.with_traceback(tb))

    sys.excepthook = hook
