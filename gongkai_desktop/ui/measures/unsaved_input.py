"""Typed input the record form checks before saving: the 公开网址 lines, and the question
asked when input that cannot be saved is left (a bad address or date)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.typed_input import complete_urls
from gongkai_desktop.ui.common import prompts

KEEP, DISCARD, GO_BACK = 0, 1, 2  # answers to the "input not saved" question
FLAGGED_CHOICES = ("保存修正", "放弃输入", "返回修改")
FIELD_NAMES = {"urls": "公开网址", "completed_on": "完成时间"}


def parse_urls(text: str) -> tuple[tuple[str, ...], str | None]:
    """(the URLs, one per non-empty line, completed; the first problem in Chinese or None)."""
    urls, _completed, problem = read_urls(text)
    return urls, problem


def read_urls(text: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """(the URLs, those the core completed with http://, the first problem or None)."""
    try:
        urls, completed = complete_urls(text.splitlines(), place=lambda n: f"第 {n} 行")
    except InvalidInput as exc:
        return (), (), str(exc)
    return urls, completed, None


def ask_flagged(parent: QWidget, text: str) -> int:
    """KEEP / DISCARD / GO_BACK (or -1 when closed)."""
    return prompts.ask_choice(parent, parent.tr("有输入尚未保存"), text,
                              [parent.tr(c) for c in FLAGGED_CHOICES])


def flagged_question(measure_ids: list[str], fields: list[str]) -> str:
    """The question asked when leaving a measure (or quitting) with input not saved."""
    what = "、".join(FIELD_NAMES.get(f, f) for f in fields) if fields else "输入"
    where = "、".join(measure_ids)
    return (f"举措 {where} 的“{what}”格式不对，还没有保存（已标红）。\n\n"
            "保存修正：保留输入的内容，举措上标出“待修正”，下次打开仍在，之后再改；\n"
            "放弃输入：丢掉这些输入，恢复为已保存的内容；\n"
            "返回修改：回到此处改正。")
