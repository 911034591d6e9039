"""The `gongkai-desktop` entry point.

A sub-command (or --version/--help/--self-test) runs the command line; anything
else starts the window, with an optional workspace file to open (the way a file
association passes it). This is the only module outside ``ui`` that may import it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

CLI_FLAGS = {"--version", "-h", "--help", "--self-test"}
# Kept as a literal so starting the window never imports the command line (reportlab,
# pyHanko …); tests/test_launcher.py checks it against the parser.
CLI_COMMANDS = {"plan", "init", "set", "attach", "summary", "backup", "report", "verify", "bundle",
                "xlsx", "signing", "guide",
                "review", "rectify"}


def wants_cli(argv: Sequence[str]) -> bool:
    if not argv:
        return False
    return argv[0] in CLI_FLAGS or argv[0] in CLI_COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_cli(args):
        from gongkai_desktop.cli import run as cli_run

        return cli_run(args)
    from gongkai_desktop.ui.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
