"""The command line: the same core functions the window and the tests call.

Each command group lives in its own module and registers itself here. Every
expected failure prints one Chinese line on stderr and exits non-zero, with
nothing changed.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence

from gongkai_desktop import APP_NAME, __version__, faults, logfile
from gongkai_desktop.cli import (
    backup_cmd,
    bundle_cmd,
    delegation_cmd,
    guide_cmd,
    plan_cmd,
    report_cmd,
    review_cmd,
    workspace_cmd,
    xlsx_cmd,
)
from gongkai_desktop.cli.common import ChineseArgumentParser
from gongkai_desktop.errors import GongkaiError
from gongkai_desktop.text_safety import printable

log = logging.getLogger(__name__)

Register = Callable[["argparse._SubParsersAction[ChineseArgumentParser]"], None]

# Command groups, in the order `--help` lists them.
COMMAND_MODULES: list[Register] = [plan_cmd.register, workspace_cmd.register, backup_cmd.register,
                                   guide_cmd.register, report_cmd.register, bundle_cmd.register,
                                   xlsx_cmd.register, review_cmd.register,
                                   delegation_cmd.register]


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog=APP_NAME,
        description="政务公开自查（渝府办发〔2020〕89号）。不带子命令时启动图形界面。",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}",
                        help="显示程序版本并退出")
    parser.add_argument(
        "--self-test", action="store_true", help="在临时文件夹中运行端到端自检（无界面）"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    for register in COMMAND_MODULES:
        register(sub)
    return parser


def command_names() -> set[str]:
    """Sub-command names; the launcher sends anything else to the GUI."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--self-test"]:
        from gongkai_desktop.selftest import main as self_test

        return self_test(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result = args.func(args)
    except GongkaiError as err:
        _say_error(str(err))
        return 1
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; stop quietly like other tools do.
        sys.stderr.close()
        return 0
    except (OSError, sqlite3.Error) as exc:  # a layer that did not map it (a safety net)
        log.warning("unmapped storage error", exc_info=True)
        _say_error(faults.unlocated(exc))
        return 1
    except Exception:
        log.error("internal error in %s", args_list[:2], exc_info=True)
        where = logfile.log_path()
        _say_error(f"内部错误，操作未完成，详情见日志 {where}" if where
                   else "内部错误，操作未完成")
        return 70
    return int(result or 0)


def _say_error(message: str) -> None:
    # One line, whatever the message quotes (a name from a bundle may hold a newline).
    print(f"错误：{printable(message)}", file=sys.stderr)


def run(argv: Sequence[str] | None = None) -> int:
    """The command line as a program: logging to the file, never to stderr, then ``main``."""
    logfile.quiet_stderr()
    return main(argv)
