"""Workbooks in and out with hostile content.

In: a part that starts with 64 KiB or more of blanks is still scanned to its end
(a DOCTYPE after the blanks is refused at once, not parsed). Out: any character an
officer can type or paste (a vertical tab from Word, other C0 controls, a lone
surrogate from a command line) is written as a valid workbook, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongkai_desktop.bundle.importer import Outcome, import_bundle
from gongkai_desktop.cli import main
from gongkai_desktop.errors import TooLarge, UnsafeInput
from gongkai_desktop.model import Status
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx import checklist_layout as L
from gongkai_desktop.xlsx.cells import xml_text
from gongkai_desktop.xlsx.consolidation import consolidation_workbook
from gongkai_desktop.xlsx.safety import open_workbook
from tests.bundle_fixtures import UNIT_A, export, keys_in, make_supervisor, make_unit
from tests.test_xlsx_hostile import BILLION_LAUGHS, _plain_workbook, _rewrite

CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r")  # NUL: refused
NOTE = "第一行\x0b第二行\x0c第三页" + CONTROLS + "完"
CLEAN_NOTE = "第一行\n第二行\n第三页\n\n完"  # vertical tab, form feed: new lines


def _blank_led(content: bytes, blanks: int) -> bytes:
    return b" \n\t" * (blanks // 3) + content.split(b"?>", 1)[1]  # no XML declaration


@pytest.mark.parametrize("blanks", [64 * 1024, 64 * 1024 + 1, 900 * 1024])
@pytest.mark.parametrize("member", ["xl/sharedStrings.xml", "xl/media/strings.bin"])
def test_a_doctype_after_many_blanks_is_refused_quickly(tmp_path: Path, blanks: int,
                                                        member: str) -> None:
    good = _plain_workbook(tmp_path / "good.xlsx")
    path = _rewrite(good, tmp_path / "blanks.xlsx", {member: _blank_led(BILLION_LAUGHS, blanks)})
    start = time.perf_counter()
    with pytest.raises(UnsafeInput, match=f"{member} 含有文档类型定义"):
        open_workbook(path)
    assert time.perf_counter() - start < 5


def test_megabytes_of_blanks_are_refused_as_a_bomb_before_inflating(tmp_path: Path) -> None:
    good = _plain_workbook(tmp_path / "good.xlsx")
    path = _rewrite(good, tmp_path / "blanks.xlsx",
                    {"xl/sharedStrings.xml": _blank_led(BILLION_LAUGHS, 40 * 1024 * 1024)})
    start = time.perf_counter()
    with pytest.raises(TooLarge, match="压缩比异常"):
        open_workbook(path)
    assert time.perf_counter() - start < 2


def test_a_blank_led_doctype_costs_little_memory(tmp_path: Path) -> None:
    """Measured in a child (a fresh process whose only child is the check)."""
    good = _plain_workbook(tmp_path / "good.xlsx")
    path = _rewrite(good, tmp_path / "blanks.xlsx",
                    {"xl/sharedStrings.xml": _blank_led(BILLION_LAUGHS, 200 * 1024)})
    check = tmp_path / "check.py"
    check.write_text(textwrap.dedent(f"""
        import pathlib, sys
        from gongkai_desktop.errors import UnsafeInput
        from gongkai_desktop.xlsx.safety import open_workbook
        try:
            open_workbook(pathlib.Path({str(path)!r}))
        except UnsafeInput as exc:
            print(exc)
            sys.exit(3)
    """), encoding="utf-8")
    wrapper = textwrap.dedent(f"""
        import resource, subprocess, sys
        done = subprocess.run([sys.executable, {str(check)!r}], capture_output=True, text=True)
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        print(done.stdout.strip())
    """)
    result = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True,
                            check=True)
    first, message = result.stdout.splitlines()[:2]
    returncode, max_rss_kib = map(int, first.split())
    assert returncode == 3 and "文档类型定义" in message
    assert max_rss_kib < 200 * 1024


def test_xml_text_matches_openpyxl() -> None:
    text = xml_text(NOTE + "\ud800\ufffe\uffff")
    assert not ILLEGAL_CHARACTERS_RE.search(text)
    assert text == CLEAN_NOTE
    assert xml_text("普通文字\n第二行") == "普通文字\n第二行"


def test_xlsx_export_with_control_characters(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "万州区.gkws"
    with make_unit(path, UNIT_A) as ws:
        ws.update_record("1.1.2", status=Status.IN_PROGRESS, explanation=NOTE,
                         remarks="\x01=HYPERLINK(\"http://evil\")", actor="张三")
        ws.update_record("2.1.2", status=Status.NOT_APPLICABLE, reason="理由\x1f\x0b", actor="张三")
    out = tmp_path / "清单.xlsx"
    assert main(["xlsx", "export", str(path), "-o", str(out)]) == 0
    _out, err = capsys.readouterr()
    assert "Traceback" not in err
    wb = openpyxl.load_workbook(out)
    sheet = wb[L.MAIN_SHEET]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert CLEAN_NOTE in texts
    assert '=HYPERLINK("http://evil")' in texts  # text, not a formula
    assert all(c.data_type != "f" for ws_ in wb.worksheets for row in ws_.iter_rows()
               for c in row)
    # Imported back unchanged: the colleague touched nothing, so nothing is proposed.
    code = main(["xlsx", "import", str(path), str(out)])
    printed, err = capsys.readouterr()
    assert code == 0, err
    assert "0 处更改" in printed


def test_consolidation_xlsx_with_control_characters_from_a_unit(tmp_path: Path) -> None:
    with make_unit(tmp_path / "wz.gkws", UNIT_A) as unit:
        unit.update_record("1.1.2", status=Status.DONE, explanation=NOTE,
                           remarks="\x02=1+1", actor="张三")
        bundle = export(unit, tmp_path / "wz.gkbundle").files[0]
    out = tmp_path / "汇总.xlsx"
    with make_supervisor(tmp_path / "sup.gkws") as sup:
        result = import_bundle(sup, [bundle], accept_keys=keys_in([bundle]))
        assert result.outcome is Outcome.IMPORTED
        consolidation_workbook(sup, UnitDirectory.load(), out, today=dt.date(2021, 9, 1))
    wb = openpyxl.load_workbook(out)
    cells = [c for ws_ in wb.worksheets for row in ws_.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert any("第一行\n第二行" in t for t in texts)
