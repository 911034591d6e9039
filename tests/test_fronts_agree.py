"""The window and the command line say and name the same things: the same batch of
bundles is listed in one order with one state per file and one closing sentence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.model import Status
from gongkai_desktop.plan.library import bundled_plan
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.bundles import bundle_actions
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import copy, export, identity, keys_in, tamper
from tests.ui_fixtures import KeyAnswers, make_session

pytestmark = pytest.mark.qt_log_ignore(r"does not support propagateSizeHints")


@pytest.fixture
def batch(tmp_path: Path, directory: UnitDirectory) -> list[Path]:
    """涪陵区's bundle, a tampered copy of 万州区's, 万州区's: given in that order."""
    folder = tmp_path / "收件"
    folder.mkdir()
    files = {}
    for name in ("万州区", "涪陵区"):
        with Workspace.create(tmp_path / f"{name}.gkws", bundled_plan(), directory.find(name),
                              officer="张三", actor="张三") as ws:
            ws.update_record("1.1.1", status=Status.DONE, explanation="已公开", actor="张三")
            files[name] = export(ws, folder / f"{name}.gkbundle",
                                 identity(ws.unit.full_name)).files[0]
    bad = tamper(copy(files["万州区"], folder / "万州区-被改动.gkbundle"),
                 "UPDATE records SET explanation = '伪造' WHERE measure_id = '1.1.1'")
    return [files["涪陵区"], bad, files["万州区"]]


@pytest.fixture
def window(office: Session, directory: UnitDirectory, qtbot, tmp_path: Path
           ) -> Iterator[MainWindow]:
    w = MainWindow(office, directory=directory)
    bundle_actions.install(w).folder = tmp_path
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def cli_import(capsys: pytest.CaptureFixture[str], path: Path, files: list[Path],
               *extra: str) -> tuple[list[str], str]:
    """(the file lines in the order printed, the closing sentence)."""
    main(["bundle", "import", str(path), *map(str, files), *extra])
    out, err = capsys.readouterr()
    names = {f.name for f in files}
    lines = [line for line in out.splitlines() if line.split("：", 1)[0] in names]
    return lines, (err or out).strip().splitlines()[-1]


def test_a_batch_is_listed_named_and_summed_up_alike(
    window: MainWindow, batch: list[Path], directory: UnitDirectory, tmp_path: Path,
    qtbot, capsys: pytest.CaptureFixture[str],
) -> None:
    other = make_session(tmp_path / "办公厅-命令行.gkws", "市政府办公厅", directory)
    other.ws.close()
    good = [batch[0], batch[2]]
    lines, cli_sentence = cli_import(capsys, other.ws.path, batch,
                                     *[a for k in keys_in(good) for a in ("--accept-key", k)])

    dialog = bundle_actions.install(window).open_import_dialog(batch)
    assert dialog is not None
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 3
                    and all(r.status() != "待核验" for r in dialog.model.rows), timeout=20000)
    model = dialog.model
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    # By unit (万州区 before 涪陵区), oldest first; the file that could not be read last.
    assert shown == ["万州区.gkbundle", "涪陵区.gkbundle", "万州区-被改动.gkbundle"]
    assert [line.split("：", 1)[0] for line in lines] == shown
    refused = model.index(2, model.STATUS).data()
    assert refused.startswith("已拒绝：") and lines[2] == f"{shown[2]}：{refused}"

    received: list[object] = []
    dialog.imported.connect(received.append)
    KeyAnswers(qtbot, {"万州区": True, "涪陵区": True})
    dialog.start_import()
    qtbot.waitUntil(lambda: bool(received), timeout=20000)
    assert dialog.summary.text() == cli_sentence
    assert cli_sentence == "共 3 个文件：已导入 2 个，已有（未更改）0 个，拒绝 1 个。"
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == shown
