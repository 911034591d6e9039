"""Previewing a batch of files (the import window's list): grouped into bundles, each
bundle previewed once; never raises for a bad file.

The window shows one row per file, asks about keys not trusted yet, then applies the
previews it kept with ``import_batch.apply_previews``; the command line does both steps in
one call (``import_batch.import_bundles``). Both list the files in one order
(``batch_order``: by unit, oldest first) and name where each stands in the same words
(``state_text``, ``preview_sentence``, ``outcome_sentence``). The words for a file's
outcome (``IMPORTED_TEXT``, ``ALREADY_TEXT``, ``REFUSED_TEXT``) live here only: the
importer's ``Outcome.label`` and its result messages start with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gongkai_desktop.errors import Cancelled, GongkaiError
from gongkai_desktop.ticker import Progress

if TYPE_CHECKING:
    from gongkai_desktop.bundle.importer import ImportPreview, Outcome
    from gongkai_desktop.storage import Workspace


@dataclass(frozen=True, slots=True)
class FilePreview:
    path: Path
    group: str  # the bundle it belongs to (parts of one bundle share it); "" if unread
    preview: ImportPreview | None  # the bundle's preview, shared by its parts
    error: str  # why it is refused before importing; "" when previewed


def preview_bundles(ws: Workspace, paths: Sequence[Path],
                    progress: Progress | None = None) -> list[FilePreview]:
    """Group the files into bundles and preview each bundle (in the order first seen)."""
    from gongkai_desktop.bundle.import_batch import file_weight, peek_manifest, scaled_progress
    from gongkai_desktop.bundle.importer import preview_import

    files = [Path(p) for p in paths]
    group_of: dict[int, str] = {}
    errors: dict[int, str] = {}
    groups: dict[str, list[int]] = {}
    parts: dict[str, set[int]] = {}
    for i, path in enumerate(files):
        try:
            manifest = peek_manifest(path)  # not verified yet: only to group the parts
        except GongkaiError as err:
            errors[i] = str(err)
            continue
        # A second file claiming the same part (a copy, or a changed copy) is checked on
        # its own, so each file gets its own verdict.
        copy = 0
        while manifest.part_index in parts.setdefault(f"{manifest.bundle_id}#{copy}", set()):
            copy += 1
        key = f"{manifest.bundle_id}#{copy}"
        parts[key].add(manifest.part_index)
        group_of[i] = key
        groups.setdefault(key, []).append(i)
    sizes = {i: file_weight(files[i]) for members in groups.values() for i in members}
    total, done = max(1, sum(sizes.values())), 0
    previews: dict[int, ImportPreview] = {}
    for members in groups.values():
        weight = sum(sizes[i] for i in members)
        sub = scaled_progress(progress, done, weight, total)
        try:
            preview = preview_import(ws, [files[i] for i in members], progress=sub)
        except Cancelled:
            raise
        except GongkaiError as err:
            errors.update((i, str(err)) for i in members)
        else:
            previews.update((i, preview) for i in members)
        done += weight
    return [FilePreview(path, group_of.get(i, ""), previews.get(i), errors.get(i, ""))
            for i, path in enumerate(files)]


# ---- one way to list a batch and name where each file stands (the window and the CLI) ----

IMPORTED_TEXT = "已导入"
ALREADY_TEXT = "已有（未更改）"  # imported before, this very bundle: nothing changed
REFUSED_TEXT = "已拒绝"
# An outcome's value ("imported" …) → its words: units' bundles and offices' returns alike.
OUTCOME_TEXT = {"imported": IMPORTED_TEXT, "already": ALREADY_TEXT, "refused": REFUSED_TEXT}
UNCHECKED_TEXT = "待核验"


def batch_order(keys: Sequence[tuple[str, str, int] | None]) -> list[int]:
    """The order a batch is listed in: indices into ``keys``.

    ``keys`` holds, per file, (unit name, unit id, sequence) once read, else None. An
    officer checks one unit's bundles together, oldest first (the order they are applied
    in); files that could not be read at all come last, in the order given.
    """
    read = sorted((k, i) for i, k in enumerate(keys) if k is not None)
    return [i for _k, i in read] + [i for i, k in enumerate(keys) if k is None]


def state_text(outcome: Outcome | None, message: str = "", *, needs_key: bool = False,
               first_contact: bool = False, accepted_key: bool = False,
               refused_key: bool = False) -> str:
    """Where one file of the batch stands, in the words both front ends show.

    ``outcome``: the result's once imported, else the preview's (READY or ALREADY); None
    when not checked yet. ``message``: why it was refused. The key flags matter before
    importing only: a key not trusted yet, and the choice the officer made about it.
    """
    from gongkai_desktop.bundle.importer import Outcome

    if outcome is Outcome.REFUSED:
        return f"{REFUSED_TEXT}：{message}"
    if outcome is Outcome.IMPORTED:
        return IMPORTED_TEXT
    if outcome is Outcome.ALREADY:
        return ALREADY_TEXT
    if outcome is None:
        return UNCHECKED_TEXT
    if needs_key:
        if accepted_key:
            return "可以导入（已核对并接受证书）" if first_contact else "可以导入（已接受新密钥）"
        if refused_key:
            return "不导入（未接受签名证书）"
        return "需核对证书指纹（首次收到）" if first_contact else "需确认新密钥"
    return "可以导入"


def preview_sentence(files: int, ready: int, refused: int, keys: int) -> str:
    """Before importing: "共 3 个文件：可以导入 1 个，拒绝 1 个，1 个需核对签名证书…。"."""
    text = f"共 {files} 个文件：可以导入 {ready} 个，拒绝 {refused} 个"
    if keys:
        text += f"，{keys} 个需核对签名证书（导入时逐个单位接受或拒绝）"
    return text + "。"


def outcome_sentence(outcomes: Sequence[Outcome]) -> str:
    """After importing, one outcome per file:
    "共 3 个文件：已导入 2 个，已有（未更改）0 个，拒绝 1 个。"."""
    from gongkai_desktop.bundle.importer import Outcome

    def count(which: Outcome) -> int:
        return sum(1 for o in outcomes if o is which)
    return (f"共 {len(outcomes)} 个文件：{IMPORTED_TEXT} {count(Outcome.IMPORTED)} 个，"
            f"{ALREADY_TEXT}{count(Outcome.ALREADY)} 个，拒绝 {count(Outcome.REFUSED)} 个。")


def closing_sentence(outcomes: Sequence[Outcome]) -> str | None:
    """The count sentence the command line closes a batch with (``outcome_sentence``);
    None for a single file, whose own line already says all of it."""
    return outcome_sentence(outcomes) if len(outcomes) > 1 else None
