"""The officer's report text, kept in the workspace while it is being written.

The three sections start as drafts made from the records. A section the
officer has not touched follows the records (it is drafted again whenever the
draft is loaded); once edited it is the officer's and is only replaced on
request (:func:`regenerate_work_section`, the editor's 生成草稿 button, which
asks first).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import Plan, Unit
from gongkai_desktop.report.collect import ReportSource, report_rows
from gongkai_desktop.report.content import ReportSection
from gongkai_desktop.report.first_draft import default_opening, default_sections, default_title
from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)

SETTING_KEY = "report.draft"
FORMAT_VERSION = 1
SECTION_HEADINGS = ("一、工作开展情况", "二、存在的问题", "三、下一步工作打算")
DEFAULT_ADDRESSEE = "市政府办公厅"

MAX_TITLE = 200
MAX_ADDRESSEE = 100
MAX_OPENING = 5000
MAX_SECTION = 30000  # three of these, twice (text and last draft), stay under a setting's 1 MB

# Word and web pages paste these; they are line breaks or nothing to a report.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


class DraftStore(ReportSource, Protocol):
    def get_setting(self, key: str, default: Any = None) -> Any: ...
    def set_setting(self, key: str, value: object) -> None: ...


@dataclass(frozen=True)
class ReportDraft:
    title: str
    addressee: str
    opening: str
    sections: tuple[ReportSection, ...]  # 一、工作开展情况 / 二、存在的问题 / 三、下一步工作打算
    signed_on: dt.date | None = None  # None: the day the report is generated
    has_seal: bool = False  # a seal image is stored (see report.seal); not saved here
    generated: tuple[str, ...] = ("", "", "")  # each section as last drafted by the app

    def section_body(self, index: int) -> str:
        return self.sections[index].body

    def with_section(self, index: int, body: str) -> ReportDraft:
        sections = list(self.sections)
        sections[index] = ReportSection(sections[index].heading, body)
        return dataclasses.replace(self, sections=tuple(sections))

    def is_edited(self, index: int) -> bool:
        """Whether the officer changed this section since the app last drafted it."""
        return not _same(self.sections[index].body, self.generated[index])

    def with_drafted(self, index: int, body: str) -> ReportDraft:
        """The section replaced by a fresh draft from the app (so it counts as untouched)."""
        generated = list((*self.generated, "", "", "")[:3])
        generated[index] = body
        return dataclasses.replace(self.with_section(index, body), generated=tuple(generated))

    def signing_date(self, today: dt.date | None = None) -> dt.date:
        return self.signed_on or today or dt.date.today()


def _same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


def clean_text(text: str, label: str, limit: int, *, single_line: bool = False) -> str:
    """Normalise pasted text; refuse what cannot be printed or is far too long."""
    if not isinstance(text, str):
        raise InvalidInput(f"“{label}”必须是文字")
    value = _CONTROL.sub("", _LINE_BREAKS.sub("\n", text.replace("\t", "　")))
    if single_line:
        value = " ".join(value.split("\n")).strip()
    if len(value) > limit:
        raise InvalidInput(f"“{label}”过长（{len(value)} 字），最多 {limit} 字")
    return value


def default_draft(plan: Plan, unit: Unit, rows: Sequence[Any],
                  ledger: Sequence[Any] = ()) -> ReportDraft:
    sections = tuple(default_sections(rows, ledger))
    return ReportDraft(
        title=default_title(unit.full_name, plan), addressee=DEFAULT_ADDRESSEE,
        opening=default_opening(plan), sections=sections,
        generated=tuple(s.body for s in sections),
    )


def load_draft(ws: DraftStore, directory: UnitDirectory) -> ReportDraft:
    """The saved draft, or the defaults; untouched sections follow the current records."""
    from gongkai_desktop.report.review_ledger import ledger_rows_or_none
    from gongkai_desktop.report.seal import has_seal

    rows = report_rows(ws, directory)
    fresh = default_draft(ws.plan, ws.unit, rows, ledger_rows_or_none(ws, rows, dt.date.today()))
    fresh = fresh.with_drafted(0, _with_offices(ws, fresh.section_body(0)))
    data = ws.get_setting(SETTING_KEY)
    draft = _from_json(data, fresh) if isinstance(data, dict) else fresh
    return dataclasses.replace(draft, has_seal=has_seal(ws))


def _from_json(data: dict[str, Any], fresh: ReportDraft) -> ReportDraft:
    try:
        bodies = [str(b) for b in data.get("sections", ())][:3]
        generated = [str(g) for g in data.get("generated", ())][:3]
        bodies += [s.body for s in fresh.sections[len(bodies):]]
        generated += [""] * (3 - len(generated))
        signed = data.get("signed_on")
        signed_on = dt.date.fromisoformat(signed) if isinstance(signed, str) else None
        sections: list[ReportSection] = []
        drafts: list[str] = []
        for i, heading in enumerate(SECTION_HEADINGS):
            if _same(bodies[i], generated[i]):
                # Never edited: draft it again from today's records.
                bodies[i] = generated[i] = fresh.sections[i].body
            sections.append(ReportSection(heading, bodies[i]))
            drafts.append(generated[i])
        return ReportDraft(
            title=str(data.get("title", fresh.title)),
            addressee=str(data.get("addressee", fresh.addressee)),
            opening=str(data.get("opening", fresh.opening)),
            sections=tuple(sections), signed_on=signed_on, generated=tuple(drafts),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        log.warning("saved report draft unreadable, using defaults: %s", exc)
        return fresh


def checked(draft: ReportDraft) -> ReportDraft:
    """The draft with its text normalised; InvalidInput when a part is too long."""
    if len(draft.sections) != len(SECTION_HEADINGS):
        raise InvalidInput("自查报告应包含三个部分")
    sections = tuple(
        ReportSection(heading, clean_text(s.body, heading[2:], MAX_SECTION))
        for heading, s in zip(SECTION_HEADINGS, draft.sections, strict=True))
    drafts = (*draft.generated, "", "", "")[:3]
    generated = tuple(clean_text(g, "草稿", MAX_SECTION) for g in drafts)
    return dataclasses.replace(
        draft,
        title=clean_text(draft.title, "标题", MAX_TITLE, single_line=True),
        addressee=clean_text(draft.addressee, "主送机关", MAX_ADDRESSEE, single_line=True),
        opening=clean_text(draft.opening, "开头段落", MAX_OPENING),
        sections=sections, generated=generated,
    )


def save_draft(ws: DraftStore, draft: ReportDraft) -> ReportDraft:
    """Store the draft (one write); returns it as stored. Too long text changes nothing."""
    good = checked(draft)
    ws.set_setting(SETTING_KEY, {
        "version": FORMAT_VERSION,
        "title": good.title,
        "addressee": good.addressee,
        "opening": good.opening,
        "sections": [s.body for s in good.sections],
        "generated": list(good.generated),
        "signed_on": good.signed_on.isoformat() if good.signed_on else None,
    })
    return good


def regenerate_work_section(ws: ReportSource, directory: UnitDirectory) -> str:
    """A fresh draft of 一、工作开展情况 from the current records (not saved)."""
    from gongkai_desktop.report.first_draft import draft_work_section

    return _with_offices(ws, draft_work_section(report_rows(ws, directory)))


def _with_offices(ws: object, body: str) -> str:
    """The draft names the offices' work when the unit delegated measures (#14)."""
    from gongkai_desktop.delegation.reporting import work_sentence_or_empty

    sentence = work_sentence_or_empty(ws)
    return f"{body}\n\n{sentence}" if sentence else body


def reset_draft(ws: DraftStore) -> None:
    """Forget the officer's text: the next load gives the defaults again."""
    ws.set_setting(SETTING_KEY, None)
