"""The window's review actions.

Unit: 导入整改意见… (the office's ``.gkreview``; its key is accepted explicitly the
first time, like a receipt's), 整改台账… for the current measure, a 需整改 filter in
the toolbar and a 需整改 count in the status bar.

Office: the review itself starts from the consolidation matrix (``review_dialog``);
``export_reviews`` writes the signed files for one unit or for every unit.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from gongkai_desktop import file_kinds
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.features import install_once
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.bundles.office_key_dialog import OfficeKeyDialog
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)


def install(window: MainWindow) -> ReviewActions:
    return install_once(window, "review_actions", ReviewActions)


class ReviewActions(QObject):
    reviewImported = Signal(object)  # review.unit_side.ImportedReview

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.key_dialog: OfficeKeyDialog | None = None
        self.import_action = QAction(self.tr("导入整改意见(&R)…"), self)
        self.import_action.setStatusTip(self.tr(
            "导入上级单位发回的审核意见（.gkreview）：退回整改的举措在左侧标出"))
        self.import_action.triggered.connect(self.import_review)
        self.ledger_action = QAction(self.tr("整改台账(&L)…"), self)
        self.ledger_action.setStatusTip(self.tr("为当前举措记录存在问题、整改措施、责任人和整改时限"))
        self.ledger_action.triggered.connect(self.edit_ledger)
        window.add_actions_menu([self.import_action, self.ledger_action], separator=True)

        self.rectify_check = QCheckBox(self.tr("需整改"))
        self.rectify_check.setObjectName("rectifyFilter")
        self.rectify_check.setToolTip(self.tr("只看上级单位退回整改、尚未整改的举措（已整改待复核的等上级复核，不在此列）"))
        self.rectify_check.toggled.connect(self._on_rectify_toggled)
        toolbar = getattr(window, "toolbar", None)
        if toolbar is not None:
            from gongkai_desktop.review.states import ReviewState
            from gongkai_desktop.ui.review import review_style

            self.rectify_check.setIcon(review_style.icon(ReviewState.RETURNED))
            toolbar.add_filter(self.rectify_check)  # right after 只看逾期
        window.clear_filter_action.triggered.connect(lambda: self.rectify_check.setChecked(False))

        self.status_label = QLabel()
        self.status_label.setObjectName("reviewStatusLabel")
        self.status_label.setContentsMargins(6, 0, 6, 0)
        window.statusBar().addPermanentWidget(self.status_label)
        window.sessionChanged.connect(self._session_changed)
        self._session_changed(window.session)

    # ---- session and display ---------------------------------------------------------------

    def _session_changed(self, session: Session | None) -> None:
        if self.key_dialog is not None:
            self.key_dialog.close()
            self.key_dialog = None
        self.rectify_check.blockSignals(True)
        self.rectify_check.setChecked(False)
        self.rectify_check.blockSignals(False)
        self.rectify_check.setEnabled(session is not None)
        if session is not None:
            session.recordChanged.connect(self.refresh_status)
            session.evidenceChanged.connect(self._evidence_changed)
            session.reviewChanged.connect(self._review_changed)
        self.refresh_status()

    def refresh_status(self, *_args: object) -> None:
        """需整改 N 项 and 已整改待复核 M 项 in the status bar (hidden when neither)."""
        from gongkai_desktop.ui.review import review_style
        from gongkai_desktop.ui.review.review_states import rectify_counts

        session = self.window.session
        returned = rectified = 0
        if session is not None:
            returned, rectified = rectify_counts(session)
        parts = []
        if returned:
            parts.append(self.tr("需整改 {n} 项").format(n=returned))
        if rectified:
            parts.append(self.tr("已整改待复核 {n} 项").format(n=rectified))
        self.status_label.setText("，".join(parts))
        self.status_label.setStyleSheet(f"color: {review_style.RETURNED_COLOR.name()};")
        self.status_label.setVisible(bool(parts))

    def _evidence_changed(self, measure_id: str) -> None:
        """New evidence on a returned measure is a response too (已整改（待复核）)."""
        from gongkai_desktop.changes import Changes

        session = self.window.session
        model = getattr(self.window, "model", None)
        if session is not None and model is not None \
                and model.review_state(measure_id) is not None:
            session.apply_changes(Changes(review=True))

    def _review_changed(self) -> None:
        """The tree, the overview and the banner follow ``reviewChanged`` themselves."""
        proxy = getattr(self.window, "proxy", None)
        if proxy is not None and proxy.rectify_only:
            proxy.refilter()
        self.refresh_status()

    def _on_rectify_toggled(self, on: bool) -> None:
        proxy = getattr(self.window, "proxy", None)
        if proxy is None:
            return
        proxy.set_rectify_only(on)
        changed = getattr(getattr(self.window, "toolbar", None), "changed", None)
        if changed is not None:
            changed()  # saved, and the window expands the tree and updates its footer

    # ---- the ledger ----------------------------------------------------------------------------

    def edit_ledger(self) -> Any:
        panel = getattr(self.window, "panel", None)
        banner = getattr(panel, "review", None)
        if banner is None or banner.measure_id is None:
            show_info(self.window, self.tr("整改台账"), self.tr("请先在左侧选择一项举措。"))
            return None
        return banner.edit_ledger()

    # ---- importing a review ----------------------------------------------------------------

    def import_review(self) -> Operation[Any] | None:
        if self.window.session is None:
            return None
        name = prompts.open_file_name(self.window, self.tr("导入整改意见"),
                                      str(prompts.documents_folder()),
                                      self.tr(prompts.REVIEW_FILTER))
        if not name:
            return None
        return self.import_review_file(Path(name))

    def import_review_file(self, file: Path, accept_key: str | None = None
                           ) -> Operation[Any] | None:
        """Import a review file; a key not yet accepted first asks (``OfficeKeyDialog``)."""
        session = self.window.session
        if session is None:
            return None
        from gongkai_desktop.review.unit_side import import_review
        from gongkai_desktop.ui.bundles.office_key_dialog import import_office_file

        def done(got: Any) -> None:
            from gongkai_desktop.errors import InvalidInput

            if got.stale:
                show_error(self.window, InvalidInput(got.sentence()))
                return
            if self.window.session is session:
                session.apply_changes(got.changes)
            self.reviewImported.emit(got)
            text = got.sentence() + "。"  # the command line's sentence
            if got.key_changed:
                from gongkai_desktop.bundle.office_key import KEY_CHANGED_NOTE

                text += "\n\n" + self.tr(KEY_CHANGED_NOTE) + "。"
            show_info(self.window, self.tr("已导入整改意见"), text)

        return import_office_file(
            self.window, self.tr("正在核验整改意见…"), session, file, import_review,
            accept_key=accept_key, on_imported=done, on_question=self.ask_office_key)

    def ask_office_key(self, question: Any, file: Path) -> OfficeKeyDialog:
        """The office's fingerprint; 接受 imports the review pinning that key."""
        from gongkai_desktop.ui.bundles.office_key_dialog import OfficeKeyDialog

        dialog = OfficeKeyDialog(question.check, self.window)
        dialog.setText(dialog.text().replace("回执", "整改意见"))
        dialog.setInformativeText(dialog.informativeText().replace("回执", "整改意见"))
        dialog.keyAccepted.connect(lambda fingerprint: self.import_review_file(file, fingerprint))
        dialog.keyRefused.connect(lambda: self.window.statusBar().showMessage(
            self.tr("整改意见未导入：未接受上级单位的证书"), 10000))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda *_: setattr(self, "key_dialog", None))
        self.key_dialog = dialog
        dialog.open()
        return dialog


# ---- the office: writing review files ---------------------------------------------------------


def export_reviews(parent: QWidget, session: Session, unit_id: str | None,
                   unit_name: str = "") -> Operation[Any] | None:
    """Ask where (a file for one unit, a folder for all) and the passphrase, then write
    the signed review files off the UI thread."""
    from gongkai_desktop.review.reviewfile import default_review_name

    widget: QWidget | None = parent
    bundles = None
    while widget is not None and bundles is None:  # the main window holds the signing prompts
        bundles = getattr(widget, "bundle_actions", None)
        widget = widget.parentWidget()
    if bundles is not None and not bundles.offer_identity(
            parent, session, lambda: export_reviews(parent, session, unit_id, unit_name)):
        return None
    start = prompts.documents_folder()
    if unit_id is None:
        folder = prompts.open_folder(parent, _tr("把各单位的整改意见保存到…"), str(start))
        if not folder:
            return None
        out = Path(folder)
    else:
        from gongkai_desktop.supervisor.store import SupervisorView

        sequence = SupervisorView(session.ws).unit(unit_id).sequence
        name = prompts.save_file_name(parent, _tr("导出整改意见"),
                                      str(start / default_review_name(unit_name, sequence)),
                                      _tr(prompts.REVIEW_FILTER))
        if not name:
            return None
        out = Path(name)
        if out.suffix.lower() != file_kinds.REVIEW:
            out = out.with_name(out.name + file_kinds.REVIEW)
    label = _tr("请输入签名密码，以签署{what}：").format(what=_tr("整改意见"))
    passphrase = prompts.ask_signing_passphrase(parent, session.ws, label)
    if passphrase is None:
        return None
    path = session.path

    def work(ws: Workspace, progress: Progress) -> list[Path]:
        from gongkai_desktop.review.reviewfile import write_all_reviews, write_review
        from gongkai_desktop.signing.store import load_identity

        identity = load_identity(ws, passphrase)
        if unit_id is None:
            return write_all_reviews(ws, identity, out, progress)
        return [write_review(ws, unit_id, identity, out)]

    def done(paths: list[Path]) -> None:
        show_info(parent, _tr("已导出整改意见"), _tr(
            "已导出 {n} 个整改意见文件：\n{names}\n\n"
            "请发回各单位，对方用“导入整改意见…”导入。").format(
                n=len(paths), names="\n".join(str(p) for p in paths[:10])
                + ("\n…" if len(paths) > 10 else "")))

    return run_workspace_operation(parent, _tr("正在生成整改意见…"), path, work,
                                   write=True, on_success=done,
                                   cancellable=unit_id is None)


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("ReviewActions", text)
