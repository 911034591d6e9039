"""从任务文件新建工作区: the parent's signed task becomes this office's own workspace.

The task's certificate is the parent's introduction: its fingerprint is shown to compare
by phone, and the workspace is made pinning exactly that key (``accept_key``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop import file_kinds
from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Operation, Progress, run_operation


class TaskInitDialog(QDialog):
    created = Signal(Path)  # the new workspace's path (closed, ready to open)

    def __init__(self, task_path: Path, task: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task_path = task_path
        self.task = task
        self.setWindowTitle(self.tr("从任务文件新建工作区"))
        measures = task.plan.measures()
        intro = QLabel(self.tr(
            "“{parent}”把 {n} 项举措分配给“{office}”。新建的工作区就是本单位的工作区："
            "逐项填写完成情况、添加佐证材料，然后导出数据包发回“{parent}”。").format(
                parent=task.parent.name, n=len(measures), office=task.office.name))
        intro.setWordWrap(True)
        fingerprint = QLabel(task.cert.grouped_fingerprint)
        fingerprint.setObjectName("taskFingerprint")
        fingerprint.setWordWrap(True)
        fingerprint.setStyleSheet("font-family: monospace; font-weight: bold;")
        fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        who = task.parent_officer or ""
        self.confirm = QCheckBox(self.tr(
            "已与“{parent}”电话核对，证书指纹一致").format(parent=task.parent.name))
        self.officer_edit = QLineEdit()
        self.officer_edit.setAccessibleName(self.tr("本单位负责人"))
        self.path_edit = QLineEdit(str(prompts.suggested(
            prompts.WORKSPACE, f"{task.office.name}.gkws")))
        self.path_edit.setAccessibleName(self.tr("工作区保存位置"))
        browse = QPushButton(self.tr("浏览(&B)…"))
        browse.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("上级单位："), QLabel(task.parent.name + (f"（{who}）" if who else "")))
        form.addRow(self.tr("本单位："), QLabel(task.office.name))
        form.addRow(self.tr("举措："), QLabel(self.tr("{n} 项（{ids}）").format(
            n=len(measures), ids="、".join(m.id for m in measures[:8])
            + ("…" if len(measures) > 8 else ""))))
        form.addRow(self.tr("下发时间："), QLabel(
            task.issued_at.astimezone().strftime("%Y-%m-%d %H:%M")))
        form.addRow(self.tr("上级证书指纹："), fingerprint)
        form.addRow("", self.confirm)
        form.addRow(self.tr("负责人(&O)："), self.officer_edit)
        form.addRow(self.tr("保存为(&S)："), path_row)
        note = QLabel(self.tr(
            "请电话联系上级单位，请对方念出其证书指纹，与上面的指纹逐组核对。"
            "今后上级单位下发的任务文件都必须用这个证书签名。"))
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("新建工作区"))
        self.ok_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.confirm.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.make_workspace)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        manage_window(self, "delegation_task_init", (640, 460))

    def browse(self) -> None:

        name = prompts.save_file_name(self, self.tr("工作区保存位置"),
                                                 self.path_edit.text(),
                                                 self.tr(prompts.WORKSPACE_FILTER))
        if name:
            self.path_edit.setText(name)

    def target(self) -> Path:
        path = Path(self.path_edit.text().strip())
        return path if path.suffix.lower() == file_kinds.WORKSPACE else path.with_name(
            path.name + file_kinds.WORKSPACE)

    def make_workspace(self) -> Operation[Any] | None:
        from gongkai_desktop.errors import InvalidInput
        from gongkai_desktop.ui.common.errors import show_error

        if not self.confirm.isChecked():
            return None
        target = self.target()
        if not self.path_edit.text().strip() or target.exists():
            show_error(self, InvalidInput(
                f"“{target}”已存在，请换一个文件名" if target.exists() else "请选择保存位置"))
            return None
        task_path, officer = self.task_path, self.officer_edit.text().strip()
        fingerprint = self.task.cert.fingerprint

        def work(_progress: Progress) -> Path:
            from gongkai_desktop.delegation import init_from_task

            ws, _task = init_from_task(target, task_path, officer=officer,
                                       accept_key=fingerprint, actor=officer)
            ws.close()
            return target

        def done(path: Path) -> None:
            prompts.remember(prompts.WORKSPACE, path.parent)
            self.accept()
            self.created.emit(path)

        return run_operation(self, self.tr("正在新建工作区…"), work, on_success=done,
                             cancellable=False)
