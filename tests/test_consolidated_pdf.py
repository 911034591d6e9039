"""The supervising office's PDF summary (汇总表) as a reader sees it: text, A4 pages, fonts."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongkai_desktop.bundle.importer import import_bundle
from gongkai_desktop.cli import main
from gongkai_desktop.errors import Cancelled, NotFound
from gongkai_desktop.report.consolidated import render_consolidation_pdf
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.consolidation import Consolidation, consolidate
from gongkai_desktop.typeset.fonts import FontBook, bundled_font_book
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import (
    UNIT_A,
    UNIT_B,
    export,
    fill_a,
    fill_b,
    make_supervisor,
    make_unit,
)

TODAY = dt.date(2021, 1, 1)  # after the 2020-10-30 deadline of measure 1.1.2


@pytest.fixture(scope="module")
def fonts() -> FontBook:
    return bundled_font_book()


@pytest.fixture(scope="module")
def sup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    tmp = tmp_path_factory.mktemp("sup")
    with make_supervisor(tmp / "sup.gkws") as ws:
        for unit, fill in ((UNIT_A, fill_a), (UNIT_B, fill_b)):
            with make_unit(tmp / f"{unit.name}.gkws", unit) as unit_ws:
                fill(unit_ws)
                bundle = export(unit_ws, tmp / f"{unit.name}.gkbundle")
                import_bundle(ws, bundle.files, accept_new_key=True)
        yield ws


@pytest.fixture(scope="module")
def cons(sup: Workspace, directory: UnitDirectory) -> Consolidation:
    return consolidate(sup, directory, TODAY)


@pytest.fixture(scope="module")
def pdf(cons: Consolidation, sup: Workspace, fonts: FontBook,
        tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "汇总.pdf"
    result = render_consolidation_pdf(cons, out, office=sup.unit.full_name, fonts=fonts,
                                      generated_at=dt.datetime(2021, 1, 1, 9, 30).astimezone())
    assert result.pages >= 4 and result.units == cons.row_count and result.measures == 5
    assert not result.missing_chars
    return out


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_text(path: Path) -> list[str]:
    return [flat(page) for page in pdftotext(path).split("\f") if page.strip()]


def test_summary_names_every_unit_with_its_counts(pdf: Path, cons: Consolidation) -> None:
    text = flat(pdftotext(pdf))
    assert "政务公开自查情况汇总表" in text and "重庆市人民政府办公厅" in text
    assert "统计日期：2021年1月1日" in text
    for heading in ("附表1", "各单位完成情况", "附表2", "各项举措完成情况", "附表3",
                    "尚未报送的单位"):
        assert heading in text
    # 万州区: 3 cells, 1 done, 1 in progress, 0 not started, 1 n/a, 0 missing, 0 late, 50 %.
    assert "万州区已报送1" in text
    wz_row = re.search(r"万州区已报送1[\d\-: ]*?(\d+:\d\d)3110100(50\.0%)", text)
    assert wz_row, "万州区's row with its counts"
    # 涪陵区: 1 done, 1 in progress, 1 not started, 1 overdue → 1/3.
    assert re.search(r"涪陵区已报送1.*?\d\d:\d\d3111001(33\.3%)", text)
    # Units without a bundle: listed in 附表1 and 附表3.
    assert text.count("渝中区") >= 2 and "未报送" in text
    total = cons.totals()
    assert f"应填报{total.cells}项次" in text and f"已完成{total.done}项次" in text


def test_measure_table_rows(pdf: Path) -> None:
    text = flat(pdftotext(pdf))
    assert "1.1.2做好涉企政策解读和舆情回应" in text
    assert "截止：2020年10月30日" in text and "牵头：市发展改革委" in text
    # 41 districts expected, 1 done, 1 in progress, 39 without a bundle, 40 late, 1/41.
    assert re.search(r"4111003940(2\.4%)附表3所列全部区县政府（39个）", text)
    assert "一、围绕助力做好“六稳”“六保”工作加强政务公开" in text  # an area band


def test_pages_are_a4_with_landscape_tables_and_page_numbers(pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = [(float(w), float(h)) for w, h in
             re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    assert all(sorted((round(w), round(h))) == [595, 842] for w, h in sizes)
    pages = pages_text(pdf)
    assert len(pages) == len(sizes)
    first_table = next(i for i, t in enumerate(pages) if t.startswith("附表1"))
    last_list = next(i for i, t in enumerate(pages) if t.startswith("附表3"))
    kinds = ["L" if w > h else "P" for w, h in sizes]
    assert kinds[:first_table] == ["P"] * first_table
    assert set(kinds[first_table:last_list]) == {"L"} and set(kinds[last_list:]) == {"P"}
    for n, page in enumerate(pages, start=1):
        assert f"—{n}—" in page


def test_every_font_is_embedded(pdf: Path) -> None:
    table = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert table
    for line in table:
        parts = line.split()
        assert parts[-5] == "yes", line  # the "emb" column
        assert "Helvetica" not in parts[0]


def test_pages_are_rendered_for_a_person_to_look_at(pdf: Path, artifacts_dir: Path) -> None:
    for old in artifacts_dir.glob("consolidated-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf),
                    str(artifacts_dir / "consolidated-page")], check=True)
    assert len(list(artifacts_dir.glob("consolidated-page-*.png"))) >= 4


def test_led_scope_and_cancel(sup: Workspace, directory: UnitDirectory, fonts: FontBook,
                              tmp_path: Path) -> None:
    led = consolidate(sup, directory, TODAY, led_by=sup.unit)
    out = tmp_path / "牵头.pdf"
    render_consolidation_pdf(led, out, office=sup.unit.full_name, fonts=fonts)
    text = flat(pdftotext(out))
    assert "市政府办公厅牵头的举措，共3项" in text and "1.1.2做好" not in text
    seen: list[tuple[int, int]] = []

    def cancel_soon(done: int, total: int) -> bool:
        seen.append((done, total))
        return len(seen) < 3

    cancelled = tmp_path / "取消.pdf"
    with pytest.raises(Cancelled, match="已取消"):
        render_consolidation_pdf(led, cancelled, office="x", fonts=fonts, progress=cancel_soon)
    assert not cancelled.exists() and list(tmp_path.glob(".*.part")) == []
    with pytest.raises(NotFound, match="保存位置不存在"):
        render_consolidation_pdf(led, tmp_path / "无" / "a.pdf", office="x", fonts=fonts)


def test_command_line_chooses_pdf_by_suffix(sup: Workspace, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "汇总.pdf"
    code = main(["bundle", "consolidate", str(sup.path), "-o", str(out), "--today",
                 "2021-01-01"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert out.read_bytes().startswith(b"%PDF-") and "页" in printed.out
    assert "万州区" in pdftotext(out)
    code = main(["bundle", "consolidate", str(sup.path), "-o", str(tmp_path / "汇总.docx")])
    printed = capsys.readouterr()
    assert code != 0 and ".xlsx" in printed.err and ".pdf" in printed.err
