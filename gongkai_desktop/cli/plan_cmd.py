"""`plan …`: show the task breakdowns the app knows."""

from __future__ import annotations

import argparse
from typing import Any

from gongkai_desktop.cli.common import print_json
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.plan.export import plan_to_json
from gongkai_desktop.plan.library import PlanLibrary, bundled_plan
from gongkai_desktop.roles import roles_for_plan
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


def cmd_export(args: argparse.Namespace) -> int:
    library = PlanLibrary()
    plan = library.get(args.plan_id) if args.plan_id else bundled_plan()
    roles = None
    if args.unit:
        directory = UnitDirectory.load()
        unit = directory.find(args.unit)
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
        print(f"{p.id}\t{p.document_number or '—'}\t{p.issued.isoformat()}\t{p.title}")
    return 0
