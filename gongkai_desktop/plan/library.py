"""The plans the app knows: the bundled 2020 plan plus the user's imported plans.

Imported plans live in ``<user data>/plans/<plan id>.sqlite``, one plan per file,
written with ``plan.store`` like the bundled seed. The bundled plan cannot be
replaced from the library: a correction ships as a new seed (its ``version``).
"""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from pathlib import Path

from gongkai_desktop import faults, paths
from gongkai_desktop.errors import GongkaiError, InvalidInput, NotFound, WorkspaceError
from gongkai_desktop.model import Plan, PlanInfo
from gongkai_desktop.plan.seed import PLAN_FILE_APPLICATION_ID, PLAN_FILE_VERSION, write_plan_file
from gongkai_desktop.plan.source import is_valid_plan_id
from gongkai_desktop.plan.store import read_plan

_SUFFIX = ".sqlite"


@functools.cache
def bundled_plan() -> Plan:
    """The plan shipped in ``data/seed.sqlite`` (read once per process)."""
    return read_plan_file(paths.seed_database())


def read_plan_file(path: Path) -> Plan:
    """Read the single plan of a plan file, opened read-only."""
    if not path.is_file():
        raise NotFound(f"找不到任务分工数据文件：{path}")
    # A URI so SQLite opens it read-only (installed under Program Files, or on a
    # read-only stick) and never creates a journal beside it.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_marks(conn, path)
        return read_plan(conn)
    except sqlite3.Error as exc:
        raise faults.sqlite_read_error(exc, path, "任务分工数据文件") from exc
    finally:
        conn.close()


def _check_marks(conn: sqlite3.Connection, path: Path) -> None:
    if conn.execute("PRAGMA application_id").fetchone()[0] != PLAN_FILE_APPLICATION_ID:
        raise WorkspaceError(f"“{path.name}”不是本程序的任务分工数据文件")
    if conn.execute("PRAGMA user_version").fetchone()[0] > PLAN_FILE_VERSION:
        raise WorkspaceError(f"“{path.name}”由更新版本的程序生成，请先升级本程序")


class PlanLibrary:
    """The bundled plan first, then the plans imported into ``folder``."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else paths.user_data_dir() / "plans"

    def path_for(self, plan_id: str) -> Path:
        if not is_valid_plan_id(plan_id):
            raise InvalidInput(
                f"计划编号“{plan_id}”无效：只能由小写字母、数字、“.”“_”“-”组成（如 cq-2021-45）"
            )
        return self.folder / f"{plan_id}{_SUFFIX}"

    def list_plans(self) -> list[PlanInfo]:
        """Bundled plan first, then imported plans by issue date.

        A file that cannot be read is left out here; ``get`` reports why.
        """
        bundled = bundled_plan().info
        imported: list[PlanInfo] = []
        if self.folder.is_dir():
            for path in sorted(self.folder.glob(f"*{_SUFFIX}")):
                info = _read_info(path)
                if info is not None and info.id == path.stem and info.id != bundled.id:
                    imported.append(info)
        return [bundled, *sorted(imported, key=lambda i: (i.issued, i.id))]

    def get(self, plan_id: str) -> Plan:
        bundled = bundled_plan()
        if plan_id == bundled.info.id:
            return bundled
        path = self.path_for(plan_id)
        if not path.is_file():
            raise NotFound(f"计划库中没有编号为“{plan_id}”的任务分工")
        plan = read_plan_file(path)
        if plan.info.id != plan_id:
            raise WorkspaceError(f"“{path.name}”中的计划编号是“{plan.info.id}”，与文件名不符")
        return plan

    def add(self, plan: Plan, *, replace: bool = False) -> Path:
        """Store an imported plan; refuses an existing id unless ``replace``."""
        plan_id = plan.info.id
        if plan_id == bundled_plan().info.id:
            raise InvalidInput(f"“{plan_id}”是内置任务分工的编号，不能导入或替换，请换一个编号")
        path = self.path_for(plan_id)
        if path.exists() and not replace:
            raise InvalidInput(f"计划库中已有编号为“{plan_id}”的任务分工；如要覆盖，请选择替换")
        if not plan.measures():
            raise InvalidInput(f"任务分工“{plan_id}”中没有任何举措，未导入")
        try:
            write_plan_file(plan, path)
        except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only data folder
            mapped = faults.any_error(exc, path, "计划库文件")
            assert mapped is not None
            raise mapped from exc
        return path


def _read_info(path: Path) -> PlanInfo | None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        _check_marks(conn, path)
        rows = conn.execute(
            "SELECT id, title, document_number, issued, issuer, version FROM plan_info"
        ).fetchall()
        if len(rows) != 1:
            return None
        pid, title, number, issued, issuer, version = rows[0]
        return PlanInfo(pid, title, number, dt.date.fromisoformat(issued), issuer, version)
    except (sqlite3.Error, GongkaiError, ValueError, TypeError):
        return None
    finally:
        conn.close()
