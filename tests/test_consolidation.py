"""The supervising office's consolidation: the matrix, rollups, missing units, the workbook."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.bundle.importer import import_bundle
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import (
    Area,
    Deadline,
    Measure,
    Plan,
    PlanInfo,
    Status,
    Subtask,
    UnitType,
)
from gongkai_desktop.roles import expected_units
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import writing
from gongkai_desktop.supervisor.consolidation import CellState, consolidate
from gongkai_desktop.supervisor.store import SupervisorView, all_units_summary
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx.consolidation import export_consolidation_xlsx
from tests.bundle_fixtures import (
    PDF_PROOF,
    SUPERVISOR,
    UNIT_A,
    UNIT_B,
    export,
    fill_a,
    fill_b,
    make_supervisor,
    make_unit,
)
from tests.plan_fixtures import TEST_PLAN

TODAY = dt.date(2021, 1, 1)  # after the 2020-10-30 deadline of measure 1.1.2


@pytest.fixture
def sup(tmp_path: Path) -> Iterator[Workspace]:
    with make_supervisor(tmp_path / "sup.gkws") as ws:
        for unit, fill in ((UNIT_A, fill_a), (UNIT_B, fill_b)):
            with make_unit(tmp_path / f"{unit.name}.gkws", unit) as unit_ws:
                fill(unit_ws)
                if unit is UNIT_A:
                    unit_ws.update_record("2.1.2", remarks='=HYPERLINK("http://x","点我")')
                bundle = export(unit_ws, tmp_path / f"{unit.name}.gkbundle")
                import_bundle(ws, bundle.files, accept_new_key=True)
        yield ws


def test_cells_are_coloured_by_status_and_overdue_is_marked(sup: Workspace,
                                                            directory: UnitDirectory) -> None:
    cons = consolidate(sup, directory, TODAY)
    a, b = cons.row_of("500101"), cons.row_of("500102")
    col = cons.column_of
    assert cons.state(a, col("1.1.2")) is CellState.DONE and not cons.is_overdue(a, col("1.1.2"))
    assert cons.state(b, col("1.1.2")) is CellState.IN_PROGRESS
    assert cons.is_overdue(b, col("1.1.2"))  # past 2020-10-30 and not done
    assert cons.state(a, col("2.1.1")) is CellState.NOT_APPLICABLE
    assert cons.state(b, col("2.1.2")) is CellState.NOT_STARTED
    assert cons.state(a, col("1.1.1")) is CellState.NONE  # a district has no role on it
    assert CellState.DONE.label == "已完成" and CellState.MISSING.label == "未报送"


def test_per_unit_and_per_measure_completion(sup: Workspace, directory: UnitDirectory) -> None:
    cons = consolidate(sup, directory, TODAY)
    row_a = cons.units[cons.row_of("500101")]
    assert row_a.reported and row_a.imported and row_a.imported.sequence == 1
    counts = row_a.counts
    assert (counts.cells, counts.done, counts.in_progress, counts.not_applicable) == (3, 1, 1, 1)
    assert counts.completion == 0.5  # 1 done of 2 applicable
    column = cons.measures[cons.column_of("1.1.2")]
    districts = len(directory.districts())
    assert districts == 41
    assert (column.counts.cells, column.counts.done, column.counts.in_progress,
            column.counts.missing) == (41, 1, 1, 39)
    assert column.counts.overdue == 40  # 涪陵区 plus every district that sent nothing
    assert column.counts.completion == pytest.approx(1 / 41)


def test_units_expected_but_without_a_bundle_are_listed(sup: Workspace,
                                                        directory: UnitDirectory) -> None:
    cons = consolidate(sup, directory, TODAY)
    measure = TEST_PLAN.measure("2.1.2")
    expected = {u.id for u, _roles in expected_units(measure, directory)}
    missing = {u.id for u in cons.missing_units("2.1.2")}
    assert missing == expected - {"500101", "500102"}
    assert "cq-gov-office" in missing  # the office itself has not reported either
    row = cons.units[cons.row_of("500103")]  # 渝中区
    assert not row.reported and row.counts.missing == row.counts.cells == 3
    assert {u.id for u in cons.units_without_bundle()} >= missing
    # Directory order: districts before departments.
    ids = [r.unit.id for r in cons.units]
    assert ids.index("500101") < ids.index("500102") < ids.index("cq-gov-office")


def test_filter_to_the_measures_this_workspace_leads(sup: Workspace,
                                                     directory: UnitDirectory) -> None:
    cons = consolidate(sup, directory, TODAY, led_by=sup.unit)
    assert [c.measure.id for c in cons.measures] == ["1.1.1", "2.1.1", "2.1.2"]
    assert cons.led_by == SUPERVISOR


def test_a_cell_opens_the_units_record_and_evidence(sup: Workspace, tmp_path: Path) -> None:
    view = SupervisorView(sup)
    record = view.record("500101", "1.1.2")
    assert record.status is Status.DONE and record.urls == ("https://www.wz.gov.cn/zcjd/",)
    items = view.evidence("500101", "1.1.2")
    assert [i.kind for i in items] == ["file", "file", "link"]
    pdf = items[0]
    assert view.read_blob(pdf.sha256 or "", 1 << 20) == PDF_PROOF
    out = tmp_path / "导出"
    out.mkdir()
    first = view.export_evidence("500101", pdf.id, out)
    second = view.export_evidence("500101", pdf.id, out)
    assert first.read_bytes() == second.read_bytes() == PDF_PROOF
    assert (first.name, second.name) == ("专栏截图说明.pdf", "专栏截图说明 (2).pdf")
    with pytest.raises(InvalidInput, match="网址链接"):
        view.export_evidence("500101", items[2].id, out)
    assert view.audit_log("500101", "1.1.2")[0].action == "update_record"


def test_workbook_layout(sup: Workspace, directory: UnitDirectory, tmp_path: Path) -> None:
    cons = consolidate(sup, directory, TODAY)
    out = tmp_path / "汇总.xlsx"
    result = export_consolidation_xlsx(cons, sup, out)
    assert result.units == cons.row_count and result.measures == 5
    book = openpyxl.load_workbook(out)
    try:
        assert book.sheetnames == ["汇总", "按举措", "单位×举措", "明细", "整改台账"]
        summary, matrix, detail = book["汇总"], book["单位×举措"], book["明细"]
        assert summary["B4"].value == "单位" and summary["O4"].value == "完成率"
        assert summary.freeze_panes == "C5" and matrix.freeze_panes == "C2"
        for sheet in book.worksheets:
            assert sheet.page_setup.orientation == "landscape"
            assert int(sheet.page_setup.paperSize) == 9  # A4
            assert sheet.page_setup.fitToWidth == 1
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert sheet.column_dimensions["B"].width > 8
        assert summary.print_title_rows == "$4:$4"
        wz = next(r for r in summary.iter_rows(min_row=5) if r[1].value == "万州区")
        assert wz[3].value == "已报送" and wz[14].value == 0.5
        assert wz[14].number_format == "0.0%"
        headers = [c.value for c in matrix[1]]
        assert headers[:2] == ["举措编号", "贯彻举措"] and headers[-1] == "完成率"
        a_col = headers.index("万州区") + 1
        b_col = headers.index("涪陵区") + 1
        row_112 = next(r[0].row for r in matrix.iter_rows(min_row=2) if r[0].value == "1.1.2")
        done = matrix.cell(row_112, a_col)
        assert done.value == "已完成" and done.fill.fgColor.rgb.endswith("C6EFCE")
        late = matrix.cell(row_112, b_col)
        assert late.value == "推进中（逾期）" and late.font.color.rgb.endswith("9C0006")
        detail_headers = [c.value for c in detail[1]]
        assert detail_headers[:4] == ["单位", "举措编号", "贯彻举措", "完成状态"]
        rows = {(r[0].value, r[1].value): r for r in detail.iter_rows(min_row=2)}
        wz_112 = rows[("万州区", "1.1.2")]
        assert wz_112[6].value == "已开设涉企政策解读专栏。"
        assert wz_112[7].value == "https://www.wz.gov.cn/zcjd/" and wz_112[10].value == 3
        injected = rows[("万州区", "2.1.2")][9]
        assert injected.value == '=HYPERLINK("http://x","点我")' and injected.data_type == "s"
        assert rows[("渝中区", "1.1.2")][3].value == "未报送"
        assert len(rows) == result.detail_rows
    finally:
        book.close()


def test_all_units_summary_shape(sup: Workspace, directory: UnitDirectory) -> None:
    data = all_units_summary(sup, directory, TODAY)
    assert set(data["units"]) == {"500101", "500102"}  # by id, never by name
    wz = data["units"]["500101"]
    assert (wz["name"], wz["full_name"]) == ("万州区", "重庆市万州区人民政府")
    assert wz["counts"] == {"not_started": 0, "in_progress": 1, "done": 1, "not_applicable": 1}
    assert wz["measures"]["1.1.2"]["status"] == "done"
    assert wz["measures"]["1.1.2"]["evidence"] == 3
    assert wz["bundle"]["sequence"] == 1 and dt.datetime.fromisoformat(
        wz["bundle"]["exported_at"])
    json.dumps(data, ensure_ascii=False)


def _big_plan(measures: int) -> Plan:
    groups = (("市政府办公厅",), ("各区县政府",)), (("市政府办公厅",), ("市政府各部门",)), \
        (("市发展改革委",), ("全市各级行政机关",)), (("市司法局",), ("测试单位7", "测试单位9"))
    per_subtask = 50
    areas = []
    n = 0
    for a in range(1, measures // (per_subtask * 10) + 1):
        subtasks = []
        for s in range(1, 11):
            items = []
            for k in range(1, per_subtask + 1):
                lead, resp = groups[n % len(groups)]
                deadline = Deadline(dt.date(2020, 12, 31)) if n % 7 == 0 else Deadline()
                items.append(Measure(f"{a}.{s}.{k}", k, f"{k}．", f"第{n}项举措的文字。",
                                     lead, resp, deadline))
                n += 1
            subtasks.append(Subtask(f"{a}.{s}", s, f"（{s}）", f"子任务{s}", tuple(items)))
        areas.append(Area(str(a), a, str(a), f"领域{a}", tuple(subtasks)))
    return Plan(PlanInfo("big-plan", "大计划", "无", dt.date(2020, 1, 1), "测试"), tuple(areas))


@pytest.mark.slow
def test_stays_quick_with_100_units_and_5000_measures(tmp_path: Path,
                                                      directory: UnitDirectory) -> None:
    plan = _big_plan(5000)
    ids = [m.id for m in plan.measures()]
    assert len(ids) == 5000
    units = [(u.id, u.name, u.full_name, u.type.value) for u in directory.all()]
    units += [(f"custom:测试单位{i}", f"测试单位{i}", f"测试单位{i}", UnitType.OTHER.value)
              for i in range(100 - len(units))]
    statuses = [s.value for s in Status]
    with Workspace.create(tmp_path / "big.gkws", plan, SUPERVISOR) as ws:
        with writing(ws) as conn:
            for n, (uid, name, full, kind) in enumerate(units):
                conn.execute("INSERT INTO sup_bundles (id, bundle_hash, unit_id, sequence,"
                             " exported_at, imported_at, cert_fingerprint, evidence_included,"
                             " manifest) VALUES (?, ?, ?, 1, '2020-12-01T10:00:00+08:00',"
                             " '2020-12-02T10:00:00+08:00', '', 1, '{}')",
                             (n + 1, f"{n:064d}", uid))
                conn.execute("INSERT INTO sup_units (unit_id, unit_name, full_name, unit_type,"
                             " bundle_id, sequence, exported_at, imported_at) VALUES"
                             " (?, ?, ?, ?, ?, 1, '2020-12-01T10:00:00+08:00',"
                             " '2020-12-02T10:00:00+08:00')", (uid, name, full, kind, n + 1))
                conn.executemany(
                    "INSERT INTO sup_records (unit_id, measure_id, status, reason) VALUES"
                    " (?, ?, ?, 'x')",
                    [(uid, mid, statuses[(i + n) % 4]) for i, mid in enumerate(ids)])
        started = time.perf_counter()
        cons = consolidate(ws, directory, TODAY)
        built = time.perf_counter() - started
        assert (cons.row_count, cons.column_count) == (100, 5000)
        started = time.perf_counter()
        painted = sum(1 for r in range(cons.row_count) for c in range(0, 5000, 7)
                      if cons.state(r, c) is not CellState.NONE)
        per_cell = (time.perf_counter() - started) / (100 * 715)
        led = consolidate(ws, directory, TODAY, led_by=SUPERVISOR)
        assert led.column_count == 2500
    print(f"consolidate 100×5000: {built:.2f} s; state(): {per_cell * 1e6:.2f} µs per cell")
    assert painted > 0
    assert built < 15 and per_cell < 20e-6
