"""The window's own settings, each declared once with its type and default.

They live in an INI file in the user data folder (not the Windows registry), so
a portable copy on a USB stick carries them along and tests stay isolated
(``GONGKAI_DATA_DIR``). Values read back are checked against their declared
type; anything unreadable falls back to the default instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from gongkai_desktop import paths

T = TypeVar("T")

MAX_RECENT = 8
SETTINGS_FILE = "gongkai-window.ini"


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    kind: type
    default: T


LAST_WORKSPACE: Setting[str] = Setting("workspace/last", str, "")
RECENT_FILES: Setting[list[str]] = Setting("workspace/recent", list, [])
GEOMETRY: Setting[QByteArray] = Setting("window/geometry", QByteArray, QByteArray())
WINDOW_STATE: Setting[QByteArray] = Setting("window/state", QByteArray, QByteArray())
SPLITTER_STATE: Setting[QByteArray] = Setting("window/splitter", QByteArray, QByteArray())
TREE_SCOPE: Setting[str] = Setting("tree/scope", str, "")  # "" = choose from the unit's roles
TREE_STATUS: Setting[str] = Setting("tree/status", str, "")  # "" = every status
TREE_OVERDUE_ONLY: Setting[bool] = Setting("tree/overdue_only", bool, False)

ALL_SETTINGS: tuple[Setting[Any], ...] = (
    LAST_WORKSPACE, RECENT_FILES, GEOMETRY, WINDOW_STATE, SPLITTER_STATE,
    TREE_SCOPE, TREE_STATUS, TREE_OVERDUE_ONLY,
)


def window_geometry(name: str) -> Setting[QByteArray]:
    """Where a window's size and position are kept (``ui.geometry``); the main window
    keeps its old key, so an upgraded program opens where it was left."""
    if name == "main_window":
        return GEOMETRY
    return Setting(f"windows/{name}", QByteArray, QByteArray())


def settings_path() -> Path:
    return paths.user_data_dir() / SETTINGS_FILE


class AppSettings:
    """Typed access to the window settings."""

    def __init__(self, path: Path | None = None) -> None:
        self._qs = QSettings(str(path or settings_path()), QSettings.Format.IniFormat)

    def get(self, setting: Setting[T]) -> T:
        raw = self._qs.value(setting.key, None)
        if raw is None:
            return _copy(setting.default)
        value = _coerce(raw, setting.kind)
        return _copy(setting.default) if value is None else value

    def set(self, setting: Setting[T], value: T) -> None:
        self._qs.setValue(setting.key, value)

    def remove(self, setting: Setting[Any]) -> None:
        self._qs.remove(setting.key)

    def sync(self) -> None:
        self._qs.sync()

    # ---- recent files --------------------------------------------------------

    def recent_files(self) -> list[Path]:
        """Most recent first; files that no longer exist are left out (not forgotten)."""
        return [Path(p) for p in self.get(RECENT_FILES) if Path(p).is_file()]

    def add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent list and make it the last workspace."""
        text = str(Path(path).resolve())
        files = [text] + [p for p in self.get(RECENT_FILES) if not _same(p, text)]
        self.set(RECENT_FILES, files[:MAX_RECENT])
        self.set(LAST_WORKSPACE, text)
        self.sync()

    def forget_recent(self, path: Path) -> None:
        text = str(Path(path).resolve())
        self.set(RECENT_FILES, [p for p in self.get(RECENT_FILES) if not _same(p, text)])
        if _same(self.get(LAST_WORKSPACE), text):
            self.set(LAST_WORKSPACE, "")
        self.sync()


def _same(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


def _copy(value: T) -> T:
    if isinstance(value, list):
        return list(value)  # type: ignore[return-value]
    if isinstance(value, QByteArray):
        return QByteArray(value)  # type: ignore[return-value]
    return value


def _coerce(raw: object, kind: type) -> Any:
    # INI files store everything as text: "true", one-element lists as a bare string …
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        return None
    if kind is list:
        if isinstance(raw, str):
            return [raw] if raw else []
        if isinstance(raw, list | tuple):
            return [str(item) for item in raw if isinstance(item, str) and item]
        return None
    if kind is QByteArray:
        if isinstance(raw, QByteArray):
            return raw
        if isinstance(raw, bytes):
            return QByteArray(raw)
        return None
    if kind is str:
        return raw if isinstance(raw, str) else None
    if kind is int:
        try:
            return int(str(raw))
        except ValueError:
            return None
    return raw if isinstance(raw, kind) else None
