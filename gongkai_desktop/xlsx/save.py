"""Saving a workbook so that a failed write (a full disk) leaves nothing open behind.

openpyxl's ``Workbook.save`` leaves its zip archive open when a write fails; the
archive then tries to finish the file again when it is collected, failing once more
on the full disk and ending as a traceback on stderr. Here the archive is dropped
without writing anything further, and the caller removes the temporary file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl.writer.excel import ExcelWriter


def save_workbook(book: Any, path: Path) -> None:
    """``book.save(path)``, closing the file whatever happens."""
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        book.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        ExcelWriter(book, archive).save()  # writes everything, then closes the archive
    except BaseException:
        handle, archive.fp = archive.fp, None  # close() without a central directory
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()
        _close_streams(book)
        raise


def _close_streams(book: Any) -> None:
    """A write-only sheet's row and XML generators, ended now: left to the garbage
    collector they fail again (their XML writer broke with the disk) as a traceback."""
    for sheet in getattr(book, "_sheets", ()):
        writer = getattr(sheet, "_writer", None)
        for stream in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
            if stream is not None and hasattr(stream, "close"):
                with contextlib.suppress(Exception):
                    stream.close()
