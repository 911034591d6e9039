"""Where the app finds its bundled files and keeps the user's data.

Bundled files (``data/``, ``resources/``) sit at the repository root in a
checkout and beside the executable in a PyInstaller build (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gongkai_desktop import APP_NAME
from gongkai_desktop.errors import NotFound


def app_root() -> Path:
    """The folder holding ``data/`` and ``resources/``."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def _bundled(kind: str, relative: str) -> Path:
    base = (app_root() / kind).resolve()
    path = (base / relative).resolve()
    # A resource name never leaves its folder, whatever it contains.
    if not path.is_relative_to(base):
        raise NotFound(f"资源路径无效：{relative}")
    return path


def data_file(relative: str) -> Path:
    return _bundled("data", relative)


def resource_file(relative: str) -> Path:
    return _bundled("resources", relative)


def seed_database() -> Path:
    return data_file("seed.sqlite")


PORTABLE_DATA_FOLDER = "userdata"


def portable_marker() -> Path:
    """When this file sits beside the executable, user data lives beside it too (USB stick)."""
    return Path(sys.executable).resolve().parent / "portable.txt"


def portable_data_dir() -> Path:
    """User data of a portable build: ``userdata/`` beside the executable.

    Not ``data/``: that name would clash with the bundled ``data/`` folder in a
    one-folder build whose contents sit beside the executable.
    """
    return portable_marker().parent / PORTABLE_DATA_FOLDER


def user_data_dir() -> Path:
    """Per-user data folder (workspaces, plan library, logs); created on first use.

    ``GONGKAI_DATA_DIR`` overrides it (tests, portable use).
    """
    override = os.environ.get("GONGKAI_DATA_DIR")
    if override:
        path = Path(override)
    elif getattr(sys, "frozen", False) and portable_marker().exists():
        path = portable_data_dir()
    else:
        from platformdirs import user_data_dir as _platform_dir

        path = Path(_platform_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
