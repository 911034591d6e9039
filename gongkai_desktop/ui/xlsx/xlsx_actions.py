"""The window's Excel actions: checklist out and back in, and importing a task breakdown.

- 导出Excel清单…: the unit's checklist for colleagues without the app (worker thread).
- 导入Excel清单…: the workbook is read off the UI thread, then ``ChangePreviewDialog``
  shows every change and problem; 应用 writes them in one transaction. An import is
  not an undo step: the undo stack is cleared and the officer is told so (each change
  is in the measure's history, naming the file).
- 导入任务分工（Excel）…: plan details → read → ``PlanImportDialog`` review → plan
  library → optionally a new workspace on the plan (``FirstRunDialog``).

Dialogs open window-modal with ``open()`` (never a blocking ``exec()``); file
dialogs and the question go through ``common.prompts``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction

from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.features import install_once
from gongkai_desktop.ui.common.operations import (
    Operation,
    Progress,
    run_operation,
    run_workspace_operation,
)

if TYPE_CHECKING:  # openpyxl and the dialogs load on first use, not with the window
    from gongkai_desktop.model import Plan
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.first_run import FirstRunDialog
    from gongkai_desktop.ui.workspace.session import Session
    from gongkai_desktop.ui.xlsx.change_preview import ChangePreviewDialog
    from gongkai_desktop.ui.xlsx.plan_import_dialog import (
        PlanFields,
        PlanImportDialog,
        PlanInfoDialog,
    )
    from gongkai_desktop.xlsx import ChecklistImport, PlanImport

log = logging.getLogger(__name__)

XLSX_FILTER = prompts.XLSX_FILTER


def _tr(text: str) -> str:
    return QCoreApplication.translate("XlsxActions", text)




def install(window: MainWindow) -> XlsxActions:
    """Add the Excel actions to ``window`` (once); the window keeps them as ``xlsx_actions``."""
    return install_once(window, "xlsx_actions", XlsxActions)


def checklist_file_name(session: Session) -> str:
    """万州区-自查清单-2026-11-28.xlsx, as ``xlsx export -o FOLDER`` names it."""
    from gongkai_desktop.storage.default_names import checklist_name

    return checklist_name(session.ws, session.today())


class XlsxActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.preview: ChangePreviewDialog | None = None
        self.plan_info_dialog: PlanInfoDialog | None = None
        self.plan_review: PlanImportDialog | None = None
        self.first_run: FirstRunDialog | None = None

        self.export_action = QAction(self.tr("导出Excel清单(&X)…"), self)
        self.export_action.setStatusTip(self.tr(
            "把本单位需填报的举措导出为Excel表格，交给未安装本软件的同事填写"))
        self.export_action.triggered.connect(self.export_checklist)
        self.import_action = QAction(self.tr("导入Excel清单(&I)…"), self)
        self.import_action.setStatusTip(self.tr("读取同事填好的Excel清单，核对更改后导入"))
        self.import_action.triggered.connect(self.import_checklist)
        self.plan_import_action = QAction(self.tr("导入任务分工（Excel）(&P)…"), self)
        self.plan_import_action.setStatusTip(self.tr(
            "从Excel任务分工表导入新的任务分工，核对后保存到计划库"))
        self.plan_import_action.triggered.connect(self.import_plan)

        window.add_actions_menu([self.export_action, self.import_action], separator=True)
        window.add_actions_menu(self.plan_import_action, separator=True)
        # Importing a plan needs no open workspace (the window disables its menu's actions).
        window.sessionChanged.connect(lambda _session: self.plan_import_action.setEnabled(True))
        self.plan_import_action.setEnabled(True)

    # ---- helpers -----------------------------------------------------------------------

    def _start_folder(self, kind: str = prompts.CHECKLIST) -> Path:
        return prompts.start_folder(kind)

    def _flush_typing(self) -> None:
        # Text still being typed in the panel is saved first, so export and import see it.
        flush = getattr(self.window.panel, "flush", None)
        if callable(flush):
            flush()

    # ---- export ------------------------------------------------------------------------

    def export_checklist(self) -> Operation[int] | None:
        session = self.window.session
        if session is None:
            return None
        self._flush_typing()
        suggested = self._start_folder() / checklist_file_name(session)
        out = prompts.save_path_with_suffix(self.window, prompts.CHECKLIST,
                                            self.tr("导出Excel清单"), suggested,
                                            self.tr(XLSX_FILTER), ".xlsx")
        return None if out is None else self.export_to(out)

    def export_to(self, out: Path) -> Operation[int] | None:
        session = self.window.session
        if session is None:
            return None
        path, roles, unit = session.path, dict(session.roles), session.ws.unit.name

        def work(ws: Workspace, _progress: Progress) -> int:
            from gongkai_desktop.xlsx import export_checklist

            return export_checklist(ws.plan, ws.unit, roles, ws.records(), out)

        def done(count: int) -> None:
            from gongkai_desktop.xlsx import exported_sentence

            show_info(self.window, self.tr("导出完成"), exported_sentence(unit, count, out)
                      + "\n\n" + self.tr("请同事只填写黄色的列；填好后用“导入Excel清单…”导入。"))

        return run_workspace_operation(self.window, self.tr("正在导出Excel清单…"), path, work,
                                       on_success=done, cancellable=False)

    # ---- import --------------------------------------------------------------------------

    def import_checklist(self) -> Operation[Any] | None:
        if self.window.session is None:
            return None
        self._flush_typing()
        name = prompts.open_file_name(self.window, self.tr("导入Excel清单"),
                                      str(self._start_folder()), self.tr(XLSX_FILTER))
        if not name:
            return None
        prompts.remember(prompts.CHECKLIST, Path(name).parent)
        return self.read_checklist(Path(name))

    def read_checklist(self, file: Path) -> Operation[Any] | None:
        """Read ``file`` in a worker thread, then show the preview."""
        session = self.window.session
        if session is None:
            return None
        path = session.path

        def work(ws: Workspace, _progress: Progress) -> ChecklistImport:
            from gongkai_desktop.xlsx import read_checklist

            return read_checklist(file, ws.plan, ws.unit, ws.records())

        def done(result: ChecklistImport) -> None:
            if self.window.session is session:  # still the workspace it was read for
                self.show_preview(result)

        return run_workspace_operation(self.window, self.tr("正在读取Excel清单…"), path, work,
                                       on_success=done, cancellable=False)

    def show_preview(self, result: ChecklistImport) -> ChangePreviewDialog | None:
        from gongkai_desktop.ui.xlsx.change_preview import ChangePreviewDialog

        session = self.window.session
        if session is None:
            return None
        dialog = ChangePreviewDialog(result, session.ws.plan, self.window)
        dialog.accepted.connect(lambda: self.apply(session, result, dialog.allow_partial))
        dialog.finished.connect(dialog.deleteLater)
        self.preview = dialog
        dialog.open()
        return dialog

    def apply(self, session: Session, result: ChecklistImport, allow_partial: bool) -> int:
        """Write the changes (one transaction), refresh the views, clear the undo stack."""
        from gongkai_desktop.ui.workspace.commands import actor_of
        from gongkai_desktop.xlsx import apply_checklist

        if self.window.session is not session:
            return 0
        try:
            applied = apply_checklist(session.ws, result, actor_of(session),
                                      allow_partial=allow_partial)
        except Exception as exc:
            show_error(self.window, exc, self.tr("没有导入"))
            return 0
        # Earlier undo steps would now restore values from before the import.
        session.undo_stack.clear()
        session.apply_changes(applied.changes)
        count = applied.count
        text = applied.sentence() + "。\n\n" + self.tr(
            "导入不能用“撤销”恢复，此前的撤销记录已清空；"
            "每处更改都已记入该举措的修改历史。")
        show_info(self.window, self.tr("导入完成"), text)
        return count

    # ---- task breakdown ------------------------------------------------------------------

    def import_plan(self) -> PlanInfoDialog | None:
        name = prompts.open_file_name(self.window, self.tr("导入任务分工（Excel）"),
                                      str(self._start_folder(prompts.PLAN_XLSX)),
                                      self.tr(XLSX_FILTER))
        if not name:
            return None
        prompts.remember(prompts.PLAN_XLSX, Path(name).parent)
        return self.ask_plan_info(Path(name))

    def ask_plan_info(self, path: Path) -> PlanInfoDialog:
        from gongkai_desktop.ui.xlsx.plan_import_dialog import PlanInfoDialog

        dialog = PlanInfoDialog(path, parent=self.window)
        dialog.accepted.connect(lambda: self.read_plan(dialog.fields()))
        dialog.finished.connect(dialog.deleteLater)
        self.plan_info_dialog = dialog
        dialog.open()
        return dialog

    def read_plan(self, fields: PlanFields) -> Operation[Any]:
        directory = self.window.directory

        def work(_progress: Progress) -> PlanImport:
            from gongkai_desktop.xlsx import read_plan_workbook

            return read_plan_workbook(
                fields.path, plan_id=fields.plan_id, title=fields.title,
                document_number=fields.document_number, issued=fields.issued,
                issuer=fields.issuer, directory=directory)

        def done(result: PlanImport) -> None:
            self.review_plan(result)

        return run_operation(self.window, self.tr("正在读取任务分工表…"), work,
                             on_success=done, cancellable=False)

    def review_plan(self, result: PlanImport) -> PlanImportDialog:
        from gongkai_desktop.ui.xlsx.plan_import_dialog import PlanImportDialog

        dialog = PlanImportDialog(result, parent=self.window)
        dialog.accepted.connect(lambda: self._plan_saved(result.plan))
        dialog.finished.connect(dialog.deleteLater)
        self.plan_review = dialog
        dialog.open()
        return dialog

    def _plan_saved(self, plan: Plan) -> None:
        log.info("plan %s imported into the library", plan.info.id)
        if prompts.ask_question(self.window, self.tr("已保存到计划库"), self.tr(
            "已把“{title}”保存到计划库。\n\n是否现在为本单位新建这个任务分工的自查工作区？"
        ).format(title=plan.info.title), self.tr("新建工作区"), self.tr("以后再说"),
                default_no=False):
            self.new_workspace(plan)

    def new_workspace(self, plan: Plan) -> FirstRunDialog:
        from gongkai_desktop.ui.workspace.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.window.directory, plan=plan, parent=self.window,
                                first_start=False)

        def created() -> None:
            if dialog.created_path is not None:
                self.window.workspace_actions.open_path(dialog.created_path)

        dialog.accepted.connect(created)
        dialog.finished.connect(dialog.deleteLater)
        self.first_run = dialog
        dialog.open()
        return dialog
