"""编写自查报告: the report's own text, edited in a window of its own.

Title, addressee, opening, the three sections, the signing date and the seal.
Everything saves itself into the workspace (``IDLE_MS`` after typing stops, and
on closing), like the measure panel. Sections the officer has not touched follow
the records as they change; 生成草稿 drafts section 一 again on request and asks
before replacing text the officer wrote.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPixmap, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import GongkaiError
from gongkai_desktop.report.content import ReportSection
from gongkai_desktop.report.edited_text import (
    DEFAULT_ADDRESSEE,
    SECTION_HEADINGS,
    ReportDraft,
    load_draft,
    regenerate_work_section,
    save_draft,
)
from gongkai_desktop.ui.common import prompts, style
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.geometry import manage_window

if TYPE_CHECKING:
    from gongkai_desktop.ui.workspace.session import Session

log = logging.getLogger(__name__)

IDLE_MS = 600
REFRESH_MS = 300  # records changed: untouched sections are drafted again after a pause
SEAL_PREVIEW = 96
PNG_FILTER = "PNG 图片 (*.png)"


def _same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


class ReportEditor(QDialog):
    """The report text of one session's workspace; ``flush()`` saves what is typed."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 generate: Callable[[QWidget], Any] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.path: Path = session.path
        self._generate = generate
        self._loading = False
        self._dirty = False
        self._detached = False  # the window moved on to another workspace (or none)
        self.save_error = ""
        self.setObjectName("reportEditor")
        self.setWindowTitle(self.tr("编写自查报告 — {unit}").format(
            unit=session.ws.profile.unit_name or session.ws.unit.name))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setSizeGripEnabled(True)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(IDLE_MS)
        self.timer.timeout.connect(self.flush)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh_untouched)

        self._build()
        self.draft = load_draft(session.ws, session.directory)
        self._fill(self.draft)
        session.recordChanged.connect(self._records_changed)
        session.evidenceChanged.connect(self._records_changed)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.flush)
        manage_window(self, "report_editor", (980, 820))

    # ---- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("reportTitle")
        self.title_edit.setAccessibleName(self.tr("报告标题"))
        self.addressee_edit = QLineEdit()
        self.addressee_edit.setAccessibleName(self.tr("主送机关"))
        self.addressee_edit.setPlaceholderText(DEFAULT_ADDRESSEE)
        self.addressee_edit.setMaximumWidth(360)
        self.opening_edit = self._text_edit(self.tr("开头段落"))
        self.opening_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)

        top = QFormLayout()
        top.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        top.addRow(self.tr("标题："), self.title_edit)
        top.addRow(self.tr("主送机关："), self.addressee_edit)
        top.addRow(self.tr("开头段落："), self.opening_edit)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportSections")
        self.section_edits: list[QPlainTextEdit] = []
        for i, heading in enumerate(SECTION_HEADINGS):
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(8, 8, 8, 8)
            edit = self._text_edit(heading)
            if i == 0:
                row = QHBoxLayout()
                hint = self._muted(self.tr(
                    "按各方面举措的完成情况自动起草，可直接修改。"
                    "完成情况变化后，未修改过的草稿会自动更新。"))
                row.addWidget(hint, 1)
                self.draft_button = QPushButton(self.tr("生成草稿"))
                self.draft_button.setToolTip(self.tr(
                    "根据当前各举措的完成情况重新起草本部分（已修改的内容会先询问）"))
                self.draft_button.clicked.connect(self.draft_work_section)
                row.addWidget(self.draft_button)
                layout.addLayout(row)
            layout.addWidget(edit, 1)
            self.section_edits.append(edit)
            self.tabs.addTab(page, heading)
        format_hint = self._muted(self.tr(
            "段落之间空一行；以“（一）”“（二）”开头的段落是小标题（小标题到第一个句号为止）。"))

        signing = QGroupBox(self.tr("落款与印章"))
        self.unit_label = QLabel(self.session.ws.profile.full_name
                                 or self.session.ws.unit.full_name)
        self.today_check = QCheckBox(self.tr("使用生成报告当天的日期"))
        self.date_edit = QDateEdit()
        self.date_edit.setAccessibleName(self.tr("落款日期"))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        date_row = QHBoxLayout()
        date_row.addWidget(self.today_check)
        date_row.addWidget(self.date_edit)
        date_row.addStretch(1)

        self.seal_preview = QLabel()
        self.seal_preview.setObjectName("sealPreview")
        self.seal_preview.setFixedSize(SEAL_PREVIEW + 8, SEAL_PREVIEW + 8)
        self.seal_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seal_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.seal_preview.setStyleSheet("QLabel#sealPreview { background: white; color: #8a9099; }")
        self.seal_button = QPushButton(self.tr("选择印章图片…"))
        self.seal_button.clicked.connect(self.choose_seal)
        self.remove_seal_button = QPushButton(self.tr("移除印章"))
        self.remove_seal_button.clicked.connect(self.remove_seal)
        seal_buttons = QVBoxLayout()
        seal_buttons.addWidget(self.seal_button)
        seal_buttons.addWidget(self.remove_seal_button)
        seal_buttons.addWidget(self._muted(self.tr(
            "PNG 格式，建议透明背景，\n不超过 2 MB；盖在落款处。")))
        seal_buttons.addStretch(1)
        seal_row = QHBoxLayout()
        seal_row.addWidget(self.seal_preview)
        seal_row.addLayout(seal_buttons)
        seal_row.addStretch(1)

        form = QFormLayout(signing)
        form.addRow(self.tr("落款单位："), self.unit_label)
        form.addRow(self.tr("落款日期："), date_row)
        form.addRow(self.tr("印章："), seal_row)
        # 附件 下级单位完成情况 (#14): the workspace setting the report build reads.
        from gongkai_desktop.delegation import list_offices
        from gongkai_desktop.delegation.reporting import ANNEX_SETTING

        self.offices_annex_check = QCheckBox(
            self.tr("附“下级单位完成情况”（各下级单位 × 分配的举措）"))
        self.offices_annex_check.setChecked(
            self.session.ws.get_setting(ANNEX_SETTING, False) is True)
        self.offices_annex_check.toggled.connect(
            lambda on: self.session.ws.set_setting(ANNEX_SETTING, bool(on)))
        form.addRow(self.tr("附件："), self.offices_annex_check)
        form.setRowVisible(self.offices_annex_check, bool(list_offices(self.session.ws)))

        self.status = QLabel()
        self.status.setObjectName("saveStatus")
        self.generate_button = QPushButton(self.tr("生成报告…"))
        self.generate_button.setDefault(True)
        self.generate_button.setToolTip(
            self.tr("生成带电子签名的自查报告 PDF，并在程序内预览和打印"))
        self.generate_button.clicked.connect(self.generate)
        self.generate_button.setVisible(self._generate is not None)
        close = QPushButton(self.tr("关闭"))
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.generate_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(format_hint)
        layout.addWidget(signing)
        layout.addLayout(bottom)

        self.title_edit.textEdited.connect(self._edited)
        self.addressee_edit.textEdited.connect(self._edited)
        for edit in (self.opening_edit, *self.section_edits):
            edit.textChanged.connect(self._edited)
        self.today_check.toggled.connect(self._today_toggled)
        self.date_edit.dateChanged.connect(self._edited)

    def _text_edit(self, name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName(name)
        edit.setTabChangesFocus(True)
        return edit

    def _muted(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        return label

    # ---- filling and reading ---------------------------------------------------------------

    def _fill(self, draft: ReportDraft) -> None:
        self._loading = True
        try:
            self.title_edit.setText(draft.title)
            self.title_edit.setCursorPosition(0)
            self.addressee_edit.setText(draft.addressee)
            self.opening_edit.setPlainText(draft.opening)
            for edit, section in zip(self.section_edits, draft.sections, strict=True):
                edit.setPlainText(section.body)
            self.today_check.setChecked(draft.signed_on is None)
            day = draft.signed_on or self.session.today()
            self.date_edit.setDate(QDate(day.year, day.month, day.day))
            self.date_edit.setEnabled(draft.signed_on is not None)
        finally:
            self._loading = False
        self._update_seal()
        self._show_status()

    def current_draft(self) -> ReportDraft:
        """What the window shows, as a draft (the app's last drafts kept for comparing)."""
        date = self.date_edit.date()
        signed_on = None if self.today_check.isChecked() else dt.date(
            date.year(), date.month(), date.day())
        return ReportDraft(
            title=self.title_edit.text(), addressee=self.addressee_edit.text(),
            opening=self.opening_edit.toPlainText(),
            sections=tuple(ReportSection(h, e.toPlainText())
                           for h, e in zip(SECTION_HEADINGS, self.section_edits, strict=True)),
            signed_on=signed_on, has_seal=self.draft.has_seal, generated=self.draft.generated,
        )

    # ---- saving ----------------------------------------------------------------------------

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self.timer.start()
        self._show_status()

    def _today_toggled(self, on: bool) -> None:
        self.date_edit.setEnabled(not on)
        self._edited()

    def flush(self) -> bool:
        """Save what is typed now; False when it could not be saved (the reason is shown)."""
        self.timer.stop()
        if not self._dirty:
            return True
        try:
            stored = self._store(self.current_draft())
        except GongkaiError as exc:
            self.save_error = str(exc)
            self._show_status()
            return False
        except Exception as exc:
            self.save_error = self.tr("保存失败")
            self._show_status()
            show_error(self, exc)
            return False
        self.draft = dataclasses.replace(stored, has_seal=self.draft.has_seal)
        self._dirty = False
        self.save_error = ""
        self._show_status()
        self.saved.emit()
        return True

    def _store(self, draft: ReportDraft) -> ReportDraft:
        if not self._detached:
            return save_draft(self.session.ws, draft)
        # The window has closed this workspace: save through a connection of our own.
        from gongkai_desktop.storage import Workspace

        with Workspace.open(self.path) as ws:
            return save_draft(ws, draft)

    def _show_status(self) -> None:
        if self.save_error:
            self.status.setText(self.tr("未能保存：{why}").format(why=self.save_error))
            self.status.setStyleSheet(f"color: {style.OVERDUE_COLOR.name()};")
            return
        self.status.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        self.status.setText(self.tr("正在编辑…") if self._dirty
                            else self.tr("所有修改已自动保存到工作区"))

    @property
    def dirty(self) -> bool:
        return self._dirty

    # ---- drafts ----------------------------------------------------------------------------

    def draft_work_section(self) -> bool:
        """生成草稿: section 一 drafted again; asks first when it holds the officer's own text."""
        try:
            new = regenerate_work_section(self.session.ws, self.session.directory)
        except Exception as exc:
            show_error(self, exc)
            return False
        edit = self.section_edits[0]
        current = edit.toPlainText()
        edited = (current.strip() and not _same(current, self.draft.generated[0])
                  and not _same(current, new))
        if edited and not prompts.ask_yes_no(self, self.tr("替换已修改的内容"), self.tr(
            "“{heading}”已经修改过。\n\n要用根据当前完成情况生成的草稿替换吗？"
            "替换后可按 Ctrl+Z 撤销。").format(heading=SECTION_HEADINGS[0]),
            self.tr("替换"), self.tr("保留现有内容"),
        ):
            return False
        self.tabs.setCurrentIndex(0)
        cursor = edit.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(new)  # one undo step, so Ctrl+Z brings the old text back
        edit.moveCursor(QTextCursor.MoveOperation.Start)
        self.draft = self.draft.with_drafted(0, new)
        self._dirty = True
        return self.flush()

    def _records_changed(self, *_args: object) -> None:
        if not self._detached:
            self.refresh_timer.start()

    def refresh_untouched(self) -> None:
        """Sections nobody edited follow the records (the same rule as ``load_draft``)."""
        if self._detached:
            return
        from gongkai_desktop.report.collect import report_rows
        from gongkai_desktop.report.first_draft import default_sections

        try:
            fresh = default_sections(report_rows(self.session.ws, self.session.directory))
        except Exception as exc:
            log.warning("report sections not refreshed: %s", exc)
            return
        draft = self.draft
        for i, edit in enumerate(self.section_edits):
            if _same(edit.toPlainText(), draft.generated[i]) and not _same(
                    edit.toPlainText(), fresh[i].body):
                edit.setPlainText(fresh[i].body)
                draft = draft.with_drafted(i, fresh[i].body)
                self._dirty = True
        self.draft = draft
        if self._dirty:
            self.flush()

    # ---- seal ------------------------------------------------------------------------------

    def _update_seal(self) -> None:
        from gongkai_desktop.report.seal import get_seal

        data = get_seal(self.session.ws) if not self._detached else None
        pixmap = QPixmap()
        if data is not None and pixmap.loadFromData(data, "PNG"):
            self.seal_preview.setPixmap(pixmap.scaled(
                SEAL_PREVIEW, SEAL_PREVIEW, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
            self.seal_preview.setToolTip(self.tr("{w} × {h} 像素").format(
                w=pixmap.width(), h=pixmap.height()))
        else:
            self.seal_preview.clear()
            self.seal_preview.setText(self.tr("未设置\n印章"))
            self.seal_preview.setToolTip("")
        has = data is not None
        self.draft = dataclasses.replace(self.draft, has_seal=has)
        self.remove_seal_button.setEnabled(has)

    def choose_seal(self) -> bool:
        from gongkai_desktop.report.seal import set_seal_file

        name = prompts.open_file_name(self, self.tr("选择印章图片"),
                                      prompts.suggested(prompts.SEAL),
                                      self.tr(PNG_FILTER))
        if not name:
            return False
        prompts.remember(prompts.SEAL, name)
        try:
            info = set_seal_file(self.session.ws, Path(name))
        except Exception as exc:
            show_error(self, exc, self.tr("没有更换印章"))
            return False
        self._update_seal()
        if not info.transparent:
            show_info(self, self.tr("印章图片没有透明背景"), self.tr(
                "这张印章图片没有透明背景，盖章处会遮住落款文字。"
                "建议使用透明背景的 PNG 图片（可请制图人员导出）。"))
        return True

    def remove_seal(self) -> bool:
        from gongkai_desktop.report.seal import clear_seal

        if not prompts.ask_yes_no(self, self.tr("移除印章"), self.tr(
                "移除印章图片后，生成的报告落款处不再盖章。确定移除吗？"),
                self.tr("移除"), self.tr("取消")):
            return False
        try:
            clear_seal(self.session.ws)
        except Exception as exc:
            show_error(self, exc)
            return False
        self._update_seal()
        return True

    # ---- generating and closing ------------------------------------------------------------

    def generate(self) -> Any:
        if not self.flush():
            show_error(self, GongkaiError(self.tr("报告内容未能保存：{why}").format(
                why=self.save_error)), self.tr("没有生成报告"))
            return None
        return self._generate(self) if self._generate is not None else None

    def detach(self) -> None:
        """The window closed this workspace: save what is typed through our own connection."""
        self._detached = True
        self.refresh_timer.stop()
        self.flush()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.flush() and not self._detached and not prompts.ask_yes_no(
            self, self.tr("有内容未保存"), self.tr(
                "报告中有内容没能保存：{why}\n\n选择“返回修改”改正后再关闭；"
                "选择“仍然关闭”将放弃未保存的修改。").format(why=self.save_error),
                self.tr("仍然关闭"), self.tr("返回修改")):
            event.ignore()
            return
        self.refresh_timer.stop()
        event.accept()
