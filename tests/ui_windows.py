"""Builds every window and dialog of ``gongkai_desktop.ui.windows.WINDOWS`` with real data.

Used by tests/fit_check.py (the 1280×680 screen test, in a subprocess) and
scripts/screenshots.py. ``Scene(folder)`` makes the workspaces once: 万州区 with
records, evidence, a signing identity and a bundle export; 市政府办公厅 with the
bundles of 万州区 and 涪陵区 imported. ``FACTORIES[name](scene)`` returns the
window, not yet shown, in the state an officer would see it first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from gongkai_desktop.model import Status
from gongkai_desktop.plan.library import PlanLibrary, bundled_plan
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.storage import Workspace
from gongkai_desktop.ui.common.errors import message_box
from gongkai_desktop.ui.workspace.session import Session
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import PASSPHRASE, identity, jpeg

LONG = ("已对照法律法规全面梳理权责清单，于2020年8月20日在区政府网站“法定主动公开内容”栏目"
        "更新公开，并同步在政务新媒体推送解读材料。")


class Scene:
    """The workspaces and windows the factories need; ``close()`` releases them."""

    def __init__(self, folder: Path) -> None:
        from gongkai_desktop.bundle.export import ExportOptions, export_bundle
        from gongkai_desktop.bundle.importer import import_bundle

        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.directory = UnitDirectory.load()
        plan = bundled_plan()
        self.unit_path = folder / "万州区.gkws"
        ws = Workspace.create(self.unit_path, plan, self.directory.find("万州区"),
                              officer="张三", contact="李四", phone="023-12345678", actor="张三")
        ws.update_record("1.1.1", status=Status.DONE, completed_on=dt.date(2020, 8, 20),
                         explanation=LONG, urls=["http://www.wz.gov.cn/zwgk/qzqd/"], actor="张三")
        ws.update_record("1.1.2", status=Status.IN_PROGRESS, explanation="正在编制。", actor="张三")
        ws.update_record("1.1.1", explanation=LONG + "（补充）", actor="李四")
        ws.update_record("2.1.1", status=Status.NOT_APPLICABLE, reason="本区无此项", actor="张三")
        self.image_id = ws.add_evidence_bytes("1.1.1", jpeg(1600, 1000), "网站栏目截图.jpg",
                                              actor="张三").id
        ws.add_evidence_link("1.1.1", "http://www.wz.gov.cn/zwgk/", title="区政府网站")
        save_identity(ws, identity(ws.unit.full_name), PASSPHRASE)
        self.bundle = export_bundle(ws, folder / "万州区-自查.gkbundle",
                                    identity(ws.unit.full_name), ExportOptions()).files[0]
        ws.close()
        other = Workspace.create(folder / "涪陵区.gkws", plan, self.directory.find("涪陵区"),
                                 officer="赵六", actor="赵六")
        other.update_record("1.1.1", status=Status.DONE, explanation="已公开", actor="赵六")
        other_bundle = export_bundle(other, folder / "涪陵区-自查.gkbundle",
                                     identity(other.unit.full_name), ExportOptions()).files[0]
        other.close()
        self.office_path = folder / "办公厅.gkws"
        office = Workspace.create(self.office_path, plan, self.directory.find("市政府办公厅"),
                                  officer="王五", actor="王五")
        for bundle in (self.bundle, other_bundle):
            import_bundle(office, [bundle], accept_new_key=True)
        save_identity(office, identity(office.unit.full_name), PASSPHRASE)
        office.close()
        self._session: Session | None = None
        self._office: Session | None = None
        self._window: Any = None
        self._pdf: Path | None = None

    # ---- shared parts ----------------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session(Workspace.open(self.unit_path), self.directory)
        return self._session

    @property
    def office(self) -> Session:
        if self._office is None:
            self._office = Session(Workspace.open(self.office_path), self.directory)
        return self._office

    @property
    def window(self) -> Any:
        """The main window on 万州区 with every feature menu."""
        if self._window is None:
            from gongkai_desktop.ui.features import install_features
            from gongkai_desktop.ui.main_window import MainWindow

            self._window = MainWindow(self.session, directory=self.directory)
            install_features(self._window)
            self._window.select_measure("1.1.1")
        return self._window

    def report_pdf(self) -> Path:
        if self._pdf is None:
            from gongkai_desktop.report.build import build_report

            self._pdf = self.folder / "自查报告.pdf"
            build_report(self.session.ws, self.directory, self._pdf, sign=False,
                         passphrase=None)
        return self._pdf

    def delegation(self) -> Any:
        """万州区 with 区司法局 and 区委编办, both returns imported (tests/delegation_fixtures)."""
        found = getattr(self, "_delegation", None)
        if found is None:
            from gongkai_desktop.delegation import import_returns
            from tests.delegation_fixtures import SFJ_KEY, World, fill_checklist

            (self.folder / "delegation").mkdir(exist_ok=True)
            world = World(self.folder / "delegation")
            filled = fill_checklist(world.sheet, world.root / "区委编办-已填.xlsx", {
                "1.1.1": {"完成状态": "推进中", "完成情况说明": LONG}})
            ws = Workspace.open(world.wz)
            import_returns(ws, [world.bundle1, filled], accept_keys=[SFJ_KEY.fingerprint()])
            found = self._delegation = (world, Session(ws, self.directory))
        return found

    def close(self) -> None:
        if getattr(self, "_delegation", None) is not None:
            self._delegation[1].close()
        if self._window is not None:
            self._window.close()
            self._window.deleteLater()
        for s in (self._session, self._office):
            if s is not None:
                s.close()


def _first_run(s: Scene) -> QWidget:
    from gongkai_desktop.ui.workspace.first_run import FirstRunDialog

    return FirstRunDialog(s.directory)


def _report_editor(s: Scene) -> QWidget:
    from gongkai_desktop.ui.report.report_editor import ReportEditor

    return ReportEditor(s.session, s.window, generate=s.window.report_actions.generate_report)


def _report_preview(s: Scene) -> QWidget:
    from gongkai_desktop.ui.report.report_preview import ReportPreviewDialog

    return ReportPreviewDialog(s.report_pdf(), s.window, summary="共 9 页 · 未签名")


def _evidence_preview(s: Scene) -> QWidget:
    from gongkai_desktop.ui.evidence.preview import unit_viewer

    items = s.session.ws.evidence("1.1.1")
    item = next(i for i in items if i.id == s.image_id)
    return unit_viewer(s.session, item, items, s.window)


def _link(s: Scene) -> QWidget:
    from gongkai_desktop.ui.evidence.link_dialog import LinkDialog

    return LinkDialog(s.window)


def _signing(cls: str) -> Callable[[Scene], QWidget]:
    def make(s: Scene) -> QWidget:
        from gongkai_desktop.ui.report import signing_dialogs

        dialog: QWidget = getattr(signing_dialogs, cls)(s.session, s.window)
        return dialog

    return make


def _change_preview(s: Scene) -> QWidget:
    import openpyxl

    from gongkai_desktop.ui.xlsx.change_preview import ChangePreviewDialog
    from gongkai_desktop.xlsx import checklist_layout as L
    from gongkai_desktop.xlsx import export_checklist, read_checklist

    ws = s.session.ws
    book = s.folder / "万州区清单.xlsx"
    export_checklist(ws.plan, ws.unit, s.session.roles, ws.records(), book)
    wb = openpyxl.load_workbook(book)
    sheet = wb[L.MAIN_SHEET]
    columns = {str(c.value): c.column for c in sheet[L.HEADER_ROW] if c.value is not None}
    for row, (status, text) in enumerate((("完成了", LONG), ("推进中", "正在梳理主动公开目录"),
                                          ("已完成", LONG)), start=L.FIRST_ROW):
        sheet.cell(row, columns["完成状态"]).value = status
        sheet.cell(row, columns["完成情况说明"]).value = text
    wb.save(book)
    wb.close()
    result = read_checklist(book, ws.plan, ws.unit, ws.records())
    return ChangePreviewDialog(result, ws.plan, s.window)


def _plan_info(s: Scene) -> QWidget:
    from gongkai_desktop.ui.xlsx.plan_import_dialog import PlanInfoDialog
    from tests.xlsx_samples import write_municipal_2021

    return PlanInfoDialog(write_municipal_2021(s.folder / "2021年任务分工.xlsx"), PlanLibrary(),
                          s.window)


def _plan_import(s: Scene) -> QWidget:
    from gongkai_desktop.ui.xlsx.plan_import_dialog import PlanImportDialog
    from gongkai_desktop.xlsx import read_plan_workbook
    from tests.xlsx_samples import MUNICIPAL_TITLE, write_municipal_2021

    source = write_municipal_2021(s.folder / "2021年任务分工.xlsx")
    result = read_plan_workbook(source, plan_id="cq-2021-test", title=MUNICIPAL_TITLE,
                                directory=s.directory)
    return PlanImportDialog(result, PlanLibrary(), s.window)


def _bundle_export(s: Scene) -> QWidget:
    from gongkai_desktop.bundle.export import estimate_export
    from gongkai_desktop.ui.bundles.bundle_export_dialog import BundleExportDialog

    return BundleExportDialog(s.session, estimate_export(s.session.ws),
                              s.window.bundle_actions, s.window)


def _export_history(s: Scene) -> QWidget:
    from gongkai_desktop.ui.bundles.bundle_export_dialog import ExportHistoryDialog

    return ExportHistoryDialog(s.session, s.window)


def _bundle_import(s: Scene) -> QWidget:
    from gongkai_desktop.ui.bundles.bundle_import_dialog import BundleImportDialog

    dialog = BundleImportDialog(s.office, s.window.bundle_actions, s.window)
    dialog.add_files([s.bundle])
    return dialog


def _write_receipt(s: Scene) -> QWidget:
    from gongkai_desktop.ui.bundles.receipt_dialog import WriteReceiptDialog

    return WriteReceiptDialog(s.office, s.window)


def _consolidation(s: Scene) -> QWidget:
    from gongkai_desktop.supervisor.consolidation import consolidate
    from gongkai_desktop.ui.supervisor.consolidation_view import ConsolidationWindow

    view = ConsolidationWindow(s.office, s.window)
    view.set_consolidation(consolidate(s.office.ws, s.directory, dt.date(2020, 11, 15)))
    return view


def _unit_record(s: Scene) -> QWidget:
    from gongkai_desktop.supervisor.consolidation import consolidate
    from gongkai_desktop.ui.supervisor.unit_record_dialog import UnitRecordDialog

    cons = consolidate(s.office.ws, s.directory, dt.date(2020, 11, 15))
    row = next(i for i, u in enumerate(cons.units) if u.unit.name == "万州区")
    column = next(i for i, m in enumerate(cons.measures) if m.measure.id == "1.1.1")
    dialog = UnitRecordDialog(s.office, s.window)
    dialog.show_record(cons.units[row].unit.id, "万州区", "1.1.1", cons.state(row, column),
                       cons.is_overdue(row, column))
    return dialog


def _key_acceptance(s: Scene) -> QWidget:
    # Eight units' first bundles at once: the tallest the question gets.
    import dataclasses

    from gongkai_desktop.bundle.importer import preview_import
    from gongkai_desktop.ui.bundles.key_acceptance_dialog import KeyAcceptanceDialog, questions_for

    preview = preview_import(s.office.ws, [s.bundle])
    many = [(dataclasses.replace(preview, manifest=dataclasses.replace(
        preview.manifest, unit=dataclasses.replace(preview.unit, id=f"5001{n:02}"))),
        f"{n}.gkbundle") for n in range(8)]
    return KeyAcceptanceDialog(questions_for(many), s.window)


def _review(s: Scene) -> QWidget:
    from gongkai_desktop.ui.review.review_dialog import ReviewDialog

    unit = s.directory.find("万州区")
    assert unit is not None
    return ReviewDialog(s.office, [(unit.id, "1.1.1"), (unit.id, "1.1.2")], 0, s.window,
                        title="审核：万州区")


def _ledger(s: Scene) -> QWidget:
    from gongkai_desktop.ui.review.review_banner import LedgerDialog

    return LedgerDialog(s.session, "1.1.1", None, s.window)


def _verify_report(s: Scene) -> QWidget:
    from gongkai_desktop.ui.report.verify_dialog import VerifyReportDialog

    return VerifyReportDialog(s.window, s.folder)


def _help(s: Scene) -> QWidget:
    from gongkai_desktop import guide
    from gongkai_desktop.ui.help.help_window import HelpWindow

    return HelpWindow(s.window, guide.Role.UNIT)


def _office_key(s: Scene) -> QWidget:
    # A receipt signed with another key than the pinned one: the longest question.
    from gongkai_desktop.bundle.certs import certificate_info
    from gongkai_desktop.bundle.office_key import OfficeKeyCheck, OfficeKeyState
    from gongkai_desktop.ui.bundles.office_key_dialog import OfficeKeyDialog

    office = s.directory.find("市政府办公厅")
    assert office is not None
    cert = certificate_info(identity(office.full_name).certificate_der())
    check = OfficeKeyCheck(OfficeKeyState.KEY_CHANGED, office, cert, None, seen_before=True)
    return OfficeKeyDialog(check, s.window)


def _delegation_offices(s: Scene) -> QWidget:
    from gongkai_desktop.ui.delegation.offices_dialog import OfficesDialog

    return OfficesDialog(s.delegation()[1], s.window)


def _delegation_assign(s: Scene) -> QWidget:
    from gongkai_desktop.ui.delegation.assign_dialog import AssignDialog

    return AssignDialog(s.delegation()[1], ["1.1.1"], s.window)


def _delegation_task_init(s: Scene) -> QWidget:
    from gongkai_desktop.delegation import read_task
    from gongkai_desktop.ui.delegation.task_init_dialog import TaskInitDialog

    world = s.delegation()[0]
    return TaskInitDialog(world.task, read_task(world.task), s.window)


def _delegation_rollup(s: Scene) -> QWidget:
    from gongkai_desktop.delegation import propose_rollup
    from gongkai_desktop.ui.delegation.rollup_dialog import RollupDialog

    session = s.delegation()[1]
    return RollupDialog(session, propose_rollup(session.ws, "1.1.1"), s.window)


def _delegation_progress(s: Scene) -> QWidget:
    from gongkai_desktop.ui.delegation.progress_window import DelegationProgressWindow

    window = DelegationProgressWindow(s.delegation()[1], s.window)
    window.reload()
    return window


def _message(s: Scene) -> QWidget:
    # The longest box the program shows: a report's verification, many lines.
    text = "\n".join(["文件：万州区-自查报告-2020-09-05.pdf", "核对的证书：万州区.cer", ""]
                     + [f"第{i}项：{LONG}" for i in range(1, 25)])
    return message_box(s.window, "报告完好", text, QMessageBox.Icon.Information)


FACTORIES: dict[str, Callable[[Scene], QWidget]] = {
    "main_window": lambda s: s.window,  # type: ignore[no-any-return]
    "first_run": _first_run,
    "report_editor": _report_editor,
    "report_preview": _report_preview,
    "evidence_preview": _evidence_preview,
    "link": _link,
    "create_identity": _signing("CreateIdentityDialog"),
    "import_identity": _signing("ImportIdentityDialog"),
    "signing_certificate": _signing("SigningCertificateDialog"),
    "change_preview": _change_preview,
    "plan_info": _plan_info,
    "plan_import": _plan_import,
    "bundle_export": _bundle_export,
    "export_history": _export_history,
    "bundle_import": _bundle_import,
    "write_receipt": _write_receipt,
    "consolidation": _consolidation,
    "unit_record": _unit_record,
    "key_acceptance": _key_acceptance,
    "review": _review,
    "ledger": _ledger,
    "verify_report": _verify_report,
    "help": _help,
    "office_key": _office_key,
    "delegation_offices": _delegation_offices,
    "delegation_assign": _delegation_assign,
    "delegation_task_init": _delegation_task_init,
    "delegation_rollup": _delegation_rollup,
    "delegation_progress": _delegation_progress,
    "message": _message,
}
