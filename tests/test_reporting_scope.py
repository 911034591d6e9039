"""One rule for "the measures this unit must report" (roles.must_report), everywhere that counts.

市政府办公厅 leads eight measures that only other units are responsible for (1.1.3, 1.2.1,
1.2.3 …). It checks them but does not report them: the window's counts, `summary --json`,
the attention list and the PDF report's table all say 48, not 56.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gongkai_desktop.attention import attention_items
from gongkai_desktop.model import MeasureRecord, Role
from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.report.collect import report_rows
from gongkai_desktop.roles import holds_any_role, must_report, reported_measures, roles_for_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.summary import workspace_summary
from gongkai_desktop.tallies import tally
from gongkai_desktop.units import UnitDirectory

LEAD_ONLY = "1.2.3"  # led by 市政府办公厅, 各区县政府 responsible, deadline 2020-10-30
TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def office_ws(tmp_path: Path, directory: UnitDirectory) -> Workspace:
    unit = directory.find("市政府办公厅")
    return Workspace.create(tmp_path / "办公厅.gkws", bundled_plan(), unit, officer="王五",
                            actor="王五")


def test_lead_only_is_shown_but_not_owed() -> None:
    assert holds_any_role({Role.LEAD}) and not must_report({Role.LEAD})
    assert must_report({Role.LEAD, Role.RESPONSIBLE}) and not holds_any_role(())


def test_counts_summary_attention_and_report_agree(office_ws: Workspace,
                                                   directory: UnitDirectory) -> None:
    plan = office_ws.plan
    roles = roles_for_plan(plan, office_ws.unit, directory)
    assert roles[LEAD_ONLY] == {Role.LEAD}
    report = [row.measure.id for row in report_rows(office_ws, directory)]
    assert len(report) == 48 and LEAD_ONLY not in report
    assert report == reported_measures(roles)

    totals = tally(plan.measures(), {}, roles, TODAY)
    assert totals.total == totals.applicable == 48

    summary = workspace_summary(office_ws, directory, TODAY)
    assert summary["applicable"] == 48 and list(summary["measures"]) == report
    assert sum(summary["counts"].values()) == 48

    # A lead-only measure past its deadline is the responsible units' overdue, not the lead's.
    items = attention_items(plan, {LEAD_ONLY: MeasureRecord(LEAD_ONLY)}, roles, {}, TODAY)
    assert LEAD_ONLY not in {i.measure_id for i in items}
    assert summary["overdue"] == totals.overdue == len(items)


def test_cli_summary_says_48_like_the_report(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_cli import run

    path = tmp_path / "办公厅.gkws"
    assert run(capsys, "init", path, "--unit", "市政府办公厅")[0] == 0
    code, out, _ = run(capsys, "summary", path, "--json", "--today", "2026-12-05")
    summary = json.loads(out)
    assert code == 0 and summary["applicable"] == 48 and len(summary["measures"]) == 48
    assert LEAD_ONLY not in summary["measures"]


def test_overview_status_bar_and_tree_for_the_office(office, directory, qtbot):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStatusBar

    from gongkai_desktop.ui.common import style
    from gongkai_desktop.ui.measures.overview import OverviewPage
    from gongkai_desktop.ui.measures.tree_model import PlanTreeModel
    from gongkai_desktop.ui.workspace.status_labels import StatusLabels

    page = OverviewPage(office)
    qtbot.addWidget(page)
    page.refresh()
    shown = sum(int(page.tiles[s].number.text())
                for s in ("not_started", "in_progress", "done", "not_applicable"))
    assert shown == len(report_rows(office.ws, directory)) == 48

    bar = QStatusBar()
    qtbot.addWidget(bar)
    labels = StatusLabels(bar)
    labels.show_session(office)
    assert labels.progress_label.text().startswith("已完成 0/48，")

    model = PlanTreeModel(office)
    index = model.index_for_id(LEAD_ONLY)
    # Display: the office leads it and may record on it, so it is not muted.
    assert model.data(index, Qt.ItemDataRole.ForegroundRole) != style.MUTED_TEXT_COLOR


def test_consolidation_leaves_the_lead_only_cell_empty(
    tmp_path: Path, office_ws: Workspace, directory: UnitDirectory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A supervisor importing 市政府办公厅's bundle: the office owes its 48 measures, so the
    lead-only one is an empty cell (not 未开始), and 全部通过 would not cover it."""
    from gongkai_desktop.bundle.importer import import_bundle
    from gongkai_desktop.supervisor.consolidation import CellState, consolidate
    from tests.bundle_fixtures import export

    bundle = export(office_ws, tmp_path / "办公厅.gkbundle")
    justice = directory.find("市司法局")
    with Workspace.create(tmp_path / "司法局.gkws", bundled_plan(), justice, officer="赵六",
                          actor="赵六") as sup:
        import_bundle(sup, bundle.files, accept_new_key=True)
        cons = consolidate(sup, directory, TODAY)
        row = next(r for r, u in enumerate(cons.units) if u.unit.name == "市政府办公厅")
        column = next(c for c, m in enumerate(cons.measures) if m.measure.id == LEAD_ONLY)
        assert cons.state(row, column) is CellState.NONE
        owed = [c for c in range(cons.column_count)
                if cons.state(row, c) not in (CellState.NONE, CellState.MISSING)]
        assert len(owed) == 48
    from tests.test_cli import run

    code, out, _ = run(capsys, "review", tmp_path / "司法局.gkws", "--unit", "市政府办公厅",
                       "--accept-remaining")
    assert code == 0 and "尚未审核的 48 项举措设为通过" in out
