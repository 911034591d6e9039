"""Feature menus added to the main window at start-up (Excel, report, bundles).

Each feature module has ``install(window)``; its heavy imports (openpyxl,
reportlab, pyHanko) happen on first use, so start-up stays quick.
"""

from __future__ import annotations

import importlib

from PySide6.QtWidgets import QMainWindow

# short name -> module; installed in this order (the order of the menu entries)
FEATURE_MODULES: dict[str, str] = {
    "report_actions": "gongkai_desktop.ui.report.report_actions",
    "bundle_actions": "gongkai_desktop.ui.bundles.bundle_actions",
    "consolidation_actions": "gongkai_desktop.ui.supervisor.consolidation_actions",
    "xlsx_actions": "gongkai_desktop.ui.xlsx.xlsx_actions",
    "review_actions": "gongkai_desktop.ui.review.review_actions",
    "delegation_actions": "gongkai_desktop.ui.delegation.delegation_actions",
}


def install_features(window: QMainWindow) -> list[str]:
    for module in FEATURE_MODULES.values():
        importlib.import_module(module).install(window)
    return list(FEATURE_MODULES)
