"""One workspace, one writer: a second process is refused; a killed holder frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai_desktop.errors import NotFound
from gongkai_desktop.storage.lock import WorkspaceLocked, acquire, is_locked, lock_path

# A child that takes the lock, says so, and waits (until killed or stdin closes).
HOLDER = """
import sys
from gongkai_desktop.storage.lock import acquire
lock = acquire(sys.argv[1])
print("LOCKED", flush=True)
sys.stdin.read()
lock.release()
"""
# A child that tries once and reports.
TRY = """
import sys
from gongkai_desktop.storage.lock import WorkspaceLocked, acquire
try:
    acquire(sys.argv[1]).release()
except WorkspaceLocked as exc:
    print("REFUSED", exc)
else:
    print("GOT IT")
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "万州区.gkws"
    path.write_bytes(b"")  # the lock never reads the workspace itself
    return path


def _python(code: str, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], text=True,  # type: ignore[call-overload]
                            encoding="utf-8", cwd=Path(__file__).resolve().parent.parent,
                            **kwargs)


def _try(workspace: Path) -> str:
    child = _python(TRY, str(workspace), stdout=subprocess.PIPE)
    out, _ = child.communicate(timeout=30)
    return str(out)


def _holder(workspace: Path) -> subprocess.Popen[str]:
    holder = _python(HOLDER, str(workspace), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "LOCKED"
    return holder


def test_a_second_process_is_refused_with_a_chinese_message(workspace: Path) -> None:
    holder = _holder(workspace)
    try:
        out = _try(workspace)
        assert out.startswith("REFUSED"), out
        assert "该工作区已在另一个窗口中打开" in out and "万州区.gkws" in out
        with pytest.raises(WorkspaceLocked):
            acquire(workspace)  # and this process too
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait(30)
        holder.stdout.close()
    assert "GOT IT" in _try(workspace)  # released on a normal end
    assert not lock_path(workspace).exists()  # and tidied away


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_holder_releases_the_lock(workspace: Path) -> None:
    holder = _holder(workspace)
    try:
        assert is_locked(workspace)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(30)
    finally:
        for stream in (holder.stdin, holder.stdout):
            if stream is not None:
                stream.close()
    assert lock_path(workspace).exists()  # the dead process left its lock file behind …
    assert not is_locked(workspace)  # … and it blocks nobody
    assert "GOT IT" in _try(workspace)


def test_same_process_twice_and_release(workspace: Path) -> None:
    first = acquire(workspace)
    with pytest.raises(WorkspaceLocked):
        acquire(workspace)
    first.release()
    first.release()  # twice is harmless
    with acquire(workspace) as again:
        assert again.held
    assert not again.held


def test_a_missing_workspace_leaves_no_lock_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        acquire(tmp_path / "没有.gkws")
    assert list(tmp_path.iterdir()) == []


def test_cli_write_commands_are_refused_while_locked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_desktop.cli import main as cli_main

    ws = tmp_path / "w.gkws"
    assert cli_main(["init", str(ws), "--unit", "万州区"]) == 0
    with acquire(ws):
        assert cli_main(["set", str(ws), "1.1.1", "--status", "推进中"]) != 0
        assert "该工作区已在另一个窗口中打开" in capsys.readouterr().err
        assert cli_main(["attach", str(ws), "1.1.1", "--link", "https://example.gov.cn/"]) != 0
        assert cli_main(["summary", str(ws), "--json"]) == 0  # reading still works
        capsys.readouterr()
        for command in (["bundle", "import", str(ws), str(tmp_path / "x.gkbundle")],
                        ["bundle", "receipt-import", str(ws), str(tmp_path / "x.gkreceipt")],
                        ["xlsx", "import", str(ws), str(tmp_path / "x.xlsx"), "--yes"]):
            (tmp_path / command[-1 if command[0] != "xlsx" else -2]).write_bytes(b"x")
            assert cli_main(command) != 0
            assert "该工作区已在另一个窗口中打开" in capsys.readouterr().err, command
    assert cli_main(["set", str(ws), "1.1.1", "--status", "推进中"]) == 0
