"""The log file, and keeping everything but our one-line messages off stderr.

The window and the command line write to the same rotating file in the user data
folder. The command line sends library log lines (fontTools, pyHanko, PIL …), Python
warnings, exceptions nobody could catch (a generator closed during clean-up) and
tracebacks there, so stderr only ever holds the Chinese lines meant for a person.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

LOG_FILE = "gongkai.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(__name__)

# Libraries whose INFO/DEBUG chatter (font subsetting, certificate path building …) is
# noise: their warnings and errors are kept, in the file only.
LIBRARIES = ("fontTools", "pyhanko", "pyhanko_certvalidator", "PIL", "openpyxl", "reportlab",
             "asyncio")


def quiet_libraries(level: int = logging.WARNING) -> None:
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(level)


class RotatingLog(logging.FileHandler):
    """Size-based rotation like ``logging.handlers.RotatingFileHandler`` (``gongkai.log``,
    ``.1`` … ``.N``), without importing that module (socket, pickle, queue) at start-up."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() >= self.max_bytes:
                self._rotate()
        except OSError:
            pass  # a log that cannot rotate still takes the message
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # a full or read-only disk must not print logging's own traceback on stderr

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self.stream = None  # FileHandler reopens it on the next emit
        base = Path(self.baseFilename)
        for n in range(self.backups - 1, 0, -1):
            older = base.with_name(f"{base.name}.{n}")
            if older.exists():
                os.replace(older, base.with_name(f"{base.name}.{n + 1}"))
        os.replace(base, base.with_name(f"{base.name}.1"))


def log_path() -> Path | None:
    """``<user data>/logs/gongkai.log``; None when that folder cannot be made."""
    from gongkai_desktop import paths

    try:
        folder = paths.user_data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / LOG_FILE


def file_handler(path: Path) -> RotatingLog:
    handler = RotatingLog(path, max_bytes=1_000_000, backups=3)
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def quiet_stderr(level: int = logging.WARNING) -> Path | None:
    """Route the command line's logging, warnings and uncatchable exceptions to the log
    file (``level`` and above); nothing of it reaches stderr. Returns the file."""
    root = logging.getLogger()
    path = log_path()
    handler: logging.Handler = file_handler(path) if path else logging.NullHandler()
    handler.setLevel(level)
    root.addHandler(handler)  # a handler on the root: logging's stderr fallback stays unused
    root.setLevel(min(root.level or level, level))
    quiet_libraries(level)
    logging.captureWarnings(True)
    sys.unraisablehook = _unraisable
    return path


def _unraisable(info: Any) -> None:
    # e.g. openpyxl's writer generators failing again while closed after a full disk.
    log.warning("ignored exception in %r", info.object,
                exc_info=(info.exc_type, info.exc_value, info.exc_traceback))
