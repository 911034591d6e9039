"""Several evidence files at once (the window's drop and ``attach``): duplicates skipped,
refusals skipped or fatal, and a cancel leaves the workspace exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai_desktop.errors import Cancelled, NotFound
from gongkai_desktop.storage import Workspace
from tests.plan_fixtures import make_workspace


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_repeated_content_is_skipped_without_a_trace(tmp_path: Path) -> None:
    path = tmp_path / "ws.gkws"
    a = _file(tmp_path, "截图.png", b"\x89PNG same bytes")
    copy = _file(tmp_path, "截图 - 副本.png", b"\x89PNG same bytes")
    other = _file(tmp_path, "通知.pdf", b"%PDF-1.4 other")
    with make_workspace(path) as ws:
        result = ws.add_evidence_files("1.1.1", [a, copy, other], actor="张三")
        assert [i.file_name for i in result.added] == ["截图.png", "通知.pdf"]
        assert result.skipped == (
            "“截图 - 副本.png”与已有的佐证材料“截图.png”内容相同，未重复添加",)
        actions = [e.action for e in ws.audit_log("1.1.1")]
        assert actions.count("add_evidence") == 2 and "remove_evidence" not in actions


def test_a_refused_file_is_skipped_or_ends_an_all_or_nothing_call(tmp_path: Path) -> None:
    path = tmp_path / "ws.gkws"
    good, again = _file(tmp_path, "a.txt", b"a"), _file(tmp_path, "b.txt", b"b")
    missing = tmp_path / "不存在.pdf"
    with make_workspace(path) as ws:
        result = ws.add_evidence_files("1.1.1", [good, missing])
        assert len(result.added) == 1 and "不存在.pdf" in result.skipped[0]
    with Workspace.open(path) as ws, pytest.raises(NotFound, match=r"不存在\.pdf"):
        ws.add_evidence_files("1.1.1", [again, missing], skip_refused=False)
    with Workspace.open(path) as ws:  # what the call stored is gone again
        assert [i.file_name for i in ws.evidence("1.1.1")] == ["a.txt"]


def test_cancel_undoes_every_file_of_the_call(tmp_path: Path) -> None:
    path = tmp_path / "ws.gkws"
    files = [_file(tmp_path, f"{n}.txt", str(n).encode() * 1000) for n in range(3)]
    make_workspace(path).close()

    def progress(done: int, total: int) -> bool:
        return done < 2000  # stop after the second file

    with Workspace.open(path) as ws, pytest.raises(Cancelled):
        ws.add_evidence_files("1.1.1", files, progress=progress)
    with Workspace.open(path) as ws:
        assert ws.evidence("1.1.1") == []


def test_attach_skips_a_repeated_file_and_says_so(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from tests.fault_fixtures import run

    path = tmp_path / "ws.gkws"
    make_workspace(path).close()
    a = _file(tmp_path, "通知.pdf", b"%PDF-1.4 same")
    b = _file(tmp_path, "通知(1).pdf", b"%PDF-1.4 same")
    code, out, err = run(capsys, "attach", path, "1.1.1", a, b)
    assert code == 0 and err == ""
    assert out.splitlines() == ["已添加：通知.pdf",
                                "未添加：“通知(1).pdf”与已有的佐证材料“通知.pdf”内容相同，未重复添加"]
    missing = tmp_path / "无.pdf"
    code, _out, err = run(capsys, "attach", path, "1.1.2", a, missing)
    assert code == 1 and "找不到文件" in err
    with Workspace.open(path) as ws:
        assert ws.evidence("1.1.2") == []  # all or nothing on the command line
