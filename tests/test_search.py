"""Search: Chinese substrings of any length, plan order, hostile query text."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.paths import seed_database
from gongkai_desktop.plan.store import read_plan
from gongkai_desktop.storage import Workspace
from tests.plan_fixtures import TEST_UNIT, make_workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with make_workspace(tmp_path / "ws.gkws") as workspace:
        yield workspace


def test_one_two_and_more_chinese_characters(ws: Workspace) -> None:
    assert ws.search("惠") == ["1.1.1"]
    assert ws.search("企") == ["1.1.1", "1.1.2", "2.1.2"]
    assert ws.search("政务") == ["2.1.1", "2.1.2"]
    assert ws.search("政务公开") == ["2.1.1", "2.1.2"]
    assert ws.search("政务公开事项目录") == ["2.1.1"]
    assert ws.search("招聘信息") == ["1.2.1"]
    assert ws.search("不存在的内容") == []


def test_explanation_remarks_and_evidence_names_are_found(ws: Workspace) -> None:
    ws.update_record("2.1.2", explanation="在区政府门户网站设立专区", remarks="年底验收")
    ws.add_evidence_bytes("1.2.1", b"%PDF-1.4", "招聘公告汇编.pdf")
    ws.add_evidence_link("1.1.2", "https://www.wz.gov.cn/jd", title="政策解读栏目")
    assert ws.search("门户网站") == ["2.1.2"]
    assert ws.search("验收") == ["2.1.2"]
    assert ws.search("公告汇编") == ["1.2.1"]
    assert ws.search("解读栏目") == ["1.1.2"]
    ws.update_record("2.1.2", explanation="改为线下公开栏")
    assert ws.search("门户网站") == []
    item = ws.evidence("1.2.1")[0]
    ws.remove_evidence(item.id)
    assert ws.search("公告汇编") == []
    ws.restore_evidence(item)
    assert ws.search("公告汇编") == ["1.2.1"]


def test_several_terms_must_all_match(ws: Workspace) -> None:
    assert ws.search("政务 专区") == ["2.1.2"]
    assert ws.search("  目录   乡镇（街道） ") == ["2.1.1"]


def test_results_follow_plan_order(ws: Workspace) -> None:
    for mid in ("2.1.2", "1.2.1", "1.1.1"):
        ws.update_record(mid, remarks="共同关键词")
    assert ws.search("共同关键词") == ["1.1.1", "1.2.1", "2.1.2"]
    assert ws.search("关键") == ["1.1.1", "1.2.1", "2.1.2"]


@pytest.mark.parametrize(
    "query",
    ['"', "'", '""', '"政务', "AND", "OR", "NOT", "政务 OR 公开", 'NEAR("a" "b")', "*", "a*",
     "^政务", "body:政务", "measure_id:1", "(", ")", "%", "_", "\\", "%%%", "--", "; DROP TABLE",
     "\x00", "政\"务", "{body}: x", "x" * 5000],
)
def test_hostile_query_text_is_searched_literally(ws: Workspace, query: str) -> None:
    assert ws.search(query) == []


def test_hostile_text_in_data_is_findable(ws: Workspace) -> None:
    ws.update_record("1.2.1", remarks='见 "附件1" AND 100% 完成_a')
    assert ws.search('"附件1"') == ["1.2.1"]
    assert ws.search("AND") == ["1.2.1"]
    assert ws.search("%") == ["1.2.1"]
    assert ws.search("0%") == ["1.2.1"]
    assert ws.search("_a") == ["1.2.1"]


def test_empty_query_finds_nothing(ws: Workspace) -> None:
    assert ws.search("") == [] and ws.search("   ") == []


def test_latin_search_ignores_case(ws: Workspace) -> None:
    ws.update_record("1.1.1", remarks="PDF版本已上传")
    assert ws.search("pdf") == ["1.1.1"]
    assert ws.search("pdf版本") == ["1.1.1"]


@pytest.mark.skipif(not seed_database().exists(), reason="data/seed.sqlite not built")
def test_real_plan_is_searchable(tmp_path: Path) -> None:
    with closing(sqlite3.connect(f"{seed_database().as_uri()}?mode=ro", uri=True)) as conn:
        plan = read_plan(conn)
    with Workspace.create(tmp_path / "real.gkws", plan, TEST_UNIT) as ws:
        assert ws.plan == plan
        order = [m.id for m in plan.measures()]
        for query in ("公开", "政务公开", "政策解读"):
            found = ws.search(query)
            assert found, query
            assert found == sorted(found, key=order.index)
            assert all(query in plan.measure(mid).text for mid in found)
            assert len(found) == sum(query in m.text for m in plan.measures())
