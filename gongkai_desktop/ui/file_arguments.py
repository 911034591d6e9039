"""Files the program was started with (or given later): bundles go to the import dialog,
receipts are recorded, the office's review files go to the review feature.

Files given while the workspace is still opening wait for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from gongkai_desktop import file_kinds
from gongkai_desktop.ui.common.errors import show_error

if TYPE_CHECKING:
    from gongkai_desktop.ui.main_window import MainWindow
    from gongkai_desktop.ui.workspace.session import Session




def _tr(text: str) -> str:
    return QCoreApplication.translate("BundleActions", text)


def handle_file_arguments(window: MainWindow, paths: list[Path]) -> None:
    """Open ``paths`` now, or once a workspace is open. A parent's task file (.gktask)
    makes a new office workspace (or updates the open one) and needs no workspace first."""
    from gongkai_desktop.ui.bundles import bundle_actions

    tasks = [Path(p) for p in paths if Path(p).suffix.lower() == file_kinds.TASK]
    if tasks:
        from gongkai_desktop.ui.delegation import delegation_actions

        for task in tasks:
            delegation_actions.install(window).open_task_file(task)
        paths = [Path(p) for p in paths if Path(p) not in tasks]
        if not paths:
            return

    bundle_actions.install(window)  # its status label shows from the start
    if window.session is not None:
        open_files(window, paths)
        return
    pending: list[Path] | None = getattr(window, "pending_files", None)
    if pending is None:
        pending = []
        window.pending_files = pending  # type: ignore[attr-defined]

        def opened(session: Session | None) -> None:
            if session is None or not window.pending_files:  # type: ignore[attr-defined]
                return
            files, window.pending_files = window.pending_files, []  # type: ignore[attr-defined]
            open_files(window, files)

        window.sessionChanged.connect(opened)
    pending.extend(Path(p) for p in paths)


def open_files(window: MainWindow, paths: Sequence[Path]) -> None:
    from gongkai_desktop.errors import InvalidInput
    from gongkai_desktop.ui.bundles import bundle_actions

    bundles = [Path(p) for p in paths if Path(p).suffix.lower() == file_kinds.BUNDLE
               or Path(p).is_dir()]
    receipts = [Path(p) for p in paths if Path(p).suffix.lower() == file_kinds.RECEIPT]
    reviews = [Path(p) for p in paths if Path(p).suffix.lower() == file_kinds.REVIEW]
    others = [Path(p) for p in paths
              if Path(p) not in bundles and Path(p) not in receipts and Path(p) not in reviews]
    if others:
        show_error(window, InvalidInput(_tr(
            "不能打开这些文件（只能打开数据包 .gkbundle、回执 .gkreceipt、"
            "整改意见 .gkreview 和任务文件 .gktask）：{names}").format(
                names="、".join(p.name for p in others))))
    if reviews:
        from gongkai_desktop.ui.review import review_actions

        for review in reviews:
            review_actions.install(window).import_review_file(review)
    actions = bundle_actions.install(window)
    if bundles:
        actions.open_import_dialog(bundles)
    for receipt in receipts:
        actions.import_receipt_file(receipt)
