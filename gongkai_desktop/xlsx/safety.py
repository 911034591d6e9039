"""Opening a workbook that came from someone else, safely.

Everything is checked with ``zipfile`` before openpyxl parses a byte: the file is
read once into memory (so it cannot change between check and load), every member
is decompressed as a stream with a running byte count (zip bombs, overlapping
entries), XML members must be UTF-8 without a DOCTYPE (entity expansion, external
entities), external links are refused, and the number of rows and cells is counted
in the sheet XML. After loading, sheet dimensions and formulas are checked: nothing
in a workbook is ever evaluated, and a formula's cached value is not trusted either.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from gongkai_desktop import faults
from gongkai_desktop.errors import InvalidInput, NotFound, TooLarge, UnsafeInput

MIB = 1024 * 1024
NOT_XLSX = "不是有效的Excel工作簿（.xlsx）"


@dataclass(frozen=True, slots=True)
class Limits:
    file_bytes: int = 50 * MIB  # the .xlsx file itself
    total_bytes: int = 50 * MIB  # all members, uncompressed
    members: int = 2000
    ratio: int = 100  # uncompressed/compressed, checked for members over 1 MiB
    rows: int = 10_000
    columns: int = 100
    cells: int = 200_000  # all sheets together
    # Cells covered by merged ranges, ranged hyperlinks and comments: openpyxl creates
    # one object per covered cell while loading, so "A1:XFD1048576" alone would hang it.
    covered: int = 100_000


DEFAULT_LIMITS = Limits()

_SHEET_ROWS = 1_048_576
_SHEET_COLUMNS = 16_384
_CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_CHUNK = 64 * 1024
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# Cells and rows in sheet XML, with or without a namespace prefix (<x:c …>).
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_COVERING_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:mergeCell|hyperlink|comment)\b[^>]{0,300}?"
    rb"""\bref\s*=\s*["']([^"']{1,40})["']"""
)
_OVERLAP = 512  # longer than any match of the patterns above
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


def open_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Check ``path`` and load it with openpyxl (formulas kept, links dropped, no VBA).

    Raises ``InvalidInput`` (not a workbook), ``UnsafeInput`` (encrypted, DTD,
    external links, formulas) or ``TooLarge`` with a Chinese message.
    """
    data = read_file(path, limits)
    check_archive(data, limits)
    workbook = _load(data)
    check_sheets(workbook, limits)
    return workbook


def read_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.file_bytes + 1)
    except FileNotFoundError as exc:
        raise NotFound(f"找不到文件：{path}") from exc
    except IsADirectoryError as exc:
        raise InvalidInput(f"“{path.name}”是文件夹，{NOT_XLSX}") from exc
    except OSError as exc:
        why = faults.reason(exc, reading=True)
        raise InvalidInput(f"无法读取文件“{path.name}”：{why}") from exc
    if len(data) > limits.file_bytes:
        raise TooLarge(f"文件“{path.name}”超过 {limits.file_bytes // MIB} MB，不予读取")
    return data


def check_archive(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse anything but a plain, bounded, DTD-free OOXML zip."""
    if data.startswith(_CFB_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise UnsafeInput(
                "该工作簿设置了打开密码（已加密），无法读取。请在Excel中取消密码"
                "（文件→信息→保护工作簿→用密码进行加密，清空密码）并保存后再导入"
            )
        raise InvalidInput(f"这是旧版 .xls 文件，{NOT_XLSX}。请在Excel中另存为 .xlsx 后再导入")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InvalidInput(NOT_XLSX) from exc
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise InvalidInput(NOT_XLSX)
        if len(infos) > limits.members:
            raise TooLarge(f"工作簿内部文件过多（{len(infos)} 个），不予读取")
        for info in infos:
            if info.filename.lower().startswith("xl/externallinks/"):
                raise UnsafeInput(
                    "工作簿含有指向其他文件的外部链接，不予读取。请删除外部链接后再导入"
                )
            if info.flag_bits & 0x1:
                raise UnsafeInput("工作簿内部文件已加密，无法读取。请取消密码保护并保存后再导入")
        if sum(info.file_size for info in infos) > limits.total_bytes:
            raise TooLarge(_too_large_total(limits))
        _scan_members(archive, infos, limits)


def _bomb(name: str) -> TooLarge:
    return TooLarge(f"工作簿内部文件 {name} 压缩比异常（疑似压缩炸弹），不予读取")


def _too_large_total(limits: Limits) -> str:
    return f"工作簿解压后超过 {limits.total_bytes // MIB} MB，不予读取"


def _scan_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = 0
    cells = 0
    for info in infos:
        if info.is_dir():
            continue
        scan = _MemberScan(info.filename, is_sheet=_is_sheet(info.filename), limits=limits)
        size = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if total > limits.total_bytes:
                        raise TooLarge(_too_large_total(limits))
                    if size > MIB and size > limits.ratio * max(info.compress_size, 1):
                        raise _bomb(info.filename)  # as soon as it shows, not after inflating
                    scan.feed(chunk)
            scan.finish()
        except (
            zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError
        ) as exc:
            raise InvalidInput(
                f"工作簿已损坏（内部文件 {info.filename} 无法解压），{NOT_XLSX}"
            ) from exc
        except RuntimeError as exc:  # zipfile's "File is encrypted"
            raise UnsafeInput("工作簿内部文件已加密，无法读取") from exc
        if scan.rows > limits.rows:
            raise TooLarge(f"工作表超过 {limits.rows} 行，不予读取")
        cells += scan.cells
        if cells > limits.cells:
            raise TooLarge(f"工作簿的单元格超过 {limits.cells} 个，不予读取")


def _is_sheet(name: str) -> bool:
    return name.lower().startswith("xl/worksheets/") and not name.lower().endswith(".rels")


class _MemberScan:
    """Looks at one member's bytes as they stream by, from the first byte to the last.

    Whether a member is XML is decided by its first non-blank byte, however far in
    that is (a part that starts with 64 KiB of spaces is still XML to the parser);
    until then, and for every XML member to its end, the DTD scan runs on each chunk
    with an overlap carried between chunks.
    """

    def __init__(self, name: str, *, is_sheet: bool, limits: Limits) -> None:
        self.name = name
        self.is_sheet = is_sheet
        self.limits = limits
        self.covered = 0
        self.kind: str | None = None  # "xml" or "binary", once a non-blank byte shows
        self.xml_name = _is_xml_name(name)  # named as XML: XML whatever it starts with
        self.first = b""  # the member's first bytes, for the encoding checks
        self.size = 0
        self.tail = b""
        self.rows = 0
        self.cells = 0

    def feed(self, chunk: bytes) -> None:
        at_start = self.size == 0
        self.size += len(chunk)
        if len(self.first) < 4:
            self.first += chunk[:4 - len(self.first)]
            if len(self.first) == 4:
                _check_encoding_signature(self.name, self.first)
        if self.kind is None:
            self.kind = self._classify(chunk.removeprefix(b"\xef\xbb\xbf") if at_start
                                       else chunk)
        if self.kind == "binary":
            return
        buffer = self.tail + chunk
        keep = len(self.tail)
        # A match lying wholly inside the carried tail was counted last time.
        if any(m.end() > keep for m in _DTD.finditer(buffer)):
            raise UnsafeInput(
                f"工作簿内部文件 {self.name} 含有文档类型定义（DOCTYPE/ENTITY），不予读取"
            )
        if self.is_sheet:
            self.rows += sum(1 for m in _ROW.finditer(buffer) if m.end() > keep)
            self.cells += sum(1 for m in _CELL.finditer(buffer) if m.end() > keep)
        for match in _COVERING_TAG.finditer(buffer):
            if match.end() > keep:
                self.covered += _area(match.group(1))
                if self.covered > self.limits.covered:
                    raise TooLarge(
                        f"工作簿内部文件 {self.name} 的合并单元格（或超链接、批注）范围过大，"
                        "不予读取"
                    )
        self.tail = buffer[-_OVERLAP:]

    def finish(self) -> None:
        if len(self.first) < 4:
            _check_encoding_signature(self.name, self.first)

    def _classify(self, chunk: bytes) -> str | None:
        """"xml", "binary", or None while everything so far is blank (or a BOM)."""
        text = chunk.lstrip(b" \t\r\n")
        if not text:
            return None
        if not text.startswith(b"<"):
            # Images, printer settings: never parsed as XML.
            return "xml" if self.xml_name else "binary"
        declared = _ENCODING.match(text)
        if declared and declared.group(1).strip().lower() not in (b"utf-8", b"utf8"):
            raise UnsafeInput(f"工作簿内部文件 {self.name} 不是 UTF-8 编码，不予读取")
        return "xml"


# The first bytes of XML in UTF-16/UTF-32/EBCDIC (XML 1.0, appendix F): a parser reads
# those, while the byte scan for "<!DOCTYPE" would not see one.
_OTHER_ENCODINGS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\x00<",
                    b"\x00\x00<\x00", b"\x00\x00\xfe\xff", b"\x4c\x6f\xa7\x94")


def _check_encoding_signature(name: str, first: bytes) -> None:
    if first.startswith(_OTHER_ENCODINGS):
        raise UnsafeInput(f"工作簿内部文件 {name} 不是 UTF-8 编码，不予读取")


def _is_xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _area(ref: bytes) -> int:
    """Cells in a range reference; whole rows or columns count as the sheet's maximum."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
    except (ValueError, TypeError, UnicodeDecodeError):
        return 0  # openpyxl cannot read it either, and fails on it: nothing gets created
    rows = (max_row or _SHEET_ROWS) - (min_row or 1) + 1
    columns = (max_col or _SHEET_COLUMNS) - (min_col or 1) + 1
    return max(rows, 1) * max(columns, 1)


def _load(data: bytes) -> Any:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, unknown styles);
            # we only read values, so these are noise for the user.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=False, data_only=False, keep_links=False,
                keep_vba=False, rich_text=False,
            )
    except Exception as exc:  # openpyxl raises anything from KeyError to lxml errors
        raise InvalidInput(f"工作簿已损坏或格式不受支持，{NOT_XLSX}") from exc


def check_sheets(workbook: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse oversized sheets (before any cell is iterated) and any formula."""
    for sheet in workbook.worksheets:
        if sheet.max_row > limits.rows:
            raise TooLarge(
                f"工作表“{sheet.title}”有 {sheet.max_row} 行，超过 {limits.rows} 行，不予读取"
            )
        if sheet.max_column > limits.columns:
            raise TooLarge(
                f"工作表“{sheet.title}”有 {sheet.max_column} 列，超过 {limits.columns} 列，不予读取"
            )
    for sheet in workbook.worksheets:
        # The stored cells only: iter_rows() would create every empty cell of the range.
        found = [
            cell.coordinate
            for _, cell in sorted(sheet._cells.items())
            if cell.data_type == "f" or isinstance(cell.value, ArrayFormula | DataTableFormula)
        ]
        if found:
            shown = "、".join(found[:5]) + (f" 等 {len(found)} 处" if len(found) > 5 else "")
            raise UnsafeInput(
                f"工作表“{sheet.title}”的单元格 {shown} 含有公式，为安全起见不予读取。"
                "请复制这些单元格后“选择性粘贴→数值”，保存后再导入"
            )

