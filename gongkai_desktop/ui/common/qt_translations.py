"""Qt's own dialogs (file, print, colour …) in Chinese.

``qtbase_zh_CN.qm`` is the only catalogue the program needs (``qt_zh_CN.qm`` is a
meta file that just names qtbase and qtmultimedia). It lags behind Qt's sources:
Qt 6 added keyboard mnemonics to labels such as "&Look in:", "Files of &type:" and
"Page &Set:", whose old forms without "&" it still translates. ``MnemonicFallback``
answers those from the old forms (adding the mnemonic as "(&L)", the Chinese way),
and a short table covers the few strings it lacks entirely.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from gongkai_desktop import paths

log = logging.getLogger(__name__)

CATALOGUE = "qtbase_zh_CN"
_MNEMONIC = re.compile(r"&(\w)")

# (context, source) the catalogue lacks in every form; found by opening Qt's dialogs.
EXTRA: dict[tuple[str, str], str] = {}

_installed: list[QTranslator] = []  # kept alive: Qt does not own installed translators


class MnemonicFallback(QTranslator):
    """Asked after the catalogue: "&Look in:" → the catalogue's "Look in:" + "(&L)"."""

    def __init__(self, catalogue: QTranslator, parent: QCoreApplication | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue

    def isEmpty(self) -> bool:
        return False

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        # None, not "": Qt takes an empty (non-null) string for a translation.
        extra = EXTRA.get((context, source))
        if extra:
            return extra
        match = _MNEMONIC.search(source or "")
        if match is None:
            return None
        plain = source.replace("&", "", 1)
        text = self.catalogue.translate(context, plain, disambiguation, n)
        if not text:
            return None
        mark = f"(&{match.group(1).upper()})"
        if text.endswith(("：", ":")):
            return text[:-1] + mark + "："
        return text + mark


def folders() -> list[Path]:
    """A build ships the catalogue in resources/translations; a checkout uses Qt's folder."""
    return [paths.resource_file("translations"),
            Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]


def install(app: QCoreApplication) -> list[str]:
    """Load the catalogue and the fallback; returns the .qm file loaded ([] when none)."""
    for folder in folders():
        catalogue = QTranslator(app)
        if (folder / f"{CATALOGUE}.qm").is_file() and catalogue.load(CATALOGUE, str(folder)):
            fallback = MnemonicFallback(catalogue, app)
            app.installTranslator(fallback)  # installed first = asked last
            app.installTranslator(catalogue)
            _installed.extend([fallback, catalogue])
            return [str(folder / f"{CATALOGUE}.qm")]
    log.warning("no Qt zh_CN translation found in %s", folders())
    return []
