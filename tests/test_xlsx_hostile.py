"""Workbooks from outside: every hostile or broken one is refused with a clear message."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.errors import InvalidInput, NotFound, TooLarge, UnsafeInput
from gongkai_desktop.xlsx import read_plan_workbook
from gongkai_desktop.xlsx.safety import Limits, open_workbook
from gongkai_desktop.xlsx.units_text import is_dash, split_units
from tests.xlsx_samples import write_municipal_2021


def _plain_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["重点任务", "贯彻举措", "牵头单位", "责任单位"])
    wb.active.append(["一、任务\n（一）子任务。", "1．举措。", "市司法局", "各区县政府"])
    wb.save(path)
    return path


def _rewrite(source: Path, target: Path, changes: dict[str, bytes | None]) -> Path:
    """Copy a workbook's zip, replacing (or with None dropping) members; new names are added."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in changes:
                data = changes[info.filename]
                if data is not None:
                    zout.writestr(info.filename, data)
            else:
                zout.writestr(info, zin.read(info))
        for name, data in changes.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)
    return target


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return _plain_workbook(tmp_path / "good.xlsx")


def test_a_good_workbook_opens(good: Path) -> None:
    wb = open_workbook(good)
    assert wb.active["B2"].value == "1．举措。"


@pytest.mark.parametrize(
    "content",
    [b"", b"just some text, not a workbook", b"PK\x03\x04broken zip", b"%PDF-1.7\n"],
)
def test_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=r"不是有效的Excel工作簿（\.xlsx）"):
        open_workbook(path)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(InvalidInput, match="不是有效的Excel工作簿"):
        open_workbook(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="找不到文件"):
        open_workbook(tmp_path / "nothing.xlsx")
    with pytest.raises(InvalidInput, match="是文件夹"):
        open_workbook(tmp_path)


def _cfb(extra: bytes) -> bytes:
    # The compound-file signature, a header, and a directory naming the streams.
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + extra + b"\0" * 512


def test_password_protected_workbook(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(_cfb("EncryptionInfo".encode("utf-16-le") + b"\0" * 50
                          + "EncryptedPackage".encode("utf-16-le")))
    with pytest.raises(UnsafeInput, match="设置了打开密码"):
        open_workbook(path)


def test_old_xls_file(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(_cfb("Workbook".encode("utf-16-le")))
    with pytest.raises(InvalidInput, match=r"旧版 \.xls"):
        open_workbook(path)


def test_zip_bomb_over_the_total_size(tmp_path: Path, good: Path) -> None:
    bomb = _rewrite(good, tmp_path / "bomb.xlsx", {"xl/media/padding.bin": b"\0" * (51 * 2**20)})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(TooLarge, match="解压后超过 50 MB"):
        open_workbook(bomb)


def test_member_with_an_absurd_compression_ratio(tmp_path: Path, good: Path) -> None:
    bomb = _rewrite(good, tmp_path / "ratio.xlsx", {"xl/media/padding.bin": b"\0" * (3 * 2**20)})
    with pytest.raises(TooLarge, match="压缩比异常"):
        open_workbook(bomb)


def test_file_over_the_size_limit(tmp_path: Path, good: Path) -> None:
    with pytest.raises(TooLarge, match="超过 0 MB"):
        open_workbook(good, Limits(file_bytes=1000))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol3;</t></si></sst>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&xxe;</workbook>"""


@pytest.mark.parametrize(
    ("member", "content"),
    [("xl/sharedStrings.xml", BILLION_LAUGHS), ("xl/workbook.xml", EXTERNAL_ENTITY)],
)
def test_xml_with_a_doctype_is_refused(
    tmp_path: Path, good: Path, member: str, content: bytes
) -> None:
    path = _rewrite(good, tmp_path / "dtd.xlsx", {member: content})
    with pytest.raises(UnsafeInput, match=f"{member} 含有文档类型定义"):
        open_workbook(path)


def test_doctype_split_across_read_chunks_is_found(tmp_path: Path, good: Path) -> None:
    padding = b"<!-- " + b"x" * (64 * 1024 - 8) + b" -->"  # "<!DOCTYPE" straddles 64 KiB
    content = b'<?xml version="1.0"?>' + padding + EXTERNAL_ENTITY.split(b"?>", 1)[1]
    path = _rewrite(good, tmp_path / "split.xlsx", {"xl/workbook.xml": content})
    with pytest.raises(UnsafeInput, match="文档类型定义"):
        open_workbook(path)


@pytest.mark.parametrize(
    "content",
    [
        EXTERNAL_ENTITY.decode().replace("UTF-8", "UTF-16").encode("utf-16"),
        b'<?xml version="1.0" encoding="UTF-7"?><workbook/>',
    ],
)
def test_xml_not_in_utf8_is_refused(tmp_path: Path, good: Path, content: bytes) -> None:
    path = _rewrite(good, tmp_path / "utf16.xlsx", {"xl/workbook.xml": content})
    with pytest.raises(UnsafeInput, match="不是 UTF-8 编码"):
        open_workbook(path)


def test_external_links_are_refused(tmp_path: Path, good: Path) -> None:
    link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    path = _rewrite(good, tmp_path / "links.xlsx", {"xl/externalLinks/externalLink1.xml": link})
    with pytest.raises(UnsafeInput, match="外部链接"):
        open_workbook(path)


def test_formulas_are_refused_naming_the_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工"
    ws["A1"] = "重点任务"
    ws["C5"] = "=1+1"
    ws["D7"] = '=HYPERLINK("http://evil.example/","点我")'
    ws["E9"] = "=[1]Sheet1!A1"
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    with pytest.raises(UnsafeInput, match="工作表“分工”的单元格 C5、D7、E9 含有公式"):
        open_workbook(path)


def test_text_that_starts_with_an_equals_sign_is_only_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=不是公式"
    wb.active["A1"].data_type = "s"
    path = tmp_path / "text.xlsx"
    wb.save(path)
    assert open_workbook(path).active["A1"].value == "=不是公式"


def test_too_many_rows_sparse(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.active["A20000"] = "y"  # one stored row far down
    path = tmp_path / "tall.xlsx"
    wb.save(path)
    with pytest.raises(TooLarge, match="20000 行，超过 10000 行"):
        open_workbook(path)


def test_too_many_rows_dense(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    for n in range(10_001):
        ws.append([n])
    path = tmp_path / "dense.xlsx"
    wb.save(path)
    with pytest.raises(TooLarge, match="超过 10000 行"):
        open_workbook(path)


def test_too_many_columns(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.cell(1, 101, "x")
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    with pytest.raises(TooLarge, match="101 列，超过 100 列"):
        open_workbook(path)


def test_too_many_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for _ in range(20):
        wb.active.append(list(range(10)))
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    with pytest.raises(TooLarge, match="单元格超过 100 个"):
        open_workbook(path, Limits(cells=100))


SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    "{extra}</worksheet>"
)


@pytest.mark.parametrize(
    "extra",
    [
        # openpyxl makes one object per merged cell while loading: this alone would hang it.
        '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        '<mergeCells count="1"><mergeCell ref="A:XFD"/></mergeCells>',
        "<mergeCells>"
        + "".join(f'<mergeCell ref="A{n}:CV{n + 999}"/>' for n in range(1, 3000, 1000))
        + "</mergeCells>",
        '<hyperlinks><hyperlink ref="A1:XFD1048576" display="x"/></hyperlinks>',
    ],
)
def test_huge_ranges_are_refused_before_openpyxl_expands_them(
    tmp_path: Path, good: Path, extra: str
) -> None:
    sheet = SHEET.format(extra=extra).encode()
    path = _rewrite(good, tmp_path / "ranges.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(TooLarge, match="范围过大"):
        open_workbook(path)


def test_ordinary_merges_are_fine(tmp_path: Path, good: Path) -> None:
    extra = '<mergeCells count="1"><mergeCell ref="A1:D3"/></mergeCells>'
    path = _rewrite(good, tmp_path / "ok.xlsx",
                    {"xl/worksheets/sheet1.xml": SHEET.format(extra=extra).encode()})
    assert [str(r) for r in open_workbook(path).active.merged_cells.ranges] == ["A1:D3"]


def test_plan_import_refuses_formulas_too(tmp_path: Path) -> None:
    path = write_municipal_2021(tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["A4"] = "=ROW()-3"
    wb.save(path)
    with pytest.raises(UnsafeInput, match="A4 含有公式"):
        read_plan_workbook(path, plan_id="p", title="t")


def test_corrupt_member_inside_a_valid_zip(tmp_path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 5
    data[start:start + 20] = b"\xff" * 20  # damage the compressed bytes
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match="已损坏"):
        open_workbook(path)


# ---- unit cells ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("市政府办公厅、市司法局", ("市政府办公厅", "市司法局")),
        ("市政府各部门\n各区县政府", ("市政府各部门", "各区县政府")),
        ("市发展改革委，市财政局;市教委；市民政局,市商务委", (
            "市发展改革委", "市财政局", "市教委", "市民政局", "市商务委")),
        ("市委党校（重庆行政学院、市行政学院）", ("市委党校（重庆行政学院、市行政学院）",)),
        ("市委组织部（市公务员\n局）", ("市委组织部（市公务员局）",)),
        (" 市司法局 。、、市司法局", ("市司法局",)),
        ("——", ()), ("—", ()), ("-", ()), ("－", ()), ("", ()), (None, ()), ("无", ()),
    ],
)
def test_split_units(cell: str | None, names: tuple[str, ...]) -> None:
    assert split_units(cell) == names


def test_is_dash() -> None:
    assert is_dash("— —") and not is_dash("市司法局")
