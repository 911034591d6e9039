"""What a workspace puts into its report: rows, saved text, the seal, building, cancelling."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from gongkai_desktop.errors import Cancelled, InvalidInput, SignatureError, TooLarge
from gongkai_desktop.model import Role, Status
from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.report.build import build_report, report_content
from gongkai_desktop.report.collect import report_evidence, report_rows
from gongkai_desktop.report.edited_text import (
    SECTION_HEADINGS,
    load_draft,
    regenerate_work_section,
    save_draft,
)
from gongkai_desktop.report.sample import make_image, sample_seal
from gongkai_desktop.report.seal import clear_seal, get_seal, has_seal, set_seal, set_seal_file
from gongkai_desktop.roles import must_report, roles_for_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.units import UnitDirectory

TITLE = "重庆市万州区人民政府关于贯彻落实2020年政务公开工作要点任务分工情况的自查报告"


@pytest.fixture
def ws(tmp_path: Path, directory: UnitDirectory) -> Iterator[Workspace]:
    w = Workspace.create(tmp_path / "万州区.gkws", bundled_plan(), directory.find("万州区"),
                         officer="张三", actor="张三")
    yield w
    w.close()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size but holds no pixels (what a hostile file looks like)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


# ---- rows ---------------------------------------------------------------------------------


def test_rows_are_the_measures_the_unit_reports_on(ws: Workspace,
                                                   directory: UnitDirectory) -> None:
    roles = roles_for_plan(ws.plan, ws.unit, directory)
    expected = [m.id for a in ws.plan.areas for s in a.subtasks for m in s.measures
                if must_report(roles.get(m.id, frozenset()))]
    rows = report_rows(ws, directory)
    assert [r.measure.id for r in rows] == expected  # plan order
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.roles & {Role.RESPONSIBLE, Role.CONCERNED} for r in rows)
    assert {r.status for r in rows} == {Status.NOT_STARTED}


def test_rows_carry_what_the_officer_recorded(ws: Workspace, directory: UnitDirectory) -> None:
    first, second = (r.measure.id for r in report_rows(ws, directory)[:2])
    ws.update_record(first, status=Status.DONE, completed_on=dt.date(2020, 8, 3),
                     explanation=" 已公开。 ", urls=["http://www.wz.gov.cn/zwgk"])
    ws.update_record(second, status=Status.NOT_APPLICABLE, reason="本单位无此职能")
    ws.add_evidence_bytes(first, make_image(300, 200, "PNG"), "截图.png")
    ws.add_evidence_link(first, "http://www.wz.gov.cn/a", title="公开栏目")
    rows = {r.measure.id: r for r in report_rows(ws, directory)}
    assert rows[first].status is Status.DONE and rows[first].completed_on == dt.date(2020, 8, 3)
    assert rows[first].explanation == "已公开。"
    assert rows[first].urls == ("http://www.wz.gov.cn/zwgk",)
    assert rows[first].evidence_names == ("截图.png", "公开栏目")
    assert rows[second].explanation == "本单位无此职能"  # 不适用: the reason is printed
    evidence = report_evidence(ws, list(rows.values()))
    assert [e.name for e in evidence] == ["截图.png"]  # links are in the table only
    assert evidence[0].is_image and evidence[0].load_bytes is not None
    assert Image.open(io.BytesIO(evidence[0].load_bytes())).size == (300, 200)


# ---- the officer's text ------------------------------------------------------------------


def test_default_draft(ws: Workspace, directory: UnitDirectory) -> None:
    draft = load_draft(ws, directory)
    assert draft.title == TITLE
    assert draft.addressee == "市政府办公厅"
    assert "（渝府办发〔2020〕89号）" in draft.opening
    assert tuple(s.heading for s in draft.sections) == SECTION_HEADINGS
    assert draft.sections[0].body.startswith("（一）")
    assert not draft.has_seal and draft.signed_on is None


def test_saved_text_survives_reopening(ws: Workspace, directory: UnitDirectory) -> None:
    draft = load_draft(ws, directory).with_section(1, "一是人手不足。\n\n二是培训不够。")
    draft = save_draft(ws, draft.__class__(
        title="关于政务公开的自查报告\t", addressee="市政府办公厅\n", opening="开头。\r\n第二行",
        sections=draft.sections, signed_on=dt.date(2020, 9, 5), generated=draft.generated))
    path = ws.path
    ws.close()
    with Workspace.open(path) as again:
        loaded = load_draft(again, directory)
    assert loaded.title == "关于政务公开的自查报告"
    assert loaded.addressee == "市政府办公厅"
    assert loaded.opening == "开头。\n第二行"
    assert loaded.sections[1].body == "一是人手不足。\n\n二是培训不够。"
    assert loaded.signed_on == dt.date(2020, 9, 5)


def test_untouched_section_follows_the_records_an_edited_one_stays(
        ws: Workspace, directory: UnitDirectory) -> None:
    save_draft(ws, load_draft(ws, directory).with_section(2, "我们自己写的打算。"))
    first = report_rows(ws, directory)[0].measure.id
    ws.update_record(first, status=Status.DONE, explanation="已建立权责清单。")
    draft = load_draft(ws, directory)
    assert "已建立权责清单" in draft.sections[0].body  # never edited: drafted again
    assert draft.sections[2].body == "我们自己写的打算。"
    assert regenerate_work_section(ws, directory) == draft.sections[0].body


def test_too_long_text_changes_nothing(ws: Workspace, directory: UnitDirectory) -> None:
    before = ws.get_setting("report.draft")
    draft = load_draft(ws, directory).with_section(0, "字" * 30001)
    with pytest.raises(InvalidInput, match=r"工作开展情况.*过长"):
        save_draft(ws, draft)
    assert ws.get_setting("report.draft") == before


# ---- the seal -----------------------------------------------------------------------------


def test_seal_is_stored_and_survives_reopening(ws: Workspace, tmp_path: Path) -> None:
    png = sample_seal(500)
    file = tmp_path / "印章.png"
    file.write_bytes(png)
    info = set_seal_file(ws, file)
    assert info.transparent and (info.width, info.height) == (500, 500)
    path = ws.path
    ws.close()
    with Workspace.open(path) as again:
        assert has_seal(again) and get_seal(again) == png
        clear_seal(again)
        assert not has_seal(again) and get_seal(again) is None


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a" + b"\0" * 100, "必须是 PNG 格式"),
    (png_header(100_000, 100_000), "尺寸过大"),
    (png_header(5000, 300), "尺寸过大（5000×300 像素）"),
    (png_header(20, 20), "太小"),
    (sample_seal(300)[:400], "已损坏"),
])
def test_hostile_seal_images_are_refused(ws: Workspace, data: bytes, message: str) -> None:
    set_seal(ws, sample_seal(200))
    with pytest.raises(InvalidInput, match=message):
        set_seal(ws, data)
    assert get_seal(ws) == sample_seal(200)  # the old seal stays


def test_huge_seal_file_is_refused_before_reading(ws: Workspace, tmp_path: Path) -> None:
    big = tmp_path / "大.png"
    with big.open("wb") as f:
        f.truncate(3 * 1024 * 1024)
    with pytest.raises(TooLarge, match="不能超过 2 MB"):
        set_seal_file(ws, big)
    assert not has_seal(ws)


def test_opaque_seal_is_accepted_but_said_to_be_opaque(ws: Workspace) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "red").save(buf, "PNG")
    assert not set_seal(ws, buf.getvalue()).transparent


# ---- building -----------------------------------------------------------------------------


def test_content_uses_the_saved_text_and_seal(ws: Workspace, directory: UnitDirectory) -> None:
    set_seal(ws, sample_seal(300))
    save_draft(ws, load_draft(ws, directory).with_section(1, "无。"))
    content = report_content(ws, directory, today=dt.date(2020, 9, 5))
    assert content.title == TITLE and content.signed_on == dt.date(2020, 9, 5)
    assert content.sections[1].body == "无。" and content.seal_png == sample_seal(300)
    assert content.unit_full_name == "重庆市万州区人民政府"


def test_cancelled_build_leaves_nothing(ws: Workspace, directory: UnitDirectory,
                                       tmp_path: Path) -> None:
    out = tmp_path / "out" / "报告.pdf"
    out.parent.mkdir()
    seen: list[int] = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return len(seen) < 5

    with pytest.raises(Cancelled):
        build_report(ws, directory, out, sign=False, passphrase=None, progress=progress)
    assert list(out.parent.iterdir()) == []


def test_unsigned_report_is_on_disk_before_it_has_its_name(
        ws: Workspace, directory: UnitDirectory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A report the program said it wrote survives a power cut: it is flushed first."""
    from gongkai_desktop.report import build

    out = tmp_path / "报告.pdf"
    flushed: list[tuple[str, bool]] = []
    real = build.fsync_file

    def watched(path: Path) -> None:
        flushed.append((Path(path).suffix, out.exists()))
        real(path)

    monkeypatch.setattr(build, "fsync_file", watched)
    result = build_report(ws, directory, out, sign=False, passphrase=None,
                          today=dt.date(2020, 9, 5))
    assert flushed == [(".unsigned", False)] and result.path == out and out.is_file()


def test_unsigned_report_on_a_full_disk_leaves_nothing(
        ws: Workspace, directory: UnitDirectory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from gongkai_desktop.errors import DiskFull
    from gongkai_desktop.report import build

    out = tmp_path / "out" / "报告.pdf"
    out.parent.mkdir()
    out.write_bytes(b"%PDF old report")

    def no_space(path: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(build, "fsync_file", no_space)
    with pytest.raises(DiskFull, match=r"磁盘空间不足.*报告\.pdf"):
        build_report(ws, directory, out, sign=False, passphrase=None)
    assert list(out.parent.iterdir()) == [out] and out.read_bytes() == b"%PDF old report"


def test_signing_without_identity_is_refused_first(ws: Workspace, directory: UnitDirectory,
                                                   tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="还没有签名证书"):
        build_report(ws, directory, tmp_path / "r.pdf", sign=True, passphrase="whatever")
    assert list(tmp_path.glob("*.pdf")) == []


def test_progress_reaches_the_end(ws: Workspace, directory: UnitDirectory,
                                  tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = build_report(ws, directory, tmp_path / "r.pdf", sign=False, passphrase=None,
                          progress=lambda d, t: seen.append((d, t)) or True,
                          today=dt.date(2020, 9, 5))
    assert seen[-1] == (100, 100) and all(a[0] <= b[0] for a, b in itertools.pairwise(seen))
    assert result.pages > 3 and not result.signed and result.path.is_file()
