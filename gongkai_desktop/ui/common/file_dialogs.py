"""Every open and save dialog of the program, starting where the officer was last.

Each kind of file (report PDF, certificate, Excel checklist, bundle …) remembers
the folder it was last opened from or saved to, in the window settings; the first
time, dialogs start in the user's Documents folder, never in the home folder.
The ``get_*`` functions are the only place the program calls QFileDialog; the
modules' own replaceable prompts (which tests swap) call them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from gongkai_desktop.ui.common.settings import AppSettings, Setting

# The kinds of files, each with its own remembered folder.
REPORT = "report"  # 自查报告 PDF (save, and open to verify)
CERTIFICATE = "certificate"  # .cer/.crt/.pem exported or trusted
P12 = "p12"  # signing identity imported
SEAL = "seal"  # 印章图片
CHECKLIST = "checklist"  # Excel 自查清单 (export and import)
PLAN_XLSX = "plan_xlsx"  # 任务分工 Excel imported
BUNDLE = "bundle"  # 数据包 exported or imported
RECEIPT = "receipt"  # 回执 written or imported
CONSOLIDATED = "consolidated"  # 汇总表 xlsx / pdf
EVIDENCE = "evidence"  # 佐证材料 added
EVIDENCE_EXPORT = "evidence_export"  # folder evidence is saved into
WORKSPACE = "workspace"  # 工作区 opened
BACKUP = "backup"  # 工作区备份
KINDS = (REPORT, CERTIFICATE, P12, SEAL, CHECKLIST, PLAN_XLSX, BUNDLE, RECEIPT, CONSOLIDATED,
         EVIDENCE, EVIDENCE_EXPORT, WORKSPACE, BACKUP)


def _setting(kind: str) -> Setting[str]:
    assert kind in KINDS, kind
    return Setting(f"folders/{kind}", str, "")


def documents_folder() -> Path:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def start_folder(kind: str, fallback: Path | None = None) -> Path:
    """The folder last used for this kind of file, else ``fallback``, else Documents."""
    remembered = AppSettings().get(_setting(kind))
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    if fallback is not None and fallback.is_dir():
        return fallback
    return documents_folder()


def remember(kind: str, chosen: Path | str) -> None:
    """Remember where a file of this kind was chosen (a file's folder, or the folder)."""
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    settings = AppSettings()
    settings.set(_setting(kind), str(folder))
    settings.sync()


def suggested(kind: str, default_name: str = "", fallback: Path | None = None) -> str:
    """Where a dialog for this kind starts: the folder, with the proposed file name."""
    folder = start_folder(kind, fallback)
    return str(folder / default_name) if default_name else str(folder)


# ---- the dialogs themselves (Qt's, so they speak the loaded translation) ----------------


def get_save(parent: QWidget | None, title: str, path: str, file_filter: str) -> str:
    return QFileDialog.getSaveFileName(parent, title, path, file_filter)[0]


def get_open(parent: QWidget | None, title: str, folder: str, file_filter: str) -> str:
    return QFileDialog.getOpenFileName(parent, title, folder, file_filter)[0]


def get_opens(parent: QWidget | None, title: str, folder: str, file_filter: str) -> list[str]:
    return list(QFileDialog.getOpenFileNames(parent, title, folder, file_filter)[0])


def get_folder(parent: QWidget | None, title: str, folder: str) -> str:
    return QFileDialog.getExistingDirectory(parent, title, folder)


# ---- one call per dialog: start folder, ask, remember ------------------------------------


def save_path(parent: QWidget | None, kind: str, title: str, default_name: str,
              file_filter: str) -> Path | None:
    name = get_save(parent, title, suggested(kind, default_name), file_filter)
    if not name:
        return None
    remember(kind, Path(name).parent)
    return Path(name)


def open_path(parent: QWidget | None, kind: str, title: str, file_filter: str) -> Path | None:
    name = get_open(parent, title, suggested(kind), file_filter)
    if not name:
        return None
    remember(kind, Path(name).parent)
    return Path(name)


def open_paths(parent: QWidget | None, kind: str, title: str, file_filter: str) -> list[Path]:
    names = get_opens(parent, title, suggested(kind), file_filter)
    if names:
        remember(kind, Path(names[0]).parent)
    return [Path(n) for n in names]


def choose_folder(parent: QWidget | None, kind: str, title: str) -> Path | None:
    name = get_folder(parent, title, suggested(kind))
    if not name:
        return None
    remember(kind, Path(name))
    return Path(name)
