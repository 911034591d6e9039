"""`xlsx export` / `xlsx import`: a unit's checklist out to Excel and back.

``xlsx import`` without ``--yes`` only reads: it lists the changes and any
problems and changes nothing (exit 0 when the workbook can be applied, 1 when it
has problems). With ``--yes`` every change is applied in one transaction; with
problems nothing is applied unless ``--partial`` asks for the rows without them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import actor, open_for_writing, output_file
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.text_safety import printable


def register(sub: Any) -> None:
    xlsx = sub.add_parser("xlsx", help="Excel自查清单：导出给同事填写，填好后导入")
    xlsx_sub = xlsx.add_subparsers(dest="xlsx_command", metavar="操作", required=True)

    export = xlsx_sub.add_parser("export", help="把本单位需填报的举措导出为Excel清单")
    export.add_argument("workspace", type=Path, help="工作区文件")
    export.add_argument("-o", "--output", type=Path, required=True,
                        help="输出的 .xlsx 文件，或文件夹（用窗口建议的文件名）")
    export.set_defaults(func=cmd_export)

    imp = xlsx_sub.add_parser(
        "import", help="读取填好的Excel清单；列出更改，加 --yes 才写入工作区"
    )
    imp.add_argument("workspace", type=Path, help="工作区文件")
    imp.add_argument("file", type=Path, help="填好的Excel清单（.xlsx）")
    imp.add_argument("--yes", action="store_true", help="确认导入：在一个事务中写入全部更改")
    imp.add_argument(
        "--partial", action="store_true",
        help="与 --yes 同用：表格有问题时，只导入没有问题的行（有问题的行整行不导入）",
    )
    imp.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace) -> int:
    from gongkai_desktop.roles import roles_for_plan
    from gongkai_desktop.storage.default_names import checklist_name, in_folder
    from gongkai_desktop.units import UnitDirectory
    from gongkai_desktop.xlsx import export_checklist, exported_sentence

    with Workspace.open(args.workspace, readonly=True) as ws:
        out = output_file(in_folder(args.output, checklist_name(ws, dt.date.today())), ".xlsx")
        roles = roles_for_plan(ws.plan, ws.unit, UnitDirectory.load())
        count = export_checklist(ws.plan, ws.unit, roles, ws.records(), out)
        unit = ws.unit.name
    print(exported_sentence(unit, count, out))  # the window's sentence
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.xlsx import apply_checklist, read_checklist

    if args.partial and not args.yes:
        raise InvalidInput("--partial 需要与 --yes 一起使用")
    opened = (open_for_writing(args.workspace) if args.yes
              else Workspace.open(args.workspace, readonly=True))
    with opened as ws:
        result = read_checklist(args.file, ws.plan, ws.unit, ws.records())
        print(f"读取“{printable(result.source_name)}”：{result.rows} 项举措，"
              f"{len(result.changes)} 处更改")
        for change in result.changes:
            print(f"  {change.measure_id} {change.label}：“{shown(change.old)}” → "
                  f"“{shown(change.new)}”")
        for warning in result.warnings:
            print(f"提示：{printable(warning)}")
        for problem in result.problems:
            print(printable(f"问题：{problem_location(problem)}：{problem.message}"),
                  file=sys.stderr)
        if result.problems and not (args.yes and args.partial):
            raise InvalidInput(
                f"表格中有 {len(result.problems)} 处问题，没有导入任何内容。"
                "请在Excel中改正后重新导入（或加 --yes --partial 只导入没有问题的行）"
            )
        if not args.yes:
            if result.changes:
                print(f"将更改 {len(result.changes)} 处；确认无误后加 --yes 导入")
            else:
                print("表格与工作区一致，没有需要导入的更改")
            return 0
        applied = apply_checklist(ws, result, actor(), allow_partial=args.partial)
    print(applied.sentence())  # the window's sentence
    return 0


def shown(value: object, limit: int = 60) -> str:
    """A record value as a person reads it, long text cut to one line."""
    if isinstance(value, Status):
        text = value.label
    elif isinstance(value, tuple | list):
        text = "、".join(str(v) for v in value)
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = "" if value is None else str(value)
    text = printable(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem_location(problem: Any) -> str:
    """工作表“自查清单”第5行“完成状态”列 — where an ``ImportProblem`` sits."""
    parts = [f"工作表“{problem.sheet}”"]
    if problem.row:
        parts.append(f"第{problem.row}行")
    if problem.column:
        parts.append(f"“{problem.column}”列")
    return "".join(parts)
