"""The names the program suggests for the files it writes from one workspace.

One rule for both front ends: the window's save dialogs suggest these names, and the
command line uses them when ``-o`` names a folder, so the same workspace on the same day
gets the same file name from either. The receipt, review file and backup have theirs
next to their writers (``bundle.receipt.default_receipt_name``,
``review.reviewfile.default_review_name``, ``storage.backup.default_backup_name``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gongkai_desktop import file_kinds
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.storage.names import safe_file_name
from gongkai_desktop.storage.workspace import Workspace


def unit_label(ws: Workspace) -> str:
    """The unit's name as the unit itself writes it (its profile), else the directory's."""
    return ws.profile.unit_name or ws.unit.name


def bundle_name(ws: Workspace, day: dt.date) -> str:
    """``万州区-自查-2026-11-28.gkbundle``."""
    return unit_bundle_name(unit_label(ws), day)


def unit_bundle_name(unit_name: str, day: dt.date) -> str:
    """The same, for a unit named outright (``bundle.export.default_bundle_name``)."""
    return safe_file_name(f"{unit_name}-自查-{day.isoformat()}{file_kinds.BUNDLE}")


def report_name(ws: Workspace, day: dt.date) -> str:
    """``万州区-自查报告-2026-11-28.pdf``."""
    return safe_file_name(f"{unit_label(ws)}-自查报告-{day.isoformat()}.pdf")


def checklist_name(ws: Workspace, day: dt.date) -> str:
    """``万州区-自查清单-2026-11-28.xlsx``."""
    return safe_file_name(f"{unit_label(ws)}-自查清单-{day.isoformat()}{file_kinds.XLSX}")


def consolidation_name(ws: Workspace, day: dt.date, suffix: str = file_kinds.XLSX) -> str:
    """``市政府办公厅-汇总-2026-11-28.xlsx`` (or ``.pdf``)."""
    return safe_file_name(f"{unit_label(ws)}-汇总-{day.isoformat()}{suffix}")


def certificate_name(ws: Workspace) -> str:
    """``万州区-签名证书.cer``."""
    return safe_file_name(f"{unit_label(ws)}-签名证书.cer")


def in_folder(out: Path, name: str) -> Path:
    """``out`` itself, or ``out / name`` when ``out`` is an existing folder (``-o FOLDER``).

    A folder whose name ends like the file (``报告.pdf/``) is taken as the file name the
    user meant, and refused by the writer as before, rather than silently written into.
    A file of that name already in the folder is refused (``InvalidInput``): the name was
    chosen here, not by the user, so nothing is overwritten that the user did not name.
    """
    if out.is_dir() and out.suffix.lower() != Path(name).suffix.lower():
        target = out / name
        if target.exists():
            raise InvalidInput(f"文件夹“{out}”中已有“{name}”，未覆盖"
                               "（要覆盖它，请写出完整的文件名）")
        return target
    return out
