"""Shared pieces of the command line: Chinese argument errors, unit and plan lookup."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from gongkai_desktop.cli.help_format import WideHelpFormatter
from gongkai_desktop.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from gongkai_desktop.storage import Workspace


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse in Chinese: its help (headings, the -h line, 用法：) and bad arguments as
    one Chinese line with exit code 2."""

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs["add_help"] = False  # our own -h line below, in Chinese
        kwargs.setdefault("formatter_class", WideHelpFormatter)  # Chinese lines fit the terminal
        super().__init__(*args, **kwargs)
        # argparse's own headings (attributes it has had since Python 3.2).
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="显示本帮助并退出")

    # format_usage() stays argparse's own: parse_intermixed_args() cuts its first seven
    # characters ("usage: ") off, which took "用法：gong" off the 用法 line.
    def print_usage(self, file: Any = None) -> None:
        self._print_message(_chinese_usage(self.format_usage()), file)

    def format_help(self) -> str:
        return _chinese_usage(super().format_help())

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """A positional without its own help gets the usual one (the workspace …)."""
        if args and not str(args[0]).startswith("-") and "help" not in kwargs:
            kwargs["help"] = POSITIONAL_HELP.get(str(args[0]))
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"参数错误：{_translate(message)}（用 {self.prog} --help 查看用法）\n")


# What the positionals most commands share are, said once (their help pages left them bare).
POSITIONAL_HELP = {
    "workspace": "工作区文件（.gkws）",
    "bundles": "收到的数据包（.gkbundle），可以多个",
    "receipt": "上级单位发回的回执（.gkreceipt）",
    "certificate": "报送单位单独发来的证书文件（.cer）",
    "measures": "举措编号，可以多个，例如 2.1.1 2.1.2",
}


def _chinese_usage(text: str) -> str:
    """用法： for usage: (one column narrower on a terminal: 3 wide characters against 7
    narrow ones, so wrapped usage lines lose one space to stay aligned), and the
    headings' colon full-width like 用法：'s."""
    if not text.startswith("usage: "):
        return text
    usage, blank, rest = text.partition("\n\n")
    first, *wrapped = usage.split("\n")
    lines = ["用法：" + first[len("usage: "):], *(line.removeprefix(" ") for line in wrapped)]
    rest = _HEADING.sub(r"\1：", rest)
    return "\n".join(lines) + blank + rest


_HEADING = re.compile(r"^(位置参数|选项):$", re.MULTILINE)


_PHRASES = {
    "the following arguments are required": "缺少必需的参数",
    "unrecognized arguments": "无法识别的参数",
    "invalid choice": "无效的选项",
    "expected one argument": "需要一个值",
    "invalid float value": "不是数字",
    "invalid int value": "不是整数",
    "argument": "参数",
    "invalid": "无效",
    "choose from": "可选",
}


def _translate(message: str) -> str:
    for english, chinese in _PHRASES.items():
        message = message.replace(english, chinese)
    return _AFTER_CHINESE_COLON.sub(r"\1：", message)


_AFTER_CHINESE_COLON = re.compile(r"([\u4e00-\u9fff]): ")  # 缺少必需的参数: → 缺少必需的参数：


def actor() -> str:
    """Who made a change from the command line, for the audit log."""
    try:
        return f"命令行:{getpass.getuser()}"
    except Exception:  # no login name (service account, container)
        return "命令行"


def output_file(out: Path, suffix: str | None = None) -> Path:
    """Refuse an output name with the wrong ending or in a folder that does not exist."""
    if suffix is not None and out.suffix.lower() != suffix:
        raise InvalidInput(f"输出文件“{out.name}”应以 {suffix} 结尾")
    if not out.parent.is_dir():
        raise NotFound(f"找不到输出文件夹：{out.parent}")
    return out


def parse_date_arg(text: str, label: str = "日期") -> dt.date:
    """A date option (--deadline, --issued, --today): YYYY-MM-DD as always, and whatever
    the window's date fields accept (2020年9月15日, 2020.9.15 …), by the same rule."""
    from gongkai_desktop.typed_input import parse_date

    return parse_date(text, label)


def today_of(args: argparse.Namespace) -> dt.date:
    """``--today`` when given (a date, for reproducible output), else today."""
    return parse_date_arg(args.today) if args.today else dt.date.today()


def print_json(data: object) -> None:
    import json

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@contextlib.contextmanager
def open_for_writing(path: Path) -> Iterator[Workspace]:
    """The workspace opened for a change, locked like the window locks it: a command never
    writes behind the back of a window that shows the same workspace."""
    from gongkai_desktop.storage import Workspace
    from gongkai_desktop.storage.lock import acquire

    with acquire(path), Workspace.open(path) as ws:
        yield ws
