"""The real program on a real X server (Xvfb): it starts, shows its window, and stops.

Runs ``python -m gongkai_desktop <workspace>`` with ``QT_QPA_PLATFORM=xcb`` and
``GONGKAI_REPORT_SHOWN=1`` (the app prints ``GONGKAI_WINDOW_SHOWN <ms>`` at the
window's first paint and ``GONGKAI_WINDOW_READY <ms>`` once the workspace shows in
it), then looks for the window on the X server with ``xwininfo``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.units import UnitDirectory

XVFB = shutil.which("Xvfb")
XWININFO = shutil.which("xwininfo")
START_TIMEOUT = 60.0

pytestmark = pytest.mark.skipif(
    XVFB is None, reason="Xvfb is not installed (Debian: apt-get install xvfb)"
)


@contextlib.contextmanager
def xvfb_display() -> Iterator[str]:
    """A private Xvfb server; yields its DISPLAY (":N")."""
    assert XVFB is not None
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [XVFB, "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_for_line(proc: subprocess.Popen[str], mark: str, timeout: float) -> tuple[str | None, str]:
    """The first stdout line starting with ``mark`` (None on timeout/exit), and all output."""
    lines: list[str] = []
    found: list[str] = []
    done = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith(mark):
                found.append(line.strip())
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(timeout)
    return (found[0] if found else None), "".join(lines)


def test_app_shows_its_window_under_xvfb(tmp_path: Path, repo_root: Path) -> None:
    data = tmp_path / "data"
    (data / "workspaces").mkdir(parents=True)
    workspace = data / "workspaces" / "万州区.gkws"
    Workspace.create(workspace, bundled_plan(), UnitDirectory.load().find("万州区"),
                     officer="张三").close()

    with xvfb_display() as display:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", GONGKAI_DATA_DIR=str(data),
                   GONGKAI_REPORT_SHOWN="1", PYTHONUNBUFFERED="1")
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "gongkai_desktop", str(workspace)], cwd=repo_root, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        try:
            # SHOWN: the window's first paint; READY: the workspace is open in it.
            line, _ = wait_for_line(proc, "GONGKAI_WINDOW_READY", START_TIMEOUT)
            if line is None:
                proc.kill()
                _, err = proc.communicate(timeout=10)
                pytest.fail(f"no window within {START_TIMEOUT:.0f} s; stderr:\n{err[-3000:]}")
            assert float(line.split()[1]) > 0
            assert time.monotonic() - started < START_TIMEOUT
            if XWININFO is not None:
                tree = subprocess.run([XWININFO, "-root", "-tree", "-display", display],
                                      capture_output=True, timeout=10)
                assert '"政务公开自查 — 万州区"'.encode() in tree.stdout, tree.stdout[-2000:]
                assert proc.poll() is None  # still running: a window, not a crash
        finally:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
    log = (data / "logs" / "gongkai.log").read_text(encoding="utf-8")
    assert "GONGKAI_WINDOW_SHOWN" in log and "GONGKAI_WINDOW_READY" in log
    assert workspace.is_file()  # the workspace survived being killed mid-session
    with Workspace.open(workspace) as ws:
        assert ws.profile.unit_name == "万州区"
