"""Which rows of the plan tree are shown: scope, status, overdue, search text.

Filters apply to measure rows; an area or sub-task row stays when any of its
measures does (recursive filtering). The measure being edited is pinned, so
changing its status never makes it vanish from under the officer's hands; a
search, which the officer types on purpose, applies to it too, and the count says
how many measures really match.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from gongkai_desktop.model import Role, Status
from gongkai_desktop.review.states import needs_rectifying
from gongkai_desktop.roles import REPORTING_ROLES
from gongkai_desktop.ui.measures.tree_model import MEASURE, PlanTreeModel

if TYPE_CHECKING:
    from gongkai_desktop.ui.workspace.session import Session


class Scope(StrEnum):
    MINE = "mine"  # 我负责的: responsible or concerned
    LEAD = "lead"  # 我牵头的
    ALL = "all"  # 全部

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


SCOPE_LABELS: dict[Scope, str] = {
    Scope.MINE: "我负责的",
    Scope.LEAD: "我牵头的",
    Scope.ALL: "全部",
}

_SCOPE_ROLES: dict[Scope, frozenset[Role]] = {
    Scope.MINE: REPORTING_ROLES,
    Scope.LEAD: frozenset({Role.LEAD}),
}


def in_scope(scope: Scope, roles: frozenset[Role]) -> bool:
    return scope is Scope.ALL or bool(roles & _SCOPE_ROLES[scope])


def default_scope(roles: dict[str, frozenset[Role]]) -> Scope:
    """我负责的 when the unit has such measures, else 我牵头的, else 全部."""
    for scope in (Scope.MINE, Scope.LEAD):
        if any(r & _SCOPE_ROLES[scope] for r in roles.values()):
            return scope
    return Scope.ALL




class PlanFilterProxy(QSortFilterProxyModel):
    def __init__(self, session: Session, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self._scope = Scope.ALL
        self._status: Status | None = None
        self._overdue_only = False
        self._rectify_only = False  # 需整改 (review.states.TO_RECTIFY): returned, not rectified
        self._search = ""
        self._search_ids: frozenset[str] = frozenset()
        self._pinned: str | None = None
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(False)  # re-filter only when we say so (see pin)
        session.recordChanged.connect(self._on_record_changed)

    # ---- settings -----------------------------------------------------------------

    @property
    def scope(self) -> Scope:
        return self._scope

    @property
    def status(self) -> Status | None:
        return self._status

    @property
    def overdue_only(self) -> bool:
        return self._overdue_only

    @property
    def search_text(self) -> str:
        return self._search

    def set_scope(self, scope: Scope | str) -> None:
        self._scope = Scope(scope)
        self._refilter()

    def set_status(self, status: Status | str | None) -> None:
        self._status = Status(status) if status else None
        self._refilter()

    def set_overdue_only(self, on: bool) -> None:
        self._overdue_only = bool(on)
        self._refilter()

    @property
    def rectify_only(self) -> bool:
        return self._rectify_only

    def set_rectify_only(self, on: bool) -> None:
        self._rectify_only = bool(on)
        self._refilter()

    def set_search_text(self, text: str) -> None:
        self._search = text.strip()
        self._search_ids = self._run_search()
        self._refilter()

    def refilter(self) -> None:
        """Apply the filters again (e.g. after pinning a measure that is hidden)."""
        self._refilter()

    def set_pinned(self, measure_id: str | None) -> None:
        """Keep this measure visible whatever the filters say (the one being edited)."""
        if measure_id != self._pinned:
            self._pinned = measure_id
            # No refilter: unpinning must not yank away the row the user just left.

    def is_filtering(self) -> bool:
        return bool(
            self._scope is not Scope.ALL or self._status or self._overdue_only or self._search
            or self._rectify_only
        )

    def visible_measure_count(self) -> int:
        """How many measures the filters let through (counted on the model, not the view;
        the pinned measure only when it matches)."""
        model = self._model()
        return sum(1 for mid in model.measure_ids() if self.matches(mid))

    # ---- filtering ----------------------------------------------------------------

    def _run_search(self) -> frozenset[str]:
        if not self._search:
            return frozenset()
        return frozenset(self.session.ws.search(self._search))

    def _on_record_changed(self, _measure_id: str) -> None:
        # An edited explanation can start or stop matching; a new status can leave a filter.
        if self._search:
            found = self._run_search()
            if self._pinned in self._search_ids:  # the measure being edited stays listed
                found |= {self._pinned}
            self._search_ids = found
        if self.is_filtering():
            self._refilter()

    def _refilter(self) -> None:
        if hasattr(self, "endFilterChange"):  # Qt ≥ 6.10; invalidateRowsFilter is deprecated there
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def _model(self) -> PlanTreeModel:
        model = self.sourceModel()
        assert isinstance(model, PlanTreeModel)
        return model

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        kind, node_id = self._model().node_at(source_row, source_parent)
        if kind != MEASURE:
            return not self.is_filtering()  # kept anyway when a measure below matches
        return self.accepts_measure(node_id)

    def accepts_measure(self, mid: str) -> bool:
        if mid == self._pinned:
            return not self._search or self._matches_search(mid)
        return self.matches(mid)

    def matches(self, mid: str) -> bool:
        """Whether the measure passes every filter (pinned or not)."""
        model = self._model()
        wanted = _SCOPE_ROLES.get(self._scope)  # None for 全部
        if wanted is not None and not model.roles_of(mid) & wanted:
            return False
        if self._status is not None and model.status_of(mid) is not self._status:
            return False
        if self._overdue_only and not model.is_overdue(mid):
            return False
        if self._rectify_only and not needs_rectifying(model.review_state(mid)):
            return False
        return not self._search or self._matches_search(mid)

    def _matches_search(self, mid: str) -> bool:
        if mid in self._search_ids:
            return True
        # A sub-task or area title that names the text brings its measures along.
        needle = self._search.casefold()
        model = self._model()
        return any(needle in model.node_title(pid).casefold() for pid in model.parent_ids(mid))


def scope_count(session: Session, scope: Scope) -> int:
    """How many measures ``scope`` shows (the number beside it in the scope box)."""
    if scope is Scope.ALL:
        return len(session.ws.plan.measures())
    return sum(1 for roles in session.roles.values() if roles & _SCOPE_ROLES[scope])
