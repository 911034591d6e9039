"""`office`, `assign`, `delegate`, `rollup`: delegating to the unit's own offices (#14).

`init WORKSPACE --from FILE.gktask` (the office's workspace) lives in ``workspace_cmd``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop import file_kinds
from gongkai_desktop.cli.common import actor, open_for_writing, parse_date_arg, today_of
from gongkai_desktop.errors import InvalidInput
from gongkai_desktop.storage import Workspace
from gongkai_desktop.text_safety import printable


def register(sub: Any) -> None:
    office = sub.add_parser("office", help="本单位的下级单位（部门、乡镇街道、内设机构）")
    office_sub = office.add_subparsers(dest="office_command", metavar="操作", required=True)
    add = office_sub.add_parser("add", help="添加下级单位（名称自定，不必在单位名录中）")
    add.add_argument("workspace", type=Path)
    add.add_argument("names", nargs="+", metavar="NAME", help="下级单位名称")
    add.set_defaults(func=cmd_office_add)
    lst = office_sub.add_parser("list", help="列出下级单位及分配的举措")
    lst.add_argument("workspace", type=Path)
    lst.set_defaults(func=cmd_office_list)
    imp = office_sub.add_parser("import", help="从Excel表的一列导入下级单位名称")
    imp.add_argument("workspace", type=Path)
    imp.add_argument("file", type=Path, help=".xlsx 文件（“下级单位”“单位名称”等列，或第一列）")
    imp.set_defaults(func=cmd_office_import)

    assign = sub.add_parser("assign", help="把举措分配给下级单位（牵头/责任，内部时限）")
    assign.add_argument("workspace", type=Path)
    assign.add_argument("measures", nargs="+", metavar="MEASURE", help="举措编号，如 1.1.1")
    assign.add_argument("--to", required=True, help="下级单位名称，多个用逗号分隔")
    assign.add_argument("--lead", action="append", default=[], help="牵头的下级单位（可重复）")
    assign.add_argument("--deadline", help="内部完成时限，如 2020-09-15 或 2020年9月15日"
                        "（默认为计划时限前若干天）")
    assign.set_defaults(func=cmd_assign)

    delegate = sub.add_parser("delegate", help="下级单位的任务：导出任务文件或清单，导入其填报")
    delegate_sub = delegate.add_subparsers(dest="delegate_command", metavar="操作", required=True)
    exp = delegate_sub.add_parser("export", help="导出一个下级单位的任务（.gktask 或 .xlsx）")
    exp.add_argument("workspace", type=Path)
    exp.add_argument("--office", required=True, help="下级单位名称")
    exp.add_argument("-o", "--output", type=Path, required=True,
                     help="FILE.gktask（签名任务文件）或 FILE.xlsx（Excel清单）")
    exp.set_defaults(func=cmd_delegate_export)
    dimp = delegate_sub.add_parser(
        "import",
        help="导入下级单位交回的数据包或填好的清单（下级单位：导入上级重新下发的任务文件）")
    dimp.add_argument("workspace", type=Path)
    dimp.add_argument("files", nargs="+", type=Path, metavar="FILE",
                      help="下级单位交回的数据包（.gkbundle）或填好的清单（.xlsx），可以多个")
    dimp.add_argument("--accept-key", action="append", default=[], metavar="FINGERPRINT",
                      help="核对后接受的下级单位证书指纹（可重复）")
    dimp.set_defaults(func=cmd_delegate_import)
    brk = delegate_sub.add_parser("breakdown", help="导出本单位的任务分解表（.xlsx）")
    brk.add_argument("workspace", type=Path)
    brk.add_argument("-o", "--output", type=Path, required=True, help="输出的 .xlsx 文件")
    brk.set_defaults(func=cmd_delegate_breakdown)
    prog = delegate_sub.add_parser("progress", help="下级单位完成进度、未交和逾期的单位")
    prog.add_argument("workspace", type=Path)
    prog.add_argument("--json", action="store_true", help="以 JSON 输出")
    prog.add_argument("--today", help=argparse.SUPPRESS)
    prog.set_defaults(func=cmd_delegate_progress)

    rollup = sub.add_parser("rollup", help="汇总下级填报：列出建议，加 --apply 写入")
    rollup.add_argument("workspace", type=Path)
    rollup.add_argument("measures", nargs="+", metavar="MEASURE")
    rollup.add_argument("--apply", action="store_true", help="写入汇总结果（一个事务）")
    rollup.set_defaults(func=cmd_rollup)


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.replace("，", ",").replace("、", ",").split(",") if n.strip()]


def cmd_office_add(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation import add_offices

    with open_for_writing(args.workspace) as ws:
        added = add_offices(ws, args.names, actor=actor())
    for office in added:
        print(f"已添加下级单位：{printable(office.name)}")
    if len(added) < len(args.names):
        print(f"{len(args.names) - len(added)} 个名称已存在，未重复添加")
    return 0


def cmd_office_list(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation import assignments, list_offices

    with Workspace.open(args.workspace, readonly=True) as ws:
        offices = list_offices(ws)
        found = assignments(ws)
    if not offices:
        print("还没有下级单位（用 office add 添加）")
        return 0
    for office in offices:
        mine = [a for a in found if a.office.office_id == office.office_id]
        shown = "、".join(f"{a.measure_id}（{a.role.label}"
                         f"{'，' + a.deadline.isoformat() if a.deadline else ''}）" for a in mine)
        print(f"{printable(office.name)}：{shown or '未分配举措'}")
    return 0


def cmd_office_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation import import_offices

    with open_for_writing(args.workspace) as ws:
        added = import_offices(ws, args.file, actor=actor())
    print(f"已导入 {len(added)} 个下级单位" + (
        "：" + "、".join(printable(o.name) for o in added) if added else "（均已存在）"))
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation import assign

    deadline = parse_date_arg(args.deadline, "内部完成时限") if args.deadline else None
    with open_for_writing(args.workspace) as ws:
        done = assign(ws, args.measures, _names(args.to), lead=[
            n for text in args.lead for n in _names(text)], deadline=deadline, actor=actor())
    for a in done:
        due = a.deadline.isoformat() if a.deadline else "无"
        print(f"{a.measure_id} → {printable(a.office.name)}（{a.role.label}，内部时限 {due}）")
    return 0


def cmd_delegate_export(args: argparse.Namespace) -> int:
    from gongkai_desktop.cli.bundle_cmd import _identity
    from gongkai_desktop.delegation import find_office, write_task
    from gongkai_desktop.delegation.checklist import export_office_checklist

    out: Path = args.output
    suffix = out.suffix.lower()
    if suffix not in (file_kinds.TASK, file_kinds.XLSX):
        raise InvalidInput(f"输出文件“{out.name}”应以 .gktask（任务文件）或 .xlsx（Excel清单）结尾")
    if not out.parent.is_dir():
        raise InvalidInput(f"找不到输出文件夹：{out.parent}")
    if suffix == file_kinds.XLSX:
        with Workspace.open(args.workspace, readonly=True) as ws:
            office = find_office(ws, args.office)
            count = export_office_checklist(ws, office, out)
        print(f"已导出“{printable(office.name)}”的 {count} 项举措清单：{out}")
        return 0
    with Workspace.open(args.workspace, readonly=True) as ws:
        office = find_office(ws, args.office)
        identity = _identity(ws)
        path = write_task(ws, office, identity, out)
        fingerprint = identity.display_fingerprint()
    print(f"已导出“{printable(office.name)}”的任务文件：{path}")
    print(f"本单位证书指纹：{fingerprint}（下级单位建工作区时可据此核对）")
    return 0


def cmd_delegate_import(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation import ReturnOutcome, import_returns
    from gongkai_desktop.signing.identity import group_fingerprint

    tasks = [p for p in args.files if p.suffix.lower() == file_kinds.TASK]
    returns = [p for p in args.files if p.suffix.lower() != file_kinds.TASK]
    refused = 0
    if tasks:
        refused += _update_tasks(args.workspace, tasks)
    if not returns:
        return 1 if refused else 0
    with open_for_writing(args.workspace) as ws:
        rows = import_returns(ws, returns, accept_keys=args.accept_key, actor=actor())
    for row in rows:
        if row.outcome is ReturnOutcome.REFUSED:
            refused += 1
            print(f"错误：{row.path.name}：{printable(row.message)}", file=sys.stderr)
            if row.needs_key_acceptance and row.fingerprint:
                print(f"  核实后可加 --accept-key \"{group_fingerprint(row.fingerprint)}\""
                      " 重新导入", file=sys.stderr)
        else:
            print(f"{row.path.name}：{printable(row.message)}")
    return 1 if refused else 0


def _update_tasks(workspace: Path, tasks: list[Path]) -> int:
    """A re-issued task from the parent, in the office's workspace; returns files refused."""
    from gongkai_desktop.delegation.office_init import update_from_task
    from gongkai_desktop.errors import GongkaiError

    refused = 0
    for path in tasks:
        try:
            with open_for_writing(workspace) as ws:
                got = update_from_task(ws, path, actor=actor())
        except GongkaiError as err:
            refused += 1
            print(f"错误：{path.name}：{printable(str(err))}", file=sys.stderr)
            continue
        print(f"{path.name}：{printable(got.sentence())}")  # the window's sentence
    return refused


def cmd_delegate_breakdown(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation.breakdown import export_breakdown

    out: Path = args.output
    if out.suffix.lower() != file_kinds.XLSX:
        raise InvalidInput(f"输出文件“{out.name}”应以 .xlsx 结尾")
    if not out.parent.is_dir():
        raise InvalidInput(f"找不到输出文件夹：{out.parent}")
    with Workspace.open(args.workspace, readonly=True) as ws:
        count = export_breakdown(ws, out)
    print(f"已导出任务分解表（{count} 项举措）：{out}")
    return 0


def cmd_delegate_progress(args: argparse.Namespace) -> int:

    from gongkai_desktop.cli.common import print_json
    from gongkai_desktop.delegation.progress import delegation_progress

    today = today_of(args)
    with Workspace.open(args.workspace, readonly=True) as ws:
        progress = delegation_progress(ws, today)
    if args.json:
        print_json(progress.to_json())
        return 0
    for line in progress.lines():
        print(printable(line))
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    from gongkai_desktop.delegation import apply_rollup, propose_rollup

    opened = open_for_writing(args.workspace) if args.apply else \
        Workspace.open(args.workspace, readonly=True)
    with opened as ws:
        proposals = [propose_rollup(ws, m) for m in dict.fromkeys(args.measures)]
        with ws.transaction() if args.apply else contextlib.nullcontext():
            for proposal in proposals:
                mid = proposal.measure_id
                head = f"{mid}：汇总 {len(proposal.contributions)} 个下级单位的填报"
                if proposal.offices_without_answer:
                    head += "（未交：" + "、".join(proposal.offices_without_answer) + "）"
                print(printable(head))
                lines = proposal.describe()
                for line in lines or ["与本单位记录一致，无需更改"]:
                    print(printable(f"  {line}"))
                if args.apply:
                    apply_rollup(ws, proposal, actor=actor())
    written = sum(1 for p in proposals if not p.is_empty or p.pending)
    if args.apply and written:
        print(f"已写入 {written} 项举措的汇总结果")
    elif args.apply:
        print("本单位记录已与下级填报一致，未作任何改动")
    else:
        print("以上为汇总建议；确认无误后加 --apply 写入")
    return 0

