"""The report of a unit with a returned measure: 二、存在的问题 names it, 三、下一步工作打算
takes its 整改措施, and 附件3 整改台账 lists it (pages rendered to PNG for a person to see)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gongkai_desktop.report.edited_text import load_draft
from gongkai_desktop.storage import Workspace
from gongkai_desktop.units import UnitDirectory
from tests import review_fixtures
from tests.bundle_fixtures import PASSPHRASE
from tests.review_fixtures import COMMENT, OFFICE_KEY, fingerprint, run

loop = review_fixtures.loop


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return "".join(out.split())


def test_report_prints_the_returned_measure_and_its_ledger(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str], artifacts_dir: Path) -> None:
    wz, sup, tmp = loop["wz"], loop["sup"], loop["tmp"]
    assert run(capsys, "review", sup, "--unit", "万州区", "2.1.1", "--verdict", "退回整改",
               "--comment", COMMENT)[0] == 0
    review = tmp / "意见.gkreview"
    assert run(capsys, "review", "export", sup, "--unit", "万州区", "-o", review)[0] == 0
    assert run(capsys, "review", "import", wz, review, "--accept-key",
               fingerprint(OFFICE_KEY))[0] == 0
    assert run(capsys, "rectify", wz, "2.1.1", "--problem", "乡镇政务公开事项目录未在门户网站公开",
               "--action", "在区政府门户网站发布目录并补充链接", "--owner", "李四",
               "--deadline", "2021-03-31")[0] == 0

    with Workspace.open(wz, readonly=True) as ws:
        draft = load_draft(ws, UnitDirectory.load())
    problems, steps = draft.sections[1].body, draft.sections[2].body
    assert "2.1.1" in problems and COMMENT in problems and "未在门户网站公开" in problems
    assert "在区政府门户网站发布目录并补充链接" in steps and "李四" in steps and "附件3" in steps

    out = tmp / "自查报告.pdf"
    code, _, err = run(capsys, "report", wz, "-o", out, "--no-sign")
    assert code == 0, err
    text = pdftotext(out)
    assert "附件：1．" in text and "3．整改台账" in text
    ledger_at = text.rindex("附件3")
    ledger = text[ledger_at:]
    assert ledger.startswith("附件3整改台账") and "2.1.1" in ledger
    assert "已整改（待复核）" in ledger and "李四" in ledger and "乡镇政务公开事项目录" in ledger
    assert text.index("二、存在的问题") < text.index("2.1.1") < text.index("三、下一步工作打算")

    pages = artifacts_dir / "review-report"
    pages.mkdir(exist_ok=True)
    for old in pages.glob("*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(out), str(pages / "page")], check=True)
    assert len(list(pages.glob("page-*.png"))) >= 4


def test_consolidated_workbook_and_pdf_carry_every_units_ledger(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    wz, sup, tmp = loop["wz"], loop["sup"], loop["tmp"]
    assert run(capsys, "review", sup, "--unit", "万州区", "2.1.1", "--verdict", "退回整改",
               "--comment", COMMENT)[0] == 0
    review = tmp / "意见.gkreview"
    assert run(capsys, "review", "export", sup, "--unit", "万州区", "-o", review)[0] == 0
    assert run(capsys, "review", "import", wz, review, "--accept-key",
               fingerprint(OFFICE_KEY))[0] == 0
    assert run(capsys, "rectify", wz, "2.1.1", "--problem", "目录未公开", "--action", "发布目录",
               "--owner", "李四", "--deadline", "2021-03-31")[0] == 0
    assert run(capsys, "bundle", "export", wz, "-o", tmp / "万州区-2.gkbundle")[0] == 0
    assert run(capsys, "bundle", "import", sup, tmp / "万州区-2.gkbundle")[0] == 0

    book_path = tmp / "汇总.xlsx"
    assert run(capsys, "bundle", "consolidate", sup, "-o", book_path, "--today",
               "2021-04-01")[0] == 0
    sheet = load_workbook(book_path, read_only=True)["整改台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "单位", "举措编号", "贯彻举措")
    assert [r[1:3] for r in rows[1:]] == [("万州区", "2.1.1")]
    assert rows[1][4:] == ("已整改（待复核）", COMMENT, "目录未公开", "发布目录", "李四",
                           "2021-03-31", "是")

    pdf = tmp / "汇总.pdf"
    assert run(capsys, "bundle", "consolidate", sup, "-o", pdf, "--today", "2021-04-01")[0] == 0
    text = pdftotext(pdf)
    at = text.index("附表4")
    assert "各单位整改台账" in text[at:] and "万州区" in text[at:] and "李四" in text[at:]
