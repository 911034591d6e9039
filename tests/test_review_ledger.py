"""The office reads each unit's 整改台账 from the audit log its bundle carried: strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.review.ledger import office_ledger, record_rectification
from gongkai_desktop.review.states import LEDGER_ACTION
from gongkai_desktop.safe_json import nesting_depth
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import writing
from tests.bundle_fixtures import dump, make_supervisor, make_unit


def _audit(ws: Workspace, unit_id: str, rows: list[tuple[str, str]]) -> None:
    with writing(ws) as conn:
        for n, (measure, new) in enumerate(rows, start=1):
            conn.execute("INSERT INTO sup_audit (unit_id, id, at, action, measure_id, field, new)"
                         " VALUES (?, ?, '2021-01-01T00:00:00+08:00', ?, ?, 'ledger', ?)",
                         (unit_id, n, LEDGER_ACTION, measure, new))


def test_hostile_ledger_entries_in_a_bundle_are_shown_as_none(tmp_path: Path) -> None:
    sup = make_supervisor(tmp_path / "办公厅.gkws")
    with writing(sup) as conn:  # an imported unit, as the importer leaves it
        conn.execute("INSERT INTO sup_bundles (bundle_hash, unit_id, sequence, exported_at,"
                     " imported_at, cert_fingerprint, evidence_included, manifest)"
                     " VALUES (?, '500101', 1, '2021-01-01T00:00:00+08:00',"
                     " '2021-01-01T00:00:00+08:00', ?, 1, '{}')", ("a" * 64, "b" * 64))
        conn.execute("INSERT INTO sup_units (unit_id, unit_name, full_name, unit_type, bundle_id,"
                     " sequence, exported_at, imported_at) VALUES ('500101', '万州区',"
                     " '重庆市万州区人民政府', 'district', 1, 1, '2021-01-01T00:00:00+08:00',"
                     " '2021-01-01T00:00:00+08:00')")
    good = ('{"action":"发布目录","deadline":"2021-03-31","owner":"李四","problem":"未公开",'
            '"updated_at":"2021-01-01T00:00:00+08:00"}')
    _audit(sup, "500101", [
        ("1.1.1", good),
        ("1.1.2", "[" * 100_000 + "]" * 100_000),  # nested past any parser
        ("1.2.1", good.replace("李四", "李" * 5000)),  # an owner far too long
        ("2.1.1", good.replace("2021-03-31", "明天")),  # not a date
        ("2.1.2", '{"problem": 1}'),  # not what this program writes
    ])
    ledger = office_ledger(sup)
    assert set(ledger) == {("500101", "1.1.1")}
    assert ledger[("500101", "1.1.1")].owner == "李四"


def test_the_unit_records_its_ledger_checked(tmp_path: Path) -> None:
    ws = make_unit(tmp_path / "万州区.gkws")
    before = dump(ws)
    with pytest.raises(NotFound, match=r"9\.9\.9"):
        record_rectification(ws, "9.9.9", problem="p", action="a", owner="o",
                             deadline="2021-01-01")
    with pytest.raises(InvalidInput, match="责任人"):
        record_rectification(ws, "1.1.1", problem="p", action="a", owner=" ",
                             deadline="2021-01-01")
    with pytest.raises(InvalidInput, match="整改时限"):
        record_rectification(ws, "1.1.1", problem="p", action="a", owner="o",
                             deadline="2021-02-30")
    assert dump(ws) == before
    entry = record_rectification(ws, "1.1.1", problem="未公开", action="发布", owner="张三",
                                 deadline="2021-01-01", actor="张三")
    assert [a.action for a in ws.audit_log("1.1.1")][-1] == LEDGER_ACTION
    assert entry.overdue(entry.deadline.replace(day=2)) and not entry.overdue(entry.deadline)


def test_depth_ignores_brackets_inside_strings() -> None:
    assert nesting_depth('{"a": "[[[[[[", "b": [[1]]}', 100) == 3
    assert nesting_depth('"\\"[[[["', 100) == 0


def test_one_count_of_review_states_and_one_rectify_set() -> None:
    """需整改 counts what the office returned and the unit has not rectified since; the
    counts name every state (``summary --json`` review_counts, the import's messages)."""
    from gongkai_desktop.review.states import (
        ReviewState,
        count_states,
        needs_rectifying,
        to_rectify,
    )

    counts = count_states([ReviewState.RETURNED, ReviewState.RECTIFIED, ReviewState.RETURNED])
    assert counts == {"accepted": 0, "returned": 2, "rectified": 1, "to_verify": 0}
    assert to_rectify(counts) == 2 and to_rectify({}) == 0
    assert needs_rectifying(ReviewState.RETURNED)
    assert not needs_rectifying(ReviewState.RECTIFIED) and not needs_rectifying(None)
