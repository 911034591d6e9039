"""File names that lie about their type: bidi overrides and zero-width characters.

"报告\u202efdp.exe" displays as "报告exe.pdf". Attached, the name is stored without the
hidden characters (so it shows ".exe"); saved from a supervisor's workspace, no
written name carries them.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.bundle.importer import Outcome, import_bundle
from gongkai_desktop.cli import main
from gongkai_desktop.storage import Workspace, safe_file_name
from gongkai_desktop.storage.names import escaped_name, is_hidden_char
from gongkai_desktop.supervisor.store import SupervisorView
from tests.bundle_fixtures import UNIT_A, export, fill_a, keys_in, make_supervisor, make_unit

HIDDEN = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
          "\u2069", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u2060",
          "\u00ad", "\x07", "\x85", "\u2028", "\U000e0041"]


@pytest.mark.parametrize("char", HIDDEN)
def test_safe_file_name_drops_every_hidden_character(char: str) -> None:
    name = safe_file_name(f"报告{char}fdp.exe")
    assert name == "报告fdp.exe"
    assert not any(is_hidden_char(c) for c in name)
    assert safe_file_name(name) == name


def test_the_suffix_shown_is_the_real_one() -> None:
    name = safe_file_name("报告\u202efdp.exe")
    assert Path(name).suffix == ".exe"
    assert escaped_name("报告\u202efdp.exe") == "报告\\u202efdp.exe"
    # Undecodable bytes of a Linux file name (lone surrogates) cannot break the name either.
    assert safe_file_name("photo\udcff.jpg") == "photo.jpg"
    # Stripping does not make the result change on a second pass (NFC after stripping).
    tricky = "e\u200d\u0301.txt"
    assert safe_file_name(safe_file_name(tricky)) == safe_file_name(tricky) == "é.txt"


def test_attach_in_the_cli_stores_and_shows_the_true_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws_path = tmp_path / "万州区.gkws"
    make_unit(ws_path, UNIT_A).close()
    hostile = tmp_path / "报告\u202efdp.exe"
    hostile.write_bytes(b"MZ\x90\x00 not really a pdf" * 20)
    assert main(["attach", str(ws_path), "1.1.2", str(hostile)]) == 0
    out, _err = capsys.readouterr()
    assert "已添加：报告fdp.exe" in out
    assert "\u202e" not in out
    with Workspace.open(ws_path, readonly=True) as ws:
        names = [e.file_name for e in ws.evidence()]
        assert names == ["报告fdp.exe"]
        item = ws.evidence()[0]
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        written = ws.export_evidence(item.id, out_dir)
    assert written.name == "报告fdp.exe" and written.suffix == ".exe"


def test_attach_of_a_zero_width_name(tmp_path: Path) -> None:
    with make_unit(tmp_path / "ws.gkws", UNIT_A) as ws:
        item = ws.add_evidence_bytes("1.1.2", b"%PDF-1.4 x" * 20, "\u200b通知\u200b.pdf")
        assert item.file_name == "通知.pdf"


def test_a_supervisor_never_writes_a_hidden_name(tmp_path: Path) -> None:
    """Data imported before names were checked (put in here directly) is shown and saved
    without its hidden characters."""
    with make_unit(tmp_path / "wz.gkws", UNIT_A) as unit:
        fill_a(unit)
        bundle = export(unit, tmp_path / "wz.gkbundle").files[0]
    with make_supervisor(tmp_path / "sup.gkws") as sup:
        result = import_bundle(sup, [bundle], accept_keys=keys_in([bundle]))
        assert result.outcome is Outcome.IMPORTED
        with closing(sqlite3.connect(sup.path)) as conn:
            conn.execute("UPDATE sup_evidence SET file_name = ? WHERE file_name = ?",
                         ("报告\u202efdp.exe", "专栏截图说明.pdf"))
            conn.commit()
        view = SupervisorView(sup)
        items = [e for e in view.evidence(UNIT_A.id) if e.is_file]
        assert "报告fdp.exe" in [e.file_name for e in items]
        target = next(e for e in items if e.file_name == "报告fdp.exe")
        folder = tmp_path / "saved"
        folder.mkdir()
        written = view.export_evidence(UNIT_A.id, target.id, folder)
    assert written.name == "报告fdp.exe"
    assert [p.name for p in folder.iterdir()] == ["报告fdp.exe"]
