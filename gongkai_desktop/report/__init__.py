"""The self-inspection report (自查报告) as a GB/T 9704 PDF; no Qt here.

Build a :class:`ReportContent` (see ``content``), draft its text with ``first_draft``
(kept while the officer edits it: ``edited_text``), then :func:`render_report`; sign
it with ``gongkai_desktop.signing``.
"""

from __future__ import annotations

from gongkai_desktop.report.content import (
    ReportContent,
    ReportEvidence,
    ReportRow,
    ReportSection,
    chinese_date,
    content_fingerprint,
)
from gongkai_desktop.report.first_draft import (
    default_opening,
    default_sections,
    default_title,
    draft_work_section,
)
from gongkai_desktop.report.render import RenderResult, render_report

__all__ = [
    "RenderResult",
    "ReportContent",
    "ReportEvidence",
    "ReportRow",
    "ReportSection",
    "chinese_date",
    "content_fingerprint",
    "default_opening",
    "default_sections",
    "default_title",
    "draft_work_section",
    "render_report",
]
