"""Shared pieces of the delegation tests: keys, a CLI runner, filling an office checklist."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.delegation import add_offices, assign, find_office, init_from_task, write_task
from gongkai_desktop.delegation.checklist import export_office_checklist
from gongkai_desktop.model import Status
from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.storage import Workspace
from gongkai_desktop.xlsx import checklist_layout as L
from tests.bundle_fixtures import export, identity, make_unit

WZ_KEY = identity("重庆市万州区人民政府", "张三")
CITY_KEY = identity("重庆市人民政府办公厅", "王五")
SFJ_KEY = identity("区司法局", "李四")
BB_KEY = identity("区委编办", "周七")
KS_KEY = identity("法治科", "吴八")
OTHER_PARENT_KEY = identity("重庆市涪陵区人民政府", "赵六")


def accepting(*keys: SigningIdentity) -> list[str]:
    return [arg for key in keys for arg in ("--accept-key", group_fingerprint(key.fingerprint()))]


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def with_key(path: Path, key: SigningIdentity) -> Path:
    with Workspace.open(path) as ws:
        save_identity(ws, key)
    return path


def file_dump(path: Path) -> str:
    """Every row of the workspace file: "unchanged" means equal."""
    with closing(sqlite3.connect(path)) as conn:
        return "\n".join(conn.iterdump())


def fill_checklist(src: Path, dest: Path, rows: dict[str, dict[str, str]]) -> Path:
    """What an office without the app does: type status and explanation into the workbook."""
    wb = openpyxl.load_workbook(src)
    sheet = wb[L.MAIN_SHEET]
    headers = {sheet.cell(L.HEADER_ROW, c).value: c for c in range(1, sheet.max_column + 1)}
    key = headers[L.KEY_HEADER]
    for row in range(L.HEADER_ROW + 1, sheet.max_row + 1):
        mid = sheet.cell(row, key).value
        for header, value in rows.get(str(mid), {}).items():
            sheet.cell(row, headers[header]).value = value
    wb.save(dest)
    return dest


def one_chinese_line(err: str) -> bool:
    lines = [line for line in err.strip().splitlines() if not line.startswith("  ")]
    return len(lines) >= 1 and all(any("\u4e00" <= c <= "\u9fff" for c in line)
                                   for line in lines)


class World:
    """万州区 (the test plan) with 区司法局 (task → its own workspace, two bundles exported:
    1.1.1 已完成 with 证明.pdf, then 1.1.2 推进中) and 区委编办 (an exported checklist).
    Nothing is imported into 万州区 yet. For the window's tests too."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.wz = root / "万州区.gkws"
        with make_unit(self.wz) as ws:
            add_offices(ws, ["区司法局", "区委编办"])
            assign(ws, ["1.1.1"], ["区司法局", "区委编办"])
            assign(ws, ["1.1.2"], ["区司法局"])
            self.task = write_task(ws, find_office(ws, "区司法局"), WZ_KEY, root / "sfj.gktask")
            self.bb_task = write_task(ws, find_office(ws, "区委编办"), WZ_KEY,
                                      root / "bb.gktask")
            self.sheet = root / "区委编办.xlsx"
            export_office_checklist(ws, find_office(ws, "区委编办"), self.sheet)
        self.sfj = root / "区司法局.gkws"
        ws, _task = init_from_task(self.sfj, self.task)
        ws.update_record("1.1.1", status=Status.DONE, explanation="已完成")
        ws.add_evidence_bytes("1.1.1", b"%PDF-1.4 proof", "证明.pdf")
        self.bundle1 = export(ws, root / "sfj-1.gkbundle", SFJ_KEY).files[0]
        ws.update_record("1.1.2", status=Status.IN_PROGRESS, explanation="推进中")
        self.bundle2 = export(ws, root / "sfj-2.gkbundle", SFJ_KEY).files[0]
        ws.close()

    def refused(self, capsys: pytest.CaptureFixture[str], *args: object,
                workspace: Path | None = None) -> str:
        target = workspace or self.wz
        before = file_dump(target)
        code, _out, err = run(capsys, *args)
        assert code != 0
        assert one_chinese_line(err), err
        assert file_dump(target) == before
        return err


