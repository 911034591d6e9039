"""Previewing a batch of files (the import window's list): grouped into bundles, each
bundle previewed once; never raises for a bad file.

The window shows one row per file, asks about keys not trusted yet, then applies the
previews it kept with ``import_batch.apply_previews``; the command line does both steps in
one call (``import_batch.import_bundles``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gongkai_desktop.errors import Cancelled, GongkaiError
from gongkai_desktop.ticker import Progress

if TYPE_CHECKING:
    from gongkai_desktop.bundle.importer import ImportPreview
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
