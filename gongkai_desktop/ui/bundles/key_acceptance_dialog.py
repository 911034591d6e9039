"""核对签名证书: the supervisor accepts or refuses, per unit, a key not trusted yet.

Shown before importing when bundles come from a unit for the first time or with a
changed key: one entry per (unit, key) with the unit, the signer, the fingerprint (the
old and the new one for a changed key) and where to compare it — the fingerprint printed
on the last page of that unit's sealed paper report, or read out over the phone. Each
entry needs its own 接受 / 拒绝; the list scrolls, the buttons stay visible on a 1280×680
screen. The dialog only collects the choices; the core applies the rules.

The parent accepting its own offices' keys (``ui.delegation``) uses the same dialog, with
its own introduction (compared by phone) and the office's name as each entry's heading.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.ui.common.geometry import manage_window

if TYPE_CHECKING:
    from gongkai_desktop.bundle.certs import CertificateInfo
    from gongkai_desktop.bundle.importer import ImportPreview
    from gongkai_desktop.model import Unit

MAX_HEIGHT = 600  # fits a 1280×680 screen with the window frame and the task bar


@dataclass(frozen=True, slots=True)
class KeyQuestion:
    """One unit's key to accept or refuse."""

    unit: Unit
    cert: CertificateInfo  # the bundle's
    pinned: CertificateInfo | None  # the unit's trusted key until now (a changed key)
    files: tuple[str, ...]  # the bundle files signed with it
    warnings: tuple[str, ...] = ()
    heading: str = ""  # the entry's title; default: the unit's full name, name and id

    @property
    def key(self) -> tuple[str, str]:
        return self.unit.id, self.cert.fingerprint


def questions_for(previews: list[tuple[ImportPreview, str]]) -> list[KeyQuestion]:
    """One question per (unit, key) among previews that need acceptance (with a file name)."""
    found: dict[tuple[str, str], KeyQuestion] = {}
    for preview, name in previews:
        t = preview.trust
        key = (preview.unit.id, t.cert.fingerprint)
        old = found.get(key)
        if old is None:
            found[key] = KeyQuestion(preview.unit, t.cert, t.pinned.cert if t.pinned else None,
                                     (name,), preview.warnings)
        elif name not in old.files:
            found[key] = dataclasses.replace(old, files=(*old.files, name))
    return list(found.values())


def _mono(text: str) -> QLabel:
    label = QLabel(text)
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class KeyAcceptanceDialog(QDialog):
    def __init__(self, questions: list[KeyQuestion], parent: QWidget | None = None,
                 intro_text: str | None = None) -> None:
        super().__init__(parent)
        self.questions = list(questions)
        self.setWindowTitle(self.tr("核对签名证书"))
        self.setObjectName("keyAcceptanceDialog")
        intro = QLabel(intro_text or self.tr(
            "以下单位的数据包使用了本工作区尚未信任的签名证书。请逐个核对证书指纹：与该单位"
            "盖章的纸质报告最后一页印有的证书指纹比对，或请该单位经办人电话念出。"
            "指纹一致才点“接受”；不一致或无法核对请点“拒绝”，其数据包不会导入。"))
        intro.setWordWrap(True)

        self.accept_buttons: dict[tuple[str, str], QRadioButton] = {}
        self.reject_buttons: dict[tuple[str, str], QRadioButton] = {}
        self.groups: list[QButtonGroup] = []
        body = QWidget()
        column = QVBoxLayout(body)
        for question in self.questions:
            column.addWidget(self._entry(question))
        column.addStretch(1)
        self.key_list = QScrollArea()
        self.key_list.setObjectName("keyList")
        self.key_list.setWidgetResizable(True)
        self.key_list.setFrameShape(QFrame.Shape.NoFrame)
        self.key_list.setWidget(body)

        self.status = QLabel()
        self.status.setObjectName("keyChoiceStatus")
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(self.tr("按所选继续导入"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("keyChoicesOk")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("取消导入"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.key_list, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.setMaximumHeight(MAX_HEIGHT)
        manage_window(self, "key_acceptance",
                      (760, min(MAX_HEIGHT, 170 + 160 * len(self.questions))))
        self._update()

    def _entry(self, q: KeyQuestion) -> QGroupBox:
        box = QGroupBox(q.heading or self.tr("{full}（{name}，编号 {id}）").format(
            full=q.unit.full_name, name=q.unit.name, id=q.unit.id))
        box.setObjectName(f"key-{q.unit.id}")
        lines = QVBoxLayout(box)
        what = (self.tr("该单位更换了签名证书，与已信任的不同。") if q.pinned is not None
                else self.tr("首次收到该单位的数据包。"))
        lines.addWidget(QLabel(what + self.tr("数据包：{files}").format(files="、".join(q.files))))
        signer = QLabel(self.tr("签名人：{who}").format(who=q.cert.summary()))
        signer.setWordWrap(True)
        lines.addWidget(signer)
        if q.pinned is not None:
            lines.addWidget(QLabel(self.tr("已信任的证书指纹：")))
            lines.addWidget(_mono(q.pinned.grouped_fingerprint))
        lines.addWidget(QLabel(self.tr("此数据包的证书指纹（SHA-256）：")))
        lines.addWidget(_mono(q.cert.grouped_fingerprint))
        for warning in q.warnings:
            note = QLabel(self.tr("提示：{w}").format(w=warning))
            note.setWordWrap(True)
            lines.addWidget(note)
        yes = QRadioButton(self.tr("接受（指纹一致）"))
        no = QRadioButton(self.tr("拒绝"))
        yes.setObjectName(f"accept-{q.unit.id}")
        no.setObjectName(f"reject-{q.unit.id}")
        group = QButtonGroup(box)
        group.addButton(yes)
        group.addButton(no)
        group.buttonToggled.connect(lambda *_: self._update())
        self.groups.append(group)
        self.accept_buttons[q.key], self.reject_buttons[q.key] = yes, no
        choice = QHBoxLayout()
        choice.addWidget(yes)
        choice.addWidget(no)
        choice.addStretch(1)
        lines.addLayout(choice)
        return box

    def accepted_keys(self) -> set[tuple[str, str]]:
        return {key for key, button in self.accept_buttons.items() if button.isChecked()}

    def refused_keys(self) -> set[tuple[str, str]]:
        return {key for key, button in self.reject_buttons.items() if button.isChecked()}

    def _update(self) -> None:
        open_ = len(self.questions) - len(self.accepted_keys()) - len(self.refused_keys())
        # Every unit needs its own choice: nothing is accepted by default.
        self.ok_button.setEnabled(open_ == 0)
        self.status.setText(self.tr("还有 {n} 个单位未选择接受或拒绝。").format(n=open_)
                            if open_ else self.tr("已全部选择。"))


def ask_keys(parent: QWidget, questions: list[KeyQuestion], intro: str | None = None
             ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]] | None:
    """(accepted, refused) (unit id, fingerprint) pairs; None when the import is cancelled."""
    dialog = KeyAcceptanceDialog(questions, parent, intro)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.accepted_keys(), dialog.refused_keys()
    finally:
        dialog.deleteLater()
