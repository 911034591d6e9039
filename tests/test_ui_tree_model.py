"""The plan tree model and its filter, without any window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from gongkai_desktop.model import Status
from gongkai_desktop.ui.common import style
from gongkai_desktop.ui.measures.tree_filter import PlanFilterProxy, Scope, default_scope
from gongkai_desktop.ui.measures.tree_model import (
    AREA,
    COL_DEADLINE,
    COL_OVERDUE,
    COL_STATUS,
    COL_TASK,
    MEASURE,
    SUBTASK,
    KindRole,
    MeasureIdRole,
    OverdueRole,
    PlanTreeModel,
    StatusRole,
)
from gongkai_desktop.ui.workspace.session import Session
from tests.ui_fixtures import make_session

# The shared window fixtures (assigned, not imported, so linters see them as used).

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")

DISPLAY = Qt.ItemDataRole.DisplayRole


def pin_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(Session, "today", staticmethod(lambda: day))


def walk(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[QModelIndex]:
    parent = parent or QModelIndex()
    out: list[QModelIndex] = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        out.append(index)
        out += walk(model, index)
    return out


def visible_measures(proxy: PlanFilterProxy) -> list[str]:
    return [i.data(MeasureIdRole) for i in walk(proxy) if i.data(KindRole) == MEASURE]


def cell(model: PlanTreeModel, node_id: str, column: int, role: int = DISPLAY) -> object:
    return model.index_for_id(node_id, column).data(role)


@pytest.fixture
def model(session: Session) -> PlanTreeModel:
    return PlanTreeModel(session)


@pytest.fixture
def proxy(session: Session, model: PlanTreeModel) -> PlanFilterProxy:
    p = PlanFilterProxy(session)
    p.setSourceModel(model)
    return p


def test_real_plan_has_6_areas_23_subtasks_60_measures(model: PlanTreeModel, qtmodeltester) -> None:
    kinds = [i.data(KindRole) for i in walk(model)]
    assert model.rowCount() == 6
    assert kinds.count(AREA) == 6
    assert kinds.count(SUBTASK) == 23
    assert kinds.count(MEASURE) == 60
    assert model.columnCount() == 4
    qtmodeltester.check(model)


def test_cells_show_task_status_deadline(model: PlanTreeModel) -> None:
    assert model.headerData(COL_TASK, Qt.Orientation.Horizontal) == "任务"
    assert cell(model, "1", COL_TASK) == "一、围绕贯彻落实党的十九届四中全会精神加强用权公开"
    assert cell(model, "1.1", COL_TASK) == "（一）以权责清单为依托，加强权力配置信息公开。"
    text = cell(model, "1.1.1", COL_TASK)
    assert isinstance(text, str) and text.startswith("1.1.1  1．对照法律法规规章")  # code first
    tooltip = cell(model, "1.1.1", COL_TASK, Qt.ItemDataRole.ToolTipRole)
    assert "更新完善权责清单并按要求公开" in str(tooltip)  # the full text, not elided
    assert "牵头单位：市政府办公厅、市司法局" in str(tooltip)
    # Areas and sub-tasks show their whole title (long ones are elided in the cell).
    assert cell(model, "1.1", COL_TASK, Qt.ItemDataRole.ToolTipRole) == (
        "<qt>（一）以权责清单为依托，加强权力配置信息公开。</qt>")
    assert cell(model, "1.1.1", COL_STATUS) == "未开始"
    assert not cell(model, "1.1.1", COL_STATUS, Qt.ItemDataRole.DecorationRole).isNull()
    assert cell(model, "1.2.3", COL_DEADLINE) == "2020-10-30"
    assert cell(model, "3.2.3", COL_DEADLINE) == "滚动时限"
    assert "7个工作日" in str(cell(model, "3.2.3", COL_DEADLINE, Qt.ItemDataRole.ToolTipRole))
    assert cell(model, "1.1.1", COL_DEADLINE) == ""
    assert cell(model, "1.1.1", COL_TASK, MeasureIdRole) == "1.1.1"
    assert cell(model, "1.1", COL_TASK, MeasureIdRole) is None
    assert cell(model, "1.1.1", COL_TASK, KindRole) == MEASURE
    assert cell(model, "1.1.1", COL_TASK, StatusRole) == Status.NOT_STARTED.value


def test_rollups_follow_record_changes(session: Session, model: PlanTreeModel, qtbot) -> None:
    assert cell(model, "1", COL_STATUS) == "0/8 已完成"
    assert cell(model, "1.1", COL_STATUS) == "0/3 已完成"
    session.ws.update_record("1.1.1", status=Status.DONE, explanation="已公开", actor="张三")
    with qtbot.wait_signals([model.dataChanged] * 3, timeout=1000):
        session.recordChanged.emit("1.1.1")
    assert cell(model, "1.1.1", COL_STATUS) == "已完成"
    assert cell(model, "1.1", COL_STATUS) == "1/3 已完成"
    assert cell(model, "1", COL_STATUS) == "1/8 已完成"
    # 不适用 leaves the count of what applies.
    session.ws.update_record("1.1.2", status=Status.NOT_APPLICABLE, reason="本单位无此职能")
    session.recordChanged.emit("1.1.2")
    assert cell(model, "1.1", COL_STATUS) == "1/2 已完成"


def test_overdue_mark_depends_on_today(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_today(monkeypatch, dt.date(2020, 9, 1))
    model = PlanTreeModel(session)
    assert cell(model, "6.1.1", COL_OVERDUE) == "逾期"  # due 2020-08-31
    assert cell(model, "1.2.3", COL_OVERDUE) == ""  # due 2020-10-30
    assert cell(model, "6.1.1", COL_OVERDUE, Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(model, "6", COL_OVERDUE) == "逾期 1"
    assert cell(model, "6", COL_TASK, OverdueRole) is True
    session.ws.update_record("6.1.1", status=Status.DONE)
    session.recordChanged.emit("6.1.1")
    assert cell(model, "6.1.1", COL_OVERDUE) == ""  # done late is not overdue
    assert not cell(model, "6", COL_OVERDUE)


def test_scope_mine_for_a_district(session: Session, proxy: PlanFilterProxy) -> None:
    assert default_scope(session.roles) is Scope.MINE
    proxy.set_scope(Scope.ALL)
    assert len(visible_measures(proxy)) == 60
    proxy.set_scope(Scope.MINE)
    mine = visible_measures(proxy)
    assert len(mine) == 56
    assert "1.2.2" not in mine  # 万州区 is neither responsible nor concerned there
    proxy.set_scope(Scope.LEAD)
    assert visible_measures(proxy) == []
    assert proxy.rowCount() == 0  # no empty area rows left behind


def test_scope_lead_for_a_department(tmp_path: Path, directory, ui_app) -> None:
    s = make_session(tmp_path / "sfj.gkws", "市司法局", directory)
    try:
        model = PlanTreeModel(s)
        proxy = PlanFilterProxy(s)
        proxy.setSourceModel(model)
        proxy.set_scope(Scope.LEAD)
        assert visible_measures(proxy) == ["1.1.1", "1.3.1", "1.3.2", "1.3.3", "3.2.3"]
        # Parents are kept for the matches: areas 一 and 三 only.
        assert [proxy.index(r, 0).data(DISPLAY)[0] for r in range(proxy.rowCount())] == ["一", "三"]
        proxy.set_scope(Scope.MINE)
        assert len(visible_measures(proxy)) == 48
    finally:
        s.close()


def test_status_filter(session: Session, proxy: PlanFilterProxy) -> None:
    session.ws.update_record("1.1.1", status=Status.DONE)
    session.ws.update_record("2.1.1", status=Status.IN_PROGRESS)
    session.recordChanged.emit("")
    proxy.set_status(Status.DONE)
    assert visible_measures(proxy) == ["1.1.1"]
    proxy.set_status(Status.IN_PROGRESS)
    assert visible_measures(proxy) == ["2.1.1"]
    proxy.set_status(None)
    assert len(visible_measures(proxy)) == 60


def test_status_change_refilters_but_keeps_the_pinned_measure(
    session: Session, proxy: PlanFilterProxy
) -> None:
    proxy.set_status(Status.NOT_STARTED)
    proxy.set_pinned("1.1.1")
    session.ws.update_record("1.1.1", status=Status.DONE)
    session.ws.update_record("1.1.2", status=Status.DONE)
    session.recordChanged.emit("1.1.1")
    session.recordChanged.emit("1.1.2")
    shown = visible_measures(proxy)
    assert "1.1.1" in shown  # being edited: stays
    assert "1.1.2" not in shown  # left the filter


def test_overdue_only(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_today(monkeypatch, dt.date(2020, 11, 1))
    model = PlanTreeModel(session)
    proxy = PlanFilterProxy(session)
    proxy.setSourceModel(model)
    proxy.set_scope(Scope.ALL)
    proxy.set_overdue_only(True)
    # Due before 2020-11-01: 1.2.2 (07-30), 1.2.3 (10-30), 6.1.1 (08-31); 1.2.2 is not
    # 万州区's to report, so it is not overdue for it, under 全部 as under 我负责的.
    assert visible_measures(proxy) == ["1.2.3", "6.1.1"]
    proxy.set_scope(Scope.MINE)
    assert visible_measures(proxy) == ["1.2.3", "6.1.1"]


def overdue_marks(model: PlanTreeModel, mid: str) -> tuple[object, object, bool]:
    """What a user sees of "overdue" on a measure row: the 逾期 cell, the deadline's colour
    (red when overdue) and what the 逾期-only filter reads."""
    deadline_colour = cell(model, mid, COL_DEADLINE, Qt.ItemDataRole.ForegroundRole)
    return (cell(model, mid, COL_OVERDUE), deadline_colour == style.OVERDUE_COLOR,
            bool(cell(model, mid, COL_TASK, OverdueRole)))


@pytest.mark.parametrize(("unit", "marked", "unmarked"), [
    # 市司法局 leads 1.3.1 (and is responsible); 1.2.3 is the districts' (no role).
    ("市司法局", "1.3.1", "1.2.3"),
    # 市政府办公厅 leads 1.2.3 only (the districts report it): not its own obligation.
    ("市政府办公厅", "6.1.1", "1.2.3"),
])
def test_under_all_only_the_units_own_measures_are_marked_overdue(
    tmp_path: Path, directory, ui_app, monkeypatch: pytest.MonkeyPatch,
    unit: str, marked: str, unmarked: str,
) -> None:
    pin_today(monkeypatch, dt.date(2020, 12, 1))  # 1.2.3 (10-30), 1.3.1 (11-30), 6.1.1 past
    s = make_session(tmp_path / "ws.gkws", unit, directory)
    try:
        model = PlanTreeModel(s)
        proxy = PlanFilterProxy(s)
        proxy.setSourceModel(model)
        proxy.set_scope(Scope.ALL)
        assert {marked, unmarked} <= set(visible_measures(proxy))  # both shown under 全部
        assert overdue_marks(model, marked) == ("逾期", True, True)
        assert overdue_marks(model, unmarked) == ("", False, False)
        proxy.set_overdue_only(True)
        shown = visible_measures(proxy)
        assert marked in shown and unmarked not in shown
    finally:
        s.close()


def test_search_for_a_phrase(session: Session, proxy: PlanFilterProxy) -> None:
    proxy.set_scope(Scope.ALL)
    proxy.set_search_text("权责清单")
    shown = visible_measures(proxy)
    assert "1.1.1" in shown  # the measure text names it
    # Its sub-task is titled 以权责清单为依托…, so the sub-task's measures come along.
    assert set(shown) == {"1.1.1", "1.1.2", "1.1.3"}
    assert proxy.rowCount() == 1  # only area 一
    proxy.set_search_text("公众参与")
    assert visible_measures(proxy) == ["1.2.1", "5.2.1"]


def test_two_character_search(session: Session, proxy: PlanFilterProxy) -> None:
    proxy.set_scope(Scope.ALL)
    proxy.set_search_text("疫情")
    assert visible_measures(proxy) == ["4.1.1", "4.1.2", "4.1.3", "4.2.2", "4.3.2"]
    proxy.set_search_text("")
    assert len(visible_measures(proxy)) == 60


def test_search_follows_edited_explanations(session: Session, proxy: PlanFilterProxy) -> None:
    proxy.set_search_text("门户网站开设专栏")
    assert visible_measures(proxy) == []
    session.ws.update_record("2.1.1", explanation="已在门户网站开设专栏", actor="张三")
    session.recordChanged.emit("2.1.1")
    assert visible_measures(proxy) == ["2.1.1"]


class _Screen:
    def __init__(self, ratio: float) -> None:
        self.ratio = ratio

    def devicePixelRatio(self) -> float:
        return self.ratio


@pytest.mark.parametrize(("ratios", "sizes"), [
    ((1.0,), (16,)),
    ((1.5, 1.0), (16, 24)),  # a laptop at 150 % with an office monitor
    ((1.25,), (16, 20)),
    ((2.0,), (16, 32)),
    ((4.0,), (16, 64)),
    ((5.0,), (16, 64)),  # beyond the largest: the largest, scaled by Qt
])
def test_badges_are_painted_at_the_sizes_of_the_screens(
        ui_app, monkeypatch: pytest.MonkeyPatch, ratios: tuple[float, ...],
        sizes: tuple[int, ...]) -> None:
    from PySide6.QtGui import QGuiApplication

    monkeypatch.setattr(QGuiApplication, "screens", lambda: [_Screen(r) for r in ratios])
    monkeypatch.setattr(style, "_badge_sizes", None)
    assert style.badge_sizes() == sizes
    icon = style.status_icon(Status.DONE)
    assert sorted(s.width() for s in icon.availableSizes()) == list(sizes)
    assert not icon.pixmap(16, 16).isNull()
    style._forget_badge_sizes()  # a screen plugged in: the next badges are made again
    monkeypatch.setattr(QGuiApplication, "screens", lambda: [_Screen(1.0), _Screen(3.0)])
    assert style.badge_sizes() == (16, 48)
    assert sorted(s.width() for s in style.status_icon(Status.DONE).availableSizes()) == [16, 48]
