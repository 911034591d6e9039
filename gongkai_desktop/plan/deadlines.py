"""Deadline phrases in a measure's text → ``Deadline``.

Plans state deadlines in running text ("2020年11月底前", "年底前", "2021年9月30日前").
A measure is done when all its parts are, so the latest date found wins. A rolling
limit ("作出决定之日起20个工作日内") has no calendar date and becomes the note.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import Deadline


def _year(name: str) -> str:
    return rf"(?:(?P<{name}>\d{{4}})年)?"


_BEFORE = r"(?:之|以)?前"
_PERIOD_END = r"(?:(?:末|底)(?:" + _BEFORE + r")?|" + _BEFORE + r")"
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# One pattern, alternatives tried left to right at each position, so a year
# written before a month is always captured with it.
_DATE_PHRASE = re.compile(
    "|".join(
        (
            _year("year_d") + r"(?P<month>\d{1,2})月(?P<day>\d{1,2})日" + _BEFORE,
            _year("year_m") + r"(?P<month_end>\d{1,2})月底" + _BEFORE,
            r"(?:(?P<year_h>\d{4})年)(?P<half>上|下)半年" + _PERIOD_END + "?",
            # A quarter counts only as an end ("三季度末", "第三季度前"), not as a topic.
            r"(?:(?P<year_q>\d{4})年)?第?(?P<quarter>[一二三四1-4])季度" + _PERIOD_END,
            r"(?:(?P<year_e>\d{4}))?年(?:底|末)" + _BEFORE,
        )
    )
)

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# A clause (between Chinese punctuation) that sets a limit counted from an event.
_ROLLING = re.compile(r"[^，。；：,;:]*?之日起\d+个?(?:工作日|自然日|日|天)内")


def parse_deadline(text: str, default_year: int | None = None) -> Deadline:
    """Find the deadline a text states; an empty ``Deadline`` when it states none.

    Phrases without a year ("年底前", "6月底前") take ``default_year``; when that is
    not given they cannot become a date and are kept in the note instead.
    Raises ``InvalidInput`` for an impossible date such as 2021年2月30日前.
    """
    # Extraction line breaks and full-width digits must not hide a phrase; the
    # punctuation stays as written because the note quotes the text.
    compact = "".join(text.translate(_FULL_WIDTH_DIGITS).split())
    dates: list[dt.date] = []
    notes: list[str] = []
    for match in _DATE_PHRASE.finditer(compact):
        year_text = next(
            (
                match.group(g)
                for g in ("year_d", "year_m", "year_h", "year_q", "year_e")
                if match.group(g)
            ),
            None,
        )
        if year_text is None and default_year is None:
            notes.append(match.group(0))
            continue
        year = int(year_text) if year_text else default_year
        assert year is not None  # for mypy: checked just above
        dates.append(_phrase_date(match, year))
    notes.extend(m.group(0) for m in _ROLLING.finditer(compact))
    return Deadline(max(dates) if dates else None, "；".join(notes))


def _phrase_date(match: re.Match[str], year: int) -> dt.date:
    if match.group("day"):
        month, day = int(match.group("month")), int(match.group("day"))
    elif match.group("month_end"):
        month, day = int(match.group("month_end")), 0
    elif match.group("half"):
        month, day = (6 if match.group("half") == "上" else 12), 0
    elif match.group("quarter"):
        month, day = 3 * _QUARTERS[match.group("quarter")], 0
    else:  # 年底前 / 年末前
        month, day = 12, 0
    try:
        if day == 0:  # the last day of the month
            day = calendar.monthrange(year, month)[1]
        return dt.date(year, month, day)
    except ValueError as exc:  # calendar.IllegalMonthError is a ValueError too
        raise InvalidInput(f"“{match.group(0)}”不是有效的日期") from exc
