"""Made-up report content: previews, tests and the benchmark.

Rows cycle through the four statuses; evidence images are generated JPEG/PNG
files of varied sizes, produced lazily like real evidence read from storage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from collections.abc import Callable

from PIL import Image, ImageDraw

from gongkai_desktop.model import Area, Measure, Plan, PlanInfo, Role, Status, Subtask
from gongkai_desktop.report.content import ReportContent, ReportEvidence, ReportRow
from gongkai_desktop.report.first_draft import default_opening, default_sections, default_title

STATUSES = (Status.DONE, Status.DONE, Status.IN_PROGRESS, Status.DONE, Status.NOT_STARTED,
            Status.NOT_APPLICABLE)
SIZES = ((1200, 900), (900, 1200), (1600, 700), (640, 480), (2400, 1800), (300, 200))


_AREA_TITLES = (
    "围绕贯彻落实党的十九届四中全会精神加强用权公开", "围绕“六稳”“六保”加强政策发布解读",
    "围绕优化营商环境加强政务信息公开", "围绕突发事件应对加强公共卫生信息公开",
    "围绕落实新修订的《政府信息公开条例》加强制度执行", "强化做好政务公开工作的各项保障措施",
)
_MEASURE_TEXTS = (
    "对照法律法规规章，全面梳理本机关依法行使的行政权力和依法承担的公共服务职责，"
    "更新完善权责清单并按要求公开。",
    "依法公开本机关的工作职能、机构设置等信息（包括：“三定”职责，内设机构、"
    "下属单位设置情况及职责）。",
    "2020年10月30日前，编制完成26个试点领域市、区县、乡镇三级政务公开标准指引并向社会公开。",
    "加大稳就业政策公开力度，加大解读力度，加强政策宣传，帮助用人单位和劳动者知悉政策、用好政策。",
)


def sample_plan(areas: int = 6, subtasks: int = 3, measures: int = 3) -> Plan:
    """A made-up plan shaped like 渝府办发〔2020〕89号 (no database needed)."""
    ordinals = "一二三四五六七八九十"
    built: list[Area] = []
    for a in range(1, areas + 1):
        subs: list[Subtask] = []
        for s in range(1, subtasks + 1):
            ms = tuple(
                Measure(f"{a}.{s}.{m}", m, f"{m}．", _MEASURE_TEXTS[(a + s + m) % 4],
                        ("市政府办公厅",) if m % 2 else ("市政府办公厅", "市司法局"),
                        ("市政府各部门", "各区县政府"))
                for m in range(1, measures + 1))
            subs.append(Subtask(f"{a}.{s}", s, f"（{ordinals[s - 1]}）",
                                f"以第{s}项工作为抓手，加强相关信息公开。", ms))
        built.append(Area(str(a), a, ordinals[a - 1], _AREA_TITLES[(a - 1) % 6], tuple(subs)))
    info = PlanInfo("cq-2020-89", "贯彻落实国务院办公厅2020年政务公开工作要点任务分工",
                    "渝府办发〔2020〕89号", dt.date(2020, 7, 13), "重庆市人民政府办公厅")
    return Plan(info, tuple(built))


def sample_rows(plan: Plan, count: int | None = None, *,
                explanation: Callable[[int], str] | None = None) -> list[ReportRow]:
    rows: list[ReportRow] = []
    for area in plan.areas:
        for sub in area.subtasks:
            for m in sub.measures:
                i = len(rows)
                if count is not None and i >= count:
                    return rows
                status = STATUSES[i % len(STATUSES)]
                said = explanation(i) if explanation else _explain(status, i)
                rows.append(ReportRow(
                    seq=i + 1, measure=m, area_title=f"{area.label}、{area.title}",
                    subtask_title=f"{sub.label}{sub.title}",
                    roles=frozenset({Role.RESPONSIBLE} if i % 4 else {Role.RESPONSIBLE,
                                                                     Role.LEAD}),
                    status=status,
                    completed_on=dt.date(2020, 8 + i % 4, 1 + i % 28)
                    if status is Status.DONE else None,
                    explanation=said,
                    urls=(f"http://www.example.gov.cn/zwgk/{m.id.replace('.', '_')}/index.html",)
                    if status is Status.DONE else (),
                    evidence_names=(f"佐证{i + 1}.jpg",) if status is Status.DONE else (),
                ))
    return rows


def _explain(status: Status, i: int) -> str:
    if status is Status.DONE:
        return f"已在政府门户网站政府信息公开专栏公开相关信息{i + 3}条，并同步通过政务新媒体发布。"
    if status is Status.IN_PROGRESS:
        return "已完成初稿，正在征求意见，预计按期完成。"
    if status is Status.NOT_APPLICABLE:
        return "本单位不承担该项职能，经核实不适用。"
    return ""


def make_image(width: int, height: int, fmt: str = "JPEG", label: str = "") -> bytes:
    """A simple picture with some structure, so JPEG sizes are realistic."""
    im = Image.new("RGB", (width, height), (236, 240, 244))
    draw = ImageDraw.Draw(im)
    for y in range(0, height, max(8, height // 40)):
        shade = 180 + (y * 60 // max(height, 1))
        draw.rectangle((width // 12, y, width - width // 12, y + max(2, height // 120)),
                       fill=(shade // 2, shade // 2 + 20, shade))
    draw.rectangle((0, 0, width - 1, height - 1), outline=(40, 40, 40), width=3)
    draw.text((20, 20), label or f"{width}x{height}", fill=(0, 0, 0))
    out = io.BytesIO()
    im.save(out, fmt, quality=85) if fmt == "JPEG" else im.save(out, fmt)
    return out.getvalue()


def sample_evidence(rows: list[ReportRow], count: int) -> list[ReportEvidence]:
    items: list[ReportEvidence] = []
    for i in range(count):
        w, h = SIZES[i % len(SIZES)]
        fmt = "PNG" if i % 5 == 4 else "JPEG"
        data = make_image(w, h, fmt, f"evidence {i + 1}")
        media = "image/png" if fmt == "PNG" else "image/jpeg"
        measure = rows[i % len(rows)].measure.id if rows else None
        items.append(ReportEvidence(
            name=f"佐证材料{i + 1}（{w}×{h}）.{fmt.lower()}", media_type=media, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), measure_id=measure,
            load_bytes=loader(data),
        ))
    return items


def loader(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def sample_content(plan: Plan, *, measures: int | None = None, images: int = 0,
                   unit_full_name: str = "重庆市万州区人民政府", unit_name: str = "万州区",
                   seal_png: bytes | None = None) -> ReportContent:
    rows = sample_rows(plan, measures)
    return ReportContent(
        plan=plan, unit_full_name=unit_full_name, unit_name=unit_name,
        title=default_title(unit_full_name, plan), opening=default_opening(plan),
        sections=default_sections(rows), signed_on=dt.date(2020, 9, 5), rows=rows,
        evidence=sample_evidence(rows, images), seal_png=seal_png,
    )


def sample_seal(diameter: int = 500, text: str = "") -> bytes:
    """A red round seal on a transparent background (PNG)."""
    im = Image.new("RGBA", (diameter, diameter), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    red = (210, 20, 20, 230)
    draw.ellipse((6, 6, diameter - 6, diameter - 6), outline=red, width=diameter // 28)
    c, r = diameter / 2, diameter / 7
    star = [(c + (r if k % 2 == 0 else r / 2.5) * _cos(k), c - (r if k % 2 == 0 else r / 2.5)
             * _sin(k)) for k in range(10)]
    draw.polygon(star, fill=red)
    if text:
        draw.text((diameter * 0.3, diameter * 0.7), text, fill=red)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _cos(k: int) -> float:
    return math.cos(math.pi / 2 + k * math.pi / 5)


def _sin(k: int) -> float:
    return math.sin(math.pi / 2 + k * math.pi / 5)
