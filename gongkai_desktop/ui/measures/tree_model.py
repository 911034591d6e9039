"""The plan as a tree: area → sub-task → measure, with status, deadline and rollups.

Everything a cell shows is computed once when the model is built (texts), when a
record changes (status, overdue, rollups) or on the first hover (tooltips), so
``data()`` is a few dictionary look-ups: no SQL, no formatting while painting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from gongkai_desktop.model import Measure, MeasureRecord, Role, Status
from gongkai_desktop.roles import holds_any_role
from gongkai_desktop.tallies import Tally, area_tallies, unit_overdue_days
from gongkai_desktop.ui.common import style

if TYPE_CHECKING:  # the session pulls in storage; the window shell starts without it
    from gongkai_desktop.ui.workspace.session import Session

ModelIndex = QModelIndex | QPersistentModelIndex

COL_TASK, COL_STATUS, COL_DEADLINE, COL_OVERDUE = range(4)
COLUMN_COUNT = 4

AREA, SUBTASK, MEASURE = "area", "subtask", "measure"

# Custom data roles (ints, so views and the proxy can ask for them).
NodeIdRole = Qt.ItemDataRole.UserRole + 1  # area, sub-task or measure id
KindRole = Qt.ItemDataRole.UserRole + 2  # AREA / SUBTASK / MEASURE
MeasureIdRole = Qt.ItemDataRole.UserRole + 3  # measure id; None on area/sub-task rows
StatusRole = Qt.ItemDataRole.UserRole + 4  # a measure's Status value ("done" …); None on others
OverdueRole = Qt.ItemDataRole.UserRole + 5  # bool
UnitRolesRole = Qt.ItemDataRole.UserRole + 6  # frozenset[Role] the unit holds on a measure
SearchTextRole = Qt.ItemDataRole.UserRole + 7  # column-0 text, for local matching
ReviewStateRole = Qt.ItemDataRole.UserRole + 8  # the office's review state value, or None
FlaggedRole = Qt.ItemDataRole.UserRole + 9  # bool: the measure has input kept to correct
PendingRole = Qt.ItemDataRole.UserRole + 10  # bool: 下级有新填报 (offices' answers to roll up)


# The standard roles as plain ints: data() runs for every cell and role each paint, and
# an int compares faster than ``Qt.ItemDataRole.X`` (two attribute look-ups) each time.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_CENTER = int(Qt.AlignmentFlag.AlignCenter.value)
_REVIEW_ROLES = (_DECORATION, _FOREGROUND)
# Every role data() answers; the view also asks for others (background, check state,
# size hint …) for every cell, which are answered None at once.
_ANSWERED = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _ALIGNMENT, _FOREGROUND,
                       NodeIdRole, KindRole, MeasureIdRole, StatusRole, OverdueRole,
                       UnitRolesRole, SearchTextRole, ReviewStateRole, FlaggedRole,
                       PendingRole})


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlanTreeModel", text)


@dataclass(slots=True)
class _Node:
    kind: str
    id: str
    row: int
    parent: int  # node number of the parent; -1 for an area
    title: str
    tooltip: str  # "" until first asked for
    children: list[int] = field(default_factory=list)
    measure: Measure | None = None
    deadline_text: str = ""
    deadline_tip: str = ""
    roles: frozenset[Role] = frozenset()


class PlanTreeModel(QAbstractItemModel):
    def __init__(self, session: Session, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self._nodes: list[_Node] = []
        self._areas: list[int] = []
        self._by_id: dict[str, int] = {}
        self._status: dict[str, Status] = {}
        self._overdue: dict[str, bool] = {}
        self._tallies: dict[str, Tally] = {}
        self._review: dict[str, Any] = {}  # measure id → review.states.ReviewState
        self._bold = QFont()
        self._bold.setBold(True)
        self._headers = [_tr("任务"), _tr("状态"), _tr("时限"), _tr("逾期")]
        self._build()
        self._refresh_dynamic()
        session.recordChanged.connect(self.on_record_changed)
        session.draftsChanged.connect(self.on_record_changed)  # the "待修正" mark
        session.reviewChanged.connect(self.reload_review)
        session.contributionsChanged.connect(self.reload_pending)

    # ---- building ---------------------------------------------------------------

    def _add(self, node: _Node) -> int:
        self._nodes.append(node)
        number = len(self._nodes) - 1
        self._by_id[node.id] = number
        return number

    def _build(self) -> None:
        roles = self.session.roles
        rolling = _tr("滚动时限")
        for a_row, area in enumerate(self.session.ws.plan.areas):
            a_title = f"{area.label}、{area.title}" if area.label else area.title
            a_num = self._add(_Node(AREA, area.id, a_row, -1, a_title, ""))
            self._areas.append(a_num)
            for s_row, sub in enumerate(area.subtasks):
                s_title = f"{sub.label}{sub.title}"
                s_num = self._add(_Node(SUBTASK, sub.id, s_row, a_num, s_title, ""))
                self._nodes[a_num].children.append(s_num)
                for m_row, m in enumerate(sub.measures):
                    m_roles = roles.get(m.id, frozenset())
                    # The code first: the overview, the Excel sheet and the CLI all name it.
                    node = _Node(MEASURE, m.id, m_row, s_num, f"{m.id}  {m.label}{m.text}", "",
                                 measure=m, roles=m_roles)
                    if m.deadline.date is not None:
                        node.deadline_text = m.deadline.date.isoformat()
                        node.deadline_tip = _tr("截止日期：") + node.deadline_text
                    elif m.deadline.note:
                        node.deadline_text = rolling
                        node.deadline_tip = m.deadline.note
                    self._nodes[s_num].children.append(self._add(node))

    def _refresh_dynamic(self) -> None:
        records = self.session.records()
        today = self.session.today()
        for node in self._nodes:
            if node.measure is not None:
                self._set_measure_state(node.measure, records.get(node.id), today)
        self._tallies = area_tallies(self.session.ws.plan, records, self.session.roles, today)
        self._load_review()
        self._load_pending()

    def _load_pending(self) -> None:
        """下级有新填报 (#14): measures with offices' answers not yet rolled up."""
        from gongkai_desktop.storage.rollup_flags import pending_measures

        self._pending: set[str] = pending_measures(self.session.ws)

    def _load_review(self) -> None:
        """The office's verdicts this unit imported (the review flags in the tree)."""
        from gongkai_desktop.ui.review.review_states import review_states

        self._review = review_states(self.session)

    def review_state(self, measure_id: str) -> Any:
        """The measure's ``ReviewState``, or None when the office has not reviewed it."""
        return self._review.get(measure_id)

    def reload_pending(self) -> None:
        """Offices' answers came in or were rolled up: the 下级有新填报 flags."""
        self._load_pending()
        self._emit_all_changed(QModelIndex())

    def reload_review(self) -> None:
        """A review file was imported: show its flags."""
        self._load_review()
        self._emit_all_changed(QModelIndex())

    def _set_measure_state(self, m: Measure, record: MeasureRecord | None, today: Any) -> None:
        record = record or MeasureRecord(m.id)
        self._status[m.id] = record.status
        # the unit's own obligations only: under 全部, others' late measures carry no mark
        roles = self.session.roles.get(m.id, frozenset())
        self._overdue[m.id] = unit_overdue_days(m, record, roles, today) is not None

    # ---- updates ----------------------------------------------------------------

    def on_record_changed(self, measure_id: str) -> None:
        number = self._by_id.get(measure_id)
        if number is None or self._nodes[number].measure is None:
            self.refresh_all()
            return
        node = self._nodes[number]
        records = self.session.records()
        assert node.measure is not None
        self._set_measure_state(node.measure, records.get(measure_id), self.session.today())
        if measure_id in self._review:  # a returned measure changed: 已整改（待复核）
            self._load_review()
        self._tallies = area_tallies(
            self.session.ws.plan, records, self.session.roles, self.session.today()
        )
        while number >= 0:  # the measure, its sub-task and its area
            row = self._nodes[number]
            self.dataChanged.emit(
                self.createIndex(row.row, 0, number),
                self.createIndex(row.row, COLUMN_COUNT - 1, number),
            )
            number = row.parent

    def refresh_all(self) -> None:
        """Re-read every record (after an import or any change not tied to one measure)."""
        self._refresh_dynamic()
        self._emit_all_changed(QModelIndex())

    def _emit_all_changed(self, parent: QModelIndex) -> None:
        rows = self.rowCount(parent)
        if rows == 0:
            return
        self.dataChanged.emit(self.index(0, 0, parent),
                              self.index(rows - 1, COLUMN_COUNT - 1, parent))
        for r in range(rows):
            child = self.index(r, 0, parent)
            if self.rowCount(child):
                self._emit_all_changed(child)

    # ---- look-ups for the window -------------------------------------------------

    def index_for_id(self, node_id: str, column: int = 0) -> QModelIndex:
        number = self._by_id.get(node_id)
        if number is None:
            return QModelIndex()
        return self.createIndex(self._nodes[number].row, column, number)

    def measure_ids(self) -> list[str]:
        return [n.id for n in self._nodes if n.kind == MEASURE]

    def tally(self, node_id: str) -> Tally | None:
        return self._tallies.get(node_id)

    def status_of(self, measure_id: str) -> Status:
        return self._status.get(measure_id, Status.NOT_STARTED)

    def is_overdue(self, measure_id: str) -> bool:
        return self._overdue.get(measure_id, False)

    def node_at(self, row: int, parent: ModelIndex) -> tuple[str, str]:
        """(kind, id) of a row, without going through data() (the filter asks 5,000 times)."""
        children = self._nodes[parent.internalId()].children if parent.isValid() else self._areas
        node = self._nodes[children[row]]
        return node.kind, node.id

    def roles_of(self, measure_id: str) -> frozenset[Role]:
        number = self._by_id.get(measure_id)
        return frozenset() if number is None else self._nodes[number].roles

    def kind_of(self, node_id: str) -> str | None:
        number = self._by_id.get(node_id)
        return None if number is None else self._nodes[number].kind

    def parent_ids(self, node_id: str) -> list[str]:
        """Ids of the sub-task and area above a node (nearest first)."""
        out: list[str] = []
        number = self._by_id.get(node_id, -1)
        number = self._nodes[number].parent if number >= 0 else -1
        while number >= 0:
            out.append(self._nodes[number].id)
            number = self._nodes[number].parent
        return out

    def node_title(self, node_id: str) -> str:
        number = self._by_id.get(node_id)
        return "" if number is None else self._nodes[number].title

    # ---- QAbstractItemModel ------------------------------------------------------

    def _node(self, index: ModelIndex) -> _Node | None:
        if not index.isValid():
            return None
        return self._nodes[index.internalId()]

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= COLUMN_COUNT or row < 0:
            return QModelIndex()
        if not parent.isValid():
            children = self._areas
        else:
            children = self._nodes[parent.internalId()].children
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self._node(index)
        if node is None or node.parent < 0:
            return QModelIndex()
        return self.createIndex(self._nodes[node.parent].row, 0, node.parent)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._areas)
        if parent.column() != 0:
            return 0
        return len(self._nodes[parent.internalId()].children)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return COLUMN_COUNT

    def hasChildren(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED:
            return None
        node = self._node(index)
        if node is None:
            return None
        if node.kind == MEASURE:
            return self._measure_data(node, index.column(), role)
        return self._group_data(node, index.column(), role)

    def _measure_data(self, node: _Node, column: int, role: int) -> Any:
        mid = node.id
        if role == _DISPLAY:
            if column == COL_TASK:
                return node.title
            if column == COL_STATUS:
                return self._status[mid].label
            if column == COL_DEADLINE:
                return node.deadline_text
            if column == COL_OVERDUE:
                return _tr("逾期") if self._overdue[mid] else ""
            return None
        if role == PendingRole:
            return mid in self._pending
        if mid in self._pending and column == COL_TASK and mid not in self.session.drafts:
            if role == _DECORATION:
                from gongkai_desktop.ui.measures.contributions_tab import pending_icon

                return pending_icon()
            if role == _TOOLTIP:
                return _tr("下级有新填报：可在“下级填报”页汇总")
        review = self._review.get(mid)
        if review is not None and column == COL_TASK and role in _REVIEW_ROLES:
            return _review_data(review, role)
        if role == _DECORATION:
            if column == COL_STATUS:
                return style.status_icon(self._status[mid])
            if column == COL_TASK and mid in self.session.drafts:
                return style.flag_icon()
            return None
        if role == _TOOLTIP:
            if column == COL_TASK and mid in self.session.drafts:
                return _tr("待修正：有输入格式不对，尚未保存（已保留，改正后自动保存）")
            if column == COL_DEADLINE and node.deadline_tip:
                return node.deadline_tip
            if column == COL_OVERDUE and self._overdue[mid]:
                return _tr("已过截止日期，尚未完成")
            if not node.tooltip and node.measure is not None:
                node.tooltip = _measure_tip(node.measure, node.roles)  # built on first hover
            return node.tooltip
        if role == _FOREGROUND:
            if column == COL_OVERDUE or (column == COL_DEADLINE and self._overdue[mid]):
                return style.OVERDUE_COLOR
            if not holds_any_role(node.roles):
                return style.MUTED_TEXT_COLOR  # shown under 全部 only; not this unit's task
            return None
        if role == _FONT:
            return self._bold if column == COL_OVERDUE and self._overdue[mid] else None
        if role == _ALIGNMENT and column in (COL_DEADLINE, COL_OVERDUE):
            return _CENTER
        return self._common_data(node, role)

    def _group_data(self, node: _Node, column: int, role: int) -> Any:
        tally = self._tallies.get(node.id)
        if role == _DISPLAY:
            if column == COL_TASK:
                return node.title
            if column == COL_STATUS and tally is not None:
                return tally.rollup_text() if tally.total else "—"
            if column == COL_OVERDUE and tally is not None and tally.overdue:
                return f"{_tr('逾期')} {tally.overdue}"
            return None
        if role == _TOOLTIP:
            if column == COL_STATUS and tally is not None:
                return _tally_tip(tally)
            if not node.tooltip:
                node.tooltip = _tip(node.title)  # built on first hover
            return node.tooltip
        if role == _FONT:
            return self._bold if node.kind == AREA and column == COL_TASK else None
        if role == _FOREGROUND:
            if column == COL_OVERDUE:
                return style.OVERDUE_COLOR
            if column == COL_STATUS and tally is not None and tally.total:
                return style.status_color(Status.DONE) if tally.done == tally.applicable else None
            return None
        if role == _ALIGNMENT and column == COL_OVERDUE:
            return _CENTER
        return self._common_data(node, role)

    def _common_data(self, node: _Node, role: int) -> Any:
        if role == NodeIdRole:
            return node.id
        if role == KindRole:
            return node.kind
        if role == MeasureIdRole:
            return node.id if node.kind == MEASURE else None
        if role == StatusRole:
            return self._status[node.id].value if node.kind == MEASURE else None
        if role == OverdueRole:
            if node.kind == MEASURE:
                return self._overdue[node.id]
            tally = self._tallies.get(node.id)
            return bool(tally and tally.overdue)
        if role == UnitRolesRole:
            return node.roles
        if role == SearchTextRole:
            return node.title
        if role == ReviewStateRole:
            state = self._review.get(node.id)
            return state.value if state is not None else None
        if role == FlaggedRole:
            return node.kind == MEASURE and node.id in self.session.drafts
        return None


def _review_data(state: Any, role: int) -> Any:
    """A reviewed measure's flag and colour (退回 and 已整改待复核 stand out)."""
    from gongkai_desktop.review.states import ReviewState
    from gongkai_desktop.ui.review import review_style

    if role == _DECORATION:
        return review_style.icon(state)
    if state in (ReviewState.RETURNED, ReviewState.RECTIFIED):
        return review_style.color(state)
    return None


# Tooltips are built on first hover, so the html module loads then, not at start-up.
def _tip(text: str) -> str:
    import html

    return f"<qt>{html.escape(text)}</qt>"


def _measure_tip(m: Measure, roles: frozenset[Role]) -> str:
    import html

    parts = [f"<b>{_tr('举措')} {html.escape(m.id)}</b>", html.escape(f"{m.label}{m.text}")]
    if m.lead_units:
        parts.append(f"{_tr('牵头单位：')}{html.escape('、'.join(m.lead_units))}")
    if m.responsible_units:
        parts.append(f"{_tr('责任单位：')}{html.escape('、'.join(m.responsible_units))}")
    if roles:
        mine = "、".join(r.label for r in Role if r in roles)
        parts.append(f"{_tr('本单位：')}{html.escape(mine)}")
    else:
        parts.append(_tr("本单位不承担此项举措"))
    return "<qt>" + "<br>".join(parts) + "</qt>"


def _tally_tip(tally: Tally) -> str:
    if not tally.total:
        return _tr("本单位在此项下没有需要落实的举措")
    counts = "，".join(f"{s.label} {tally.counts[s]}" for s in Status)
    overdue = f"，{_tr('逾期')} {tally.overdue}" if tally.overdue else ""
    return f"{counts}{overdue}"
