"""Importing many bundle files at once (the CLI, a dropped folder, the window's batch).

Built on ``importer``: each bundle (its parts grouped) is checked on its own and one
hostile file never stops the others; the usual case (a key already trusted or accepted)
is verified and copied in one read of the files (``importer._apply_one_pass``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection, Sequence
from pathlib import Path

from gongkai_desktop.bundle import key_pins, trust
from gongkai_desktop.bundle.format import SUFFIX
from gongkai_desktop.bundle.importer import (
    ImportPreview,
    ImportResult,
    Outcome,
    Progress,
    _already,
    _already_text,
    _apply_one_pass,
    _check_plan,
    _check_unit,
    _preview,
    apply_import,
)
from gongkai_desktop.bundle.manifest import Manifest
from gongkai_desktop.bundle.open_untrusted import DEFAULT_LIMITS, Limits, open_bundle
from gongkai_desktop.bundle.verify import open_verified
from gongkai_desktop.errors import (
    Cancelled,
    GongkaiError,
    InvalidInput,
    SignatureError,
    UnsafeInput,
)
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import reading
from gongkai_desktop.units import UnitDirectory

log = logging.getLogger(__name__)


def bundle_files_in(folder: Path) -> list[Path]:
    """The ``.gkbundle`` files directly inside ``folder`` (a dropped folder), sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"“{folder}”不是文件夹")
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() == SUFFIX and p.is_file() and not p.is_symlink())


def peek_manifest(path: Path, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """The (not yet verified) manifest, only to group the parts of one bundle."""
    with open_bundle(path, limits, check_integrity=False) as bundle:
        body = bundle.manifest_row()[0]
        if not isinstance(body, str):
            raise UnsafeInput(f"数据包“{path.name}”缺少清单和签名，未导入")
        return Manifest.parse(body)


def import_bundles(ws: Workspace, paths: Sequence[Path], *,
                   accept_keys: Collection[str] = (), actor: str = "",
                   limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
                   directory: UnitDirectory | None = None) -> list[ImportResult]:
    """Import many files at once (parts of one bundle are grouped); one row per file.

    Never raises for a bad bundle: its row says why it was refused. A key not pinned
    for the unit (first contact, or a changed key) is accepted only when its fingerprint
    is in ``accept_keys``, and only for one unit: a fingerprint the batch shows signing
    for two units is accepted for neither. Bundles of one unit are applied in sequence
    order, so selecting an old and a new one imports both.
    """
    accepted = key_pins.accepted_fingerprints(accept_keys)
    directory = directory if directory is not None else UnitDirectory.load()
    rows: dict[int, ImportResult] = {}
    groups: dict[str, list[tuple[int, Path, Manifest]]] = {}
    seen: dict[tuple[str, int, str], int] = {}
    repeats: dict[int, int] = {}  # a file given twice (or what claims to be a copy) → the first
    for i, path in enumerate(paths):
        try:
            manifest = peek_manifest(Path(path), limits)
        except GongkaiError as err:
            rows[i] = ImportResult(Path(path), (Path(path),), Outcome.REFUSED, str(err))
            continue
        except Exception as exc:  # one hostile file never stops the others
            rows[i] = _unexpected([Path(path)], exc)
            continue
        key = (manifest.bundle_id, manifest.part_index, manifest.body())
        if key in seen:
            repeats[i] = seen[key]
            continue
        seen[key] = i
        groups.setdefault(manifest.bundle_id, []).append((i, Path(path), manifest))
    ordered = sorted(groups.values(), key=lambda g: (g[0][2].unit.id, g[0][2].sequence))
    shared = _shared_keys([g[0][2] for g in ordered])
    sizes = {i: file_weight(p) for group in ordered for i, p, _m in group}
    total, done = max(1, sum(sizes.values())), 0
    cancelled = False
    for group in ordered:
        files = [p for _i, p, _m in group]
        weight = sum(sizes[i] for i, _p, _m in group)
        sub = scaled_progress(progress, done, weight, total)
        result = _import_group(ws, files, accepted, shared, actor, limits, sub, directory)
        for i, path, _m in group:
            rows[i] = _for_file(result, path)
        done += weight
        if progress is not None and progress(done, total) is False:
            for group_left in ordered[ordered.index(group) + 1:]:
                for i, path, _m in group_left:
                    rows[i] = ImportResult(path, (path,), Outcome.REFUSED, "操作已取消，未导入")
            cancelled = True
            break
    for i, first in repeats.items():
        if cancelled:
            rows[i] = ImportResult(Path(paths[i]), (Path(paths[i]),), Outcome.REFUSED,
                                   "操作已取消，未导入")
            continue
        # Checked on its own, in place of the first: a "copy" may have been changed.
        group = next(g for g in ordered if any(j == first for j, _p, _m in g))
        files = [Path(paths[i]) if j == first else p for j, p, _m in group]
        rows[i] = _for_file(_import_group(ws, files, accepted, shared, actor, limits, None,
                                          directory), Path(paths[i]))
    return [rows[i] for i in range(len(paths))]


def _shared_keys(manifests: list[Manifest]) -> dict[str, list[str]]:
    return key_pins.shared_keys((m.certificate_sha256, m.unit.id, m.unit.name)
                                for m in manifests)


def _import_group(ws: Workspace, files: list[Path], accepted: set[str],
                  shared: dict[str, list[str]], actor: str, limits: Limits,
                  progress: Progress | None, directory: UnitDirectory) -> ImportResult:
    try:
        with open_verified(files, limits) as opened:
            m = opened.manifest
            fingerprint = opened.cert.fingerprint
            _check_plan(ws, m)
            _check_unit(ws, m, directory)
            with reading(ws) as conn:
                needs = trust.check(conn, m.unit.id, opened.cert,
                                    m.unit.name).state.needs_acceptance
                already = _already(conn, opened.bundle_hash)
            accept = fingerprint in accepted
            if not already and (not needs or (accept and fingerprint not in shared)):
                # The usual case: verified and copied in one read of the files.
                return _apply_one_pass(ws, opened, accept, actor, progress, directory)
            # Nothing will be written: verified completely all the same, so the row says
            # what is wrong with a damaged file before anything about its key.
            preview = _preview(ws, opened, progress, directory)
        if preview.outcome is Outcome.ALREADY:
            return ImportResult(files[0], preview.files, Outcome.ALREADY,
                                _already_text(preview.manifest), preview.unit,
                                preview.sequence, preview.exported_at, preview.bundle_hash,
                                fingerprint=fingerprint)
        if preview.needs_key_acceptance and accept and fingerprint in shared:
            raise SignatureError(key_pins.shared_key_text(fingerprint, shared[fingerprint]))
        return ImportResult(files[0], preview.files, Outcome.REFUSED,
                            preview.trust.message(preview.unit.name), preview.unit,
                            preview.sequence, preview.exported_at, preview.bundle_hash,
                            fingerprint=fingerprint, needs_key_acceptance=True)
    except GongkaiError as err:
        return ImportResult(files[0], tuple(files), Outcome.REFUSED, str(err))
    except Exception as exc:  # one hostile file never stops the others
        return _unexpected(files, exc)


def _unexpected(files: list[Path], exc: Exception) -> ImportResult:
    """A failure no check anticipated (RecursionError, MemoryError, a library's ValueError,
    sqlite3.DatabaseError): that file is refused; the transaction has rolled back."""
    log.warning("bundle %s refused after an unexpected %s", files[0], type(exc).__name__,
                exc_info=exc)
    return ImportResult(files[0], tuple(files), Outcome.REFUSED,
                        f"数据包“{files[0].name}”无法处理（内容异常：{type(exc).__name__}），"
                        "可能已损坏或被改动，未导入")


def apply_previews(ws: Workspace, previews: Sequence[ImportPreview], *,
                   accepted: Collection[tuple[str, str]] = (), actor: str = "",
                   limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
                   directory: UnitDirectory | None = None) -> dict[str, ImportResult]:
    """Import bundles previewed earlier (the window's batch); results by bundle hash.

    A key not pinned for its unit is accepted only for that unit: ``accepted`` holds
    (unit id, fingerprint) pairs the supervisor confirmed. A fingerprint accepted for two
    units is accepted for neither. A unit's bundles are applied in sequence order; a
    cancelled run leaves the rest refused ("操作已取消").
    """
    ordered = sorted(previews, key=lambda p: (p.unit.id, p.sequence))
    shared = _shared_keys([p.manifest for p in ordered if p.needs_key_acceptance
                           and (p.unit.id, p.trust.cert.fingerprint) in accepted])
    directory = directory if directory is not None else UnitDirectory.load()
    total, done = max(1, sum(p.size for p in ordered)), 0
    results: dict[str, ImportResult] = {}
    cancelled = False
    for preview in ordered:
        fingerprint = preview.trust.cert.fingerprint
        base = ImportResult(preview.files[0], preview.files, Outcome.REFUSED, "",
                            preview.unit, preview.sequence, preview.exported_at,
                            preview.bundle_hash, fingerprint=fingerprint)
        accept = (preview.unit.id, fingerprint) in accepted and fingerprint not in shared
        if cancelled:
            results[preview.bundle_hash] = dataclasses.replace(base, message="操作已取消，未导入")
        elif preview.outcome is Outcome.ALREADY:
            results[preview.bundle_hash] = dataclasses.replace(
                base, outcome=Outcome.ALREADY, message=_already_text(preview.manifest))
        elif preview.needs_key_acceptance and fingerprint in shared:
            results[preview.bundle_hash] = dataclasses.replace(
                base, message=key_pins.shared_key_text(fingerprint, shared[fingerprint]))
        elif preview.needs_key_acceptance and not accept:
            results[preview.bundle_hash] = dataclasses.replace(
                base, message=preview.trust.message(preview.unit.name),
                needs_key_acceptance=True)
        else:
            try:
                results[preview.bundle_hash] = apply_import(
                    ws, preview, accept_new_key=accept, actor=actor, limits=limits,
                    progress=scaled_progress(progress, done, preview.size, total),
                    directory=directory)
            except Cancelled:
                cancelled = True
                results[preview.bundle_hash] = dataclasses.replace(
                    base, message="操作已取消，未导入")
            except GongkaiError as err:
                results[preview.bundle_hash] = dataclasses.replace(base, message=str(err))
        done += preview.size
    return results


def _for_file(result: ImportResult, path: Path) -> ImportResult:
    return dataclasses.replace(result, path=path)


def file_weight(path: Path) -> int:
    """A file's share of a progress bar: its size (at least 1; 1 when unreadable)."""
    try:
        return max(1, path.stat().st_size)
    except OSError:
        return 1


def scaled_progress(progress: Progress | None, start: int, weight: int,
                    total: int) -> Progress | None:
    """One step's own progress reported as the slice ``start … start + weight`` of ``total``."""
    if progress is None:
        return None

    def report(done: int, of: int) -> bool:
        return progress(start + weight * done // max(of, 1), total)
    return report
