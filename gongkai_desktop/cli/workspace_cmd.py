"""`init`, `set`, `attach`, `summary`: a unit's workspace from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import actor, open_for_writing, print_json, today_of
from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.model import Status
from gongkai_desktop.plan.library import PlanLibrary, bundled_plan
from gongkai_desktop.storage import Workspace, records
from gongkai_desktop.summary import workspace_summary
from gongkai_desktop.text_safety import printable
from gongkai_desktop.typed_input import (
    DATE_FORMS,
    complete_url,
    complete_urls,
    parse_date,
)
from gongkai_desktop.unit_choice import unit_for_plan
from gongkai_desktop.units import UnitDirectory


def register(sub: Any) -> None:
    init = sub.add_parser("init", help="为一个单位新建工作区文件")
    init.add_argument("workspace", type=Path, help="新工作区文件的路径")
    init.add_argument("--unit", help="单位名称（全称或简称）")
    init.add_argument("--from", dest="from_task", type=Path, metavar="FILE.gktask",
                      help="上级单位下发的任务文件：建立下级单位自己的工作区")
    init.add_argument("--accept-key", metavar="FINGERPRINT",
                      help="与 --from 同用：核对过的上级单位证书指纹，不一致则不建立")
    init.add_argument("--officer", default="", help="政务公开工作负责人")
    init.add_argument("--contact", default="", help="联系人")
    init.add_argument("--phone", default="", help="联系电话")
    init.add_argument("--plan", dest="plan_id", help="计划编号（默认为内置的2020年计划）")
    init.set_defaults(func=cmd_init)

    setp = sub.add_parser("set", help="填写一项举措的完成情况")
    setp.add_argument("workspace", type=Path)
    setp.add_argument("measure", help="举措编号，如 1.2.3")
    setp.add_argument("--status", required=True, help="未开始 / 推进中 / 已完成 / 不适用")
    setp.add_argument("--note", help="完成情况说明")
    setp.add_argument("--reason", help="不适用的理由")
    setp.add_argument("--url", action="append",
                      help="公开网址（可重复；www. 开头的会补全为 http://）")
    setp.add_argument("--date", help=f"{records.FIELD_LABELS['completed_on']}，如 {DATE_FORMS}；"
                                     "选“已完成”而不写日期时填入今天")
    setp.add_argument("--remarks", help="备注")
    setp.set_defaults(func=cmd_set)

    attach = sub.add_parser("attach", help="为举措添加佐证材料（文件或链接）")
    attach.add_argument("workspace", type=Path)
    attach.add_argument("measure", help="举措编号，如 1.2.3")
    attach.add_argument("files", nargs="*", type=Path, help="佐证文件")
    attach.add_argument("--link", help="佐证链接（网址；www. 开头的会补全为 http://）")
    attach.add_argument("--title", default="", help="链接标题")
    attach.add_argument("--note", default="", help="链接说明")
    attach.set_defaults(func=cmd_attach)

    summary = sub.add_parser("summary", help="完成情况汇总")
    summary.add_argument("workspace", type=Path)
    summary.add_argument("--json", action="store_true", required=True, help="以 JSON 输出")
    summary.add_argument("--all-units", action="store_true",
                         help="输出本工作区导入的所有单位（汇总各单位的数据包）")
    summary.add_argument("--today", help=argparse.SUPPRESS)  # tests pin the date
    summary.set_defaults(func=cmd_summary)


def cmd_init(args: argparse.Namespace) -> int:
    if args.from_task is not None:
        return _init_from_task(args)
    if not args.unit:  # an argument error, as argparse says it when --unit was required
        print("参数错误：缺少必需的参数 --unit（或用 --from 给出上级单位下发的任务文件）",
              file=sys.stderr)
        return 2
    plan = PlanLibrary().get(args.plan_id) if args.plan_id else bundled_plan()
    unit = unit_for_plan(args.unit, plan, UnitDirectory.load())
    ws = Workspace.create(
        args.workspace, plan, unit,
        officer=args.officer, contact=args.contact, phone=args.phone, actor=actor(),
    )
    ws.close()
    print(f"已为“{unit.full_name}”创建工作区：{args.workspace}")
    return 0


def _init_from_task(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation import init_from_task

    if args.unit or args.plan_id:
        raise InvalidInput("--from 已确定单位和任务，不能同时使用 --unit 或 --plan")
    ws, task = init_from_task(args.workspace, args.from_task, officer=args.officer,
                              contact=args.contact, phone=args.phone,
                              accept_key=args.accept_key, actor=actor())
    ws.close()
    print(f"已为下级单位“{printable(task.office.name)}”创建工作区：{args.workspace}"
          f"（{len(task.plan.measures())} 项举措，来自“{printable(task.parent.name)}”）")
    print(f"上级单位证书指纹：{task.cert.grouped_fingerprint}（已固定；请与上级单位核对）")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    status = Status.parse(args.status)
    completed_on = parse_date(args.date) if args.date else None
    changes: dict[str, Any] = {"status": status}
    completed: tuple[str, ...] = ()
    if args.note is not None:
        changes["explanation"] = args.note
    if args.reason is not None:
        changes["reason"] = args.reason
    if args.url:
        changes["urls"], completed = complete_urls(args.url)
    if completed_on is not None:
        changes["completed_on"] = completed_on
    if args.remarks is not None:
        changes["remarks"] = args.remarks
    with open_for_writing(args.workspace) as ws:
        ws.plan.measure(args.measure)
        before = ws.record(args.measure)
        record = ws.update_record(args.measure, actor=actor(), today=dt.date.today(), **changes)
    print(f"{record.measure_id}：{record.status.label}")
    for url in completed:
        print(f"网址已补全为：{url}")
    if completed_on is None and before.completed_on is None and record.completed_on:
        print(f"完成时间已填为今天：{record.completed_on.isoformat()}（可用 --date 修改）")
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    if not args.files and not args.link:
        raise InvalidInput("请给出至少一个佐证文件，或用 --link 给出佐证链接")
    for path in args.files:  # check everything first: nothing is added unless all can be
        if not path.is_file():
            raise NotFound(f"找不到文件：{path}")
    link = complete_url(args.link) if args.link else None
    with open_for_writing(args.workspace) as ws, ws.transaction():
        ws.plan.measure(args.measure)
        # All or nothing, like the window's import but refusing instead of skipping.
        files = ws.add_evidence_files(args.measure, args.files, actor=actor(),
                                      skip_refused=False)
        added = list(files.added)
        if link is not None:
            added.append(ws.add_evidence_link(
                args.measure, link.url, title=args.title, note=args.note, actor=actor()))
    if link is not None and link.completed:
        print(f"网址已补全为：{link.url}")
    for item in added:
        print(f"已添加：{printable(item.file_name or item.url)}")
    for line in files.skipped:
        print(f"未添加：{printable(line)}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    today = today_of(args)
    with Workspace.open(args.workspace, readonly=True) as ws:
        from gongkai_desktop.review.summary import add_all_units_review, add_unit_review

        if args.all_units:
            from gongkai_desktop.supervisor.store import all_units_summary

            print_json(add_all_units_review(ws, all_units_summary(ws, UnitDirectory.load(), today),
                                            today))
        else:
            from gongkai_desktop.delegation.summary import add_offices_summary

            print_json(add_offices_summary(ws, add_unit_review(
                ws, workspace_summary(ws, UnitDirectory.load(), today), today)))
    return 0
