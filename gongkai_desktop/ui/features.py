"""Feature menus added to the main window at start-up (Excel, report, bundles).

Each feature module has ``install(window)``; its heavy imports (openpyxl,
reportlab, pyHanko) happen on first use, so start-up stays quick.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtWidgets import QMainWindow

log = logging.getLogger(__name__)

FEATURE_MODULES = ("report_actions", "bundle_actions", "consolidation_actions", "xlsx_actions",
                   "review_actions")


def install_features(window: QMainWindow) -> list[str]:
    installed: list[str] = []
    for name in FEATURE_MODULES:
        module = importlib.import_module(f"gongkai_desktop.ui.{name}")
        module.install(window)
        installed.append(name)
    return installed
