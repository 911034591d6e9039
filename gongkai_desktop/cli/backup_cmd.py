"""`backup`: a checked copy of a workspace, also while the window has it open."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gongkai_desktop.storage.backup import backup_workspace, default_backup_name


def register(sub: Any) -> None:
    backup = sub.add_parser("backup", help="备份工作区（程序打开着工作区时也可以）")
    backup.add_argument("workspace", type=Path, help="工作区文件")
    backup.add_argument("-o", "--output", type=Path,
                        help="备份文件或文件夹（默认：工作区旁，文件名带日期时间）")
    backup.set_defaults(func=cmd_backup)


def cmd_backup(args: argparse.Namespace) -> int:
    source: Path = args.workspace
    target: Path | None = args.output
    if target is None:
        target = source.with_name(default_backup_name(source))
    elif target.is_dir():
        target = target / default_backup_name(source)
    done = backup_workspace(source, target)
    print(f"已备份到 {done}")
    return 0
