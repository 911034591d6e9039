"""The window and the command line say and name the same things: the same batch of
bundles is listed in one order with one state per file and one closing sentence."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from functools import partial
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
from tests import review_fixtures
from tests.bundle_fixtures import PASSPHRASE, copy, export, identity, keys_in, tamper
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
def window(office_window: MainWindow) -> MainWindow:
    return office_window  # the office's window (conftest)


def cli_import(capsys: pytest.CaptureFixture[str], path: Path, files: list[Path],
               *extra: str) -> tuple[list[str], str]:
    """(the file lines in the order printed, the closing sentence on stdout). A refused
    file's line is on stderr after "错误："; both streams are read as one, in order."""
    with contextlib.redirect_stderr(sys.stdout):  # capsys's stdout: one stream, in order
        main(["bundle", "import", str(path), *map(str, files), *extra])
    out, _err = capsys.readouterr()
    names = {f.name for f in files}
    lines = [line.removeprefix("错误：") for line in out.splitlines()]
    return [line for line in lines if line.split("：", 1)[0] in names], lines[-1]


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
    dialog.close()

    # The same bundles again: both say 已有（未更改）, in the words of ``batch.ALREADY_TEXT``.
    from gongkai_desktop.bundle.batch import ALREADY_TEXT

    lines, cli_sentence = cli_import(capsys, other.ws.path, good)
    again = bundle_actions.install(window).open_import_dialog(good)
    assert again is not None
    qtbot.waitUntil(lambda: len(again.model.rows) == 2
                    and all(r.status() != "待核验" for r in again.model.rows), timeout=20000)
    states = [again.model.index(r, again.model.STATUS).data() for r in range(2)]
    assert states == [ALREADY_TEXT, ALREADY_TEXT] == ["已有（未更改）"] * 2
    assert [line.split("：")[1] for line in lines] == states
    assert lines[0] == "万州区.gkbundle：已有（未更改）：万州区，序号 1"
    assert cli_sentence == "共 2 个文件：已导入 0 个，已有（未更改）2 个，拒绝 0 个。"
    again.close()


# ---- the sentence after an action: the window shows what the command line prints ----------

loop = review_fixtures.loop  # 万州区 and 涪陵区 exported once, imported by the office


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


def twin_window(path: Path, directory: UnitDirectory, qtbot) -> MainWindow:
    """A window on a copy of the workspace at ``path`` (the CLI takes the original)."""
    import shutil

    twin = path.with_name(f"{path.stem}-窗口{path.suffix}")
    shutil.copy(path, twin)
    w = MainWindow(Session(Workspace.open(twin), directory), directory=directory)
    qtbot.addWidget(w)
    return w


def last_line(capsys: pytest.CaptureFixture[str], *args: object) -> str:
    main([str(a) for a in args])
    out, _err = capsys.readouterr()
    return out.strip().splitlines()[-1]


def shown_after(qtbot, messages: list, start: Callable[[], object]) -> str:
    count = len(messages)
    start()
    qtbot.waitUntil(lambda: len(messages) > count, timeout=20000)
    return str(messages[-1].text)


def test_a_receipt_import_is_told_alike(loop: dict[str, Path], directory: UnitDirectory,
                                        qtbot, capsys: pytest.CaptureFixture[str],
                                        messages: list) -> None:
    from tests.review_fixtures import OFFICE_KEY, fingerprint

    receipt = loop["outbox"] / "回执.gkreceipt"
    main(["bundle", "receipt", str(loop["sup"]), "--unit", "万州区", "-o", str(receipt)])
    window = twin_window(loop["wz"], directory, qtbot)
    key = fingerprint(OFFICE_KEY)
    cli = last_line(capsys, "bundle", "receipt-import", loop["wz"], receipt, "--accept-key", key)
    actions = bundle_actions.install(window)
    shown = shown_after(qtbot, messages, lambda: actions.import_receipt_file(receipt, key))
    assert cli.startswith("已记录回执：序号 1 的数据包已由“市政府办公厅”")
    assert shown.split("\n")[0] == cli
    again = last_line(capsys, "bundle", "receipt-import", loop["wz"], receipt)
    shown = shown_after(qtbot, messages, lambda: actions.import_receipt_file(receipt))
    assert again.startswith("该回执此前已记录，未作改动：") and shown.split("\n")[0] == again
    window.close()


def test_a_review_import_is_told_alike(loop: dict[str, Path], directory: UnitDirectory,
                                       qtbot, capsys: pytest.CaptureFixture[str],
                                       messages: list) -> None:
    from gongkai_desktop.ui.review import review_actions
    from tests.review_fixtures import COMMENT, OFFICE_KEY, fingerprint

    sup = loop["sup"]
    main(["review", str(sup), "--unit", "万州区", "2.1.1", "--verdict", "退回整改",
          "--comment", COMMENT])
    main(["review", "export", str(sup), "--unit", "万州区", "-o", str(loop["outbox"])])
    capsys.readouterr()
    review = next(loop["outbox"].glob("*.gkreview"))
    window = twin_window(loop["wz"], directory, qtbot)
    key = fingerprint(OFFICE_KEY)
    cli = last_line(capsys, "review", "import", loop["wz"], review, "--accept-key", key)
    actions = review_actions.install(window)
    shown = shown_after(qtbot, messages, lambda: actions.import_review_file(review, key))
    assert "需整改 1 项" in cli and cli == f"{review.name}：{shown.split(chr(10))[0][:-1]}"
    window.close()


def test_a_checklist_round_trip_is_told_alike(
        tmp_path: Path, directory: UnitDirectory, qtbot, capsys: pytest.CaptureFixture[str],
        messages: list) -> None:
    from gongkai_desktop.ui.xlsx import xlsx_actions
    from gongkai_desktop.xlsx import read_checklist
    from tests.test_cli_xlsx import fill

    path = tmp_path / "万州区.gkws"
    main(["init", str(path), "--unit", "万州区", "--officer", "张三"])
    window = twin_window(path, directory, qtbot)
    book, twin_book = tmp_path / "清单.xlsx", tmp_path / "清单-窗口.xlsx"
    exported = last_line(capsys, "xlsx", "export", path, "-o", book)
    actions = xlsx_actions.install(window)
    shown = shown_after(qtbot, messages, lambda: actions.export_to(twin_book))
    assert exported.startswith("已导出“万州区”需填报的")
    assert shown.split("\n")[0] == exported.replace(str(book), str(twin_book))

    for out in (book, twin_book):
        fill(out, {"1.1.1": {"完成状态": "已完成"}, "1.1.2": {"完成状态": "推进中"}})
    imported = last_line(capsys, "xlsx", "import", path, book, "--yes")
    session = window.session
    assert session is not None
    ws = session.ws
    result = read_checklist(twin_book, ws.plan, ws.unit, ws.records())
    shown = shown_after(qtbot, messages, lambda: actions.apply(session, result, False))
    assert imported == "已导入 2 处更改，涉及 2 项举措"
    assert shown.split("\n")[0] == imported + "。"
    window.close()


def test_a_consolidation_export_is_told_alike(loop: dict[str, Path], directory: UnitDirectory,
                                              qtbot, capsys: pytest.CaptureFixture[str],
                                              messages: list) -> None:
    from gongkai_desktop.ui.common.operations import running_operations
    from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow

    twin = twin_window(loop["sup"], directory, qtbot)
    session = twin.session
    assert session is not None
    view = ConsolidationWindow(session)
    qtbot.addWidget(view)
    view.reload()
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)
    for suffix in (".xlsx", ".pdf"):
        cli_out, window_out = loop["tmp"] / f"汇总{suffix}", loop["tmp"] / f"汇总-窗口{suffix}"
        cli = last_line(capsys, "bundle", "consolidate", loop["sup"], "-o", cli_out)
        export = view.export_excel_to if suffix == ".xlsx" else view.export_pdf_to
        shown = shown_after(qtbot, messages, partial(export, window_out))
        assert cli.startswith("已导出汇总表（86 个单位，")  # all the units it supervises
        assert shown == cli.replace(str(cli_out), str(window_out))
    view.close()
    twin.close()


# ---- default file names: the window's suggestion is what `-o FOLDER` writes -------------

def written_in(folder: Path, capsys: pytest.CaptureFixture[str], *args: object) -> str:
    """The one file a command wrote into the (empty) ``folder``."""
    before = set(folder.iterdir())
    assert main([str(a) for a in args]) == 0, capsys.readouterr()
    capsys.readouterr()
    (new,) = set(folder.iterdir()) - before
    return new.name


def test_the_same_workspace_on_the_same_day_gets_the_same_names(
        loop: dict[str, Path], directory: UnitDirectory, qtbot, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], prompt_mock) -> None:
    from gongkai_desktop.ui.report.report_actions import report_file_name
    from gongkai_desktop.ui.report.signing_dialogs import certificate_file_name
    from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow
    from gongkai_desktop.ui.xlsx.xlsx_actions import checklist_file_name

    out = tmp_path / "出"
    out.mkdir()
    wz = loop["wz"]
    window = twin_window(wz, directory, qtbot)
    session = window.session
    assert session is not None
    assert written_in(out, capsys, "report", wz, "-o", out) == report_file_name(session)
    assert written_in(out, capsys, "xlsx", "export", wz, "-o", out) \
        == checklist_file_name(session)
    assert written_in(out, capsys, "signing", "export-cert", wz, "-o", out) \
        == certificate_file_name(session) == "万州区-签名证书.cer"
    window.show()
    actions = bundle_actions.install(window)
    actions.export_action.trigger()
    qtbot.waitUntil(lambda: actions.export_dialog is not None, timeout=10000)
    dialog = actions.export_dialog
    assert dialog is not None
    assert written_in(out, capsys, "bundle", "export", wz, "-o", out) \
        == Path(dialog.file_edit.text()).name
    dialog.reject()
    window.close()

    office = twin_window(loop["sup"], directory, qtbot)
    assert office.session is not None
    view = ConsolidationWindow(office.session)
    qtbot.addWidget(view)
    asked: list[str] = []
    prompt_mock.answer_with("save_file_name",
                            lambda _parent, _title, path, _flt: asked.append(path) or "")
    view.reload()
    qtbot.waitUntil(lambda: view.consolidation is not None, timeout=20000)
    view.export_excel()
    assert written_in(out, capsys, "bundle", "consolidate", loop["sup"], "-o", out) \
        == Path(asked[-1]).name
    view.close()
    office.close()


def test_a_folder_never_loses_a_file_the_user_did_not_name(
        loop: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Two exports on one day get the same suggested name: the second is refused (one
    # Chinese line, exit 1), and the first file stays as it was.
    out = tmp_path / "出"
    out.mkdir()
    name = written_in(out, capsys, "bundle", "export", loop["wz"], "-o", out)
    first = (out / name).read_bytes()
    assert main(["bundle", "export", str(loop["wz"]), "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert "已有" in err and "未覆盖" in err and len(err.splitlines()) == 1
    assert (out / name).read_bytes() == first
    assert sorted(p.name for p in out.iterdir()) == [name]
    # Naming the file outright still replaces it, as before.
    assert main(["bundle", "export", str(loop["wz"]), "-o", str(out / name)]) == 0
