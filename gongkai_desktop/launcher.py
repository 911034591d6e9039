"""The `gongkai-desktop` entry point.

A sub-command (or --version/--help/--self-test) runs the command line; files
(a workspace, bundles, receipts: existing, or named with our suffixes), Qt's own
options or nothing start the window, the way a file association does. Any other
word is a mistyped command: one Chinese line and exit code 2, no window.
This is the only module outside ``ui`` that may import it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from gongkai_desktop import file_kinds
from gongkai_desktop.qt_args import file_arguments

CLI_FLAGS = {"--version", "-h", "--help", "--self-test"}
# Kept as a literal so starting the window never imports the command line (reportlab,
# pyHanko …); tests/test_launcher.py checks it against the parser.
CLI_COMMANDS = {"plan", "init", "set", "attach", "summary", "backup", "report", "verify", "bundle",
                "xlsx", "signing", "guide",
                "review", "rectify", "office", "assign", "delegate", "rollup"}


# Files the window opens even when they do not exist yet (it then says so itself).
def unknown_command(argv: Sequence[str]) -> str | None:
    """The first argument that is neither a file for the window nor a Qt option."""
    for arg in file_arguments(argv):
        path = Path(arg)
        if path.suffix.lower() in file_kinds.WINDOW or path.exists():
            continue
        return arg
    return None


def unknown_command_message(word: str) -> str:
    commands = "、".join(sorted(CLI_COMMANDS))
    return (f"未知命令“{word}”：可用的命令有 {commands}；"
            "要打开工作区，请给出 .gkws 文件（用 gongkai-desktop --help 查看用法）")


def wants_cli(argv: Sequence[str]) -> bool:
    if not argv:
        return False
    return argv[0] in CLI_FLAGS or argv[0] in CLI_COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_cli(args):
        from gongkai_desktop.cli import run as cli_run

        return cli_run(args)
    word = unknown_command(args)
    if word is not None:
        if sys.stderr is not None:  # the windowed Windows build has no console
            sys.stderr.write(unknown_command_message(word) + "\n")
        return 2
    from gongkai_desktop.ui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
