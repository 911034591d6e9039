"""Adding several evidence files at once: duplicates skipped, a cancel undoes the lot.

Shared by the window (drag and drop, 添加文件…) and ``attach``. Each file is stored in
its own transaction, so the window stays free to save other changes meanwhile; a file
whose content the measure already has is rolled back (no trace in the log) and named
in ``skipped``. A cancel removes what this call stored: the workspace is as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gongkai_desktop.changes import Changes
from gongkai_desktop.errors import Cancelled, GongkaiError
from gongkai_desktop.storage.entities import EvidenceItem
from gongkai_desktop.ticker import Progress

if TYPE_CHECKING:
    from gongkai_desktop.storage.workspace import Workspace


@dataclass(frozen=True, slots=True)
class AddedFiles:
    added: tuple[EvidenceItem, ...]
    skipped: tuple[str, ...]  # one Chinese line per file not added (refused, or a duplicate)

    @property
    def changes(self) -> Changes:
        return Changes.of_evidence(item.measure_id for item in self.added)


class _Twin(Exception):
    """The stored file repeats one the measure has: roll its transaction back."""

    def __init__(self, twin: EvidenceItem) -> None:
        super().__init__(twin.file_name)
        self.twin = twin


def item_name(item: EvidenceItem) -> str:
    """How people name an item: its file name, else the link's title or address."""
    return item.file_name if item.is_file else (item.title or item.url)


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0  # refused with its own message when it is read


def add_evidence_files(ws: Workspace, measure_id: str, files: Sequence[Path], *,
                       actor: str = "", progress: Progress | None = None,
                       skip_refused: bool = True) -> AddedFiles:
    """Store ``files`` as evidence of one measure, in order.

    A file the workspace refuses (too large, unreadable, not a file) is skipped with its
    message, or, with ``skip_refused=False`` (the command line: all or nothing), ends the
    call with everything it stored removed. ``Cancelled`` when ``progress`` says so.
    """
    sizes = [_size(file) for file in files]
    total = max(1, sum(sizes))
    known = {item.sha256: item for item in ws.evidence(measure_id) if item.sha256}
    added: list[EvidenceItem] = []
    skipped: list[str] = []
    done_before = 0
    try:
        for file, size in zip(files, sizes, strict=True):
            def step(done: int, _total: int, base: int = done_before) -> bool:
                return progress is None or progress(base + done, total)

            try:
                with ws.transaction():
                    item = ws.add_evidence_file(measure_id, file, progress=step, actor=actor)
                    if item.sha256 in known:
                        raise _Twin(known[item.sha256])
            except _Twin as dup:
                skipped.append(f"“{file.name}”与已有的佐证材料“{item_name(dup.twin)}”"
                               "内容相同，未重复添加")
            except Cancelled:
                raise
            except GongkaiError as exc:
                if not skip_refused:
                    raise
                skipped.append(str(exc))
            else:
                added.append(item)
                if item.sha256:
                    known[item.sha256] = item
            done_before += size
            if progress is not None and progress(done_before, total) is False:
                raise Cancelled()
    except GongkaiError:  # a cancel, or a refusal that ends the call
        with contextlib.suppress(GongkaiError):  # the first error is the one to tell
            for item in reversed(added):
                ws.remove_evidence(item.id, actor=actor)
        raise
    return AddedFiles(tuple(added), tuple(skipped))
