"""Test session set-up.

- Qt runs offscreen: set before anything can import Qt (without it and without a
  display, Qt aborts the whole run).
- No test may touch the network: every socket connection attempt fails the test.
- Each test gets its own data folder, so nothing leaks into the user's real one.
"""

from __future__ import annotations

import os

# A 1920×1080 screen (offscreen's default is 800×800, smaller than the windows tests
# size by hand; ui.geometry keeps every window inside its screen).
os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "offscreen-screen.json")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


class NetworkAccessError(AssertionError):
    """Raised when code under test tries to open a network connection."""


def _refuse(*args: object, **kwargs: object) -> None:
    raise NetworkAccessError(f"network access attempted: {args!r}")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    # AF_UNIX socketpairs (used by asyncio and subprocess plumbing) stay allowed.
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def allowed(sock: socket.socket, address: Any) -> bool:
        if sock.family == getattr(socket, "AF_UNIX", None):
            return True
        # On Windows, asyncio's socketpair() is a loopback TCP pair (pyHanko signs
        # through asyncio); nothing else may connect, not even to this machine.
        return sys.platform == "win32" and isinstance(address, tuple) and address[0] in (
            "127.0.0.1", "::1")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if allowed(self, address):
            return real_connect(self, address)
        _refuse(address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if allowed(self, address):
            return real_connect_ex(self, address)
        _refuse(address)
        return 1

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)


@pytest.fixture(autouse=True)
def isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("GONGKAI_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and rendered pages a person should look at; kept after the run."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def ui_thread_gc(request: pytest.FixtureRequest) -> Iterator[None]:
    """As in the program (ui/common/gc_guard.py): no automatic collection while a GUI test runs,
    so a worker thread never frees a Qt object; the test's cycles go at its end, here."""
    import gc

    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # GUI tests are marked automatically so the core suite can run without Qt.
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def python_exe() -> str:
    return sys.executable


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield REPO_ROOT
