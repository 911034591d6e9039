"""The 佐证材料 tab: the evidence of one measure, and every way to add, open and remove it.

Files come in through the buttons, by dropping them from the file manager, or
by pasting (a screenshot, or files copied in Explorer). They are stored by a
worker thread with its own ``Workspace`` and a cancellable progress dialog;
cancelling leaves nothing behind. Every add and remove is an undo step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QListView,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.storage.evidence_files import AddedFiles
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.errors import show_error, show_info
from gongkai_desktop.ui.common.operations import (
    Operation,
    Progress,
    run_operation,
    run_workspace_operation,
)
from gongkai_desktop.ui.evidence import preview
from gongkai_desktop.ui.evidence.evidence_list import EvidenceList
from gongkai_desktop.ui.evidence.evidence_model import (
    PREVIEWABLE,
    EvidenceListModel,
    display_name,
    kind_of,
)
from gongkai_desktop.ui.evidence.link_dialog import LinkDialog
from gongkai_desktop.ui.workspace.commands import (
    AddEvidenceCommand,
    RemoveEvidenceCommand,
    actor_of,
    perform,
)
from gongkai_desktop.ui.workspace.session import Session

FILE_FILTERS = ";;".join((
    "所有文件 (*)",
    "图片 (*.png *.jpg *.jpeg *.gif *.bmp *.webp *.tif *.tiff)",
    "PDF 文档 (*.pdf)",
    "Office / WPS 文档 (*.doc *.docx *.wps *.xls *.xlsx *.et *.ppt *.pptx *.dps *.ofd)",
))


# ---- asking the user (through common.prompts) -----------------------------------------


def ask_open_files(parent: QWidget | None) -> list[Path]:
    return prompts.open_paths(parent, prompts.EVIDENCE, "选择佐证材料文件", FILE_FILTERS)


def ask_directory(parent: QWidget | None) -> Path | None:
    return prompts.choose_folder(parent, prompts.EVIDENCE_EXPORT, "选择导出到哪个文件夹")


def screenshot_name(moment: dt.datetime | None = None) -> str:
    """截图-2026-11-28-143012.png"""
    return (moment or dt.datetime.now()).strftime("截图-%Y-%m-%d-%H%M%S.png")


def local_files(mime: QMimeData | None) -> list[Path]:
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def accept_files_drag(event: QDragEnterEvent | QDragMoveEvent, wanted: bool) -> bool:
    """Accept a drag of local files where ``wanted`` (a measure is shown); ignore it else."""
    if wanted and local_files(event.mimeData()):
        event.acceptProposedAction()
        return True
    event.ignore()
    return False


def take_dropped_files(event: QDropEvent, wanted: bool) -> list[Path]:
    """The dropped local files, the drop accepted as a copy; none (and ignored) where not
    ``wanted`` or nothing local was dropped."""
    files = local_files(event.mimeData())
    if not wanted or not files:
        event.ignore()
        return []
    event.setDropAction(Qt.DropAction.CopyAction)
    event.accept()
    return files


def png_bytes(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # stubs say bytes
            raise InvalidInput("无法把剪贴板中的图片保存为 PNG")
    finally:
        buffer.close()
    return bytes(array.data())


# ---- the tab ------------------------------------------------------------------------------------


class EvidenceView(QWidget):
    """Evidence of one measure; ``set_measure`` chooses which."""

    message = Signal(str)  # short feedback for the panel's status line
    countChanged = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.measure_id: str | None = None
        self.last_operation: Operation[Any] | None = None
        self.exported: list[Path] = []  # the files the last export wrote
        self.link_dialog: LinkDialog | None = None
        self.model = EvidenceListModel(session, self)
        self.setAcceptDrops(True)

        self.list = EvidenceList()
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.doubleClicked.connect(self._activated)
        self.list.keyAction.connect(self._key_action)
        self.list.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._after_reset)

        self.actions_by_name: dict[str, QAction] = {}
        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.buttons: dict[str, QToolButton] = {}
        for name, text, tip, slot, shortcut in (
            ("add_files", self.tr("添加文件…"), self.tr("选择电脑上的文件添加为佐证材料"),
             self.add_files_interactive, None),
            ("add_link", self.tr("添加链接…"), self.tr("添加一个网页地址作为佐证"),
             self.add_link_interactive, None),
            ("paste", self.tr("粘贴截图"),
             self.tr("把剪贴板中的截图或复制的文件添加进来（Ctrl+V）"),
             self.paste, QKeySequence.StandardKey.Paste),
            (None, "", "", None, None),
            ("open", self.tr("打开"), self.tr("用电脑上的程序打开（链接用浏览器打开）"),
             self.open_selected, None),
            ("preview", self.tr("预览"), self.tr("在程序内查看图片或 PDF"),
             self.preview_selected, None),
            ("export", self.tr("导出…"), self.tr("把选中的文件复制到一个文件夹"),
             self.export_interactive, None),
            ("delete", self.tr("删除"), self.tr("删除选中的佐证材料（可撤销）"),
             self.remove_selected, QKeySequence.StandardKey.Delete),
        ):
            if name is None:
                bar.addSpacing(12)
                continue
            action = QAction(text, self)
            action.setIconText(text)  # keep the "…" (Qt strips it from button text)
            action.setToolTip(tip)
            action.triggered.connect(slot)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.addAction(action)
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAutoRaise(False)
            bar.addWidget(button)
            self.actions_by_name[name] = action
            self.buttons[name] = button
        bar.addStretch(1)
        self.icon_mode = QToolButton()
        self.icon_mode.setText(self.tr("图标"))
        self.icon_mode.setCheckable(True)
        self.list_mode = QToolButton()
        self.list_mode.setText(self.tr("列表"))
        self.list_mode.setCheckable(True)
        modes = QButtonGroup(self)
        modes.setExclusive(True)
        modes.addButton(self.icon_mode)
        modes.addButton(self.list_mode)
        self.icon_mode.toggled.connect(self._mode_toggled)
        bar.addWidget(self.icon_mode)
        bar.addWidget(self.list_mode)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        self.icon_mode.setChecked(True)
        self._update_buttons()

    # -- showing ---------------------------------------------------------------------------------

    def set_measure(self, measure_id: str | None) -> None:
        self.measure_id = measure_id
        self.model.set_measure(measure_id)

    def set_icon_mode(self, icons: bool) -> None:
        view = self.list
        if icons:
            view.setViewMode(QListView.ViewMode.IconMode)
            view.setIconSize(QSize(96, 96))
            view.setGridSize(QSize(136, 150))
            view.setSpacing(6)
            view.setWordWrap(True)
            view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        else:
            view.setViewMode(QListView.ViewMode.ListMode)
            view.setIconSize(QSize(32, 32))
            view.setGridSize(QSize())
            view.setSpacing(2)
            view.setWordWrap(False)
            view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setMovement(QListView.Movement.Static)
        view.setUniformItemSizes(True)
        self.model.set_detailed(not icons)
        if icons != self.icon_mode.isChecked():
            (self.icon_mode if icons else self.list_mode).setChecked(True)

    def _mode_toggled(self, icons: bool) -> None:
        self.set_icon_mode(icons)

    def _after_reset(self) -> None:
        self._update_buttons()
        self.countChanged.emit(self.model.rowCount())

    def selected_items(self) -> list[EvidenceItem]:
        rows = sorted(index.row() for index in self.list.selectionModel().selectedIndexes())
        items = [self.model.item(self.model.index(row)) for row in rows]
        return [item for item in items if item is not None]

    def select_item(self, evidence_id: int) -> None:
        row = self.model.row_of(evidence_id)
        if row >= 0:
            self.list.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _update_buttons(self, *_args: object) -> None:
        has_measure = self.measure_id is not None
        selected = self.selected_items()
        for name in ("add_files", "add_link", "paste"):
            self.actions_by_name[name].setEnabled(has_measure)
        for name in ("open", "delete"):
            self.actions_by_name[name].setEnabled(bool(selected))
        self.actions_by_name["export"].setEnabled(any(i.is_file for i in selected))
        self.actions_by_name["preview"].setEnabled(
            len(selected) == 1 and kind_of(selected[0]) in PREVIEWABLE)

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        for name in ("preview", "open", "export", None, "delete", None, "add_files",
                     "add_link", "paste"):
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(self.actions_by_name[name])
        menu.popup(self.list.viewport().mapToGlobal(pos))

    def _key_action(self, what: str) -> None:
        {"paste": self.paste, "delete": self.remove_selected, "open": self.open_selected}[what]()

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if item is None:
            return
        if kind_of(item) in PREVIEWABLE:
            self.preview(item)
        else:
            self.open_item(item)

    # -- adding ------------------------------------------------------------------------------------

    def add_files_interactive(self) -> None:
        files = ask_open_files(self)
        if files:
            self.add_files(files)

    def add_files(self, files: Sequence[Path],
                  on_done: Callable[[list[EvidenceItem]], None] | None = None) -> None:
        """Store ``files`` for the current measure in a worker thread (cancellable)."""
        measure_id = self.measure_id
        if measure_id is None:
            return
        problems: list[str] = []
        usable: list[Path] = []
        for file in files:
            if file.is_dir():
                problems.append(self.tr("“{0}”是文件夹，请打开文件夹选择其中的文件")
                                .format(file.name))
            elif not file.exists():
                problems.append(self.tr("找不到文件：{0}").format(file))
            else:
                usable.append(file)
        if not usable:
            if problems:
                show_error(self, InvalidInput("\n".join(problems)))
            return
        path, actor = self.session.path, actor_of(self.session)
        label = (self.tr("正在添加“{0}”…").format(usable[0].name) if len(usable) == 1
                 else self.tr("正在添加 {0} 个文件…").format(len(usable)))

        def work(ws: Workspace, progress: Progress) -> AddedFiles:
            # duplicates skipped with a line each, a cancel undoes them all
            return ws.add_evidence_files(measure_id, usable, actor=actor, progress=progress)

        def done(result: AddedFiles) -> None:
            items, refused = list(result.added), list(result.skipped)
            if items:  # the command's first step announces result.changes
                perform(self.session, AddEvidenceCommand(self.session, measure_id, items=items))
                if self.measure_id == measure_id:
                    self.select_item(items[-1].id)
                self.message.emit(self.tr("已添加 {0} 个佐证材料").format(len(items)))
            all_problems = problems + refused
            if all_problems:
                show_error(self, InvalidInput("\n".join(all_problems)),
                           title=self.tr("部分文件未添加"))
            if on_done is not None:
                on_done(items)

        self.last_operation = run_workspace_operation(self, label, path, work, write=True,
                                                      on_success=done)

    def add_bytes(self, data: bytes, name: str, media_type: str | None = None) -> None:
        measure_id = self.measure_id
        if measure_id is None:
            return
        actor = actor_of(self.session)

        def add(ws: Workspace) -> EvidenceItem:
            return ws.add_evidence_bytes(measure_id, data, name, media_type=media_type,
                                         actor=actor)

        self._add_one(AddEvidenceCommand(self.session, measure_id, add=add,
                                         text=self.tr("粘贴截图“{0}”").format(name)),
                      self.tr("已添加截图“{0}”").format(name))

    def _add_one(self, command: AddEvidenceCommand, done: str) -> None:
        """Run ``command`` (undoable), select what it added and say ``done``; a refusal is
        shown and nothing is said."""
        try:
            perform(self.session, command)
        except Exception as exc:
            show_error(self, exc)
            return
        if command.items:
            self.select_item(command.items[-1].id)
        self.message.emit(done)

    def paste(self) -> None:
        """A clipboard picture becomes a PNG; files copied in Explorer are added as files."""
        if self.measure_id is None:
            return
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        files = local_files(mime)
        if files:
            self.add_files(files)
            return
        image = clipboard.image()
        if image.isNull():
            show_info(self, self.tr("剪贴板中没有图片"),
                      self.tr("剪贴板中没有截图或文件。请先截图（例如按 Win+Shift+S），"
                              "或在文件管理器中复制文件，再回到这里粘贴。"))
            return
        self.add_bytes(png_bytes(image), screenshot_name(), "image/png")

    def add_link_interactive(self) -> LinkDialog | None:
        """Open the link dialog (window-modal, not blocking); adds the link when accepted."""
        if self.measure_id is None:
            return None
        dialog = LinkDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.add_link(*dialog.values()))
        self.link_dialog = dialog
        dialog.open()
        return dialog

    def add_link(self, url: str, title: str = "", note: str = "") -> None:
        measure_id = self.measure_id
        if measure_id is None:
            return
        actor = actor_of(self.session)

        def add(ws: Workspace) -> EvidenceItem:
            return ws.add_evidence_link(measure_id, url, title=title, note=note, actor=actor)

        self._add_one(AddEvidenceCommand(self.session, measure_id, add=add,
                                         text=self.tr("添加链接“{0}”").format(title or url)),
                      self.tr("已添加链接“{0}”").format(title or url))

    # -- drag and drop -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if accept_files_drag(event, self.measure_id is not None):
            self._set_drop_highlight(True)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        accept_files_drag(event, self.measure_id is not None)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drop_highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_drop_highlight(False)
        files = take_dropped_files(event, self.measure_id is not None)
        if files:
            self.add_files(files)

    def _set_drop_highlight(self, on: bool) -> None:
        self.list.drop_highlight = on
        self.list.viewport().update()

    # -- opening, previewing, exporting, removing ------------------------------------------------

    def open_selected(self) -> None:
        for item in self.selected_items()[:10]:  # a slip of Ctrl+A must not open 200 windows
            self.open_item(item)

    def open_item(self, item: EvidenceItem) -> Operation[Path] | None:
        """``item`` in the system's program: a link at once, a file once the runner has
        copied it out of the workspace (a big file takes a while)."""
        if not item.is_file:
            self._open_in_system(QUrl(item.url), item)
            return None
        source, entry = preview.unit_source(self.session), preview.unit_entry(item)
        self.last_operation = run_operation(
            self, self.tr("正在读取佐证材料…"), lambda _progress: source.fetch(entry),
            on_success=lambda path: self._open_in_system(QUrl.fromLocalFile(str(path)), item),
            cancellable=False)
        return self.last_operation

    def _open_in_system(self, url: QUrl, item: EvidenceItem) -> None:
        try:
            if not preview.open_url(url):
                raise InvalidInput(self.tr("系统中没有能打开“{0}”的程序")
                                   .format(display_name(item)))
        except Exception as exc:
            show_error(self, exc)

    def preview_selected(self) -> None:
        items = self.selected_items()
        if items:
            self.preview(items[0])

    def preview(self, item: EvidenceItem) -> preview.EvidenceViewer | None:
        """The viewer on ``item``, stepping through this measure's files and links."""
        try:
            return preview.show_viewer(preview.unit_viewer(
                self.session, item, self.model.items(), self.window()))
        except Exception as exc:
            show_error(self, exc)
            return None

    def export_interactive(self) -> None:
        if not any(item.is_file for item in self.selected_items()):
            return
        folder = ask_directory(self)
        if folder is not None:
            self.export_selected(folder)

    def export_selected(self, folder: Path) -> Operation[list[Path]] | None:
        """Copy the selected files into ``folder`` in the runner (Cancel stops after the
        file being copied; the ones already copied stay, each complete)."""
        items = [item for item in self.selected_items() if item.is_file]
        if not items:
            return None

        def work(ws: Workspace, progress: Progress) -> list[Path]:
            written: list[Path] = []
            for n, item in enumerate(items):
                if not progress(n, len(items)):
                    break
                written.append(ws.export_evidence(item.id, folder))
            return written

        def done(written: list[Path]) -> None:
            self.exported = written
            if written:
                self.message.emit(self.tr("已导出 {0} 个文件到 {1}").format(len(written), folder))

        self.last_operation = run_workspace_operation(
            self, self.tr("正在导出佐证材料…"), self.session.path, work, on_success=done)
        return self.last_operation

    def remove_selected(self) -> None:
        items = self.selected_items()
        if not items:
            return
        try:
            perform(self.session, RemoveEvidenceCommand(self.session, items))
        except Exception as exc:
            show_error(self, exc)
            return
        self.message.emit(self.tr("已删除 {0} 个佐证材料（按 Ctrl+Z 可撤销）").format(len(items)))

    def shutdown(self) -> None:
        self.model.shutdown()
