"""Drafted report text, dates, titles and line breaking rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from gongkai_desktop.model import Status
from gongkai_desktop.report import (
    chinese_date,
    default_opening,
    default_sections,
    default_title,
    draft_work_section,
)
from gongkai_desktop.report.body import title_lines
from gongkai_desktop.report.cjkwrap import break_lines
from gongkai_desktop.report.sample import sample_plan, sample_rows
from gongkai_desktop.report.text import TextKit
from gongkai_desktop.typeset.fonts import FontRole, bundled_font_book

PLAN = sample_plan(areas=2, subtasks=2, measures=2)


def test_title_and_opening_come_from_the_plan() -> None:
    assert default_title("重庆市万州区人民政府", PLAN) == (
        "重庆市万州区人民政府关于贯彻落实2020年政务公开工作要点任务分工情况的自查报告")
    later = replace(PLAN, info=replace(PLAN.info, issued=dt.date(2021, 6, 1),
                                       document_number="渝府办发〔2021〕12号"))
    assert "2021年政务公开工作要点" in default_title("某单位", later)
    opening = default_opening(PLAN)
    assert "（渝府办发〔2020〕89号）" in opening
    notice = "重庆市人民政府办公厅关于印发贯彻落实国务院办公厅2020年政务公开工作要点任务分工的通知"
    assert f"《{notice}》" in opening
    assert "渝府办发〔2021〕12号" in default_opening(later)


def test_dates_have_no_leading_zeros() -> None:
    assert chinese_date(dt.date(2020, 9, 5)) == "2020年9月5日"
    assert chinese_date(dt.date(2020, 11, 30)) == "2020年11月30日"


def test_work_section_counts_and_quotes_the_units_words() -> None:
    rows = sample_rows(PLAN)
    rows[0] = replace(rows[0], status=Status.DONE, explanation="已公开权责清单56项。")
    text = draft_work_section(rows)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 2  # one per area
    assert paragraphs[0].startswith("（一）围绕贯彻落实党的十九届四中全会精神加强用权公开。")
    assert "一是已公开权责清单56项" in paragraphs[0]
    area_rows = [r for r in rows if r.area_title == rows[0].area_title]
    done = sum(r.status is Status.DONE for r in area_rows)
    assert f"本单位承担该方面举措{len(area_rows)}项，已完成{done}项" in paragraphs[0]
    in_progress = sum(r.status is Status.IN_PROGRESS for r in area_rows)
    if in_progress:
        assert f"推进中{in_progress}项" in paragraphs[0]


def test_work_section_without_rows() -> None:
    assert draft_work_section([]) == "本单位在本次任务分工中未承担具体举措。"
    sections = default_sections([])
    headings = [s.heading for s in sections]
    assert headings == ["一、工作开展情况", "二、存在的问题", "三、下一步工作打算"]


def test_title_turns_before_guanyu_and_after_whole_words() -> None:
    kit = TextKit(bundled_font_book())
    lines = title_lines(default_title("重庆市万州区人民政府", PLAN), kit)
    assert lines[0] == "重庆市万州区人民政府"
    assert lines[1].startswith("关于") and lines[-1].endswith("自查报告")
    assert "".join(lines) == default_title("重庆市万州区人民政府", PLAN)
    width = 156 * 72 / 25.4
    assert all(kit.fonts.width(x, kit.font(FontRole.TITLE), 22) <= width for x in lines)


def test_closing_punctuation_never_starts_a_line_nor_an_opening_one_ends_it() -> None:
    chars = list("一二三四五，六七八“九十”。")
    widths = [10.0] * len(chars)
    lines = break_lines(chars, widths, [50.0])
    texts = ["".join(chars[s:e]) for s, e, _, _ in lines]
    assert "".join(texts) == "".join(chars)
    for text in texts:
        assert text[0] not in "，。”" and text[-1] not in "“"
        assert len(text) * 10 <= 50
