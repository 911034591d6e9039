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
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # Qt is imported by the fixtures that need it, not by the core tests
    from PySide6.QtWidgets import QApplication
    from pytestqt.qtbot import QtBot

    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.measures.measure_panel import MeasurePanel
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.units import UnitDirectory
    from tests.prompt_mock import PromptMock
    from tests.ui_fixtures import Message

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


# ---- workspaces (core) ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def directory() -> UnitDirectory:
    from gongkai_desktop.units import UnitDirectory

    return UnitDirectory.load()


@pytest.fixture
def unit_a(tmp_path: Path) -> Iterator[Workspace]:
    """万州区 on the test plan, with progress and evidence (bundle_fixtures.fill_a)."""
    from tests.bundle_fixtures import UNIT_A, fill_a, make_unit

    with make_unit(tmp_path / "万州区.gkws", UNIT_A) as ws:
        fill_a(ws)
        yield ws


@pytest.fixture
def unit_b(tmp_path: Path) -> Iterator[Workspace]:
    """涪陵区 on the test plan (bundle_fixtures.fill_b)."""
    from tests.bundle_fixtures import UNIT_B, fill_b, make_unit

    with make_unit(tmp_path / "涪陵区.gkws", UNIT_B) as ws:
        fill_b(ws)
        yield ws


@pytest.fixture
def sup(tmp_path: Path) -> Iterator[Workspace]:
    """The supervising office's workspace, nothing imported yet."""
    from tests.bundle_fixtures import make_supervisor

    with make_supervisor(tmp_path / "sup.gkws") as ws:
        yield ws


# ---- bundles an attacker starts from (tests/test_bundle_hostile*.py, test_bundle_one_pass) --


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A genuine bundle from 万州区, exported once per test module."""
    from tests.bundle_fixtures import UNIT_A, export, fill_a, make_unit

    folder = tmp_path_factory.mktemp("genuine")
    with make_unit(folder / "万州区.gkws", UNIT_A) as ws:
        fill_a(ws)
        return export(ws, folder / "万州区.gkbundle").files[0]


@pytest.fixture(scope="module")
def other_unit_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A genuine bundle from 涪陵区, exported once per test module."""
    from tests.bundle_fixtures import UNIT_B, export, fill_b, make_unit

    folder = tmp_path_factory.mktemp("other")
    with make_unit(folder / "涪陵区.gkws", UNIT_B) as ws:
        fill_b(ws)
        return export(ws, folder / "涪陵区.gkbundle").files[0]


@pytest.fixture
def bad(tmp_path: Path, genuine: Path) -> Path:
    """A copy of ``genuine`` for the test to tamper with."""
    from tests.bundle_fixtures import copy

    return copy(genuine, tmp_path / "可疑.gkbundle")


@pytest.fixture
def sup_with_b(sup: Workspace, other_unit_bundle: Path) -> Workspace:
    """The office's workspace that already imported 涪陵区 (something to keep intact)."""
    from gongkai_desktop.bundle.importer import Outcome, import_bundle

    got = import_bundle(sup, [other_unit_bundle], accept_new_key=True)
    assert got.outcome is Outcome.IMPORTED
    return sup


@pytest.fixture
def cli_ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """万州区 (officer 张三) made by ``gongkai-desktop init``, as an officer would."""
    from tests.test_cli import run

    path = tmp_path / "万州区.gkws"
    code, out, _ = run(
        capsys,
        "init",
        path,
        "--unit",
        "万州区人民政府",
        "--officer",
        "张三",
        "--phone",
        "023-12345678",
    )
    assert code == 0 and "重庆市万州区人民政府" in out
    return path


# ---- the window (Qt imported here, not at the top) ---------------------------------------------


@pytest.fixture
def ui_app(qapp: QApplication) -> QApplication:
    """The qapp with the bundled fonts and Qt's Chinese translations, so screenshots show
    real Chinese and Qt's own buttons read 确定/取消."""
    from gongkai_desktop.ui.app import configure_application

    configure_application(qapp)
    return qapp


@pytest.fixture
def session(tmp_path: Path, directory: UnitDirectory, ui_app: QApplication) -> Iterator[Session]:
    """A workspace for 万州区 (officer 张三) on the bundled plan, open in a Session."""
    import shiboken6

    from tests.ui_fixtures import make_session

    s = make_session(tmp_path / "万州区.gkws", "万州区", directory)
    yield s
    if shiboken6.isValid(s):  # a window that took the session over has closed it already
        s.close()
        s.deleteLater()


@pytest.fixture
def office(tmp_path: Path, directory: UnitDirectory, ui_app: QApplication) -> Session:
    """市政府办公厅 (officer 王五) on the bundled plan, signing with office_key()."""
    from gongkai_desktop.signing.store import save_identity
    from tests.bundle_fixtures import office_key
    from tests.ui_fixtures import make_session

    s = make_session(tmp_path / "办公厅.gkws", "市政府办公厅", directory, officer="王五")
    save_identity(s.ws, office_key())
    return s


@pytest.fixture
def office_window(office: Session, directory: UnitDirectory, qtbot: QtBot,
                  tmp_path: Path) -> Iterator[MainWindow]:
    """The supervising office's (市政府办公厅) main window at 1280×800, shown, with the
    bundle actions installed and saving into ``tmp_path``."""
    from tests.ui_fixtures import make_window

    w = make_window(office, directory, qtbot, tmp_path)
    yield w
    w.close()


@pytest.fixture
def window(session: Session, directory: UnitDirectory, qtbot: QtBot) -> Iterator[MainWindow]:
    """The unit's (万州区) main window, shown; modules needing more define their own."""
    from gongkai_desktop.ui.main_window import MainWindow

    w = MainWindow(session, directory=directory)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def windows(session: Session, office: Session, directory: UnitDirectory, qtbot: QtBot,
            tmp_path: Path) -> Iterator[tuple[MainWindow, MainWindow]]:
    """The unit's (万州区) and the office's main windows, bundles kept in ``tmp_path``."""
    from tests.ui_fixtures import make_window

    unit_window = make_window(session, directory, qtbot, tmp_path)
    office_window = make_window(office, directory, qtbot, tmp_path)
    yield unit_window, office_window
    office_window.close()
    unit_window.close()


@pytest.fixture
def panel(session: Session, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[MeasurePanel]:
    """The measure panel on 5.1.1 (ui_panel_fixtures.MEASURE), today 2026-11-28."""
    from gongkai_desktop.ui.measures.measure_panel import MeasurePanel
    from tests.ui_panel_fixtures import MEASURE, TODAY

    monkeypatch.setattr(session, "today", lambda: TODAY)
    widget = MeasurePanel(session)
    qtbot.addWidget(widget)
    widget.resize(960, 780)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_measure(MEASURE)
    yield widget
    widget.shutdown()


@pytest.fixture
def messages() -> Iterator[list[Message]]:
    """Every message the UI would show in a box, captured instead."""
    from gongkai_desktop.ui.common import errors as ui_errors
    from tests.ui_fixtures import Message

    shown: list[Message] = []

    def sink(parent: object, title: str, text: str, icon: Any) -> None:
        shown.append(Message(title, text, icon))

    previous = ui_errors.show_message
    ui_errors.set_message_sink(sink)
    yield shown
    ui_errors.set_message_sink(previous)


@pytest.fixture
def shots(artifacts_dir: Path) -> Path:
    """Where screenshots for a person to look at go."""
    folder = artifacts_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def prompt_mock(monkeypatch: pytest.MonkeyPatch) -> PromptMock:
    """Answers the program's questions and file dialogs (tests/prompt_mock.py)."""
    from tests.prompt_mock import PromptMock

    return PromptMock(monkeypatch)


@pytest.fixture
def python_exe() -> str:
    return sys.executable


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield REPO_ROOT
