"""The supervisor's consolidation window: the matrix model, the view, exports, a unit's record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import shiboken6
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QWidget

from gongkai_desktop.bundle.importer import import_bundle
from gongkai_desktop.supervisor.consolidation import CellState, Consolidation, consolidate
from gongkai_desktop.ui.common.operations import running_operations
from gongkai_desktop.ui.evidence.preview import EvidenceViewer
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.supervisor import consolidation_actions
from gongkai_desktop.ui.supervisor.consolidation_model import (
    CompletionRole,
    ConsolidationModel,
    OverdueRole,
    StateRole,
)
from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import (
    PDF_PROOF,
    UNIT_A,
    UNIT_B,
    export,
    fill_a,
    fill_b,
    make_supervisor,
    make_unit,
)
from tests.prompt_mock import PromptMock
from tests.ui_fixtures import Message

pytestmark = pytest.mark.qt_log_ignore(r"does not support (propagateSizeHints|raise)")

TODAY = dt.date(2021, 1, 1)  # after the 2020-10-30 deadline of measure 1.1.2


@pytest.fixture
def sup_session(tmp_path: Path, directory: UnitDirectory, ui_app: QApplication,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A supervisor workspace (市政府办公厅) holding bundles from 万州区 and 涪陵区."""
    monkeypatch.setattr(Session, "today", staticmethod(lambda: TODAY))
    ws = make_supervisor(tmp_path / "办公厅.gkws")
    for unit, fill in ((UNIT_A, fill_a), (UNIT_B, fill_b)):
        with make_unit(tmp_path / f"{unit.name}.gkws", unit) as unit_ws:
            fill(unit_ws)
            bundle = export(unit_ws, tmp_path / f"{unit.name}.gkbundle")
            import_bundle(ws, bundle.files, accept_new_key=True)
    session = Session(ws, directory)
    yield session
    if shiboken6.isValid(session):
        session.close()
        session.deleteLater()


@pytest.fixture
def cons(sup_session: Session, directory: UnitDirectory) -> Consolidation:
    return consolidate(sup_session.ws, directory, TODAY)


def wait_done(qtbot) -> None:
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=20000)
    QApplication.processEvents()


# ---- the model, without a window ----------------------------------------------------------

def test_model_passes_the_item_model_tester(qtbot, cons: Consolidation) -> None:
    model = ConsolidationModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_consolidation(cons)
    model.set_consolidation(cons)
    assert (model.rowCount(), model.columnCount()) == (cons.row_count, 5)
    model.set_consolidation(None)
    assert (model.rowCount(), model.columnCount()) == (0, 0)


def test_cells_show_status_colour_and_overdue_mark(qtbot, cons: Consolidation) -> None:
    model = ConsolidationModel(cons)
    a, b = cons.row_of("500101"), cons.row_of("500102")
    c112, c111 = cons.column_of("1.1.2"), cons.column_of("1.1.1")
    done = model.index(a, c112)
    assert done.data() == "✓" and done.data(StateRole) == CellState.DONE
    assert not done.data(OverdueRole)
    late = model.index(b, c112)
    assert late.data() == "◐!" and late.data(OverdueRole)  # in progress, past 2020-10-30
    done_bg = done.data(Qt.ItemDataRole.BackgroundRole).color()
    late_bg = late.data(Qt.ItemDataRole.BackgroundRole).color()
    assert done_bg != late_bg and late_bg.red() > late_bg.green()  # overdue reads red
    assert model.index(a, c111).data() == "" and model.index(a, c111).data(
        Qt.ItemDataRole.BackgroundRole) is None  # no role on it: an empty cell
    missing = model.index(cons.row_of("500103"), c112)  # 渝中区 sent nothing
    assert missing.data().startswith("缺")
    # The same objects every time: painting allocates nothing new per cell.
    assert done.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(done, Qt.ItemDataRole.DisplayRole) is model.data(done)
    tip = late.data(Qt.ItemDataRole.ToolTipRole)
    assert "涪陵区" in tip and "1.1.2" in tip and "推进中（逾期）" in tip


def test_headers_carry_completion(qtbot, cons: Consolidation) -> None:
    model = ConsolidationModel(cons)
    a = cons.row_of("500101")
    assert model.headerData(a, Qt.Orientation.Vertical) == "万州区"
    assert model.headerData(a, Qt.Orientation.Vertical, CompletionRole) == 0.5
    assert "50.0%" in model.headerData(a, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    c = cons.column_of("1.1.2")
    assert model.headerData(c, Qt.Orientation.Horizontal) == "1.1.2\n2.4%"  # 1 of 41
    tip = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "未报送单位 39 个" in tip and "截止时间：2020-10-30" in tip
    waiting = cons.row_of("500103")
    assert model.headerData(waiting, Qt.Orientation.Vertical,
                            Qt.ItemDataRole.BackgroundRole) is not None
    assert "尚未收到" in model.headerData(waiting, Qt.Orientation.Vertical,
                                          Qt.ItemDataRole.ToolTipRole)


# ---- the window -------------------------------------------------------------------------

@pytest.fixture
def view(sup_session: Session, qtbot) -> Iterator[ConsolidationWindow]:
    w = ConsolidationWindow(sup_session)
    qtbot.addWidget(w)
    w.resize(1200, 720)
    w.show()
    qtbot.waitExposed(w)
    w.reload()
    wait_done(qtbot)
    yield w
    w.close()


def _missing(view: ConsolidationWindow) -> list[str]:
    return view.missing_model.stringList()


def test_view_lists_units_without_a_bundle_overall_and_per_measure(
        view: ConsolidationWindow, shots: Path) -> None:
    cons = view.consolidation
    assert cons is not None and view.model.rowCount() == cons.row_count
    assert "万州区" not in _missing(view) and "渝中区" in _missing(view)
    assert "已报送 2 个" in view.summary_label.text()
    view.table.setCurrentIndex(view.model.index(0, cons.column_of("1.2.1")))
    assert _missing(view) == ["市人力社保局"]
    assert "1.2.1" in view.missing_title.text()
    view.show_all_missing()
    assert len(_missing(view)) == len(cons.units_without_bundle())
    view.table.setCurrentIndex(view.model.index(0, cons.column_of("1.1.2")))
    QApplication.processEvents()
    assert view.grab().save(str(shots / "consolidation-view.png"))


def test_led_filter_keeps_the_measures_this_office_leads(view: ConsolidationWindow,
                                                         qtbot) -> None:
    view.led_check.setChecked(True)
    wait_done(qtbot)
    cons = view.consolidation
    assert cons is not None and cons.led_by is not None
    assert [c.measure.id for c in cons.measures] == ["1.1.1", "2.1.1", "2.1.2"]
    assert view.model.columnCount() == 3 and "牵头" in view.title_label.text()


def test_clicking_a_cell_shows_the_units_record_read_only(
        view: ConsolidationWindow, qtbot, tmp_path: Path, prompt_mock: PromptMock,
        messages: list[Message], shots: Path) -> None:
    cons = view.consolidation
    assert cons is not None
    index = view.model.index(cons.row_of("500101"), cons.column_of("1.1.2"))
    dialog = view.open_cell(index)
    assert dialog is not None and dialog.isVisible()
    assert dialog.status_label.text() == "已完成"
    assert dialog.explanation.toPlainText() == "已开设涉企政策解读专栏。"
    assert dialog.explanation.isReadOnly()
    assert "https://www.wz.gov.cn/zcjd/" in dialog.urls_label.text()
    names = [dialog.evidence_model.index(r, 0).data()
             for r in range(dialog.evidence_model.rowCount())]
    assert names == ["专栏截图说明.pdf", "专区照片.png", "解读文章"]
    kinds = [dialog.evidence_model.index(r, 1).data()
             for r in range(dialog.evidence_model.rowCount())]
    assert kinds == ["PDF", "图片", "网页链接"]
    QApplication.processEvents()
    assert dialog.grab().save(str(shots / "consolidation-record.png"))

    folder = tmp_path / "另存"
    folder.mkdir()
    prompt_mock.always("open_folder", str(folder))
    dialog.evidence_view.setCurrentIndex(dialog.evidence_model.index(0, 0))
    assert dialog.save_button.isEnabled()
    dialog.save_selected()
    wait_done(qtbot)
    assert (folder / "专栏截图说明.pdf").read_bytes() == PDF_PROOF
    assert messages and "已保存" in messages[-1].title
    dialog.evidence_view.setCurrentIndex(dialog.evidence_model.index(2, 0))
    assert not dialog.save_button.isEnabled()  # a link has no file

    # Double-clicking the photo shows it in the viewer (not a save dialog) ...
    photo = dialog.evidence_model.index(1, 0)
    dialog.evidence_view.setCurrentIndex(photo)
    chose: list[str] = []
    prompt_mock.answer_with("open_folder", lambda parent, title, start: chose.append(title) or "")
    dialog.evidence_view.doubleClicked.emit(photo)
    viewer = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, EvidenceViewer) and w.isVisible())
    wait_done(qtbot)
    assert chose == [] and viewer.kind_label.text() == "图片"
    assert viewer.position.text() == "2 / 3"
    # the fixture's "photo" is a PNG signature and nothing else: one Chinese line
    assert "无法显示图片“专区照片.png”" in viewer.page.label.text()
    viewer.next_button.click()  # ... and steps on to the unit's link
    assert viewer.kind_label.text() == "网页链接"
    viewer.close()

    late = view.model.index(cons.row_of("500102"), cons.column_of("1.1.2"))
    same = view.open_cell(late)
    assert same is dialog and dialog.status_label.text() == "推进中（逾期）"
    assert view.open_cell(view.model.index(cons.row_of("500103"), 0)) is None
    assert "尚未收到" in messages[-1].text


def test_exports_run_off_the_ui_thread(view: ConsolidationWindow, qtbot, tmp_path: Path,
                                       prompt_mock: PromptMock,
                                       messages: list[Message]) -> None:
    asked: list[str] = []

    def save(parent: QWidget, title: str, path: str, flt: str) -> str:
        asked.append(path)
        return str(tmp_path / ("汇总" if "xlsx" in flt else "汇总表"))

    prompt_mock.answer_with("save_file_name", save)
    assert view.export_excel() is not None
    wait_done(qtbot)
    book = openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True)
    try:
        assert book.sheetnames == ["汇总", "按举措", "单位×举措", "明细", "整改台账"]
    finally:
        book.close()
    assert view.export_pdf() is not None
    wait_done(qtbot)
    assert (tmp_path / "汇总表.pdf").read_bytes().startswith(b"%PDF-")
    assert asked[0].endswith("市政府办公厅-汇总-2021-01-01.xlsx")
    assert [m.title for m in messages] == ["导出完成", "导出完成"]


def test_menu_action_opens_the_view_for_the_open_workspace(
        sup_session: Session, directory: UnitDirectory, qtbot) -> None:
    window = MainWindow(sup_session, directory=directory)
    qtbot.addWidget(window)
    actions = consolidation_actions.install(window)
    assert consolidation_actions.install(window) is actions
    assert actions.open_action in window.actions_menu.actions()
    assert actions.open_action.isEnabled()
    actions.open_action.trigger()
    wait_done(qtbot)
    assert actions.view is not None and actions.view.isVisible()
    assert actions.view.model.rowCount() > 2
    window.set_session(None)  # the workspace closes: so does its consolidation
    assert actions.view is None and not actions.open_action.isEnabled()
    window.close()


def test_model_is_a_qabstractitemmodel() -> None:
    assert issubclass(ConsolidationModel, QAbstractItemModel)


# ---- nothing to consolidate: refused as `bundle consolidate` refuses it ---------------------

@pytest.fixture
def district_session(tmp_path: Path, directory: UnitDirectory, ui_app: QApplication,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """万州区's own workspace: it supervises nobody (no bundle imported)."""
    monkeypatch.setattr(Session, "today", staticmethod(lambda: TODAY))
    session = Session(make_unit(tmp_path / "万州区.gkws", UNIT_A), directory)
    yield session
    if shiboken6.isValid(session):
        session.close()
        session.deleteLater()


def test_a_workspace_holding_no_bundle_opens_no_matrix(
        district_session: Session, directory: UnitDirectory, qtbot, messages: list,
        capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_desktop.cli import main
    from gongkai_desktop.supervisor.consolidation import NOTHING_IMPORTED

    window = MainWindow(district_session, directory=directory)
    qtbot.addWidget(window)
    actions = consolidation_actions.install(window)
    assert actions.open_view() is None and actions.view is None  # no 86 rows of 未报送
    assert [m.title for m in messages] == ["各单位完成情况汇总"]
    shown = messages[0].text
    assert shown.startswith(f"{NOTHING_IMPORTED}：") and "“导入数据包…”" in shown
    # The command line's line: the same words, its own command named for what to do.
    out = district_session.path.parent / "汇总.xlsx"
    assert main(["bundle", "consolidate", str(district_session.path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"错误：{NOTHING_IMPORTED}：") and "bundle import" in err
    assert not out.exists()
    window.close()


def test_the_led_filter_with_no_led_measure_keeps_all_measures(
        district_session: Session, tmp_path: Path, qtbot, messages: list) -> None:
    """万州区 holding 涪陵区's bundle: a matrix, but 万州区 leads no measure."""
    with make_unit(tmp_path / "涪陵区.gkws", UNIT_B) as unit_ws:
        fill_b(unit_ws)
        bundle = export(unit_ws, tmp_path / "涪陵区.gkbundle")
    import_bundle(district_session.ws, bundle.files, accept_new_key=True)
    w = ConsolidationWindow(district_session)
    qtbot.addWidget(w)
    w.reload()
    wait_done(qtbot)
    cons = w.consolidation
    assert cons is not None and cons.column_count > 0
    w.led_check.setChecked(True)
    wait_done(qtbot)
    assert [m.text for m in messages] == [
        "本单位没有牵头的举措，没有可汇总的内容：只能汇总全部举措"]
    assert not w.led_check.isChecked() and w.consolidation is cons  # still all measures
    assert w.model.columnCount() == cons.column_count
    w.close()
