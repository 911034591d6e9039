"""Every question the program asks and every file dialog it opens, in one module.

Callers use the prompts through the module (``prompts.ask_yes_no(...)``); the
``prompts`` test fixture (tests/conftest.py) answers them, so no modal dialog ever
blocks a test. The functions marked "answerable" below are the ones it replaces;
everything else here calls them.

Each kind of file (report PDF, certificate, Excel checklist, bundle …) remembers
the folder it was last opened from or saved to, in the window settings; the first
time, dialogs start in the user's Documents folder, never in the home folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from gongkai_desktop.ui.common.settings import AppSettings, Setting

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace

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


# File filters, written once (each window passes them through its tr()).
PDF_FILTER = "PDF 文件 (*.pdf)"
CERT_FILTER = "证书文件 (*.cer *.crt *.pem)"
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
WORKSPACE_FILTER = "政务公开工作区 (*.gkws)"
BUNDLE_FILTER = "数据包 (*.gkbundle)"
RECEIPT_FILTER = "回执 (*.gkreceipt)"
REVIEW_FILTER = "整改意见 (*.gkreview)"
TASK_FILTER = "任务文件 (*.gktask)"
RETURN_FILTER = "下级填报 (*.gkbundle *.xlsx)"


# ---- answerable: Qt's file dialogs (so they speak the loaded translation) -------------------
# An empty string (or list) when cancelled.


def save_file_name(parent: QWidget | None, title: str, path: str, file_filter: str) -> str:
    return QFileDialog.getSaveFileName(parent, title, path, file_filter)[0]


def open_file_name(parent: QWidget | None, title: str, folder: str, file_filter: str) -> str:
    return QFileDialog.getOpenFileName(parent, title, folder, file_filter)[0]


def open_file_names(parent: QWidget | None, title: str, folder: str, file_filter: str
                    ) -> list[str]:
    return list(QFileDialog.getOpenFileNames(parent, title, folder, file_filter)[0])


def open_folder(parent: QWidget | None, title: str, folder: str) -> str:
    return QFileDialog.getExistingDirectory(parent, title, folder)


# ---- answerable: questions ------------------------------------------------------------------


def ask_choice(parent: QWidget, title: str, text: str, choices: Sequence[str]) -> int:
    """A question with buttons ``choices``; the index of the one pressed, or -1.

    The last choice is the safe one (取消, 保留…): the default button and Escape.
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    buttons = []
    for i, label in enumerate(choices):
        last = i == len(choices) - 1
        role = QMessageBox.ButtonRole.RejectRole if last else QMessageBox.ButtonRole.AcceptRole
        buttons.append(box.addButton(label, role))
    if buttons:
        box.setDefaultButton(buttons[-1])
        box.setEscapeButton(buttons[-1])
    box.exec()
    clicked = box.clickedButton()
    return next((i for i, b in enumerate(buttons) if b is clicked), -1)


def ask_question(parent: QWidget, title: str, text: str, yes: str, no: str, *,
                 default_no: bool = True) -> bool:
    """是/否 with the buttons renamed ``yes``/``no``; True for yes. ``no`` is the default
    button unless ``default_no`` is False (then Qt picks it)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.button(QMessageBox.StandardButton.No).setText(no)
    if default_no:
        box.setDefaultButton(QMessageBox.StandardButton.No)  # the safe answer
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_open(parent: QWidget, question: str) -> bool:
    """The confirmation before another program runs a file."""
    answer = QMessageBox.question(parent, parent.tr("打开"), question,
                                  QMessageBox.StandardButton.Open
                                  | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Open


def ask_passphrase(parent: QWidget, title: str, label: str) -> str | None:
    """A password field; None when cancelled."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


def choose_item(parent: QWidget, title: str, label: str, items: Sequence[str]) -> str | None:
    """One of ``items`` from a list; None when cancelled."""
    text, ok = QInputDialog.getItem(parent, title, label, list(items), 0, False)
    return text if ok else None


# The functions the test fixture answers.
ANSWERABLE = ("save_file_name", "open_file_name", "open_file_names", "open_folder",
              "ask_choice", "ask_question", "ask_open", "ask_passphrase", "choose_item")


# ---- built on them ------------------------------------------------------------------------------


def ask_yes_no(parent: QWidget, title: str, text: str, yes: str, no: str) -> bool:
    """Two buttons ``yes`` / ``no`` (the safe one, default and Escape); True for yes."""
    return ask_choice(parent, title, text, [yes, no]) == 0


def ask_signing_passphrase(parent: QWidget, ws: Workspace, label: str, *,
                           title: str = "签名密码",
                           retry: str = "签名密码不正确，请重新输入：",
                           failed_title: str | None = None,
                           unlock: Callable[[str], Any] | None = None) -> str | None:
    """The signing passphrase, asked again until it unlocks the workspace's key; None when
    cancelled or when the key cannot be used (the error shown, under ``failed_title``).

    ``unlock(passphrase)`` does the unlocking (default: loading the signing identity);
    it raises WrongPassphrase for a wrong passphrase.
    """
    from gongkai_desktop.errors import GongkaiError, WrongPassphrase
    from gongkai_desktop.signing.store import load_identity
    from gongkai_desktop.ui.common.errors import show_error

    if unlock is None:
        def unlock(passphrase: str) -> Any:
            return load_identity(ws, passphrase)

    while True:
        passphrase = ask_passphrase(parent, parent.tr(title), label)
        if passphrase is None:
            return None
        try:
            unlock(passphrase)
        except WrongPassphrase:
            label = parent.tr(retry)
            continue
        except GongkaiError as exc:
            show_error(parent, exc, *(failed_title,) if failed_title else ())
            return None
        return passphrase


# ---- one call per dialog: start folder, ask, remember ------------------------------------


def save_path(parent: QWidget | None, kind: str, title: str, default_name: str,
              file_filter: str) -> Path | None:
    name = save_file_name(parent, title, suggested(kind, default_name), file_filter)
    if not name:
        return None
    remember(kind, Path(name).parent)
    return Path(name)


def save_path_with_suffix(parent: QWidget | None, kind: str, title: str, suggested_path: Path | str,
                          file_filter: str, suffix: str) -> Path | None:
    """Ask where to save, starting at ``suggested_path``; the name gets ``suffix`` if the
    user left it off, and its folder is remembered for ``kind``. None when cancelled."""
    name = save_file_name(parent, title, str(suggested_path), file_filter)
    if not name:
        return None
    out = Path(name)
    if out.suffix.lower() != suffix:
        out = out.with_name(out.name + suffix)
    remember(kind, out.parent)
    return out


def open_path(parent: QWidget | None, kind: str, title: str, file_filter: str) -> Path | None:
    name = open_file_name(parent, title, suggested(kind), file_filter)
    if not name:
        return None
    remember(kind, Path(name).parent)
    return Path(name)


def open_paths(parent: QWidget | None, kind: str, title: str, file_filter: str) -> list[Path]:
    names = open_file_names(parent, title, suggested(kind), file_filter)
    if names:
        remember(kind, Path(names[0]).parent)
    return [Path(n) for n in names]


def choose_folder(parent: QWidget | None, kind: str, title: str) -> Path | None:
    name = open_folder(parent, title, suggested(kind))
    if not name:
        return None
    remember(kind, Path(name))
    return Path(name)
