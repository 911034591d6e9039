"""What the bundle dialogs use of the window's bundle actions.

A Protocol, so the dialogs do not import the module that opens them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QWidget


class BundleFolders(Protocol):
    @property
    def folder(self) -> Path: ...

    @folder.setter
    def folder(self, path: Path) -> None: ...

    def start_folder(self, kind: str = ...) -> Path: ...

    def trust_certificate_file(self, parent: QWidget | None = None) -> bool: ...
