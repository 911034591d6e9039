"""The window's consolidation action: 汇总各单位完成情况… opens the supervisor's matrix.

The view (and the core it needs) loads on first use, not with the window. File
and folder dialogs go through ``common.prompts``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from gongkai_desktop.ui.common.features import install_once

if TYPE_CHECKING:
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow
    from gongkai_desktop.ui.workspace.session import Session




def install(window: MainWindow) -> ConsolidationActions:
    """Add the action to ``window`` (once); the window keeps it as ``consolidation_actions``."""
    return install_once(window, "consolidation_actions", ConsolidationActions)


class ConsolidationActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view: ConsolidationWindow | None = None
        self.open_action = QAction(self.tr("汇总各单位完成情况(&C)…"), self)
        self.open_action.setStatusTip(self.tr(
            "按单位×举措查看已导入的各单位数据包的完成情况，导出Excel或PDF汇总表"))
        self.open_action.triggered.connect(self.open_view)
        window.add_actions_menu(self.open_action, separator=True)
        window.sessionChanged.connect(self._on_session_changed)

    def open_view(self) -> ConsolidationWindow | None:
        """Show the consolidation of the open workspace (built in a worker thread)."""
        from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow

        session = self.window.session
        if session is None:
            return None
        if not self._something_to_consolidate(session):
            return None
        if self.view is not None and self.view.session is session:
            self.view.show()
            self.view.raise_()
            self.view.activateWindow()
            self.view.reload()
            return self.view
        self._close_view()
        self.view = ConsolidationWindow(session, self.window)
        self.view.show()
        self.view.reload()
        return self.view

    def _something_to_consolidate(self, session: Session) -> bool:
        """No matrix for a workspace with nothing to consolidate: the line
        ``bundle consolidate`` refuses with (``nothing_to_consolidate``)."""
        from gongkai_desktop.supervisor.consolidation import nothing_to_consolidate
        from gongkai_desktop.ui.common.errors import show_info

        refusal = nothing_to_consolidate(session.ws, session.directory)
        if refusal is None:
            return True
        show_info(self.window, self.tr("各单位完成情况汇总"), str(refusal))
        return False

    def _close_view(self) -> None:
        if self.view is not None:
            self.view.close()
            self.view.deleteLater()
            self.view = None

    def _on_session_changed(self, session: Session | None) -> None:
        # The view reads the session's workspace; it must not outlive it.
        if self.view is not None and self.view.session is not session:
            self._close_view()
