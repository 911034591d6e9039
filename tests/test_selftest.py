"""`gongkai-desktop --self-test`: what an officer (or CI) sees after installing."""

from __future__ import annotations

import _socket
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai_desktop import selftest
from gongkai_desktop.selftest import Context, Step

CORE_STEPS = ("检查程序文件", "读取任务分工和单位名录", "创建工作区", "填写完成情况",
              "添加佐证材料", "重新打开并核对")


def run(capsys: pytest.CaptureFixture[str], argv: list[str], **kwargs: object) -> tuple[int, str]:
    code = selftest.main(argv, **kwargs)  # type: ignore[arg-type]
    return code, capsys.readouterr().out


def test_passes_with_one_line_per_step(capsys: pytest.CaptureFixture[str],
                                       isolated_data_dir: Path) -> None:
    code, out = run(capsys, ["-platform", "offscreen"])  # Qt's options are accepted
    assert code == 0, out
    lines = out.splitlines()
    for title in CORE_STEPS:
        assert any(line.startswith(f"[通过] {title}") for line in lines), out
    step_lines = [line for line in lines if line.startswith("[")]
    assert len(step_lines) == len(selftest.STEPS)
    assert all(line.startswith(("[通过]", "[跳过]")) for line in step_lines), out
    assert lines[-1].startswith("自检通过")
    # The officer's own data folder is never used.
    assert list(isolated_data_dir.iterdir()) == []


def test_runs_as_the_command_line_would(repo_root: Path, tmp_path: Path) -> None:
    env = {**os.environ, "GONGKAI_DATA_DIR": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "gongkai_desktop", "--self-test"],
                          cwd=repo_root, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[通过] 创建工作区" in done.stdout
    assert "[通过] 添加佐证材料" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("自检通过")


@pytest.fixture
def only_extra_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's own steps left out: these tests are about the runner, not the program."""
    monkeypatch.setattr(selftest, "STEPS", [])


def boom(ctx: Context) -> str:
    raise ValueError("磁盘坏了")


@pytest.mark.usefixtures("only_extra_steps")
def test_a_failing_step_is_named_and_fails_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, [], extra_steps=[Step("boom", "故意失败的一步", boom)])
    assert code == 1
    assert "[失败] 故意失败的一步：ValueError: 磁盘坏了" in out
    assert out.splitlines()[-1].startswith("自检未通过：")


@pytest.mark.usefixtures("only_extra_steps")
def test_steps_after_a_failure_are_skipped_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    ran: list[str] = []

    def second(ctx: Context) -> str:
        ran.append("next")
        return ""

    steps = [Step("boom", "第一步", boom), Step("next", "第二步", second, after=("boom",))]
    code, out = run(capsys, [], extra_steps=steps)
    assert code == 1
    assert ran == []
    assert "[跳过] 第二步 (前一步“第一步”未通过)" in out


@pytest.mark.usefixtures("only_extra_steps")
def test_a_part_missing_from_this_build_is_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    step = Step("later", "以后的功能", boom, modules=("gongkai_desktop.not_yet_written",))
    code, out = run(capsys, [], extra_steps=[step])
    assert code == 0
    assert "[跳过] 以后的功能 (本版本尚未包含)" in out


@pytest.mark.usefixtures("only_extra_steps")
def test_a_network_attempt_fails_the_step(capsys: pytest.CaptureFixture[str]) -> None:
    def phone_home(ctx: Context) -> str:
        socket.create_connection(("192.0.2.1", 80), timeout=1)
        return ""

    code, out = run(capsys, [], extra_steps=[Step("net", "联网", phone_home)])
    assert code == 1
    assert "[失败] 联网：试图连接网络" in out


@pytest.mark.usefixtures("only_extra_steps")
def test_loopback_connections_are_not_network_use(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # What socket.socketpair() does on Windows, and asyncio (pyHanko's signing) with it.
    # The session's own guard (conftest) is lifted here: the self-test's guard is tested.
    monkeypatch.setattr(socket.socket, "connect", _socket.socket.connect)

    def local_pair(ctx: Context) -> str:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
                client.connect(server.getsockname())
                accepted, _ = server.accept()
                accepted.close()
        return "ok"

    code, out = run(capsys, [], extra_steps=[Step("pair", "本机套接字", local_pair)])
    assert code == 0, out
    assert "[通过] 本机套接字" in out


def test_an_unknown_argument_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert selftest.main(["--bogus"]) == 2
    assert "--bogus" in capsys.readouterr().err
