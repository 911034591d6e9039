"""Importing bundles (any workspace; the supervising office's main action).

``BundleImportDialog``: files are added (chosen, a folder, or dropped), verified and
previewed in a worker thread (parts of one bundle are grouped), one row per file in
``ImportTableModel``. The details of the selected row show the unit, export date,
sequence, the measures changed since that unit's last import and the signer's
certificate. A key not trusted yet (a unit's first bundle, or a changed key) is never
trusted silently: 导入 first shows 核对签名证书 (``key_acceptance_dialog``), one entry per
unit with its fingerprint(s), each accepted or refused; only the accepted (unit, key)
pairs go to the core (``import_batch.apply_previews``), which applies each bundle in its own
transaction (worker thread); each row then says 已导入 / 已有（未更改） / 已拒绝：why
(``batch.state_text``).

The rows and their table model are in ``import_table``; writing a receipt for an
imported bundle is ``receipt_dialog``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.ui.bundles.import_table import ImportRow, ImportTableModel
from gongkai_desktop.ui.common import prompts
from gongkai_desktop.ui.common.geometry import manage_window
from gongkai_desktop.ui.common.operations import Operation, Progress, run_workspace_operation

if TYPE_CHECKING:
    from gongkai_desktop.bundle.importer import ImportPreview, ImportResult
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.ui.bundles.owner import BundleFolders
    from gongkai_desktop.ui.workspace.session import Session

Index = QModelIndex | QPersistentModelIndex
MIB = 1024 * 1024


def _when(moment: Any) -> str:
    local = moment.astimezone()
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


# ---- the worker side (no widgets) -------------------------------------------------------------


def preview_rows(ws: Workspace, paths: list[Path], progress: Progress | None = None
                 ) -> list[ImportRow]:
    """Group the files into bundles and preview each (``batch.preview_bundles``), listed
    in the batch's order (``batch.batch_order``: by unit, oldest first, as the CLI)."""
    from gongkai_desktop.bundle.batch import batch_order, preview_bundles

    rows = [ImportRow(f.path, group=f.group, preview=f.preview, error=f.error)
            for f in preview_bundles(ws, paths, progress)]
    return [rows[i] for i in batch_order([r.sort_key for r in rows])]


def apply_rows(ws: Workspace, previews: list[ImportPreview], accepted: set[tuple[str, str]],
               actor: str, progress: Progress | None = None) -> dict[str, ImportResult]:
    """Import each previewed bundle; ``accepted``: the (unit id, fingerprint) pairs the
    supervisor confirmed. The rules are the core's (``import_batch.apply_previews``)."""
    from gongkai_desktop.bundle.import_batch import apply_previews

    return apply_previews(ws, previews, accepted=accepted, actor=actor, progress=progress)


def _replace(result: ImportResult, **changes: Any) -> ImportResult:
    import dataclasses

    return dataclasses.replace(result, **changes)


# ---- the dialog -------------------------------------------------------------------------------


class BundleImportDialog(QDialog):
    imported = Signal(list)  # the ImportResult of every bundle applied

    def __init__(self, session: Session, actions: BundleFolders,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.owner = actions
        self.operation: Operation[Any] | None = None
        self.setWindowTitle(self.tr("导入数据包"))
        self.setObjectName("bundleImportDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAcceptDrops(True)

        intro = QLabel(self.tr(
            "选择各单位报送的数据包（.gkbundle），或把文件、文件夹拖到这里。每个数据包都先核验签名和内容，"
            "预览更改后再导入；拆分的数据包请把各部分一起选择。"))
        intro.setWordWrap(True)
        self.add_button = QPushButton(self.tr("添加文件…"))
        self.add_button.clicked.connect(self.choose_files)
        self.folder_button = QPushButton(self.tr("添加文件夹…"))
        self.folder_button.clicked.connect(self.choose_folder)
        self.trust_button = QPushButton(self.tr("信任证书文件（.cer）…"))
        self.trust_button.clicked.connect(self.trust_certificate)
        self.clear_button = QPushButton(self.tr("清空列表"))
        self.clear_button.clicked.connect(self.clear)
        top = QHBoxLayout()
        for button in (self.add_button, self.folder_button, self.trust_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.clear_button)

        self.model = ImportTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("importTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ImportTableModel.STATUS, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

        self.details = QPlainTextEdit()
        self.details.setObjectName("importDetails")
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(self.tr("选择一行，查看该数据包的详细情况。"))
        self.accept_key_button = QPushButton(self.tr("核对证书…"))
        self.accept_key_button.setObjectName("acceptKeyButton")
        self.accept_key_button.clicked.connect(self.accept_new_key)
        self.accept_key_button.setVisible(False)
        detail_box = QWidget()
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.details, 1)
        key_row = QHBoxLayout()
        key_row.addWidget(self.accept_key_button)
        key_row.addStretch(1)
        detail_layout.addLayout(key_row)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(self.tr("导入"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("关闭"))
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        manage_window(self, "bundle_import", (980, 620))
        self._update()

    # ---- adding files ---------------------------------------------------------------------

    def choose_files(self) -> None:
        names = prompts.open_file_names(self, self.tr("选择数据包"),
                                        str(self.owner.start_folder()),
                                        self.tr(prompts.BUNDLE_FILTER))
        if names:
            self.owner.folder = Path(names[0]).parent
            self.add_files([Path(n) for n in names])

    def choose_folder(self) -> None:
        name = prompts.open_folder(self, self.tr("选择存放数据包的文件夹"),
                                   str(self.owner.start_folder()))
        if name:
            self.owner.folder = Path(name)
            self.add_files([Path(name)])

    def add_files(self, paths: list[Path]) -> Operation[Any] | None:
        """Add files (folders: the bundles directly inside), then verify and preview them."""
        from gongkai_desktop.bundle.import_batch import bundle_files_in
        from gongkai_desktop.errors import GongkaiError, NotFound
        from gongkai_desktop.ui.common.errors import show_error

        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                try:
                    found = bundle_files_in(path)
                except GongkaiError as exc:
                    show_error(self, exc)
                    continue
                if not found:
                    show_error(self, NotFound(self.tr(
                        "文件夹“{name}”中没有数据包文件（.gkbundle）").format(name=path.name)))
                files += found
            else:
                files.append(path)
        # A new batch after an import starts afresh; the same file is listed once.
        rows = self.model.rows
        pending = [] if any(r.result is not None for r in rows) else [r.path for r in rows]
        known = {_key(p) for p in pending}
        for f in files:
            if _key(f) not in known:
                known.add(_key(f))
                pending.append(f)
        if not files:
            return None
        return self.preview(pending)

    def preview(self, paths: list[Path]) -> Operation[Any] | None:
        # Choices made about a key stay for this batch (files added); a new batch asks again.
        pending = [r for r in self.model.rows if r.result is None]
        accepted = {r.key for r in pending if r.accepted_key}
        refused = {r.key for r in pending if r.refused_key}
        self.model.set_rows([ImportRow(p) for p in paths])
        self._update()
        if not paths:
            return None
        path = self.session.path

        def work(ws: Workspace, progress: Progress) -> list[ImportRow]:
            return preview_rows(ws, paths, progress)

        def done(rows: list[ImportRow]) -> None:
            for row in rows:
                row.accepted_key = row.key is not None and row.key in accepted
                row.refused_key = row.key is not None and row.key in refused
            self.model.set_rows(rows)
            if rows:
                self.view.selectRow(0)
            self._update()

        self.operation = run_workspace_operation(self, self.tr("正在核验数据包…"), path, work,
                                                 on_success=done)
        return self.operation

    def clear(self) -> None:
        self.model.set_rows([])
        self._update()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_files(paths)

    # ---- trust --------------------------------------------------------------------------------

    def trust_certificate(self) -> None:
        if self.owner.trust_certificate_file(self):
            pending = [r.path for r in self.model.rows if r.result is None]
            if pending:
                self.preview(pending)  # their trust state may have changed

    def accept_new_key(self) -> bool:
        """核对证书… for the selected row: accept or refuse its key (all its unit's rows)."""
        row = self.current_row()
        if row is None or row.preview is None or not row.preview.needs_key_acceptance \
                or row.result is not None:
            return False
        return self.ask_keys([row]) and row.accepted_key

    def ask_keys(self, rows: list[ImportRow]) -> bool:
        """Ask about the keys of ``rows``; False when cancelled. Only records the choices."""
        from gongkai_desktop.ui.bundles import key_acceptance_dialog

        questions = key_acceptance_dialog.questions_for(
            [(r.preview, r.path.name) for r in rows if r.preview is not None])
        answer = key_acceptance_dialog.ask_keys(self, questions)
        if answer is None:
            return False
        accepted, refused = answer
        for other in self.model.rows:
            if other.key is not None and other.result is None:
                if other.key in accepted:
                    other.accepted_key, other.refused_key = True, False
                elif other.key in refused:
                    other.accepted_key, other.refused_key = False, True
        self.model.refresh()
        self._show_details()
        self._update()
        return True

    # ---- importing ----------------------------------------------------------------------------

    def start_import(self) -> Operation[Any] | None:
        from gongkai_desktop.ui.workspace.commands import actor_of

        undecided = [r for r in self.model.rows if r.importable and r.needs_key]
        if undecided and not self.ask_keys(undecided):
            return None  # cancelled: nothing imported
        groups: dict[str, ImportPreview] = {}
        for row in self.model.rows:
            if row.importable and row.preview is not None:
                groups[row.preview.bundle_hash] = row.preview
        if not groups:
            return None
        path, actor = self.session.path, actor_of(self.session)
        previews = list(groups.values())
        accepted = {r.key for r in self.model.rows if r.accepted_key and r.key is not None}

        def work(ws: Workspace, progress: Progress) -> dict[str, ImportResult]:
            return apply_rows(ws, previews, accepted, actor, progress)

        def done(results: dict[str, ImportResult]) -> None:
            for row in self.model.rows:
                if row.importable and row.preview is not None:
                    got = results.get(row.preview.bundle_hash)
                    if got is not None:
                        row.result = _replace(got, path=row.path)
            self.model.refresh()
            self._show_details()
            self._update()
            self.imported.emit(list(results.values()))

        self.operation = run_workspace_operation(self, self.tr("正在导入数据包…"), path, work,
                                                 write=True, on_success=done)
        return self.operation

    # ---- showing ------------------------------------------------------------------------------

    def current_row(self) -> ImportRow | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()]

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details()

    def _show_details(self) -> None:
        row = self.current_row()
        self.details.setPlainText(self.describe(row) if row is not None else "")
        # Shown while a choice can still be made or changed (before importing).
        self.accept_key_button.setVisible(
            row is not None and row.preview is not None and row.result is None
            and row.preview.needs_key_acceptance)

    def describe(self, row: ImportRow) -> str:
        lines = [self.tr("文件：{path}").format(path=row.path)]
        p = row.preview
        if row.result is not None:
            lines.append(self.tr("结果：{status}").format(status=row.status()))
        elif row.error:
            lines.append(self.tr("拒绝：{why}").format(why=row.error))
        if p is None:
            return "\n".join(lines)
        if len(p.files) > 1:
            lines.append(self.tr("本数据包由 {n} 个文件组成：{names}").format(
                n=len(p.files), names="、".join(f.name for f in p.files)))
        lines.append(self.tr("单位：{full}（{name}）").format(full=p.unit.full_name,
                                                           name=p.unit.name))
        lines.append(self.tr("导出时间：{when}；序号 {n}").format(when=_when(p.exported_at),
                                                               n=p.sequence))
        if p.previous_sequence is None:
            lines.append(self.tr("此前没有导入过该单位的数据包。"))
        else:
            lines.append(self.tr("上次导入：序号 {n}，导出于 {when}").format(
                n=p.previous_sequence, when=_when(p.previous_exported_at)))
        lines.append(self.tr(
            "内容：举措记录 {r} 条，佐证文件 {f} 个，网页链接 {l} 个，共 {mb:.1f} MB").format(
                r=p.records, f=p.evidence_files, l=p.evidence_links, mb=p.size / MIB))
        lines.append("")
        lines += self._trust_lines(row)
        for warning in p.warnings:
            lines.append(self.tr("提示：{w}").format(w=warning))
        lines.append("")
        if p.outcome.value == "already":
            lines.append(self.tr("此数据包已导入过，导入不会改动任何内容。"))
        elif not p.changes:
            lines.append(self.tr("与上次导入相比，举措记录没有变化。"))
        else:
            since = self.tr("自上次导入以来") if p.previous_sequence is not None else ""
            lines.append(self.tr("{since}有变化的举措（{n} 项）：").format(since=since,
                                                                     n=len(p.changes)))
            plan = self.session.ws.plan
            for change in p.changes[:200]:
                try:
                    text = plan.measure(change.measure_id).text
                except Exception:
                    text = ""
                short = text[:24] + ("…" if len(text) > 24 else "")
                lines.append(f"  {change.measure_id} {short}：{change.describe()}")
            if len(p.changes) > 200:
                lines.append(self.tr("  ……另有 {n} 项").format(n=len(p.changes) - 200))
        return "\n".join(lines)

    def _trust_lines(self, row: ImportRow) -> list[str]:
        assert row.preview is not None
        t = row.preview.trust
        state = t.state.value
        lines = [self.tr("签名人：{who}").format(who=t.cert.summary())]
        if state == "new":
            lines.append(self.tr("首次收到该单位的数据包，其签名证书尚未被信任。证书指纹（SHA-256）："))
            lines.append("  " + t.cert.grouped_fingerprint)
            lines.append(self.tr("请与该单位盖章的纸质报告最后一页印有的证书指纹核对，或请对方电话念出；"
                                 "导入时逐个单位选择接受或拒绝。"))
            if row.accepted_key:
                lines.append(self.tr("您已核对并接受此证书，导入时将信任它。"))
            elif row.refused_key:
                lines.append(self.tr("您已拒绝此证书，该数据包不会导入。"))
        elif state == "trusted":
            lines.append(self.tr("签名证书与已信任的一致（指纹 {fp}）").format(
                fp=t.cert.grouped_fingerprint))
        else:
            old = t.pinned.cert.grouped_fingerprint if t.pinned else ""
            lines.append(self.tr("注意：该单位换了签名密钥，与已信任的证书不同。"))
            lines.append(self.tr("已信任的证书指纹：") + old)
            lines.append(self.tr("此数据包的证书指纹：") + t.cert.grouped_fingerprint)
            if row.accepted_key:
                lines.append(self.tr("您已接受新密钥，导入时将改为信任此证书。"))
            elif row.refused_key:
                lines.append(self.tr("您已拒绝新密钥，该数据包不会导入。"))
            else:
                lines.append(self.tr("请与该单位核实后点“核对证书…”接受；不接受则不予导入。"))
        return lines

    def _update(self) -> None:
        rows = self.model.rows
        self.import_button.setEnabled(any(r.importable for r in rows))
        self.clear_button.setEnabled(bool(rows))
        if not rows:
            self.summary.setText(self.tr("还没有选择数据包。"))
            return
        from gongkai_desktop.bundle.batch import outcome_sentence, preview_sentence
        from gongkai_desktop.bundle.importer import Outcome

        if any(r.result is not None for r in rows):
            # The command line's sentence (``batch.outcome_sentence``).
            self.summary.setText(outcome_sentence(
                [r.result.outcome if r.result is not None else Outcome.REFUSED for r in rows]))
            return
        self.summary.setText(preview_sentence(
            len(rows), ready=sum(1 for r in rows if r.importable and not r.needs_key),
            refused=sum(1 for r in rows if r.refused),
            keys=sum(1 for r in rows if r.needs_key)))


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path)
