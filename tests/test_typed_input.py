"""Typed input read the way an officer means it: completed addresses, Chinese dates,
today's date for 已完成, codes in the search (core, and the command line using it)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gongkai_desktop import drafts
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.typed_input import (
    complete_url,
    complete_urls,
    date_text,
    parse_date,
    proposed_completion_date,
)
from tests.test_cli import content, run


@pytest.mark.parametrize("typed, url", [
    ("www.cq.gov.cn/x", "http://www.cq.gov.cn/x"),
    ("gov.cn/zhengce/", "http://gov.cn/zhengce/"),
    ("  WWW.WZ.GOV.CN  ", "http://WWW.WZ.GOV.CN"),
    ("www.wz.gov.cn:8080/a?b=1#c", "http://www.wz.gov.cn:8080/a?b=1#c"),
])
def test_bare_addresses_are_completed(typed: str, url: str) -> None:
    result = complete_url(typed)
    assert (result.url, result.completed) == (url, True)


def test_full_addresses_are_left_alone() -> None:
    for url in ("https://www.cq.gov.cn/x", "http://10.0.0.1/a"):
        assert complete_url(url) == complete_url(url)
        assert complete_url(url).completed is False and complete_url(url).url == url


@pytest.mark.parametrize("typed", ["区政府网站", "wz/xxgk", "ftp://www.cq.gov.cn",
                                   "javascript:alert(1)", "www.cq.gov.cn/a b", "www", ""])
def test_what_is_not_an_address_is_refused_in_chinese(typed: str) -> None:
    with pytest.raises(InvalidInput, match="网址"):
        complete_url(typed)


def test_complete_urls_says_which_were_completed() -> None:
    urls, completed = complete_urls(["https://a.gov.cn", " ", "www.b.gov.cn"])
    assert urls == ("https://a.gov.cn", "http://www.b.gov.cn")
    assert completed == ("http://www.b.gov.cn",)


@pytest.mark.parametrize("typed", ["2020-09-15", "2020.9.15", "2020/9/15", "2020年9月15日",
                                   "2020年9月15", " 2020 年 9 月 15 日 ", "２０２０－０９－１５",
                                   "2020-9-15"])
def test_every_office_date_form(typed: str) -> None:
    assert parse_date(typed) == dt.date(2020, 9, 15)


@pytest.mark.parametrize("typed, words", [("2020-02-30", "不存在"), ("九月十五日", "格式不对"),
                                          ("15/9/2020", "格式不对"), ("2020-13-01", "不存在"),
                                          ("20200915", "格式不对")])
def test_wrong_dates_are_refused_in_chinese(typed: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        parse_date(typed)


@pytest.mark.parametrize("typed", ["1999-12-31", "2100年1月1日"])
def test_dates_a_record_cannot_hold_are_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(typed, "整改时限")
    assert str(caught.value) == f"整改时限“{typed}”不合理（应在 2000 年到 2099 年之间）"


def test_the_compact_form_is_only_for_spreadsheet_cells() -> None:
    assert parse_date("20200915", compact=True) == dt.date(2020, 9, 15)
    with pytest.raises(InvalidInput, match="格式不对"):
        parse_date("20200915")


def test_complete_urls_names_the_line_of_a_refused_address() -> None:
    lines = ["www.cq.gov.cn", "", "区政府网站"]
    with pytest.raises(InvalidInput, match=r"^第 3 行：网址“区政府网站”无效"):
        complete_urls(lines, place=lambda n: f"第 {n} 行")
    urls, completed = complete_urls(lines[:2], place=lambda n: f"第 {n} 行")
    assert urls == completed == ("http://www.cq.gov.cn",)


def test_date_text_is_chinese() -> None:
    assert date_text(dt.date(2026, 12, 5)) == "2026年12月5日"


def test_done_proposes_today_only_when_no_date() -> None:
    today = dt.date(2026, 12, 5)
    empty = MeasureRecord("1.1.1")
    assert proposed_completion_date(empty, Status.DONE, None, today) == today
    assert proposed_completion_date(empty, Status.DONE, dt.date(2020, 9, 1), today) is None
    assert proposed_completion_date(empty, Status.IN_PROGRESS, None, today) is None
    dated = MeasureRecord("1.1.1", completed_on=dt.date(2020, 9, 1))
    assert proposed_completion_date(dated, Status.DONE, None, today) is None


def test_search_by_code(cli_ws: Path) -> None:
    with Workspace.open(cli_ws, readonly=True) as opened:
        assert opened.search("1.2.3") == ["1.2.3"]
        under = opened.search("1.2")
        assert under and all(m.startswith("1.2.") for m in under)
        assert opened.search("1.2.") == under
        assert opened.search("９.９") == []  # no such code: searched as text, nothing


# ---- the command line ----------------------------------------------------------------------


def test_cli_set_completes_the_url_and_reads_a_chinese_date(cli_ws: Path, capsys) -> None:
    code, out, err = run(capsys, "set", cli_ws, "1.1.1", "--status", "已完成",
                         "--url", "www.wz.gov.cn/zwgk", "--date", "2020年9月15日")
    assert code == 0, err
    assert "网址已补全为：http://www.wz.gov.cn/zwgk" in out
    with Workspace.open(cli_ws, readonly=True) as opened:
        record = opened.record("1.1.1")
    assert record.urls == ("http://www.wz.gov.cn/zwgk",)
    assert record.completed_on == dt.date(2020, 9, 15)


@pytest.mark.parametrize("typed", ["2020.9.15", "2020/9/15", "2020-09-15"])
def test_cli_set_date_forms(cli_ws: Path, capsys, typed: str) -> None:
    assert run(capsys, "set", cli_ws, "1.1.1", "--status", "已完成", "--date", typed)[0] == 0
    with Workspace.open(cli_ws, readonly=True) as opened:
        assert opened.record("1.1.1").completed_on == dt.date(2020, 9, 15)


def test_cli_set_done_fills_in_today(cli_ws: Path, capsys) -> None:
    code, out, _ = run(capsys, "set", cli_ws, "1.1.1", "--status", "已完成")
    assert code == 0
    today = dt.date.today()
    assert f"完成时间已填为今天：{today.isoformat()}" in out
    with Workspace.open(cli_ws, readonly=True) as opened:
        assert opened.record("1.1.1").completed_on == today
    # A second 已完成 keeps the date it has.
    code, out, _ = run(capsys, "set", cli_ws, "1.1.1", "--status", "已完成", "--note", "补充")
    assert code == 0 and "今天" not in out


def test_cli_attach_link_is_completed(cli_ws: Path, capsys) -> None:
    code, out, err = run(capsys, "attach", cli_ws, "1.1.1", "--link", "gov.cn/zhengce/",
                         "--title", "国务院政策")
    assert code == 0, err
    assert "网址已补全为：http://gov.cn/zhengce/" in out
    with Workspace.open(cli_ws, readonly=True) as opened:
        (link,) = opened.evidence("1.1.1")
    assert link.url == "http://gov.cn/zhengce/"


def test_cli_bad_link_changes_nothing(cli_ws: Path, capsys) -> None:
    before = content(cli_ws)
    code, out, err = run(capsys, "attach", cli_ws, "1.1.1", "--link", "区政府网站")
    assert code != 0 and out == "" and "网址" in err and err.count("\n") == 1
    assert content(cli_ws) == before


# ---- kept drafts ---------------------------------------------------------------------------


def test_drafts_file_round_trip_and_hostile_content(tmp_path: Path) -> None:
    path = tmp_path / "万州区.gkws"
    drafts.save(path, {"1.1.1": {"urls": "wz/xxgk", "completed_on": "2020年2月30日"}})
    assert drafts.load(path) == {"1.1.1": {"urls": "wz/xxgk", "completed_on": "2020年2月30日"}}
    hostile = {str(path.resolve()): {"1.1.1": {"urls": 5, "evil": "x"}, "2": []}}
    drafts.drafts_path().write_text(json.dumps(hostile), "utf-8")
    assert drafts.load(path) == {}
    drafts.drafts_path().write_text("not json", "utf-8")
    assert drafts.load(path) == {}
    drafts.save(path, {})
    assert drafts.load(path) == {}


def test_the_core_record_change_fills_in_today_for_done(tmp_path: Path) -> None:
    """The window and ``set`` share one rule: 已完成 without a date takes today's."""
    from tests.plan_fixtures import make_workspace

    with make_workspace(tmp_path / "ws.gkws") as space:
        today = dt.date(2026, 3, 5)
        assert space.update_record("1.1.1", status=Status.DONE, today=today).completed_on == today
        typed = space.update_record("1.1.2", status=Status.DONE,
                                    completed_on=dt.date(2026, 1, 2), today=today)
        assert typed.completed_on == dt.date(2026, 1, 2)
        started = space.update_record("2.1.1", status=Status.IN_PROGRESS, today=today)
        assert started.completed_on is None
        # Without ``today`` (imports, the undo stack) a change is applied exactly as asked.
        assert space.update_record("2.1.2", status=Status.DONE).completed_on is None
