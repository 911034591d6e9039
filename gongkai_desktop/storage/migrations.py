"""Schema migrations: an ordered list, version ``i + 1`` is ``MIGRATIONS[i]``.

Pending migrations run in one transaction together with the new ``user_version``;
before an existing file is migrated a backup copy is written beside it with the
SQLite backup API (``<name>.backup-v<old>-<YYYYmmddHHMMSS>.sqlite``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from gongkai_desktop import faults
from gongkai_desktop.errors import GongkaiError, StorageFault, WorkspaceError
from gongkai_desktop.storage import audit
from gongkai_desktop.storage.db import now, transaction
from gongkai_desktop.storage.schema import (
    create_v1,
    create_v2,
    create_v3,
    create_v4,
    create_v5,
)

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[Migration] = [create_v1, create_v2, create_v3, create_v4, create_v5]


def latest_version() -> int:
    # Read at call time so tests can extend the list.
    return len(MIGRATIONS)


def backup_path(path: Path, old_version: int) -> Path:
    stamp = now().strftime("%Y%m%d%H%M%S")
    candidate = path.with_name(f"{path.stem}.backup-v{old_version}-{stamp}.sqlite")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.backup-v{old_version}-{stamp}-{n}.sqlite")
        n += 1
    return candidate


def make_backup(conn: sqlite3.Connection, path: Path, old_version: int) -> Path:
    target = backup_path(path, old_version)
    try:
        copy = sqlite3.connect(target)
        try:
            conn.backup(copy)
        finally:
            copy.close()
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        target.with_name(target.name + "-journal").unlink(missing_ok=True)
        mapped = faults.any_error(exc, target, "备份")
        kind = type(mapped) if isinstance(mapped, StorageFault) else WorkspaceError
        raise kind(f"升级工作区前无法保存备份（{target.name}），工作区未改动：{mapped}") from exc
    return target


def run_pending(conn: sqlite3.Connection, current: int, *, path: Path | None = None,
                actor: str = "") -> Path | None:
    """Bring the schema from ``current`` to the latest version; return the backup made.

    ``path`` is the existing file to back up (None while a new file is being created).
    On any failure nothing changes: the version and data stay as they were.
    """
    target = latest_version()
    if current >= target:
        return None
    backup = make_backup(conn, path, current) if path is not None and current > 0 else None
    try:
        with transaction(conn):
            for index in range(current, target):
                MIGRATIONS[index](conn)
            conn.execute(f"PRAGMA user_version = {target}")
            if current > 0:
                audit.write(conn, actor=actor, action="migrate", field="schema_version",
                            old=str(current), new=str(target))
    except GongkaiError:
        raise
    except Exception as exc:
        where = f"，升级前的备份：{backup.name}" if backup else ""
        raise WorkspaceError(
            f"工作区升级失败（版本 {current} → {target}），文件保持原样{where}"
        ) from exc
    return backup
