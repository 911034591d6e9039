"""Delegation rules behind the commands: the migration from schema 4, the roll-up rules,
editing a proposal, the progress matrix, offices from a workbook, kept evidence contents."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.changes import NOTHING, Changes
from gongkai_desktop.delegation import (
    add_offices,
    apply_rollup,
    assign,
    contributions,
    find_office,
    import_offices,
    import_returns,
    init_from_task,
    list_offices,
    propose_rollup,
    write_task,
)
from gongkai_desktop.delegation.progress import delegation_progress
from gongkai_desktop.delegation.reporting import annex_rows, work_sentence
from gongkai_desktop.delegation.rollup import combined_status
from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace, migrations
from tests.bundle_fixtures import export, make_unit
from tests.delegation_fixtures import SFJ_KEY, WZ_KEY
from tests.plan_fixtures import make_workspace

D, P, N, A = Status.DONE, Status.IN_PROGRESS, Status.NOT_STARTED, Status.NOT_APPLICABLE


@pytest.mark.parametrize(("statuses", "expected"), [
    ([D, D], D), ([D, P], P), ([D, N], P), ([A, A], A), ([A, D], P), ([N, A], N), ([N, N], N),
    ([P], P), ([], N),
])
def test_status_rule(statuses: list[Status], expected: Status) -> None:
    assert combined_status(statuses) is expected


def test_version_4_workspace_migrates_with_a_backup(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "版本4.gkws"
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])
        with make_workspace(path) as ws:
            ws.update_record("1.1.1", status=Status.DONE, explanation="版本 4 填写")
            ws.add_evidence_bytes("1.1.1", b"%PDF-1.4 v4", "旧.pdf")
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    with Workspace.open(path) as ws:
        assert ws.record("1.1.1").explanation == "版本 4 填写"
        assert [e.file_name for e in ws.evidence("1.1.1")] == ["旧.pdf"]
        add_offices(ws, ["区司法局"])
        assert [o.name for o in list_offices(ws)] == ["区司法局"]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"offices", "assignments", "office_keys", "office_returns", "contributions",
            "contribution_evidence", "rollup_flags"} <= tables
    backups = list(tmp_path.glob("版本4.backup-v4-*.sqlite"))
    assert len(backups) == 1
    with closing(sqlite3.connect(backups[0])) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4


@pytest.fixture
def parent(tmp_path: Path) -> Workspace:
    ws = make_unit(tmp_path / "万州区.gkws")
    add_offices(ws, ["区司法局", "区委编办", "龙都街道"])
    return ws


def _office_returns(parent: Workspace, tmp_path: Path, name: str, key: object,
                    status: Status, note: str, reason: str = "") -> None:
    task = write_task(parent, find_office(parent, name), WZ_KEY, tmp_path / f"{name}.gktask")
    ws, _ = init_from_task(tmp_path / f"{name}.gkws", task)
    ws.update_record("1.1.1", status=status, explanation=note, reason=reason)
    if status is Status.DONE:
        ws.add_evidence_bytes("1.1.1", note.encode() + b" proof", f"{name}.pdf")
    out = export(ws, tmp_path / f"{name}.gkbundle", key).files[0]  # type: ignore[arg-type]
    ws.close()
    rows = import_returns(parent, [out], accept_keys=[key.fingerprint()])  # type: ignore[attr-defined]
    assert rows[0].outcome.value == "imported", rows[0].message
    assert rows[0].changes == Changes(contributions=True)  # the 下级有新填报 flags


def test_not_applicable_reasons_are_joined(parent: Workspace, tmp_path: Path) -> None:
    from tests.delegation_fixtures import BB_KEY

    assign(parent, ["1.1.1"], ["区司法局", "区委编办"])
    _office_returns(parent, tmp_path, "区司法局", SFJ_KEY, Status.NOT_APPLICABLE, "", "无此职能")
    _office_returns(parent, tmp_path, "区委编办", BB_KEY, Status.NOT_APPLICABLE, "", "不涉及")
    proposal = propose_rollup(parent, "1.1.1")
    assert proposal.proposed.status is Status.NOT_APPLICABLE
    assert proposal.proposed.reason == "区司法局：无此职能；区委编办：不涉及"
    apply_rollup(parent, proposal)
    assert parent.record("1.1.1").status is Status.NOT_APPLICABLE
    assert propose_rollup(parent, "1.1.1").is_empty


def test_an_edited_proposal_is_written_and_a_stale_one_refused(parent: Workspace,
                                                               tmp_path: Path) -> None:
    assign(parent, ["1.1.1"], ["区司法局", "区委编办"])
    _office_returns(parent, tmp_path, "区司法局", SFJ_KEY, Status.DONE, "已公开")
    proposal = propose_rollup(parent, "1.1.1")
    assert proposal.proposed.status is Status.IN_PROGRESS  # 区委编办 has not answered
    assert proposal.offices_without_answer == ("区委编办",)
    parent.update_record("1.1.1", remarks="本单位自己改过")
    with pytest.raises(InvalidInput, match="重新汇总"):
        apply_rollup(parent, proposal)
    proposal = propose_rollup(parent, "1.1.1")
    import dataclasses

    edited = dataclasses.replace(proposal.proposed, explanation="本单位改写的说明")
    rolled = apply_rollup(parent, proposal, record=edited, include_evidence=False)
    assert rolled.record == parent.record("1.1.1")
    assert rolled.changes == Changes(records=frozenset({"1.1.1"}), contributions=True)
    assert parent.record("1.1.1").explanation == "本单位改写的说明"
    assert parent.evidence("1.1.1") == []
    # The office's file stays stored for a later roll-up, whatever is purged.
    parent.purge_unused_blobs()
    assert contributions(parent, "1.1.1")[0].evidence[0].file_name == "区司法局.pdf"
    rolled = apply_rollup(parent, propose_rollup(parent, "1.1.1"))
    assert rolled.changes.evidence == {"1.1.1"}  # the office's file came up
    assert apply_rollup(parent, propose_rollup(parent, "1.1.1")).changes == NOTHING  # no write
    item = parent.evidence("1.1.1")[0]
    assert b"".join(parent.iter_blob(item.sha256 or "")) == "已公开".encode() + b" proof"


def test_progress_lists_missing_and_overdue_offices(parent: Workspace, tmp_path: Path) -> None:
    assign(parent, ["1.1.1"], ["区司法局", "区委编办"], deadline=dt.date(2020, 9, 1))
    assign(parent, ["1.1.2"], ["龙都街道"])
    _office_returns(parent, tmp_path, "区司法局", SFJ_KEY, Status.DONE, "已公开")
    progress = delegation_progress(parent, dt.date(2020, 10, 1))
    assert progress.measures == ("1.1.1", "1.1.2")
    assert [o.name for o in progress.missing_offices()] == ["区委编办", "龙都街道"]
    assert [o.name for o in progress.overdue_offices()] == ["区委编办"]
    assert progress.reminders() == ["区委编办（逾期：1.1.1）", "龙都街道（未交：1.1.2）"]
    sfj = find_office(parent, "区司法局").office_id
    assert progress.cells[(sfj, "1.1.1")].status is Status.DONE
    assert progress.to_json()["rollup_pending"] == ["1.1.1"]
    rows = annex_rows(parent)
    assert [(r.office, r.measure_id, r.status) for r in rows] == [
        ("区司法局", "1.1.1", "已完成"), ("区委编办", "1.1.1", "未报送"),
        ("龙都街道", "1.1.2", "未报送")]
    assert "区司法局、区委编办、龙都街道 3 个下级单位" in work_sentence(parent)


def test_offices_from_a_workbook_column(tmp_path: Path, parent: Workspace) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "单位名称", "联系人"])
    sheet.append([1, "区司法局", "甲"])
    sheet.append([2, "白岩街道", "乙"])
    sheet.append([3, "高笋塘街道、太白街道", "丙"])
    book.save(tmp_path / "offices.xlsx")
    added = import_offices(parent, tmp_path / "offices.xlsx")
    assert [o.name for o in added] == ["白岩街道", "高笋塘街道", "太白街道"]  # 区司法局 was there
    with pytest.raises(InvalidInput):
        add_offices(parent, ["\u202e局法司区"])
    with pytest.raises(NotFound):
        assign(parent, ["1.1.1"], ["不存在的科室"])


def test_split_bundles_and_old_and_new_in_one_batch(parent: Workspace, tmp_path: Path) -> None:
    import os

    assign(parent, ["1.1.1", "1.1.2"], ["区司法局"])
    task = write_task(parent, find_office(parent, "区司法局"), WZ_KEY, tmp_path / "t.gktask")
    ws, _ = init_from_task(tmp_path / "office.gkws", task)
    ws.set_setting("max_evidence_bytes", 10 * 1024 * 1024)
    ws.update_record("1.1.1", status=Status.IN_PROGRESS, explanation="第一次")
    first = export(ws, tmp_path / "one.gkbundle", SFJ_KEY).files  # type: ignore[arg-type]
    ws.update_record("1.1.1", status=Status.DONE, explanation="第二次")
    ws.add_evidence_bytes("1.1.1", os.urandom(5 * 1024 * 1024), "大文件.pdf")
    parts = export(ws, tmp_path / "two.gkbundle", SFJ_KEY,  # type: ignore[arg-type]
                   max_part_bytes=2 * 1024 * 1024).files
    ws.close()
    assert len(parts) > 1
    rows = import_returns(parent, [*reversed(parts), *first], accept_keys=[SFJ_KEY.fingerprint()])
    assert [r.outcome.value for r in rows] == ["imported"] * (len(parts) + 1), rows
    got = contributions(parent, "1.1.1")[0]
    assert got.record.explanation == "第二次" and got.evidence[0].size == 5 * 1024 * 1024


def test_progress_in_the_consolidation_views_shape(parent: Workspace, tmp_path: Path) -> None:
    from gongkai_desktop.delegation.progress import as_consolidation
    from gongkai_desktop.supervisor.consolidation import CellState

    assign(parent, ["1.1.1"], ["区司法局", "区委编办"], deadline=dt.date(2020, 9, 1))
    _office_returns(parent, tmp_path, "区司法局", SFJ_KEY, Status.DONE, "已公开")
    today = dt.date(2020, 10, 1)
    matrix = as_consolidation(parent, delegation_progress(parent, today), today)
    assert [r.unit.name for r in matrix.units] == ["区司法局", "区委编办", "龙都街道"]
    assert [c.measure.id for c in matrix.measures] == ["1.1.1"]
    assert matrix.state(0, 0) is CellState.DONE and matrix.state(1, 0) is CellState.MISSING
    assert matrix.state(2, 0) is CellState.NONE and matrix.is_overdue(1, 0)
    assert [u.name for u in matrix.missing_units("1.1.1")] == ["区委编办"]


def test_an_offices_checklist_says_where_it_leads(parent: Workspace, tmp_path: Path) -> None:
    from gongkai_desktop.delegation.checklist import export_office_checklist
    from gongkai_desktop.xlsx import checklist_layout as L

    assign(parent, ["1.1.1"], ["区委编办"])
    assign(parent, ["1.1.2"], ["区委编办"], lead=["区委编办"])
    out = tmp_path / "区委编办.xlsx"
    export_office_checklist(parent, find_office(parent, "区委编办"), out)
    sheet = openpyxl.load_workbook(out)[L.MAIN_SHEET]
    headers = {sheet.cell(L.HEADER_ROW, c).value: c for c in range(1, sheet.max_column + 1)}
    duty = {sheet.cell(r, headers[L.KEY_HEADER]).value: sheet.cell(r, headers["本单位职责"]).value
            for r in range(L.HEADER_ROW + 1, sheet.max_row + 1)}
    assert duty == {"1.1.1": "责任单位", "1.1.2": "责任单位、牵头单位"}
