"""The plan tree beside the overview or one measure: the main window's working area.

The browser owns the tree's models (built with each workspace), the overview page and
the measure panel, and moves between them: selecting a measure shows it, leaving a
measure whose input cannot be saved asks first, and 总览 clears the selection. The
overview and then the measure panel are built right after the tree's first paint (or on
first use), so the plan shows sooner; by the time anyone clicks, they are there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QSplitter, QStackedWidget, QVBoxLayout, QWidget

from gongkai_desktop.ui.measures.filter_bar import FilterFooter, FilterToolbar
from gongkai_desktop.ui.measures.plan_tree import PlanTreeView
from gongkai_desktop.ui.measures.tree_filter import PlanFilterProxy
from gongkai_desktop.ui.measures.tree_model import (
    MEASURE,
    KindRole,
    MeasureIdRole,
    PlanTreeModel,
)
from gongkai_desktop.ui.workspace.session import Session


def make_measure_panel(session: Session, parent: QWidget | None = None) -> QWidget:
    # Imported on first use: the panel (evidence previews, PDF) is not needed to start.
    from gongkai_desktop.ui.measures.measure_panel import MeasurePanel

    return MeasurePanel(session, parent)


class MeasureBrowser(QSplitter):
    def __init__(self, clear_filters: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("mainSplitter")
        self.setChildrenCollapsible(False)
        self.session: Session | None = None
        self.model: PlanTreeModel | None = None
        self.proxy: PlanFilterProxy | None = None
        self._overview: QWidget | None = None
        self.panel: QWidget | None = None
        self._panel_pending = False
        self._reverting = False  # putting the tree back on a measure the officer must correct
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        self.tree = PlanTreeView()
        self.tree.activated.connect(self._on_activated)
        left_layout.addWidget(self.tree, 1)
        self.filter_footer = FilterFooter(clear_filters)
        left_layout.addWidget(self.filter_footer)
        left.setMinimumWidth(400)  # the task text must stay readable beside the fixed columns
        self.addWidget(left)
        self.right = QStackedWidget()
        self.right.setMinimumWidth(380)
        self.right.setObjectName("rightSide")
        self.addWidget(self.right)
        self.setStretchFactor(0, 5)
        self.setStretchFactor(1, 4)

    # ---- one workspace at a time ----------------------------------------------

    def show_session(self, session: Session | None, toolbar: FilterToolbar) -> None:
        """Replace what is shown by ``session``'s plan (None: nothing)."""
        if self.session is not None:
            self.shutdown_panel()  # saves typing, stops background work
        old_parts = (self.model, self.proxy, self._overview, self.panel)
        self.session = session
        self.model = self.proxy = self._overview = self.panel = None
        if session is None:
            self.tree.setModel(None)
        else:
            self._install(session, toolbar)
        for part in old_parts:
            if part is not None:
                if isinstance(part, QWidget):
                    self.right.removeWidget(part)
                part.deleteLater()

    def _install(self, session: Session, toolbar: FilterToolbar) -> None:
        window = self.window()
        self.model = PlanTreeModel(session, window)
        self.proxy = PlanFilterProxy(session, window)
        self.proxy.setSourceModel(self.model)
        toolbar.attach(session, self.proxy, self.tree.highlight)
        self.tree.setModel(self.proxy)
        self.tree.setup_header()
        self.tree.expandAll()
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        for signal in (self.proxy.modelReset, self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.layoutChanged):
            signal.connect(self.update_footer)
        self._panel_pending = True
        self.tree.when_painted(self._after_first_paint)
        self.update_footer()

    def _after_first_paint(self) -> None:
        if not self._panel_pending:
            return
        self._panel_pending = False
        # Then the overview (its tiles, chart and list: ~20 ms to build and paint, as much
        # again to import), then the panel; whatever else waits for this paint goes first.
        later = QTimer.singleShot
        later(0, self, self.ensure_overview)
        later(0, self, lambda: later(0, self, self.ensure_panel))

    @property
    def overview(self) -> QWidget | None:
        """The current session's overview page (built on first need); None without one."""
        return self.ensure_overview()

    def ensure_overview(self) -> QWidget | None:
        if self._overview is None and self.session is not None:
            from gongkai_desktop.ui.measures.overview import OverviewPage

            self._overview = OverviewPage(self.session)
            self._overview.measureActivated.connect(self.select_measure)
            self.right.addWidget(self._overview)
            if self.panel is None or self.right.currentWidget() is not self.panel:
                self.right.setCurrentWidget(self._overview)
        return self._overview

    def ensure_panel(self) -> QWidget | None:
        """The measure panel of the current session, built on first need."""
        if self.panel is None and self.session is not None:
            self._panel_pending = False
            self.panel = make_measure_panel(self.session)
            requested = getattr(self.panel, "measureRequested", None)
            if requested is not None:
                requested.connect(self.select_measure)  # undo/redo touched another measure
            self.right.addWidget(self.panel)
        return self.panel

    def update_footer(self, *_args: Any) -> None:
        self.filter_footer.update_counts(self.model, self.proxy)

    def after_filter_change(self) -> None:
        self.tree.expandAll()
        self.update_footer()
        self.tree.scroll_to_current()

    # ---- moving between measures ----------------------------------------------

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid() or self._reverting:
            return
        if not self.confirm_leave(current.data(MeasureIdRole)):
            self._reverting = True  # 返回修改: back to the measure being corrected
            try:
                self.tree.selectionModel().setCurrentIndex(
                    previous, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
            finally:
                self._reverting = False
            return
        if current.data(KindRole) == MEASURE:
            self._show_measure(str(current.data(MeasureIdRole)))
        else:
            self._show_overview_page()

    def confirm_leave(self, target: object = None) -> bool:
        """Leaving the measure shown: its input that cannot be saved is dealt with first."""
        shown = getattr(self.panel, "measure_id", None)
        confirm = getattr(self.panel, "confirm_leave", None)
        if shown is None or target == shown or not callable(confirm):
            return True
        if self.right.currentWidget() is not self.panel:
            return True
        return bool(confirm())

    def _show_measure(self, measure_id: str) -> None:
        if self.ensure_panel() is None or self.proxy is None:
            return
        assert self.panel is not None
        self.proxy.set_pinned(measure_id)
        self.panel.show_measure(measure_id)  # type: ignore[attr-defined]  # a MeasurePanel
        self.right.setCurrentWidget(self.panel)

    def _show_overview_page(self) -> None:
        if self.overview is not None:
            if self.proxy is not None:
                self.proxy.set_pinned(None)
            self.right.setCurrentWidget(self.overview)

    def show_overview(self) -> None:
        """视图 → 总览: the overview page, nothing selected in the tree."""
        if self.proxy is None:
            return
        if not self.confirm_leave():
            return
        self.flush_panel()
        self.tree.selectionModel().clearSelection()
        self.tree.selectionModel().setCurrentIndex(
            QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        self._show_overview_page()

    def _on_activated(self, index: QModelIndex) -> None:
        # Enter on a measure moves the keyboard into its panel.
        if index.data(KindRole) == MEASURE and self.panel is not None:
            self.panel.setFocus(Qt.FocusReason.OtherFocusReason)

    def select_measure(self, measure_id: str) -> bool:
        """Select a measure in the tree (showing it even if the filters hid it)."""
        if self.model is None or self.proxy is None:
            return False
        source = self.model.index_for_id(measure_id)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.proxy.set_pinned(measure_id)
            self.proxy.refilter()
            self.tree.expandAll()
            index = self.proxy.mapFromSource(source)
            self.update_footer()
        if not index.isValid():
            return False
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.tree.scrollTo(index)
        self._show_measure(measure_id)
        return True

    def current_measure_id(self) -> str | None:
        index = self.tree.currentIndex()
        if index.isValid() and index.data(KindRole) == MEASURE:
            return str(index.data(MeasureIdRole))
        return None

    # ---- the panel's unsaved input --------------------------------------------

    def flush_panel(self) -> bool:
        """Let the measure panel save what is still being typed; False if it could not."""
        flush = getattr(self.panel, "flush", None)
        if not callable(flush):
            return True
        return flush() is not False

    def shutdown_panel(self) -> None:
        shutdown = getattr(self.panel, "shutdown", None)
        if callable(shutdown):
            shutdown()

    def settle_unsaved_input(self) -> bool:
        """Before quitting: input that could not be saved is kept, discarded, or corrected
        (返回修改 shows the first such measure); False to stay open."""
        from gongkai_desktop.ui.measures import unsaved_input

        self.flush_panel()
        unsaved = getattr(self.panel, "unsaved_measures", None)
        ids = list(unsaved()) if callable(unsaved) else []
        if not ids or self.session is None:
            return True
        fields = sorted({f for mid in ids for f in self.session.drafts.get(mid, {})})
        answer = unsaved_input.ask_flagged(self.window(),
                                           unsaved_input.flagged_question(ids, fields))
        if answer == unsaved_input.KEEP:
            return True  # kept in the drafts file; back when the workspace is opened again
        if answer == unsaved_input.DISCARD:
            self.panel.discard_input()  # type: ignore[union-attr]
            return True
        self.select_measure(ids[0])
        focus = getattr(getattr(self.panel, "form", None), "focus_flagged", None)
        if callable(focus):
            focus()
        return False
