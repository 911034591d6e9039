"""Deadline phrases as plans write them, in measure texts and in imported workbooks."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import Deadline
from gongkai_desktop.plan.deadlines import parse_deadline

D = dt.date

ROLLING_NOTE = (
    "行政许可、行政处罚决定作出之日起7个工作日内；"
    "行政强制和其他对外管理服务事项作出决定之日起20个工作日内"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the phrases of 渝府办发〔2020〕89号
        ("2020年7月30日前，编制完成26个试点领域", D(2020, 7, 30)),
        ("2020年10月30日前，编制完成", D(2020, 10, 30)),
        ("市司法行政部门要在2020年11月底前，系统梳理", D(2020, 11, 30)),
        ("2020年底前法定主动公开内容要在政府信息公开平台全部公开到位", D(2020, 12, 31)),
        ("并于2020年8月底前报市政府办公厅备案", D(2020, 8, 31)),
        # as the PDF extraction cut them across lines
        ("要在2020年11月底\n\n前，系统梳理", D(2020, 11, 30)),
        ("要在2020\n年11月底前", D(2020, 11, 30)),
        ("并于2020年8\n月底前报", D(2020, 8, 31)),
        # later plans (Excel import)
        ("2021年6月底前", D(2021, 6, 30)),
        ("2021年9月30日前完成", D(2021, 9, 30)),
        ("于2021年9月30日之前报送", D(2021, 9, 30)),
        ("2021年上半年完成", D(2021, 6, 30)),
        ("2021年第三季度末前", D(2021, 9, 30)),
        ("2024年2月底前", D(2024, 2, 29)),
        ("２０２１年９月３０日前", D(2021, 9, 30)),
    ],
)
def test_dated_phrases(text: str, expected: dt.date) -> None:
    assert parse_deadline(text) == Deadline(expected)


def test_latest_date_wins_because_the_measure_is_done_when_all_parts_are() -> None:
    text = "2021年6月底前完成目录编制，2021年9月30日前全部公开，2021年7月1日前报备"
    assert parse_deadline(text).date == D(2021, 9, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("年底前全面建成", D(2021, 12, 31)),
        ("6月底前报送", D(2021, 6, 30)),
        ("9月30日前公开", D(2021, 9, 30)),
    ],
)
def test_phrases_without_a_year_take_the_default_year(text: str, expected: dt.date) -> None:
    assert parse_deadline(text, default_year=2021) == Deadline(expected)


def test_phrases_without_a_year_and_no_default_are_kept_as_a_note() -> None:
    assert parse_deadline("年底前全面建成") == Deadline(None, "年底前")


def test_an_explicit_year_beats_the_default_year() -> None:
    assert parse_deadline("2020年底前", default_year=2021).date == D(2020, 12, 31)


def test_the_rolling_limit_becomes_the_note() -> None:
    text = (
        "行政许可、行政处罚决定作出之日起\n\n7个工作日内，行政强制和其他对外管理\n\n"
        "服务事项作出决定之日起20个工作日\n\n内，要向社会公布执法机关、执法对象"
    )
    assert parse_deadline(text) == Deadline(None, ROLLING_NOTE)


@pytest.mark.parametrize(
    "text",
    [
        "加大稳就业政策公开力度，加大解读力度",
        "贯彻落实国务院办公厅2020年政务公开工作要点",  # a year that is not a deadline
        "（国办公开办函〔2019〕61号）",
        "国务院2020年第一季度统计数据",  # a quarter as a topic, not as an end
        "保证24小时有专人接听",
        "日前，市政府召开会议",  # 日前 = "recently"
        "",
    ],
)
def test_texts_without_a_deadline_give_an_empty_deadline(text: str) -> None:
    deadline = parse_deadline(text, default_year=2020)
    assert deadline.is_empty


@pytest.mark.parametrize("text", ["2021年2月30日前", "2021年13月底前", "2021年6月31日前"])
def test_impossible_dates_are_refused_with_a_chinese_message(text: str) -> None:
    with pytest.raises(InvalidInput, match="不是有效的日期"):
        parse_deadline(text)
