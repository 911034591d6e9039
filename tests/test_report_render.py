"""The report PDF as a reader (and poppler) sees it: text, pages, layout, fonts, images."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from gongkai_desktop.errors import Cancelled, NotFound
from gongkai_desktop.model import Plan, Status
from gongkai_desktop.report import ReportContent, ReportEvidence, render_report
from gongkai_desktop.report.content import content_fingerprint
from gongkai_desktop.report.images import BROKEN_NOTE
from gongkai_desktop.report.sample import (
    loader,
    make_image,
    sample_content,
    sample_evidence,
    sample_plan,
    sample_seal,
)
from gongkai_desktop.report.tables import COMPLETION_COLUMNS
from gongkai_desktop.typeset import geometry as g
from gongkai_desktop.typeset.fonts import FontBook, bundled_font_book
from gongkai_desktop.typeset.marks import CONTENT_KEYWORD

RARE = "镕堃喆珺昇赟"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def fonts() -> FontBook:
    return bundled_font_book()


@pytest.fixture(scope="module")
def plan() -> Plan:
    return sample_plan(areas=3, subtasks=2, measures=2)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Word:
    page: int
    width: float
    height: float
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(path: Path) -> list[Word]:
    """Every word with its box (points, origin top left), from ``pdftotext -bbox``."""
    html = pdftotext(path, "-bbox")
    out: list[Word] = []
    for n, page in enumerate(re.findall(r"<page (.*?)</page>", html, re.S), start=1):
        w, h = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)"', page)[:2])
        for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        ):
            out.append(Word(n, w, h, float(x0), float(y0), float(x1), float(y1), text))
    return out


def page_sizes(path: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True,
                          text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def fonts_embedded(path: Path) -> list[tuple[str, bool]]:
    table = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    out = []
    for line in table:
        parts = line.split()
        # name type... encoding emb sub uni object-id gen: emb is the 5th from the end
        out.append((parts[0], parts[-5] == "yes"))
    return out


@pytest.fixture
def report(tmp_path: Path, plan: Plan, fonts: FontBook) -> Iterator[tuple[ReportContent, Path]]:
    content = sample_content(plan, images=3, seal_png=sample_seal())
    out = tmp_path / "报告.pdf"
    render_report(content, out, fonts=fonts)
    yield content, out


def test_text_has_every_measure_and_status(report: tuple[ReportContent, Path]) -> None:
    content, path = report
    text = flat(pdftotext(path))
    assert flat(content.title) in text
    assert "市政府办公厅：" in text
    assert "渝府办发〔2020〕89号" in text
    for heading in ("一、工作开展情况", "二、存在的问题", "三、下一步工作打算", "附件1", "附件2"):
        assert heading in text
    for row in content.rows:
        assert f"{row.measure.label}{row.measure.text[:6]}" in text
    for status in {row.status for row in content.rows}:
        assert text.count(status.label) >= 2  # the table and the chart's legend
    assert "重庆市万州区人民政府2020年9月5日" in text  # signature: name over the date
    assert "图3" in text and "佐证材料清单" in text


def test_pages_are_a4_portrait_with_a_landscape_table(report: tuple[ReportContent,
                                                                    Path]) -> None:
    _, path = report
    sizes = page_sizes(path)
    assert all(sorted((round(w), round(h))) == [595, 842] for w, h in sizes)
    orientation = ["L" if w > h else "P" for w, h in sizes]
    text_pages = [pdftotext(path, "-f", str(n), "-l", str(n)) for n in range(1, len(sizes) + 1)]
    first_table = next(i for i, t in enumerate(text_pages) if "附件1" in t and "序号" in t)
    first_list = next(i for i, t in enumerate(text_pages) if "附件2" in t)
    assert orientation[:first_table] == ["P"] * first_table
    assert set(orientation[first_table:first_list]) == {"L"}
    assert set(orientation[first_list:]) == {"P"}


def _check_inside_type_area(path: Path) -> None:
    """Every word inside the GB/T 9704 type area, except the page number 7 mm below it."""
    for w in words(path):
        frame = g.frame_for(w.width, w.height)
        left, right = frame.left, w.width - frame.right
        top, bottom = frame.top, w.height - frame.bottom
        where = f"page {w.page}: {w.text!r} at ({w.x0:.1f},{w.y0:.1f})-({w.x1:.1f},{w.y1:.1f})"
        assert left - 1 <= w.x0 and w.x1 <= right + 1, where
        if w.y1 <= bottom + 1:
            assert w.y0 >= top - 1, where
        else:  # the page number line: "— N —", its top 7 mm below the type area
            assert re.fullmatch(r"[—\d]+", w.text), where
            assert bottom + 7 * MM - 4 <= w.y0 and w.y1 <= bottom + 7 * MM + 20, where


def test_text_stays_inside_the_type_area(report: tuple[ReportContent, Path]) -> None:
    _check_inside_type_area(report[1])


def test_page_numbers_alternate_sides(report: tuple[ReportContent, Path]) -> None:
    _, path = report
    all_words = words(path)
    pages = max(w.page for w in all_words)
    for n in range(1, pages + 1):
        number = [w for w in all_words if w.page == n and w.text == str(n)
                  and w.y0 > w.height - g.frame_for(w.width, w.height).bottom]
        assert len(number) == 1, n
        w = number[0]
        frame = g.frame_for(w.width, w.height)
        if n % 2:  # odd: ends one character (14 pt) in from the right of the type area
            assert w.x1 < w.width - frame.right - 14 and w.x0 > w.width / 2
        else:
            assert w.x0 > frame.left + 14 and w.x1 < w.width / 2


def test_every_font_is_embedded(report: tuple[ReportContent, Path]) -> None:
    found = fonts_embedded(report[1])
    assert found and all(emb for _, emb in found), found


def test_rare_characters_come_back(tmp_path: Path, plan: Plan, fonts: FontBook) -> None:
    content = sample_content(plan, unit_full_name=f"重庆市{RARE}区人民政府",
                             unit_name=f"{RARE}区")
    names = f"负责人：王镕、李堃、张喆、刘珺、陈昇、赵赟（{RARE}）"
    rows = [replace(content.rows[0], explanation=names), *content.rows[1:]]
    content = replace(content, rows=rows, opening=content.opening + RARE)
    result = render_report(content, tmp_path / "r.pdf", fonts=fonts)
    text = pdftotext(result.path)
    assert not result.missing_chars
    assert text.count(RARE) >= 3  # title, opening, signature (and the table)
    assert "王镕、李堃、张喆" in flat(text)


def test_a_character_no_font_has_is_reported_not_dropped(tmp_path: Path, plan: Plan,
                                                           fonts: FontBook) -> None:
    content = replace(sample_content(plan), opening="开头\U0010fffd结尾")
    result = render_report(content, tmp_path / "r.pdf", fonts=fonts)
    assert result.missing_chars == frozenset({"\U0010fffd"})
    assert "开头〓结尾" in pdftotext(result.path)


def test_fingerprint_is_printed_and_in_the_metadata(report: tuple[ReportContent,
                                                                  Path]) -> None:
    content, path = report
    fp = content_fingerprint(content)
    text = flat(pdftotext(path))
    assert flat(" ".join(fp.upper()[i:i + 4] for i in range(0, 64, 4))) in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert CONTENT_KEYWORD + fp in info


def test_fingerprint_follows_the_content(plan: Plan) -> None:
    a = sample_content(plan)
    assert content_fingerprint(a) == content_fingerprint(sample_content(plan))
    changed = replace(a, rows=[replace(a.rows[0], explanation="改了一个字"), *a.rows[1:]])
    assert content_fingerprint(changed) != content_fingerprint(a)
    assert content_fingerprint(replace(a, fingerprint_note=False)) == content_fingerprint(a)


def test_no_evidence_and_no_rows(tmp_path: Path, plan: Plan, fonts: FontBook) -> None:
    content = replace(sample_content(plan), rows=[], evidence=[])
    result = render_report(content, tmp_path / "empty.pdf", fonts=fonts)
    text = pdftotext(result.path)
    assert "本单位未提交佐证材料" in text
    assert "本单位在本次任务分工中未承担具体举措" in text
    assert result.pages >= 3 and result.pages == len(page_sizes(result.path))
    _check_inside_type_area(result.path)


def test_a_very_long_explanation_flows_over_pages(tmp_path: Path, plan: Plan,
                                                  fonts: FontBook) -> None:
    sentence = "第{}项：已在门户网站公开相关信息，并同步发布解读。"
    long_text = "".join(sentence.format(i) for i in range(1, 200))[:3000]
    base = sample_content(plan)
    rows = [replace(base.rows[0], explanation=long_text), base.rows[1]]
    content = replace(base, rows=rows)
    result = render_report(content, tmp_path / "long.pdf", fonts=fonts)
    # The explanation column, read page by page from top to bottom, holds all of it.
    widths = [g.LANDSCAPE.type_width * share / sum(s for _, s in COMPLETION_COLUMNS)
              for _, share in COMPLETION_COLUMNS]
    x0 = g.LANDSCAPE.left + sum(widths[:6])
    x1 = x0 + widths[6]
    column = [w for w in words(result.path)
              if w.width > w.height and w.x0 >= x0 - 1 and w.x1 <= x1 + 1]
    column.sort(key=lambda w: (w.page, w.y0, w.x0))
    joined = "".join(w.text for w in column if w.text != "完成情况说明")  # repeated header
    assert long_text in joined
    assert len({w.page for w in column}) >= 3
    _check_inside_type_area(result.path)


def test_many_images_and_a_broken_one(tmp_path: Path, plan: Plan, fonts: FontBook) -> None:
    base = sample_content(plan)
    items = sample_evidence(list(base.rows), 0)
    sizes = [(200, 150), (320, 240), (240, 400), (640, 360), (150, 500), (400, 300)]
    for i in range(120):
        w, h = sizes[i % len(sizes)]
        fmt = ("JPEG", "PNG")[i % 2]
        data = make_image(w, h, fmt)
        items.append(ReportEvidence(f"图{i + 1}.{fmt.lower()}", f"image/{fmt.lower()}",
                                    len(data), hashlib.sha256(data).hexdigest(),
                                    base.rows[i % len(base.rows)].measure.id,
                                    load_bytes=loader(data)))
    broken = b"\xff\xd8\xff\xe0 not really a jpeg"
    items.append(ReportEvidence("坏图.jpg", "image/jpeg", len(broken), "ab" * 32, None,
                                load_bytes=lambda: broken))
    items.append(ReportEvidence("会议纪要.pdf", "application/pdf", 2_500_000, "cd" * 32, None))
    result = render_report(replace(base, evidence=items), tmp_path / "many.pdf", fonts=fonts)
    text = pdftotext(result.path)
    assert result.images_not_shown == ("坏图.jpg",)
    assert BROKEN_NOTE.strip("（）") in flat(text)
    assert "图120" in text and "2.4 MB" in text and "PDF文件" in text
    assert "abababababab" in text
    images = subprocess.run(["pdfimages", "-list", str(result.path)], capture_output=True,
                            text=True, check=True).stdout.splitlines()[2:]
    assert len(images) >= 120
    assert all(emb for _, emb in fonts_embedded(result.path))


def test_big_images_are_shrunk(tmp_path: Path, plan: Plan, fonts: FontBook) -> None:
    data = make_image(4000, 3000, "PNG")
    item = ReportEvidence("大图.png", "image/png", len(data), hashlib.sha256(data).hexdigest(),
                          None, load_bytes=lambda: data)
    content = replace(sample_content(plan), evidence=[item])
    result = render_report(content, tmp_path / "big.pdf", fonts=fonts)
    listing = subprocess.run(["pdfimages", "-list", str(result.path)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    widths = [int(line.split()[3]) for line in listing]
    assert widths == [1600]


def test_progress_and_cancel_leave_no_file(tmp_path: Path, plan: Plan,
                                           fonts: FontBook) -> None:
    content = sample_content(plan, images=4)
    seen: list[tuple[int, int]] = []

    def record(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    render_report(content, tmp_path / "ok.pdf", progress=record, fonts=fonts)
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    for stop_after in (0, 3, len(seen) - 2):
        calls = 0

        def cancel(done: int, total: int, limit: int = stop_after) -> bool:
            nonlocal calls
            calls += 1
            return calls <= limit

        out = tmp_path / f"cancel{stop_after}.pdf"
        with pytest.raises(Cancelled):
            render_report(content, out, progress=cancel, fonts=fonts)
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.pdf"]


def test_missing_folder_is_reported(tmp_path: Path, plan: Plan, fonts: FontBook) -> None:
    with pytest.raises(NotFound, match="保存位置不存在"):
        render_report(sample_content(plan), tmp_path / "nope" / "r.pdf", fonts=fonts)


def test_completion_dates_in_the_table(tmp_path: Path, plan: Plan, fonts: FontBook) -> None:
    base = sample_content(plan)
    done = next(r for r in base.rows if r.status is Status.DONE)
    assert done.completed_on is not None
    result = render_report(base, tmp_path / "t.pdf", fonts=fonts)
    day = done.completed_on
    assert f"{day.year}年{day.month}月{day.day}日" in flat(pdftotext(result.path))


def test_rendered_pages_for_people(report: tuple[ReportContent, Path],
                                   artifacts_dir: Path) -> None:
    """Page images kept in test-artifacts/ for a person to look at."""
    _, path = report
    prefix = artifacts_dir / "report-page"
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(prefix)], check=True)
    assert list(artifacts_dir.glob("report-page-*.png"))


@pytest.mark.parametrize(("seal", "chars"), [(True, 4), (False, 2)])
def test_signature_date_sits_four_or_two_characters_from_the_right(
        tmp_path: Path, plan: Plan, fonts: FontBook, seal: bool, chars: int) -> None:
    content = sample_content(plan, seal_png=sample_seal() if seal else None)
    result = render_report(content, tmp_path / "s.pdf", fonts=fonts)
    date = [w for w in words(result.path) if w.text == "2020年9月5日"]
    assert len(date) == 1
    right = g.PORTRAIT.width - g.PORTRAIT.right
    assert abs((right - date[0].x1) - chars * g.BODY_SIZE) < 2
    unit = next(w for w in words(result.path)
                if w.page == date[0].page and w.text == content.unit_full_name)
    assert abs((unit.x0 + unit.x1) / 2 - (date[0].x0 + date[0].x1) / 2) < 2  # centred
    assert unit.y1 < date[0].y0  # the name above the date
    images = subprocess.run(["pdfimages", "-list", "-f", str(date[0].page), "-l",
                             str(date[0].page), str(result.path)], capture_output=True,
                            text=True, check=True).stdout
    assert ("smask" in images) is seal  # the seal keeps its transparency


def test_full_body_pages_have_22_justified_lines(tmp_path: Path, plan: Plan,
                                                 fonts: FontBook) -> None:
    text = "各单位按照要求公开政府信息，做好政策解读，回应社会关切。" * 120
    content = replace(sample_content(plan), opening=text)
    result = render_report(content, tmp_path / "long.pdf", fonts=fonts)
    page2 = [w for w in words(result.path) if w.page == 2
             and w.y1 <= w.height - g.PORTRAIT.bottom]
    lines = sorted({round(w.y0, 1) for w in page2})
    assert len(lines) == 22  # GB/T 9704: 22 lines a page
    right = g.PORTRAIT.width - g.PORTRAIT.right
    assert all(abs(w.x1 - right) < 1 for w in page2)  # 两端对齐: every line full
