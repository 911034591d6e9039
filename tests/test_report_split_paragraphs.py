"""Mixed-font paragraphs split across pages (body and table cells) still render.

reportlab mislabels the broken lines of a split part that is left in a single
font; the drafted report of a real district workspace hit it
(report/cjkwrap.break_lines_cjk).
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

from PIL import Image

from gongkai_desktop.model import MeasureRecord, Status
from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.report import (
    ReportContent,
    ReportEvidence,
    ReportRow,
    default_opening,
    default_sections,
    default_title,
    render_report,
)
from gongkai_desktop.roles import must_report, roles_for_plan
from gongkai_desktop.units import UnitDirectory


def district_rows() -> list[ReportRow]:
    """万州区's 56 measures as a fresh workspace has them, with two filled in."""
    plan = bundled_plan()
    directory = UnitDirectory.load()
    roles = roles_for_plan(plan, directory.find("万州区"), directory)
    records = {
        "1.1.1": MeasureRecord("1.1.1", Status.DONE, completed_on=dt.date(2020, 6, 30),
                               explanation="已在区政府门户网站政务公开专栏发布自检说明材料"),
        "1.1.2": MeasureRecord("1.1.2", Status.NOT_APPLICABLE, reason="本单位不承担该项职能"),
    }
    rows: list[ReportRow] = []
    for area in plan.areas:
        for sub in area.subtasks:
            for m in sub.measures:
                if must_report(roles[m.id]):
                    r = records.get(m.id) or MeasureRecord(m.id)
                    names = ("门户网站截图.png", "公开目录.pdf") if m.id == "1.1.1" else ()
                    rows.append(ReportRow(len(rows) + 1, m, area.title, sub.title, roles[m.id],
                                          r.status, r.completed_on, r.explanation or r.reason,
                                          (), names))
    return rows


def evidence() -> list[ReportEvidence]:
    png = io.BytesIO()
    Image.new("RGB", (320, 200), (40, 90, 200)).save(png, "PNG")
    data = png.getvalue()
    return [
        ReportEvidence("门户网站截图.png", "image/png", len(data), "a" * 64, "1.1.1",
                       load_bytes=lambda: data),
        ReportEvidence("公开目录.pdf", "application/pdf", 1234, "b" * 64, "1.1.1"),
    ]


def test_drafted_report_of_a_district_renders_every_row(tmp_path: Path) -> None:
    plan = bundled_plan()
    rows = district_rows()
    content = ReportContent(
        plan, "重庆市万州区人民政府", "万州区", default_title("重庆市万州区人民政府", plan),
        default_opening(plan), default_sections(rows), signed_on=dt.date(2026, 11, 28),
        rows=rows, evidence=evidence(),
    )
    out = tmp_path / "report.pdf"
    result = render_report(content, out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    assert result.pages > 5
    assert len(rows) == 56
    for row in rows:  # every measure's text start is in the table, none cut off
        assert "".join(row.measure.text.split())[:12] in flat, row.measure.id
