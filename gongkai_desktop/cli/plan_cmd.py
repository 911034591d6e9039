"""`plan …`: show the task breakdowns the app knows, import a new one from Excel."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import parse_date_arg, print_json
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.model import Plan
from gongkai_desktop.plan.export import plan_to_json
from gongkai_desktop.plan.library import PlanLibrary, bundled_plan
from gongkai_desktop.roles import roles_for_plan
from gongkai_desktop.text_safety import printable
from gongkai_desktop.unit_choice import unit_for_plan
from gongkai_desktop.units import UnitDirectory


def register(sub: Any) -> None:
    plan = sub.add_parser("plan", help="任务分工（计划）")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="操作", required=True)

    export = plan_sub.add_parser("export", help="输出计划内容")
    export.add_argument("--json", action="store_true", required=True, help="以 JSON 输出")
    export.add_argument("--unit", help="同时给出该单位在每项举措中的角色")
    export.add_argument("--plan", dest="plan_id", help="计划编号（默认为内置的2020年计划）")
    export.set_defaults(func=cmd_export)

    listing = plan_sub.add_parser("list", help="列出可用的计划")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(func=cmd_list)

    imp = plan_sub.add_parser(
        "import", help="从Excel任务分工表导入新的任务分工，核对后保存到计划库"
    )
    imp.add_argument("file", type=Path, help="任务分工表（.xlsx）")
    imp.add_argument("--id", dest="plan_id", required=True,
                     help="计划编号：小写字母、数字、“.”“_”“-”，如 cq-2021-45")
    imp.add_argument("--title", required=True, help="任务分工的标题")
    imp.add_argument("--document-number", default="", help="文号，如 渝府办发〔2021〕45号")
    imp.add_argument("--issued", help="印发日期，如 2020-09-15 或 2020年9月15日"
                     "（用于换算“年底前”等时限）")
    imp.add_argument("--issuer", default="", help="印发机关，如 重庆市人民政府办公厅")
    imp.add_argument("--replace", action="store_true", help="替换计划库中编号相同的任务分工")
    imp.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace) -> int:
    library = PlanLibrary()
    plan = library.get(args.plan_id) if args.plan_id else bundled_plan()
    roles = None
    if args.unit:
        directory = UnitDirectory.load()
        # An imported plan may name units the directory lacks (区教委 …).
        unit = unit_for_plan(args.unit, plan, directory)
        roles = roles_for_plan(plan, unit, directory)
    print_json(plan_to_json(plan, roles))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    plans = PlanLibrary().list_plans()
    if args.json:
        print_json([
            {"id": p.id, "title": p.title, "document_number": p.document_number,
             "issued": p.issued.isoformat(), "issuer": p.issuer, "version": p.version}
            for p in plans
        ])
        return 0
    if not plans:
        raise InvalidInput("没有可用的计划")
    for p in plans:
        print(f"{p.id}\t{printable(p.document_number or '—')}\t{p.issued.isoformat()}"
              f"\t{printable(p.title)}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.cli.xlsx_cmd import problem_location
    from gongkai_desktop.xlsx import read_plan_workbook

    library = PlanLibrary()
    library.path_for(args.plan_id)  # a bad id is refused before the workbook is read
    issued = parse_date_arg(args.issued, "印发日期") if args.issued else None
    result = read_plan_workbook(
        args.file, plan_id=args.plan_id, title=args.title,
        document_number=args.document_number, issued=issued, issuer=args.issuer,
    )
    print_plan_tree(result.plan, result.sheet)
    if result.unknown_units:
        print(f"以下 {len(result.unknown_units)} 个单位不在单位名录中，请核对"
              "（可照常作为本任务分工中的单位使用）：")
        print("  " + printable("、".join(result.unknown_units)))
    for warning in result.warnings:
        print(f"提示：{printable(warning)}")
    if result.problems:
        for problem in result.problems:
            print(printable(f"问题：{problem_location(problem)}：{problem.message}"),
                  file=sys.stderr)
        raise InvalidInput(
            f"任务分工表中有 {len(result.problems)} 处问题，没有保存。请在Excel中改正后重新导入"
        )
    path = library.add(result.plan, replace=args.replace)
    print(f"已保存到计划库：{args.plan_id}（{path}）")
    print(f"查看全部举措：plan export --json --plan {args.plan_id}；"
          f"新建工作区：init 工作区文件 --unit 单位 --plan {args.plan_id}")
    return 0


def print_plan_tree(plan: Plan, sheet: str = "") -> None:
    """The areas and sub-tasks with their measure counts, for a person to check."""
    info = plan.info
    number = f"（{info.document_number}）" if info.document_number else ""
    print(printable(f"任务分工：{info.title}{number}，印发日期 {info.issued.isoformat()}"))
    if sheet:
        print(f"读取的工作表：{printable(sheet)}")
    for area in plan.areas:
        count = sum(len(s.measures) for s in area.subtasks)
        head = f"{area.label}、{area.title}" if area.label else area.title
        print(printable(f"{head}（{len(area.subtasks)} 项子任务，{count} 项举措）"))
        for sub in area.subtasks:
            print("  " + printable(f"{sub.label}{sub.title}（{len(sub.measures)} 项举措）"))
    print(f"共 {len(plan.areas)} 项重点任务、{len(plan.subtasks())} 项子任务、"
          f"{len(plan.measures())} 项举措")

