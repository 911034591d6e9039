"""`review …` (the office's verdicts, review files out and in) and `rectify` (the 整改台账).

``review`` takes either a workspace (set a verdict) or ``export``/``import`` first:

    review WORKSPACE --unit NAME MEASURE --verdict 通过|退回整改|待核实 [--comment TEXT]
    review WORKSPACE --unit NAME --accept-remaining
    review export WORKSPACE (--unit NAME | --all) -o FILE_OR_FOLDER
    review import WORKSPACE FILE... [--accept-key FINGERPRINT]

argparse cannot tell a sub-command from a path in the same position, so ``review``
keeps the rest of the line and hands it to one of three small parsers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gongkai_desktop.cli.common import ChineseArgumentParser, actor, open_for_writing
from gongkai_desktop.cli.help_format import WideRawDescriptionHelpFormatter
from gongkai_desktop.text_safety import printable

PROG = "gongkai-desktop review"
FORMS = """四种用法（每种都可加 --help 查看详细说明）：

  （上级单位）设定一项举措的审核结论：
    review 工作区 --unit 单位 举措 --verdict 通过|退回整改|待核实 [--comment 意见]
  （上级单位）尚未审核的举措一律设为通过：
    review 工作区 --unit 单位 --accept-remaining
  （上级单位）导出签名的整改意见文件：
    review export 工作区 (--unit 单位 | --all) -o 文件或文件夹
  （报送单位）导入收到的整改意见文件：
    review import 工作区 文件… [--accept-key 指纹]
"""


def register(sub: Any) -> None:
    review = sub.add_parser(
        "review", help="审核与整改：设定审核结论、导出或导入整改意见文件（.gkreview）",
        description=FORMS, formatter_class=WideRawDescriptionHelpFormatter)
    review.add_argument("rest", nargs=argparse.REMAINDER, metavar="…",
                        help="export … / import … / 工作区 --unit …（见上）")
    review.set_defaults(func=cmd_review)

    rectify = sub.add_parser("rectify",
                             help="（报送单位）记录整改台账：存在问题、整改措施、责任人、时限")
    rectify.add_argument("workspace", type=Path)
    rectify.add_argument("measure", help="举措编号，例如 2.1.1")
    rectify.add_argument("--problem", required=True, help="存在问题")
    rectify.add_argument("--action", required=True, help="整改措施")
    rectify.add_argument("--owner", required=True, help="责任人")
    rectify.add_argument("--deadline", required=True,
                         help="整改时限，如 2021-03-31 或 2021年3月31日")
    rectify.set_defaults(func=cmd_rectify)


def _verdict_parser() -> ChineseArgumentParser:
    p = ChineseArgumentParser(prog=PROG, description="（上级单位）对某单位的一项举措设定审核结论")
    p.add_argument("workspace", type=Path)
    p.add_argument("measure", nargs="?", help="举措编号，例如 2.1.1")
    p.add_argument("--unit", required=True, help="报送单位名称")
    p.add_argument("--verdict", help="通过、退回整改 或 待核实")
    p.add_argument("--comment", default="", help="审核意见（退回整改时必填）")
    p.add_argument("--accept-remaining", action="store_true",
                   help="全部通过：尚未审核的举措一律设为通过")
    return p


def _export_parser() -> ChineseArgumentParser:
    p = ChineseArgumentParser(prog=f"{PROG} export", description="导出签名的整改意见文件")
    p.add_argument("workspace", type=Path)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", help="报送单位名称")
    which.add_argument("--all", action="store_true", help="每个已审核的单位各一个文件")
    p.add_argument("-o", "--output", type=Path, required=True, help="文件名或文件夹")
    return p


def _import_parser() -> ChineseArgumentParser:
    p = ChineseArgumentParser(prog=f"{PROG} import",
                              description="（报送单位）导入收到的整改意见文件")
    p.add_argument("workspace", type=Path)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help="收到的整改意见文件（.gkreview），可以多个")
    p.add_argument("--accept-key", metavar="FINGERPRINT",
                   help="接受该指纹的上级单位证书（首次导入或对方更换证书时，核对后填写）")
    return p


def cmd_review(args: argparse.Namespace) -> int:
    rest = list(args.rest)
    if rest[:1] == ["export"]:
        return _export(_export_parser().parse_intermixed_args(rest[1:]))
    if rest[:1] == ["import"]:
        return _import(_import_parser().parse_intermixed_args(rest[1:]))
    return _set(_verdict_parser().parse_intermixed_args(rest))


def _set(args: argparse.Namespace) -> int:
    from gongkai_desktop.cli.bundle_cmd import _find_imported_unit
    from gongkai_desktop.errors import InvalidInput
    from gongkai_desktop.review.states import Verdict
    from gongkai_desktop.review.verdicts import accept_remaining, set_verdict
    from gongkai_desktop.roles import reported_measures, roles_for_plan
    from gongkai_desktop.units import UnitDirectory

    if args.accept_remaining:
        if args.measure or args.verdict:
            raise InvalidInput("--accept-remaining 不能与举措编号或 --verdict 同时使用")
        with open_for_writing(args.workspace) as ws:
            unit_id = _find_imported_unit(ws, args.unit)
            from gongkai_desktop.supervisor.store import SupervisorView

            unit = SupervisorView(ws).unit(unit_id).unit
            roles = roles_for_plan(ws.plan, unit, UnitDirectory.load())
            wanted = reported_measures(roles)
            count = accept_remaining(ws, unit_id, wanted, actor=actor())
        print(f"已将“{unit.name}”尚未审核的 {count} 项举措设为通过")
        return 0
    if not args.measure or not args.verdict:
        raise InvalidInput("请给出举措编号和 --verdict（通过、退回整改 或 待核实）")
    verdict = Verdict.parse(args.verdict)
    with open_for_writing(args.workspace) as ws:
        unit_id = _find_imported_unit(ws, args.unit)
        got = set_verdict(ws, unit_id, args.measure, verdict, args.comment, actor=actor())
    comment = f"：{got.comment}" if got.comment else ""
    print(f"已记录：{args.unit} {got.measure_id} {got.verdict.label}{comment}"
          f"（数据包序号 {got.bundle_sequence}）")
    return 0


def _export(args: argparse.Namespace) -> int:
    from gongkai_desktop.cli.bundle_cmd import _find_imported_unit, _identity
    from gongkai_desktop.review.reviewfile import write_all_reviews, write_review

    with open_for_writing(args.workspace) as ws:
        identity = _identity(ws)
        if args.all:
            paths = write_all_reviews(ws, identity, args.output)
        else:
            paths = [write_review(ws, _find_imported_unit(ws, args.unit), identity, args.output)]
    for path in paths:
        print(f"已导出整改意见：{path}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from gongkai_desktop.bundle.office_key import KEY_CHANGED_NOTE, OfficeKeyNotAccepted
    from gongkai_desktop.errors import GongkaiError
    from gongkai_desktop.review.unit_side import import_review

    refused = 0
    with open_for_writing(args.workspace) as ws:
        for path in args.files:
            try:
                got = import_review(ws, path, accept_key=args.accept_key, actor=actor())
            except OfficeKeyNotAccepted as err:
                refused += 1
                print(f"错误：{path.name}：{err}", file=sys.stderr)
                shown = err.check.cert.grouped_fingerprint
                print(f"  核实后可加 --accept-key \"{shown}\" 重新导入", file=sys.stderr)
                continue
            except GongkaiError as err:
                refused += 1
                print(f"错误：{path.name}：{err}", file=sys.stderr)
                continue
            # The window's sentence; a replayed older review is refused, as the user must notice.
            if got.stale:
                refused += 1
                print(f"错误：{path.name}：{printable(got.sentence())}", file=sys.stderr)
            else:
                print(f"{path.name}：{printable(got.sentence())}")
            if got.key_changed:
                print(f"提示：{KEY_CHANGED_NOTE}", file=sys.stderr)
    return 1 if refused else 0


def cmd_rectify(args: argparse.Namespace) -> int:
    from gongkai_desktop.review.ledger import parse_deadline, record_rectification

    deadline = parse_deadline(args.deadline)
    with open_for_writing(args.workspace) as ws:
        entry = record_rectification(ws, args.measure, problem=args.problem, action=args.action,
                                     owner=args.owner, deadline=deadline, actor=actor())
    print(f"已记录整改台账：{entry.measure_id}，责任人 {entry.owner}，"
          f"整改时限 {entry.deadline.isoformat()}")
    return 0
