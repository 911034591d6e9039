"""The 下级单位 menu: offices, assignment, task packages, returns, progress; and
文件 → 从任务文件新建工作区… (an office's workspace from the parent's signed task).

Every rule is a core call (``gongkai_desktop.delegation``); file I/O runs through
``run_operation`` with its own ``Workspace.open`` in the worker. The file dialogs and
questions are module-level functions tests replace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from gongkai_desktop import file_kinds
from gongkai_desktop.changes import Changes, combined
from gongkai_desktop.ui.bundles import bundle_actions
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.features import install_once
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.delegation.assign_dialog import AssignDialog
    from gongkai_desktop.ui.delegation.offices_dialog import OfficesDialog
    from gongkai_desktop.ui.delegation.progress_window import DelegationProgressWindow
    from gongkai_desktop.ui.delegation.rollup_dialog import RollupDialog
    from gongkai_desktop.ui.delegation.task_init_dialog import TaskInitDialog
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)

TASK_KIND = "签名任务文件（.gktask，下级单位使用本程序）"
SHEET_KIND = "Excel 清单（.xlsx，下级单位不使用本程序）"
CONTRIBUTIONS = Changes(contributions=True)  # offices or assignments edited in a dialog

def office_key_questions(asking: Sequence[Any]) -> list[Any]:
    """One 核对签名证书 entry per (office, key) among returns refused for a key not accepted."""
    from gongkai_desktop.delegation.office_plan import office_unit
    from gongkai_desktop.ui.bundles.key_acceptance_dialog import KeyQuestion

    found: dict[tuple[str, str], KeyQuestion] = {}
    for r in asking:
        if r.key is None:
            continue
        key = (r.key.office.office_id, r.key.cert.fingerprint)
        old = found.get(key)
        files = (*old.files, r.path.name) if old is not None else (r.path.name,)
        heading = QCoreApplication.translate("DelegationActions", "下级单位：{office}").format(
            office=r.key.office.name)
        found[key] = KeyQuestion(office_unit(r.key.office), r.key.cert, r.key.pinned, files,
                                 heading=heading)
    return list(found.values())


def install(window: MainWindow) -> DelegationActions:
    """Add the 下级单位 menu to ``window`` (once); kept as ``window.delegation_actions``."""
    return install_once(window, "delegation_actions", DelegationActions)


def _actor(session: Session) -> str:
    from gongkai_desktop.ui.workspace.commands import actor_of

    return actor_of(session)


class DelegationActions(QObject):
    returnsImported = Signal(list)  # ReturnResult rows
    rolledUp = Signal(str)  # measure id

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.offices_dialog: OfficesDialog | None = None
        self.assign_dialog: AssignDialog | None = None
        self.progress_window: DelegationProgressWindow | None = None
        self.init_dialog: TaskInitDialog | None = None
        self.rollup_dialog: RollupDialog | None = None
        self.last_results: list[Any] = []

        def action(text: str, tip: str, slot: Callable[[], Any]) -> QAction:
            act = QAction(text, self)
            act.setStatusTip(tip)
            act.triggered.connect(lambda _checked=False: slot())
            return act

        self.offices_action = action(self.tr("管理下级单位(&O)…"), self.tr(
            "本单位的下级单位（区级部门、乡镇街道、内设机构）：添加、从Excel导入"),
            self.manage_offices)
        self.assign_action = action(self.tr("分配举措(&A)…"), self.tr(
            "把举措分配给下级单位（牵头或责任），并设定内部时限"), self.assign_measures)
        self.breakdown_action = action(self.tr("导出任务分解表(&D)…"), self.tr(
            "导出本单位的任务分解表（Excel，与市里的格式相同）"), self.export_breakdown)
        self.task_action = action(self.tr("导出任务包(&T)…"), self.tr(
            "为一个下级单位导出签名任务文件（.gktask）或Excel清单"), self.export_task)
        self.returns_action = action(self.tr("导入下级填报(&I)…"), self.tr(
            "导入下级单位报送的数据包或填好的Excel清单（不会覆盖本单位的填报）"),
            lambda: self.import_returns_dialog())
        self.progress_action = action(self.tr("下级完成情况(&P)"), self.tr(
            "各下级单位 × 举措的完成情况，未报送和逾期的单位"), self.show_progress)
        self.update_task_action = action(self.tr("导入更新的任务文件(&U)…"), self.tr(
            "在下级单位的工作区中导入上级重新下发的任务文件"), self.update_task)
        self.menu = QMenu(self.tr("下级单位(&J)"), window)
        self.menu.setObjectName("delegationMenu")
        for act in (self.offices_action, self.assign_action, self.breakdown_action,
                    self.task_action, self.returns_action, self.progress_action):
            self.menu.addAction(act)
        self.menu.addSeparator()
        self.menu.addAction(self.update_task_action)
        window.add_actions_menu(self.menu, separator=True)

        window.sessionChanged.connect(self._session_changed)

        # 文件 → 从任务文件新建工作区… (needs no open workspace)
        self.init_action = action(self.tr("从任务文件新建工作区(&K)…"), self.tr(
            "用上级单位下发的任务文件（.gktask）新建本单位的工作区"), lambda: self.init_from_task())
        window.ensure_built()
        new_action = window.workspace_actions.new_action
        menu = window.file_menu
        following = menu.actions()
        index = following.index(new_action) + 1 if new_action in following else 0
        if index < len(following):
            menu.insertAction(following[index], self.init_action)
        else:
            menu.addAction(self.init_action)

    def _session_changed(self, _session: object) -> None:
        """Another workspace: what was open on the previous one closes."""
        for name in ("offices_dialog", "assign_dialog", "rollup_dialog", "progress_window"):
            widget = getattr(self, name, None)
            if widget is not None:
                setattr(self, name, None)
                widget.close()
                widget.deleteLater()

    # ---- helpers --------------------------------------------------------------------------

    def _session(self) -> Session | None:
        return self.window.session

    def _flush(self) -> None:
        flush = getattr(self.window.panel, "flush", None)
        if callable(flush):
            flush()

    def _offices(self, session: Session) -> list[Any]:
        from gongkai_desktop.delegation import list_offices

        return list_offices(session.ws)

    def _need_offices(self, session: Session) -> list[Any] | None:
        offices = self._offices(session)
        if not offices:
            show_info(self.window, self.tr("下级单位"), self.tr(
                "本工作区还没有下级单位。请先用“管理下级单位…”添加。"))
            return None
        return offices

    def announce(self, changes: Changes = CONTRIBUTIONS) -> None:
        """Offices, assignments or answers changed: the session tells the views that show
        them (the tree's flags, the panel's 下级填报, the matrix, the offices list)."""
        session = self._session()
        if session is not None:
            session.apply_changes(changes)

    def _forget(self, name: str, dialog: object) -> None:
        if getattr(self, name, None) is dialog:
            setattr(self, name, None)

    def _keep(self, name: str, dialog: Any) -> None:
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda *_: self._forget(name, dialog))
        dialog.destroyed.connect(lambda *_: self._forget(name, dialog))
        setattr(self, name, dialog)
        dialog.open()

    # ---- offices and assignment -----------------------------------------------------------

    def manage_offices(self) -> OfficesDialog | None:
        from gongkai_desktop.ui.delegation.offices_dialog import OfficesDialog

        session = self._session()
        if session is None:
            return None
        if self.offices_dialog is not None:
            self.offices_dialog.raise_()
            return self.offices_dialog
        dialog = OfficesDialog(session, self.window)
        dialog.changed.connect(self.announce)
        self._keep("offices_dialog", dialog)
        return dialog

    def selected_measures(self) -> list[str]:
        """The measures selected in the tree (Ctrl/Shift+click), else the current one."""
        from gongkai_desktop.ui.measures.tree_model import MeasureIdRole

        chosen: list[str] = []
        if self.window.model is not None:
            for index in self.window.tree.selectionModel().selectedRows(0):
                mid = index.data(MeasureIdRole)
                if isinstance(mid, str) and mid not in chosen:
                    chosen.append(mid)
        current = self.window.current_measure_id()
        if current and current not in chosen:
            chosen.insert(0, current)
        return chosen

    def assign_measures(self, measure_ids: Sequence[str] | None = None) -> AssignDialog | None:
        from gongkai_desktop.ui.delegation.assign_dialog import AssignDialog

        session = self._session()
        if session is None:
            return None
        if self._need_offices(session) is None:
            return None
        if measure_ids is None:
            measure_ids = self.selected_measures()
        dialog = AssignDialog(session, list(measure_ids), self.window)
        dialog.assigned.connect(lambda _rows: self.announce())
        self._keep("assign_dialog", dialog)
        return dialog

    # ---- exports --------------------------------------------------------------------------

    def _save(self, title: str, default_name: str, file_filter: str, suffix: str
              ) -> Path | None:
        return prompts.save_path_with_suffix(
            self.window, prompts.CHECKLIST, title,
            prompts.suggested(prompts.CHECKLIST, default_name), file_filter, suffix)

    def export_breakdown(self, out: Path | None = None) -> Operation[Any] | None:
        session = self._session()
        if session is None or self._need_offices(session) is None:
            return None
        out = out or self._save(self.tr("导出任务分解表"),
                                f"{session.ws.unit.name}-任务分解表.xlsx",
                                self.tr(prompts.XLSX_FILTER), ".xlsx")
        if out is None:
            return None
        path = session.path

        def work(ws: Workspace, _progress: Progress) -> int:
            from gongkai_desktop.delegation.breakdown import export_breakdown

            return export_breakdown(ws, out)

        return run_workspace_operation(
            self.window, self.tr("正在导出任务分解表…"), path, work,
            on_success=lambda n: show_info(self.window, self.tr("已导出"), self.tr(
                "已导出任务分解表（{n} 项举措）：\n{path}").format(n=n, path=out)),
            cancellable=False)

    def export_task(self, office_name: str | None = None, kind: str | None = None,
                    out: Path | None = None) -> Operation[Any] | None:
        """Per office: a signed .gktask (asks the passphrase) or the Excel checklist."""
        session = self._session()
        if session is None:
            return None
        offices = self._need_offices(session)
        if offices is None:
            return None
        office_name = office_name or prompts.choose_item(
            self.window, self.tr("导出任务包"), self.tr("为哪个下级单位导出任务包："),
            [o.name for o in offices])
        if not office_name:
            return None
        kind = kind or prompts.choose_item(self.window, self.tr("导出任务包"), self.tr(
            "“{name}”使用本程序吗？选择任务包的形式：").format(name=office_name),
            [self.tr(TASK_KIND), self.tr(SHEET_KIND)])
        if not kind:
            return None
        signed = kind == self.tr(TASK_KIND) or kind == "task"
        if signed:
            actions = bundle_actions.install(self.window)
            if not actions.offer_identity(self.window, session,
                                          lambda: self.export_task(office_name, kind, out)):
                return None
        suffix = file_kinds.TASK if signed else file_kinds.XLSX
        out = out or self._save(self.tr("导出任务包"),
                                f"{office_name}-任务{suffix}",
                                self.tr(prompts.TASK_FILTER if signed else prompts.XLSX_FILTER),
                                suffix)
        if out is None:
            return None
        passphrase: str | None = None
        if signed:
            passphrase = bundle_actions.install(self.window).ask_signing_passphrase(
                self.window, session, self.tr("任务文件"))
            if passphrase is None:
                return None
        path, target = session.path, out

        def work(ws: Workspace, _progress: Progress) -> str:
            from gongkai_desktop.delegation import find_office, write_task
            from gongkai_desktop.delegation.checklist import export_office_checklist
            from gongkai_desktop.signing.store import load_identity

            office = find_office(ws, office_name)
            if passphrase is not None:
                write_task(ws, office, load_identity(ws, passphrase), target)
                return f"已导出“{office.name}”的任务文件：\n{target}\n\n" \
                       "请发给该单位，对方用“文件 → 从任务文件新建工作区…”打开。"
            rows = export_office_checklist(ws, office, target)
            return f"已导出“{office.name}”的 {rows} 项举措清单：\n{target}\n\n" \
                   "对方填好后发回，用“导入下级填报…”导入。"

        return run_workspace_operation(
            self.window, self.tr("正在导出任务包…"), path, work, write=signed,
            on_success=lambda text: show_info(self.window, self.tr("已导出任务包"), text),
            cancellable=False)

    # ---- returns --------------------------------------------------------------------------

    def import_returns_dialog(self) -> Operation[Any] | None:
        if self._session() is None:
            return None
        names = prompts.open_file_names(self.window, self.tr("导入下级填报"),
                                str(prompts.start_folder(prompts.BUNDLE)),
                                self.tr(prompts.RETURN_FILTER))
        if not names:
            return None
        prompts.remember(prompts.BUNDLE, Path(names[0]).parent)
        return self.import_returns([Path(n) for n in names])

    def import_returns(self, files: Sequence[Path], accept_keys: Sequence[str] = ()
                       ) -> Operation[Any] | None:
        """Import office bundles and checklists; a new office key is asked, then retried."""
        session = self._session()
        if session is None:
            return None
        self._flush()
        path, actor, files = session.path, _actor(session), list(files)

        def work(ws: Workspace, _progress: Progress) -> list[Any]:
            from gongkai_desktop.delegation import import_returns

            return import_returns(ws, files, accept_keys=list(accept_keys), actor=actor)

        def done(results: list[Any]) -> None:
            if self.window.session is not session:
                return
            self.last_results = results
            self.announce(combined(r.changes for r in results))
            self.returnsImported.emit(results)
            asking = [r for r in results if r.needs_key_acceptance and r.fingerprint
                      and r.fingerprint not in accept_keys]
            shown = [r for r in results if r not in asking]
            if shown:
                self._show_results(shown)
            if asking:
                self._ask_keys(asking, accept_keys)

        return run_workspace_operation(self.window, self.tr("正在导入下级填报…"), path, work,
                                       write=True, on_success=done,
                                       cancellable=False)

    def _show_results(self, results: list[Any]) -> None:
        from gongkai_desktop.delegation import ReturnOutcome
        from gongkai_desktop.errors import GongkaiError

        lines = [f"{r.outcome.label}：{r.path.name}　{r.message}" for r in results]
        refused = [r for r in results if r.outcome is ReturnOutcome.REFUSED]
        text = "\n".join(lines)
        if refused:
            show_error(self.window, GongkaiError(text), self.tr("部分文件未导入") if len(refused)
                       < len(results) else self.tr("未导入"))
        else:
            show_info(self.window, self.tr("已导入下级填报"), text + "\n\n" + self.tr(
                "有新填报的举措已标记“下级有新填报”，可在举措的“下级填报”页汇总。"))

    def _ask_keys(self, asking: list[Any], accepted: Sequence[str]) -> None:
        """核对签名证书, as for units' bundles: each office's fingerprint (and, for a changed
        key, the one accepted before) with its own 接受 / 拒绝; accepted ones are retried."""
        from gongkai_desktop.ui.bundles import key_acceptance_dialog

        questions = office_key_questions(asking)
        answer = key_acceptance_dialog.ask_keys(self.window, questions, self.tr(
            "以下下级单位的数据包使用了本工作区尚未接受的签名证书。请逐个核对证书指纹："
            "电话联系该单位，请对方念出其证书指纹，逐组比对。指纹一致才点“接受”，"
            "接受后该单位今后须用此证书签名；不一致或无法核对请点“拒绝”，其数据包不会导入。"))
        chosen = answer[0] if answer is not None else set()
        keys = [*accepted, *sorted({fp for _office, fp in chosen})]
        retry = [r.path for r in asking
                 if r.office is not None and (r.office.office_id, r.fingerprint) in chosen]
        if retry:
            self.import_returns(retry, keys)
        else:
            self.window.statusBar().showMessage(
                self.tr("下级填报未导入：未接受下级单位的证书"), 10000)

    # ---- roll-up --------------------------------------------------------------------------

    def show_rollup(self, measure_id: str) -> RollupDialog | None:
        """汇总下级填报: the proposal as a change preview (nothing written until 接受)."""
        from gongkai_desktop.delegation import propose_rollup
        from gongkai_desktop.ui.delegation.rollup_dialog import RollupDialog

        session = self._session()
        if session is None:
            return None
        self._flush()
        try:
            proposal = propose_rollup(session.ws, measure_id)
        except Exception as exc:
            show_error(self.window, exc, self.tr("不能汇总"))
            return None
        dialog = RollupDialog(session, proposal, self.window)
        dialog.applied.connect(self._rolled_up)
        self._keep("rollup_dialog", dialog)
        return dialog

    def _rolled_up(self, measure_id: str) -> None:
        # The dialog announced what it wrote; the form also drops typing that could not
        # be saved, so the officer sees the record as rolled up.
        panel = self.window.panel
        form = getattr(panel, "form", None)
        if form is not None and getattr(panel, "measure_id", None) == measure_id:
            form.load(force=True)
        self.rolledUp.emit(measure_id)
        self.window.statusBar().showMessage(
            self.tr("已汇总举措 {id} 的下级填报").format(id=measure_id), 10000)

    # ---- progress -------------------------------------------------------------------------

    def show_progress(self) -> DelegationProgressWindow | None:
        from gongkai_desktop.ui.delegation.progress_window import DelegationProgressWindow

        session = self._session()
        if session is None:
            return None
        window = self.progress_window
        if window is None or window.session is not session:
            window = DelegationProgressWindow(session, self.window)
            window.destroyed.connect(lambda *_: self._forget("progress_window", window))
            self.progress_window = window
        window.reload()
        window.show()
        window.raise_()
        return window

    # ---- an office's own workspace ----------------------------------------------------------

    def init_from_task(self, task: Path | None = None) -> TaskInitDialog | None:
        """文件 → 从任务文件新建工作区…: read the task, show the parent's fingerprint."""
        from gongkai_desktop.delegation import read_task
        from gongkai_desktop.ui.delegation.task_init_dialog import TaskInitDialog

        if task is None:
            task = prompts.open_path(self.window, prompts.BUNDLE, self.tr("从任务文件新建工作区"),
                                     self.tr(prompts.TASK_FILTER))
            if task is None:
                return None
        try:
            parsed = read_task(task)
        except Exception as exc:
            show_error(self.window, exc, self.tr("不能打开任务文件"))
            return None
        dialog = TaskInitDialog(task, parsed, self.window)
        dialog.created.connect(self._open_created)
        self._keep("init_dialog", dialog)
        return dialog

    def open_task_file(self, task: Path) -> Any:
        """A .gktask the program was started with (double-click): in the office's own
        workspace it updates the task; otherwise it makes the office's workspace."""
        from gongkai_desktop.delegation import parent_of, read_task

        session = self._session()
        mine = parent_of(session.ws) if session is not None else None
        if mine is not None:
            try:
                office_id = read_task(task).office.office_id
            except Exception:
                office_id = None  # the init dialog says what is wrong with it
            if office_id == mine.get("office_id"):
                return self.update_task(task)
        return self.init_from_task(task)

    def _open_created(self, path: Path) -> None:
        self.window.workspace_actions.open_path(Path(path))

    def update_task(self, task: Path | None = None) -> Operation[Any] | None:
        """In an office's workspace: a re-issued task (new measures, roles, deadlines)."""
        from gongkai_desktop.delegation import parent_of

        session = self._session()
        if session is None:
            return None
        if parent_of(session.ws) is None:
            show_info(self.window, self.tr("导入更新的任务文件"), self.tr(
                "本工作区不是从任务文件新建的，不能导入任务文件。"
                "新建下级单位的工作区请用“文件 → 从任务文件新建工作区…”。"))
            return None
        if task is None:
            name = prompts.open_file_name(self.window, self.tr("导入更新的任务文件"),
                                  str(prompts.start_folder(prompts.BUNDLE)),
                                  self.tr(prompts.TASK_FILTER))
            if not name:
                return None
            task = Path(name)
        self._flush()
        path, actor, task_path = session.path, _actor(session), task

        def work(ws: Workspace, _progress: Progress) -> Any:
            from gongkai_desktop.delegation.office_init import update_from_task

            return update_from_task(ws, task_path, actor=actor)

        def done(update: Any) -> None:
            if update.already:
                show_info(self.window, self.tr("导入更新的任务文件"), update.sentence() + "。")
                return
            # The plan is read when a workspace opens: open it again to show the new measures.
            self.window.set_session(None)
            self.window.workspace_actions.open_path(path)
            # The command line's sentence.
            show_info(self.window, self.tr("已更新任务"), update.sentence() + "。")

        return run_workspace_operation(self.window, self.tr("正在导入任务文件…"), path, work,
                                       write=True, on_success=done,
                                       cancellable=False)

