"""Exporting a bundle (the unit's side), and the record of bundles sent and receipts received.

``BundleExportDialog`` shows the estimated size before anything is written, offers to
shrink photos (``prepare_shrink`` in a worker thread; the saving is shown), warns when
the bundle would exceed the mail limit (stored in the workspace) and offers numbered
parts or an evidence-free bundle, proposes ``万州区-自查-2026-11-28.gkbundle`` and takes
the signing passphrase. ``ExportHistoryDialog`` lists ``export_history`` in a table model.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import WrongPassphrase
from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.errors import show_error
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.list_table import ListTableModel
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation

if TYPE_CHECKING:
    from gongkai_desktop.bundle.export import ExportEstimate
    from gongkai_desktop.bundle.receipt import ExportRecord
    from gongkai_desktop.bundle.shrink import ShrinkPlan
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.bundles.owner import BundleFolders
    from gongkai_desktop.ui.workspace.session import Session

MIB = 1024 * 1024
# The core's range for the mail limit (bundle.export.set_mail_limit_mb).
LIMIT_MIN_MB, LIMIT_MAX_MB = 1, 10_000
Index = QModelIndex | QPersistentModelIndex


def megabytes(size: int) -> str:
    """12.3 MB (0.1 MB at least, so a small bundle never reads 0.0 MB)."""
    return f"{max(size / MIB, 0.1):.1f} MB"


def _red(label: QLabel) -> QLabel:
    label.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")
    label.setWordWrap(True)
    return label


def _muted(label: QLabel) -> QLabel:
    label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
    label.setWordWrap(True)
    return label


class BundleExportDialog(QDialog):
    """Options, size and passphrase for one export; runs it and emits ``exported``."""

    exported = Signal(object)  # ExportResult

    ONE_FILE, SPLIT, NO_EVIDENCE = 0, 1, 2

    def __init__(self, session: Session, estimate: ExportEstimate, actions: BundleFolders,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.owner = actions
        self.base_estimate = estimate
        self.shrink_plan: ShrinkPlan | None = None
        self.shrunk_estimate: ExportEstimate | None = None
        self.operation: Operation[Any] | None = None
        self.has_identity = False
        self.setWindowTitle(self.tr("导出数据包"))
        self.setObjectName("bundleExportDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.finished.connect(self._release_shrink)

        unit = session.ws.profile.full_name or session.ws.unit.full_name
        heading = QLabel(self.tr(
            "把“{unit}”的自查数据导出为一个签名的数据包，通过邮件报送上级单位。").format(unit=unit))
        heading.setWordWrap(True)
        self.contents_label = QLabel()
        self.contents_label.setObjectName("contentsLabel")
        self.contents_label.setWordWrap(True)
        self.size_label = QLabel()
        self.size_label.setObjectName("sizeLabel")
        font = self.size_label.font()
        font.setBold(True)
        self.size_label.setFont(font)

        # ---- photos
        self.shrink_check = QCheckBox(
            self.tr("压缩图片：长边超过 2000 像素的照片、截图缩小后再打包"))
        self.shrink_check.setObjectName("shrinkCheck")
        self.shrink_check.toggled.connect(self._shrink_toggled)
        self.shrink_label = _muted(QLabel())
        self.shrink_label.setObjectName("shrinkLabel")
        if estimate.images == 0:
            self.shrink_check.setEnabled(False)
        self.shrink_label.setText(self._images_text(estimate))

        # ---- mail limit and the ways to stay under it
        self.limit_spin = QSpinBox()
        self.limit_spin.setObjectName("mailLimitSpin")
        self.limit_spin.setRange(LIMIT_MIN_MB, LIMIT_MAX_MB)
        self.limit_spin.setToolTip(self.tr("可填 {lo} 到 {hi} MB").format(
            lo=LIMIT_MIN_MB, hi=LIMIT_MAX_MB))
        self.limit_spin.setSuffix(" MB")
        self.limit_spin.setValue(max(LIMIT_MIN_MB, round(estimate.mail_limit / MIB)))
        self.limit_error = QLabel()  # a limit out of range is said, not silently undone
        self.limit_error.setStyleSheet("color: #c0392b;")
        self.limit_error.hide()
        self.limit_spin.lineEdit().textEdited.connect(self._limit_typed)
        self.limit_spin.setAccessibleName(self.tr("邮件附件上限"))
        self.limit_spin.valueChanged.connect(self._limit_changed)
        limit_row = QHBoxLayout()
        limit_row.addWidget(QLabel(self.tr("邮件附件上限：")))
        limit_row.addWidget(self.limit_spin)
        limit_row.addWidget(self.limit_error)
        limit_row.addStretch(1)
        self.warning_label = _red(QLabel())
        self.warning_label.setObjectName("mailWarning")

        self.one_file = QRadioButton(self.tr("一个文件"))
        self.split = QRadioButton()
        self.no_evidence = QRadioButton()
        self.mode = QButtonGroup(self)
        for button, mode in ((self.one_file, self.ONE_FILE), (self.split, self.SPLIT),
                             (self.no_evidence, self.NO_EVIDENCE)):
            self.mode.addButton(button, mode)
        self.mode.idToggled.connect(lambda _id, _on: self._update())
        mode_box = QGroupBox(self.tr("导出为"))
        mode_layout = QVBoxLayout(mode_box)
        for button in (self.one_file, self.split, self.no_evidence):
            mode_layout.addWidget(button)

        # ---- file name
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fileEdit")
        self.file_edit.setAccessibleName(self.tr("保存为"))
        self.file_edit.setText(str(actions.start_folder() / self.default_name()))
        self.file_edit.textChanged.connect(lambda _t: self._update())
        self._confirmed_path: str | None = None  # chosen in the save dialog (which asked)
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)

        # ---- signing
        self.signer_label = _muted(QLabel())
        self.signer_label.setObjectName("signerLabel")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("签名密码"))
        self.passphrase.setObjectName("passphraseEdit")
        self.passphrase.textChanged.connect(lambda _t: self._passphrase_typed())
        self.create_button = QPushButton(self.tr("生成签名证书…"))
        self.create_button.clicked.connect(self.create_identity)
        sign_box = QGroupBox(self.tr("签名"))
        self.sign_form = sign_form = QFormLayout(sign_box)
        sign_form.addRow(self.signer_label)
        sign_form.addRow(self.tr("签名密码："), self.passphrase)
        sign_form.addRow(self.create_button)
        self.problem_label = _red(QLabel())
        self.problem_label.setObjectName("problemLabel")

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(self.tr("导出"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportButton")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("取消"))
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.contents_label)
        layout.addWidget(self.size_label)
        layout.addSpacing(4)
        layout.addWidget(self.shrink_check)
        layout.addWidget(self.shrink_label)
        layout.addSpacing(4)
        layout.addLayout(limit_row)
        layout.addWidget(self.warning_label)
        layout.addWidget(mode_box)
        layout.addWidget(QLabel(self.tr("保存为：")))
        layout.addLayout(file_row)
        layout.addWidget(sign_box)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)

        estimate_now = self.estimate
        exceeds = estimate_now.estimated_bytes > self.limit_bytes()
        (self.split if exceeds and estimate_now.blob_count else self.one_file).setChecked(True)
        self.refresh_identity()
        self._update()
        manage_window(self, "bundle_export")

    # ---- state ----------------------------------------------------------------------------

    @property
    def estimate(self) -> ExportEstimate:
        if self.shrink_check.isChecked() and self.shrunk_estimate is not None:
            return self.shrunk_estimate
        return self.base_estimate

    def default_name(self) -> str:
        from gongkai_desktop.storage.default_names import bundle_name

        return bundle_name(self.session.ws, self.session.today())  # as `bundle export -o DIR`

    def limit_bytes(self) -> int:
        return self.limit_spin.value() * MIB

    def chosen_mode(self) -> int:
        return self.mode.checkedId()

    def out_path(self) -> Path | None:
        from gongkai_desktop.bundle.format import SUFFIX

        text = self.file_edit.text().strip()
        if not text:
            return None
        out = Path(text)
        if out.suffix.lower() != SUFFIX:
            out = out.with_name(out.name + SUFFIX)
        return out

    def expected_parts(self) -> int:
        return self.estimate.parts_needed(self.limit_bytes())

    def refresh_identity(self) -> None:
        from gongkai_desktop.signing.store import has_identity
        from gongkai_desktop.ui.report.signing_dialogs import stored_certificate

        self.has_identity = has_identity(self.session.ws)
        cert = stored_certificate(self.session) if self.has_identity else None
        if cert is not None:
            from gongkai_desktop.report.verify_text import certificate_lines

            lines = certificate_lines(cert)
            self.signer_label.setText(self.tr("数据包将用本单位的签名证书签名（{who}，{unit}）。"
                                              ).format(who=lines[0], unit=lines[1]))
        elif self.has_identity:
            self.signer_label.setText(self.tr("数据包将用本单位的签名证书签名。"))
        else:
            self.signer_label.setText(self.tr(
                "本工作区还没有签名证书。数据包必须签名，上级单位才能确认它来自本单位且未被改动。"
                "请先生成本单位的签名证书（只需一次；也可以在“签名证书…”中导入机构颁发的证书）。"))
        self.sign_form.setRowVisible(self.passphrase, self.has_identity)
        self.create_button.setVisible(not self.has_identity)
        self._update()

    def _update(self) -> None:
        est = self.estimate
        limit = self.limit_bytes()
        self.contents_label.setText(self.tr(
            "举措记录 {records} 条；佐证文件 {files} 个（不重复的内容 {blobs} 个，共 {mb}）；"
            "网页链接 {links} 个。").format(
                records=est.records, files=est.evidence_files, blobs=est.blob_count,
                mb=megabytes(est.blob_bytes), links=est.evidence_links))
        size = megabytes(est.estimated_bytes)
        self.size_label.setText(self.tr("预计大小：约 {mb}").format(mb=size))
        over = est.estimated_bytes > limit
        if over:
            can_shrink = self.base_estimate.images > 0 and not self.shrink_check.isChecked()
            ways = self.tr("可以拆分为多个文件，或导出不含佐证文件的数据包。")
            if can_shrink:
                ways = self.tr("可以压缩图片、") + ways.removeprefix(self.tr("可以"))
            self.warning_label.setText(self.tr(
                "预计 {mb}，超过邮件附件上限 {limit} MB。").format(
                    mb=megabytes(est.estimated_bytes), limit=self.limit_spin.value()) + ways)
        self.warning_label.setVisible(over)
        self.one_file.setText(self.tr("一个文件（约 {mb}）").format(mb=size))
        parts = self.expected_parts()
        if parts > 1:
            self.split.setText(self.tr(
                "拆分为约 {n} 个编号的文件，每个不超过 {limit} MB（对方一起导入）").format(
                    n=parts, limit=self.limit_spin.value()))
        else:
            self.split.setText(self.tr("拆分为编号的文件，每个不超过 {limit} MB（当前大小无需拆分）"
                                       ).format(limit=self.limit_spin.value()))
        self.split.setEnabled(est.blob_count > 0 and (parts > 1 or self.split.isChecked()))
        self.no_evidence.setText(self.tr(
            "不含佐证文件的数据包（约 {mb}，只有文件名，没有文件内容）").format(
                mb=megabytes(est.estimated_bytes_without_evidence)))
        self.shrink_check.setEnabled(self.base_estimate.images > 0
                                     and self.chosen_mode() != self.NO_EVIDENCE)
        self.export_button.setEnabled(self.has_identity and bool(self.passphrase.text())
                                      and self.out_path() is not None)

    def _passphrase_typed(self) -> None:
        self.problem_label.setText("")
        self._update()

    def _limit_typed(self, text: str) -> None:
        digits = "".join(c for c in text if c.isdigit())
        value = int(digits) if digits else 0
        if LIMIT_MIN_MB <= value <= LIMIT_MAX_MB:
            self.limit_error.hide()
        else:
            self.limit_error.setText(self.tr("上限应在 {lo} 到 {hi} MB 之间").format(
                lo=LIMIT_MIN_MB, hi=LIMIT_MAX_MB))
            self.limit_error.show()

    def _limit_changed(self, value: int) -> None:
        self.limit_error.hide()
        from gongkai_desktop.bundle.export import set_mail_limit_mb

        try:
            set_mail_limit_mb(self.session.ws, value)
        except Exception as exc:
            show_error(self, exc)
        self._propose_mode()
        self._update()

    def _propose_mode(self) -> None:
        """Over the limit with one file chosen: propose the parts (the officer may change it)."""
        est = self.estimate
        if (self.chosen_mode() == self.ONE_FILE and est.blob_count
                and est.estimated_bytes > self.limit_bytes()):
            self.split.setChecked(True)

    def browse(self) -> None:
        current = self.out_path() or self.owner.start_folder() / self.default_name()
        name = prompts.save_file_name(self, self.tr("导出数据包"), str(current),
                                      self.tr(prompts.BUNDLE_FILTER))
        if name:
            self.file_edit.setText(name)
            self._confirmed_path = str(self.out_path())

    def create_identity(self) -> QDialog:
        from gongkai_desktop.ui.report.signing_dialogs import CreateIdentityDialog

        dialog = CreateIdentityDialog(self.session, self)
        dialog.accepted.connect(self.refresh_identity)
        dialog.finished.connect(dialog.deleteLater)
        self.identity_dialog = dialog
        dialog.open()
        return dialog

    # ---- shrinking ------------------------------------------------------------------------

    def _shrink_toggled(self, on: bool) -> None:
        if on and self.shrink_plan is None:
            self.prepare_shrink()
        self._show_saving()
        self._update()

    def _images_text(self, estimate: ExportEstimate) -> str:
        if estimate.images == 0:
            return self.tr("佐证材料中没有图片（照片、截图），无需压缩。")
        return self.tr("佐证材料中有图片（照片、截图）{n} 张（{mb}）。压缩后仍清晰可辨，"
                       "工作区中的原图不变。").format(
                           n=estimate.images, mb=megabytes(estimate.image_bytes))

    def _show_saving(self) -> None:
        plan = self.shrink_plan
        if not self.shrink_check.isChecked() or plan is None:
            # Unticked: nothing is shrunk, so no saving is claimed.
            self.shrink_label.setText(self._images_text(self.base_estimate))
            return
        if plan.shrunk == 0:
            self.shrink_label.setText(self.tr(
                "图片都不超过 2000 像素（或压缩后不会更小），无需压缩。"))
            return
        self.shrink_label.setText(self.tr(
            "已压缩图片 {n} 张：从 {before} 减为 {after}，节省 {saved}。").format(
                n=plan.shrunk, before=megabytes(plan.bytes_before),
                after=megabytes(plan.bytes_after), saved=megabytes(plan.saved)))

    def prepare_shrink(self) -> Operation[Any]:
        path = self.session.path

        def work(ws: Workspace, progress: Progress) -> tuple[ShrinkPlan, ExportEstimate]:
            from gongkai_desktop.bundle.export import estimate_export
            from gongkai_desktop.bundle.shrink import prepare_shrink

            plan = prepare_shrink(ws, progress=progress)
            try:
                return plan, estimate_export(ws, shrink=plan)
            except BaseException:
                plan.close()
                raise

        def done(result: tuple[ShrinkPlan, ExportEstimate]) -> None:
            plan, estimate = result
            if not self.isVisible():
                plan.close()  # the dialog was closed meanwhile
                return
            self.shrink_plan, self.shrunk_estimate = plan, estimate
            self._show_saving()
            self._update()

        def failed(error: BaseException) -> None:
            self.shrink_check.setChecked(False)
            show_error(self, error)

        self.operation = run_workspace_operation(self, self.tr("正在压缩图片…"), path, work,
                                                 on_success=done,
                                                 on_failure=failed)
        return self.operation

    def _release_shrink(self, _result: int = 0) -> None:
        if self.shrink_plan is not None:
            self.shrink_plan.close()
            self.shrink_plan = None

    # ---- exporting -------------------------------------------------------------------------

    def start_export(self) -> Operation[Any] | None:
        from gongkai_desktop.bundle.export import ExportOptions
        from gongkai_desktop.ui.workspace.commands import actor_of

        if not self.export_button.isEnabled():
            return None
        out = self.out_path()
        assert out is not None
        if not out.parent.is_dir():
            self.problem_label.setText(self.tr("保存位置不存在：{folder}").format(folder=out.parent))
            return None
        if out.exists() and self._confirmed_path != str(out) and not prompts.ask_question(
                self, self.tr("导出数据包"), self.tr("“{name}”已存在，要替换它吗？").format(
                    name=out.name), self.tr("替换"), self.tr("取消")):
            return None
        mode = self.chosen_mode()
        options = ExportOptions(include_evidence=mode != self.NO_EVIDENCE,
                                max_part_bytes=self.limit_bytes() if mode == self.SPLIT else None)
        shrink = self.shrink_plan if self.shrink_check.isChecked() else None
        path, passphrase, actor = self.session.path, self.passphrase.text(), actor_of(self.session)

        def work(ws: Workspace, progress: Progress) -> Any:
            from gongkai_desktop.bundle.export import export_bundle
            from gongkai_desktop.signing.store import load_identity

            identity = load_identity(ws, passphrase)
            return export_bundle(ws, out, identity, options, shrink=shrink, actor=actor,
                                 progress=progress)

        def done(result: Any) -> None:
            self.exported.emit(result)
            self.accept()

        def failed(error: BaseException) -> None:
            if isinstance(error, WrongPassphrase):  # also said beside the field
                self.problem_label.setText(self.tr("签名密码不正确，请重新输入"))
                self.passphrase.selectAll()
                self.passphrase.setFocus()
            show_error(self, error)

        self.operation = run_workspace_operation(self, self.tr("正在导出数据包…"), path, work,
                                                 write=True, on_success=done,
                                                 on_failure=failed)
        return self.operation


# ---- the record of exports and receipts ------------------------------------------------------


class ExportHistoryModel(ListTableModel):
    """One row per export of this workspace: sequence, time, files, size, receipt."""

    HEADERS = ("序号", "导出时间", "文件", "大小", "回执")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[ExportRecord] = []

    def set_records(self, records: list[ExportRecord]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self.records)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.records[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.ToolTipRole and col in (2, 4):
            return self._text(r, col).replace("；", "\n").replace("、", "\n")
        if role == Qt.ItemDataRole.ForegroundRole and col == 4:
            return style.MUTED_TEXT_COLOR if not r.receipts else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, r: ExportRecord, col: int) -> str:
        from gongkai_desktop.ui.bundles.texts import receipt_text

        if col == 0:
            return str(r.sequence)
        if col == 1:
            if r.exported_at is None:
                return self.tr("导出未完成")
            return r.exported_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if col == 2:
            extra = "" if r.evidence_included else self.tr("（不含佐证文件）")
            return "、".join(r.file_names) + extra
        if col == 3:
            return megabytes(r.size) if r.size else ""
        if r.exported_at is None:
            return ""
        if not r.receipts:
            return self.tr("尚无回执")
        return "；".join(receipt_text(x) for x in r.receipts)


class ExportHistoryDialog(QDialog):
    """数据包记录: the bundles this unit sent, and who confirmed receiving them."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.tr("数据包记录"))
        self.setObjectName("exportHistoryDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.summary = QLabel()
        self.summary.setObjectName("historySummary")
        self.summary.setWordWrap(True)
        self.model = ExportHistoryModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        hint = _muted(QLabel(self.tr(
            "上级单位导入数据包后会发回回执（.gkreceipt）；用“导入回执…”导入后，这里显示对方何时收到。")))
        self.office_key = _muted(QLabel())  # the office key receipts must be signed with
        self.office_key.setObjectName("historyOfficeKey")
        self.office_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint)
        layout.addWidget(self.office_key)
        layout.addWidget(buttons)
        manage_window(self, "export_history", (860, 360))
        self.refresh()

    def refresh(self) -> None:
        from gongkai_desktop.bundle.office_key import office_key
        from gongkai_desktop.bundle.receipt import export_history
        from gongkai_desktop.ui.bundles.texts import status_text

        records = export_history(self.session.ws)
        self.model.set_records(records)
        text = status_text(records)[0]
        self.summary.setText(text or self.tr("本工作区尚未导出过数据包。"))
        key = office_key(self.session.ws)
        self.office_key.setText(self.tr("上级单位证书：") + key.describe() if key else "")
        self.office_key.setVisible(key is not None)
