"""帮助 → 使用说明 (the offline guide for each role) and 帮助 → 关于.

The guide is the Markdown in ``resources/guide`` shown in a QTextBrowser (Qt
renders the Markdown and its screenshots); a contents list jumps to a chapter.
Each role's two-page quick start is written as a PDF by the core
(``report.quickstart``) in the operation runner, then opened or printed from the
system's PDF viewer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QImage, QStandardItem, QStandardItemModel, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop import APP_TITLE, __version__, guide, paths
from gongkai_desktop.ui.common.errors import show_info
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Operation, Progress, run_operation
from gongkai_desktop.ui.workspace import workspace_actions

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace

ChapterRole = Qt.ItemDataRole.UserRole + 1


class HelpWindow(QDialog):
    """The guide of one role at a time: contents on the left, the text on the right."""

    def __init__(self, parent: QWidget | None = None, role: guide.Role = guide.Role.UNIT
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("使用说明"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setSizeGripEnabled(True)
        self.role_combo = QComboBox()
        for each in guide.Role:
            self.role_combo.addItem(self.tr(each.label), each.value)
        self.role_combo.currentIndexChanged.connect(lambda _i: self.show_role(self.role))
        self.contents = QStandardItemModel(self)
        self.contents_view = QListView()
        self.contents_view.setModel(self.contents)
        self.contents_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.contents_view.setWordWrap(True)  # long chapter titles wrap, never cut
        self.contents_view.clicked.connect(self._jump)
        self.contents_view.activated.connect(self._jump)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # the guide has no links to follow; never a browser
        self.browser.setSearchPaths([str(guide.folder())])
        splitter = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("目录")))
        left_layout.addWidget(self.contents_view)
        splitter.addWidget(left)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 700])

        buttons = QDialogButtonBox()
        self.quickstart_button = buttons.addButton(
            self.tr("快速入门（PDF，可打印）…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.quickstart_button.clicked.connect(self.open_quickstart)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("适用于：")))
        top.addWidget(self.role_combo)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        manage_window(self, "help", (980, 720))
        self.role_combo.setCurrentIndex(list(guide.Role).index(role))
        self.show_role(role)

    @property
    def role(self) -> guide.Role:
        return guide.Role(self.role_combo.currentData())

    def show_role(self, role: guide.Role) -> None:
        markdown = guide.read(guide.guide_file(role))
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(guide.folder()) + "/"))
        self.browser.setMarkdown(markdown)
        self._fit_images()
        self.contents.clear()
        for title in guide.chapters(role):
            item = QStandardItem(title)
            item.setData(title, ChapterRole)
            self.contents.appendRow(item)

    def _fit_images(self) -> None:
        """Screenshots at most as wide as the text (Markdown has no image width)."""
        document = self.browser.document()
        width = max(200, self.browser.viewport().width() - 30)
        block = document.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                fragments += 1
                char_format = fragment.charFormat()
                if not char_format.isImageFormat():
                    continue
                image_format = char_format.toImageFormat()
                url = document.baseUrl().resolved(QUrl(image_format.name()))
                image = QImage(url.toLocalFile())
                if image.isNull():
                    continue
                scale = min(1.0, width / image.width())
                image_format.setWidth(image.width() * scale)
                image_format.setHeight(image.height() * scale)
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(),
                                   QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(image_format)
            block = block.next()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_images()

    def _jump(self, index: QModelIndex) -> None:
        title = index.data(ChapterRole)
        if not title:
            return
        found = self.browser.document().find(title, 0, QTextDocument.FindFlag.FindCaseSensitively)
        if not found.isNull():
            self.browser.setTextCursor(found)
            self.browser.ensureCursorVisible()
            bar = self.browser.verticalScrollBar()
            bar.setValue(self.browser.cursorRect().top() + bar.value() - 8)

    def open_quickstart(self) -> Operation[Path]:
        """Write this role's quick start PDF (worker thread), then open it to print."""
        from gongkai_desktop.report.quickstart import write_quickstart
        from gongkai_desktop.ui.evidence.preview import temp_folder

        role = self.role
        out = temp_folder() / f"快速入门（{role.label}）.pdf"

        def work(_progress: Progress) -> Path:
            return write_quickstart(role, out).path

        def done(path: Path) -> None:
            workspace_actions.open_url(QUrl.fromLocalFile(str(path)))

        return run_operation(self, self.tr("正在生成快速入门…"), work, on_success=done,
                             cancellable=False)


def about_text(plan_title: str | None, log_file: str | None) -> str:
    """What 关于 says: version, plan, where the data and the log are."""
    lines = [f"{APP_TITLE} {__version__}", "",
             "对照《贯彻落实国务院办公厅2020年政务公开工作要点任务分工》（渝府办发〔2020〕89号）"
             "开展政务公开自查：逐项填写完成情况、附佐证材料、生成自查报告。", ""]
    if plan_title:
        lines.append(f"任务分工：{plan_title}")
    lines.append(f"数据文件夹：{paths.user_data_dir()}")
    if log_file is not None:
        lines.append(f"日志文件：{log_file}")
    lines += ["", "程序全程离线运行，不连接任何网络；所有数据只保存在本机的工作区文件中。"]
    return "\n".join(lines)


def show_about(parent: QWidget, plan_title: str | None, log_file: str | None) -> None:
    show_info(parent, parent.tr("关于"), about_text(plan_title, log_file))


def raise_guide(parent: QWidget, ws: Workspace | None, current: HelpWindow | None) -> HelpWindow:
    """帮助 → 使用说明: one guide window, raised when asked for again; the office's
    guide first in a workspace (``ws``) that has received bundles."""
    import shiboken6

    from gongkai_desktop.bundle.supervisor import SupervisorView

    if current is None or not shiboken6.isValid(current):
        office = ws is not None and bool(SupervisorView(ws).units())
        current = HelpWindow(parent, guide.Role.OFFICE if office else guide.Role.UNIT)
        current.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    current.show()
    current.raise_()
    return current


def show_log_folder() -> None:
    workspace_actions.open_url(QUrl.fromLocalFile(str(paths.user_data_dir() / "logs")))
