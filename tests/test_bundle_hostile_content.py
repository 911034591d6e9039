"""Validly signed bundles (a rogue unit's key) whose *content* attacks the reader.

Deeply nested JSON in a column, a manifest nested the same way, evidence names with
bidi overrides or zero-width characters: each refused with a Chinese line, nothing
changed, and a genuine bundle given in the same batch still imports.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.bundle.importer import Outcome, import_bundle, preview_import
from gongkai_desktop.bundle.verify import verify_bundle
from gongkai_desktop.cli import main
from gongkai_desktop.errors import GongkaiError, UnsafeInput
from gongkai_desktop.safe_json import UnsafeJson, loads_limited, nesting_depth
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.store import SupervisorView
from tests.bundle_fixtures import (
    UNIT_A,
    UNIT_B,
    dump,
    export,
    key_of,
    keys_in,
    make_supervisor,
    make_unit,
    resign,
)

DEEP = "[" * 200_000





def refused_in_batch(sup: Workspace, bad: Path, good: Path, expected: str) -> str:
    """``bad`` refused (workspace unchanged by it), ``good`` after it in the batch imported."""
    before = dump(sup)
    with pytest.raises(GongkaiError) as raised:
        preview_import(sup, [bad])
    assert expected in str(raised.value)
    with pytest.raises(UnsafeInput, match=expected):
        verify_bundle([bad])
    assert dump(sup) == before
    rows = import_bundles(sup, [bad, good], accept_keys=keys_in([good]))
    assert rows[0].outcome is Outcome.REFUSED, rows[0]
    assert expected in rows[0].message
    assert rows[1].outcome is Outcome.IMPORTED, rows[1]
    assert [u.unit.name for u in SupervisorView(sup).units()] == [UNIT_B.name]
    return rows[0].message


def _set_deep_urls(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE records SET urls = ? WHERE measure_id = '1.1.2'", (DEEP,))


def test_nested_brackets_in_a_json_column(sup: Workspace, bad: Path,
                                          other_unit_bundle: Path) -> None:
    resign(bad, key_of(UNIT_A), _set_deep_urls)
    message = refused_in_batch(sup, bad, other_unit_bundle, "嵌套层数过多")
    assert "举措记录第" in message and "未导入" in message


def test_nested_brackets_in_the_cli(tmp_path: Path, bad: Path, other_unit_bundle: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    resign(bad, key_of(UNIT_A), _set_deep_urls)
    assert main(["verify", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "嵌套层数过多" in err and "Traceback" not in err + out
    path = tmp_path / "cli-sup.gkws"
    make_supervisor(path).close()
    with Workspace.open(path, readonly=True) as ws:
        before = dump(ws)
    assert main(["bundle", "import", str(path), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "错误：可疑.gkbundle：已拒绝" in err and "嵌套层数过多" in err and out == ""
    with Workspace.open(path, readonly=True) as ws:
        assert dump(ws) == before
    # The hostile file first, a genuine one after it: the genuine one is imported.
    assert main(["bundle", "import", str(path), str(bad), str(other_unit_bundle),
                 "--accept-key", keys_in([other_unit_bundle])[0]]) == 1
    out, err = capsys.readouterr()
    assert "已拒绝" in err and "已导入：涪陵区" in out
    assert "共 2 个文件：已导入 1 个，已有（未更改）0 个，拒绝 1 个" in out


def test_a_deeply_nested_manifest(sup: Workspace, bad: Path, other_unit_bundle: Path) -> None:
    # Within the manifest's 64 KiB, signed with the unit's own key.
    body = '{"format":' + "[" * 30_000 + "]" * 30_000 + "}"
    key = key_of(UNIT_A)
    with closing(sqlite3.connect(bad)) as conn:
        conn.execute("UPDATE manifest SET body = ?, signature = ?",
                     (body, key.sign_bytes(body.encode())))
        conn.commit()
    refused_in_batch(sup, bad, other_unit_bundle, "数据包清单无效")


def test_an_unexpected_error_in_one_file_does_not_stop_the_batch(
        sup: Workspace, bad: Path, other_unit_bundle: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Any failure no check foresaw (here a MemoryError in a field check) is that
    file's refusal; the batch goes on."""
    from gongkai_desktop.bundle import decode as content

    original = content.audit_from_row

    def explode(row: tuple[object, ...], n: int) -> object:
        if "涉企政策解读" in str(row[7]):  # only 万州区's audit log has this text
            raise MemoryError
        return original(row, n)

    resign(bad, key_of(UNIT_A), lambda conn: None)
    monkeypatch.setattr(content, "audit_from_row", explode)
    before = dump(sup)
    rows = import_bundles(sup, [bad, other_unit_bundle],
                          accept_keys=keys_in([other_unit_bundle]))
    assert rows[0].outcome is Outcome.REFUSED and "MemoryError" in rows[0].message
    assert "未导入" in rows[0].message
    assert rows[1].outcome is Outcome.IMPORTED
    monkeypatch.setattr(content, "audit_from_row", original)
    assert dump(sup) != before
    assert [u.unit.name for u in SupervisorView(sup).units()] == ["涪陵区"]


@pytest.mark.parametrize(("name", "shown"), [
    ("报告\u202efdp.exe", "报告\\u202efdp.exe"),
    ("照片\u200b.png", "照片\\u200b.png"),
    ("说明\u2066.pdf", "说明\\u2066.pdf"),
    ("\ufeff通知.pdf", "\\ufeff通知.pdf"),
])
def test_an_evidence_name_with_hidden_characters(sup: Workspace, bad: Path,
                                                 other_unit_bundle: Path, name: str,
                                                 shown: str) -> None:
    resign(bad, key_of(UNIT_A), lambda conn: conn.execute(
        "UPDATE evidence SET file_name = ? WHERE kind = 'file' AND id = "
        "(SELECT min(id) FROM evidence WHERE kind = 'file')", (name,)))
    message = refused_in_batch(sup, bad, other_unit_bundle, "含有隐藏字符")
    assert shown in message
    assert "\u202e" not in message and "\u200b" not in message  # the line itself is plain


def test_a_workspace_with_an_old_hidden_name_exports_a_clean_bundle(
        tmp_path: Path, sup: Workspace) -> None:
    """A name stored before names were cleaned: the export sends it clean (not refused)."""
    with make_unit(tmp_path / "wz.gkws", UNIT_A) as ws:
        item = ws.add_evidence_bytes("1.1.2", b"%PDF-1.4 x" * 50, "报告.pdf", actor="张三")
        with closing(sqlite3.connect(ws.path)) as conn:
            conn.execute("UPDATE evidence SET file_name = ? WHERE id = ?",
                         ("报告\u202efdp.exe", item.id))
            conn.commit()
        out = export(ws, tmp_path / "wz.gkbundle").files[0]
    assert import_bundle(sup, [out], accept_keys=keys_in([out])).outcome is Outcome.IMPORTED
    names = [e.file_name for e in SupervisorView(sup).evidence(UNIT_A.id)]
    assert names == ["报告fdp.exe"]


# ----------------------------------------------------------------- the helper itself

def test_loads_limited_bounds_depth_without_recursing() -> None:
    with pytest.raises(UnsafeJson, match="嵌套层数过多"):
        loads_limited("[" * 1_000_000 + "]" * 1_000_000, max_bytes=4_000_000)
    with pytest.raises(UnsafeJson, match="嵌套层数过多"):
        loads_limited('{"a":' * 50 + "1" + "}" * 50)
    # Brackets inside strings do not count; escaped quotes do not end a string.
    assert loads_limited('["[[[[\\"[[[", "]]"]', max_depth=1) == ['[[[["[[[', "]]"]
    assert nesting_depth('"' + "x" * 1_000_000 + "[[", 5) == 2  # unterminated: one pass
    with pytest.raises(UnsafeJson, match="过大"):
        loads_limited("[" + '"x",' * 1000 + '"x"]', max_bytes=100)
    with pytest.raises(UnsafeJson, match="格式不对"):
        loads_limited("[NaN]")
    with pytest.raises(UnsafeJson, match="格式不对"):
        loads_limited("1" * 5000)  # Python refuses ints of over 4,300 digits
    with pytest.raises(UnsafeJson) as raised:
        loads_limited(b"\xff[", message="回执文件无效")
    assert str(raised.value) == "回执文件无效" and raised.value.detail == "不是 UTF-8 编码"
