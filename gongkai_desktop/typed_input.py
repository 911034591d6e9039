"""What an officer types, read the way an officer means it.

One set of rules for the window, the command line and the filled-in checklist: a web
address without ``http://`` is completed (and the caller says so), a date may be written
the ways dates are written in Chinese offices (within the records' 2000–2099), and
choosing 已完成 without a date fills in today's date. Nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.storage.records import EARLIEST_DATE, LATEST_DATE, check_url
from gongkai_desktop.storage.records import (  # the rule lives with the record change
    proposed_completion_date as proposed_completion_date,
)

# A bare host name: labels of letters, digits and hyphens, the last one letters only
# ("www.cq.gov.cn", "gov.cn"), an optional port, then a path, query or fragment.
_BARE_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d{1,5})?(?:[/?#].*)?$",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"^(\d{4})\s*(?:[-./]|年)\s*(\d{1,2})\s*(?:[-./]|月)\s*(\d{1,2})\s*日?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 20200915: a spreadsheet number cell
DATE_FORMS = "2020-09-15、2020.9.15、2020/9/15 或 2020年9月15日"


@dataclass(frozen=True, slots=True)
class CompletedUrl:
    url: str
    completed: bool  # True when "http://" was put in front of what was typed


def complete_url(text: str) -> CompletedUrl:
    """The checked URL; ``www.…`` or ``gov.cn/…`` typed without a scheme gets ``http://``.

    Raises InvalidInput (Chinese) when the text is not a web address even after that.
    """
    value = text.strip() if isinstance(text, str) else ""
    if "://" not in value and _BARE_HOST.match(value):
        return CompletedUrl(check_url("http://" + value), True)
    return CompletedUrl(check_url(value), False)


def complete_urls(values: Iterable[str], *, place: Callable[[int], str] | None = None
                  ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the checked URLs, the ones that were completed); blank entries are skipped.

    ``place(n)`` names where the n-th entry (from 1, blanks counted) was typed — “第 2 行”,
    “第5行“公开网址”” — and starts the message of a refused one.
    """
    urls: list[str] = []
    completed: list[str] = []
    for number, value in enumerate(values, start=1):
        if not value.strip():
            continue
        try:
            result = complete_url(value)
        except InvalidInput as exc:
            if place is None:
                raise
            raise InvalidInput(f"{place(number)}：{exc}") from None
        urls.append(result.url)
        if result.completed:
            completed.append(result.url)
    return tuple(urls), tuple(completed)


def parse_date(text: str, label: str = "日期", *, compact: bool = False) -> dt.date:
    """2020-09-15, 2020.9.15, 2020/9/15, 2020年9月15日 (full-width digits too) → a date
    between 2000 and 2099 (what a record may hold); ``label`` names the field in the
    Chinese message (完成时间, 整改时限 …). ``compact`` also takes 20200915, what a
    spreadsheet keeps of a date typed into a number cell (typed elsewhere it is more
    likely a slip)."""
    value = unicodedata.normalize("NFKC", text.strip()) if isinstance(text, str) else ""
    value = value.replace("。", ".").replace("．", ".")
    match = _DATE.match(value) or (_COMPACT_DATE.match(value) if compact else None)
    if not match:
        raise InvalidInput(f"{label}“{text}”格式不对，可写成 {DATE_FORMS}")
    year, month, day = (int(part) for part in match.groups())
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{label}“{text}”不存在（{year}年没有{month}月{day}日）") from None
    return check_range(parsed, label, text)


def check_range(value: dt.date, label: str = "日期", shown: str = "") -> dt.date:
    """``value`` when a record may hold it (2000–2099); else the one Chinese line."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(f"{label}“{shown or value.isoformat()}”不合理"
                           f"（应在 {EARLIEST_DATE.year} 年到 {LATEST_DATE.year} 年之间）")
    return value


def date_text(value: dt.date) -> str:
    """A date as written in Chinese documents: 2020年9月15日."""
    return f"{value.year}年{value.month}月{value.day}日"


def datetime_text(value: dt.datetime) -> str:
    """A moment as written in Chinese documents, in local time: 2026年12月5日 15:38."""
    local = value.astimezone() if value.tzinfo is not None else value
    return f"{date_text(local.date())} {local:%H:%M}"

