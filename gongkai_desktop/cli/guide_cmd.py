"""`guide`: a role's printable two-page quick start (快速入门) as a PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gongkai_desktop.guide import Role


def register(sub: Any) -> None:
    guide = sub.add_parser("guide", help="生成可打印的快速入门（PDF，两页）")
    guide.add_argument("--role", default=Role.UNIT.value,
                       help="unit（单位填报人员，默认）或 office（主管单位）")
    guide.add_argument("-o", "--output", type=Path, required=True, help="PDF 文件")
    guide.set_defaults(func=cmd_guide)


def cmd_guide(args: argparse.Namespace) -> int:
    from gongkai_desktop.report.quickstart import write_quickstart

    role = Role.parse(args.role)
    result = write_quickstart(role, args.output)
    print(f"已生成快速入门（{role.label}，{result.pages} 页）：{result.path}")
    return 0
