"""Build the bundled plan database ``data/seed.sqlite`` from the reviewed source.

    python -m gongkai_desktop.plan.seed           # rebuild data/seed.sqlite
    python -m gongkai_desktop.plan.seed --check   # exit 1 if the committed seed is stale

The file is read-only at run time, so it uses the rollback journal (no WAL
side files next to an installed program) and is VACUUMed: the same source and
SQLite version give the same bytes. ``--check`` compares content, not bytes,
because the SQLite header records the library version that wrote it.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gongkai_desktop.atomic import atomic_output
from gongkai_desktop.errors import GongkaiError
from gongkai_desktop.model import Plan
from gongkai_desktop.paths import data_file
from gongkai_desktop.plan.source import load_plan_source
from gongkai_desktop.plan.store import write_plan

PLAN_FILE_APPLICATION_ID = 0x474B5344  # "GKSD": a gongkai plan database
PLAN_FILE_VERSION = 1
DEFAULT_SOURCE = "plans/cq-2020-89.toml"
DEFAULT_SEED = "seed.sqlite"


def write_plan_file(plan: Plan, out: Path) -> None:
    """Write ``plan`` alone into a fresh SQLite file at ``out``, atomically.

    Built in a temporary file in the same folder, then moved over ``out``, so a
    reader never sees half a file and a failure leaves the old file in place.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(out) as tmp:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute(f"PRAGMA application_id = {PLAN_FILE_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {PLAN_FILE_VERSION}")
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("BEGIN")
            write_plan(conn, plan)
            conn.execute("COMMIT")
            conn.execute("VACUUM")
        finally:
            conn.close()
        os.chmod(tmp, 0o644)  # the seed ships to every user, whatever the umask


def build_seed(source: Path, out: Path) -> None:
    """Validate the plan source and write it as a fresh seed database."""
    write_plan_file(load_plan_source(source), out)


def read_content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows (sorted) plus the file's marks, for comparing two seeds."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        content: dict[str, list[tuple[object, ...]]] = {
            "pragma": [
                (
                    conn.execute("PRAGMA application_id").fetchone()[0],
                    conn.execute("PRAGMA user_version").fetchone()[0],
                )
            ],
            "schema": sorted(
                conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema").fetchall()
            ),
        }
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
            )
        ]
        for table in tables:
            content[table] = sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall())
        return content
    finally:
        conn.close()


def differences(expected: Path, actual: Path) -> list[str]:
    """Names of the parts (tables, schema, pragmas) whose content differs."""
    a, b = read_content(expected), read_content(actual)
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongkai_desktop.plan.seed",
        description="由任务分工源文件（TOML）重新生成内置数据库 data/seed.sqlite",
    )
    parser.add_argument("--check", action="store_true", help="只检查已提交的数据库是否与源文件一致")
    parser.add_argument(
        "--source", type=Path, default=None, help="源文件（默认 data/plans/cq-2020-89.toml）"
    )
    parser.add_argument("--seed", type=Path, default=None, help="数据库（默认 data/seed.sqlite）")
    args = parser.parse_args(argv)
    source: Path = args.source or data_file(DEFAULT_SOURCE)
    seed: Path = args.seed or data_file(DEFAULT_SEED)
    try:
        if args.check:
            return _check(source, seed)
        plan = load_plan_source(source)
        write_plan_file(plan, seed)
    except GongkaiError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"已写入 {seed}：{_summary(plan)}（来源 {source.name}）")
    return 0


def _check(source: Path, seed: Path) -> int:
    if not seed.is_file():
        print(f"不一致：找不到 {seed}，请运行 python -m gongkai_desktop.plan.seed", file=sys.stderr)
        return 1
    plan = load_plan_source(source)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "seed.sqlite"
        write_plan_file(plan, fresh)
        try:
            diff = differences(fresh, seed)
        except sqlite3.DatabaseError:
            diff = ["文件无法读取"]
    if diff:
        print(
            f"不一致：{seed} 与 {source.name} 不符（{'、'.join(diff)}），"
            "请运行 python -m gongkai_desktop.plan.seed 重新生成",
            file=sys.stderr,
        )
        return 1
    print(f"一致：{seed} 与 {source.name} 相符，{_summary(plan)}")
    return 0


def _summary(plan: Plan) -> str:
    subtasks = len(plan.subtasks())
    return (
        f"{plan.info.id} v{plan.info.version}，{len(plan.areas)} 项重点任务、"
        f"{subtasks} 个子任务、{len(plan.measures())} 条举措"
    )


if __name__ == "__main__":
    sys.exit(main())
