"""First drafts of the report's text, which the officer then edits in the app."""

from __future__ import annotations

import re
from collections.abc import Sequence

from gongkai_desktop.model import Plan, Status
from gongkai_desktop.report.content import ReportLedgerRow, ReportRow, ReportSection

CHINESE_ORDINALS = "一二三四五六七八九十"
_POINTS = ("一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是")
_END_PUNCT = "。；;，,.、 \n"
_DEADLINE = re.compile(r"^\d{4}年.*前$")
_AREA_LABEL = re.compile(r"^[一二三四五六七八九十]+、")
_RETURNED = ("退回整改", "已整改（待复核）")  # review.states labels of a returned measure


def _year(plan: Plan | None) -> int:
    return plan.info.issued.year if plan is not None else 2020


def default_title(unit_full_name: str, plan: Plan | None = None) -> str:
    """"<单位全称>关于贯彻落实2020年政务公开工作要点任务分工情况的自查报告"."""
    return (f"{unit_full_name.strip()}关于贯彻落实{_year(plan)}年政务公开工作要点"
            "任务分工情况的自查报告")


def default_opening(plan: Plan) -> str:
    """The opening paragraph citing the notice by its title and number."""
    info = plan.info
    notice = f"{info.issuer}关于印发{info.title}的通知"
    return (f"根据《{notice}》（{info.document_number}）要求，我单位高度重视，对照任务分工"
            "逐项梳理贯彻落实情况，认真开展自查。现将有关情况报告如下：")


def _ordinal(index: int) -> str:
    return CHINESE_ORDINALS[index] if index < len(CHINESE_ORDINALS) else str(index + 1)


def _counts_sentence(rows: Sequence[ReportRow]) -> str:
    counts = {s: sum(1 for r in rows if r.status is s) for s in Status}
    parts = [f"已完成{counts[Status.DONE]}项"]
    for status in (Status.IN_PROGRESS, Status.NOT_STARTED, Status.NOT_APPLICABLE):
        if counts[status]:
            parts.append(f"{status.label}{counts[status]}项")
    return f"本单位承担该方面举措{len(rows)}项，" + "，".join(parts) + "。"


def _summary(text: str, limit: int = 24) -> str:
    """The start of a measure's text, up to its first clause (a leading deadline skipped)."""
    clauses = [c for c in re.split(r"[，。；]", text) if c.strip()]
    if len(clauses) > 1 and _DEADLINE.match(clauses[0]):
        clauses = clauses[1:]
    first = clauses[0] if clauses else text
    return first if len(first) <= limit else first[:limit] + "……"


def _done_points(rows: Sequence[ReportRow]) -> str:
    points: list[str] = []
    for i, row in enumerate(r for r in rows if r.status is Status.DONE):
        said = row.explanation.strip().rstrip(_END_PUNCT)
        if not said:
            said = f"已完成“{_summary(row.measure.text)}”"
        prefix = _POINTS[i] if i < len(_POINTS) else ""
        points.append(prefix + said)
    return "；".join(points) + "。" if points else ""


def _inner_quotes(text: str) -> str:
    """Quotes inside quotes become single quotes: “按照‘放管服’改革要求”."""
    return text.replace("“", "‘").replace("”", "’")


def draft_work_section(rows: Sequence[ReportRow]) -> str:
    """Body of "一、工作开展情况": per area, the counts and what was done, in the units' words."""
    if not rows:
        return "本单位在本次任务分工中未承担具体举措。"
    by_area: dict[str, list[ReportRow]] = {}
    for row in rows:
        by_area.setdefault(row.area_title, []).append(row)
    paragraphs: list[str] = []
    for i, (area, area_rows) in enumerate(by_area.items()):
        title = _AREA_LABEL.sub("", area.strip()).rstrip("。")
        heading = f"（{_ordinal(i)}）{title}。"
        done = _done_points(area_rows)
        paragraphs.append(heading + _counts_sentence(area_rows) + done)
    return "\n\n".join(paragraphs)


def _ledger_problems(ledger: Sequence[ReportLedgerRow]) -> str:
    """"经上级单位审核，举措2.1.1被退回整改（审核意见：…）。对照整改台账：一是…。"."""
    returned = [r for r in ledger if r.review in _RETURNED]
    text = ""
    if returned:
        named = "、".join(f"{r.measure_id}（审核意见：{r.comment.rstrip(_END_PUNCT)}）"
                         if r.comment else r.measure_id for r in returned[:3])
        more = "等" if len(returned) > 3 else ""
        text = f"经上级单位审核，{len(returned)}项举措被退回整改，即举措{named}{more}。"
    points = [f"{_POINTS[i] if i < len(_POINTS) else ''}{r.problem.rstrip(_END_PUNCT)}"
              f"（举措{r.measure_id}）" for i, r in enumerate(x for x in ledger if x.problem)]
    if points:
        text += "对照整改台账，存在的问题主要有：" + "；".join(points) + "。"
    return text


def draft_problems_section(rows: Sequence[ReportRow],
                           ledger: Sequence[ReportLedgerRow] = ()) -> str:
    open_rows = [r for r in rows if r.status in (Status.IN_PROGRESS, Status.NOT_STARTED)]
    from_ledger = _ledger_problems(ledger)
    if not open_rows:
        if from_ledger:
            return "对照任务分工，本单位承担的举措均已完成或经核实不适用。" + from_ledger
        return ("对照任务分工，本单位承担的举措均已完成或经核实不适用。"
                "工作中仍存在政策解读形式不够丰富、信息发布及时性有待提高等不足。")
    names = "、".join(f"“{_inner_quotes(_summary(r.measure.text, 16))}”" for r in open_rows[:3])
    more = "等" if len(open_rows) > 3 else ""
    return (f"对照任务分工，尚有{len(open_rows)}项举措未全部完成，包括{names}{more}。"
            + from_ledger)


def draft_next_steps_section(ledger: Sequence[ReportLedgerRow] = ()) -> str:
    general = ("下一步，我单位将对照任务分工，逐项推进尚未完成的举措，明确责任人和时间节点，"
               "确保按期完成；持续加强政府网站和政务新媒体建设，提高信息发布、政策解读和回应关切"
               "的质量，不断提升政务公开工作水平。")
    steps = [r for r in ledger if r.action]
    if not steps:
        return general
    points = []
    for i, r in enumerate(steps):
        due = f"，{r.deadline.year}年{r.deadline.month}月{r.deadline.day}日前完成" \
            if r.deadline else ""
        owner = f"（责任人：{r.owner}{due}）" if r.owner else ""
        prefix = _POINTS[i] if i < len(_POINTS) else ""
        points.append(f"{prefix}{r.action.rstrip(_END_PUNCT)}{owner}")
    return ("针对存在的问题，我单位将按照整改台账逐项抓好整改（见附件3）：" + "；".join(points)
            + "。" + general)


def default_sections(rows: Sequence[ReportRow],
                     ledger: Sequence[ReportLedgerRow] = ()) -> list[ReportSection]:
    return [
        ReportSection("一、工作开展情况", draft_work_section(rows)),
        ReportSection("二、存在的问题", draft_problems_section(rows, ledger)),
        ReportSection("三、下一步工作打算", draft_next_steps_section(ledger)),
    ]
