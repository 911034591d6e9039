"""What the window and the command line check and say before a signing key is made or used.

The signing passphrase's length and its confirmation (typed twice), and the words for a
workspace without a signing identity. Light on purpose (no ``cryptography``): the window
checks while the officer types, before anything heavy is loaded.
"""

from __future__ import annotations

from gongkai_desktop.errors import InvalidInput, NotFound

MIN_PASSPHRASE = 6
TOO_SHORT = f"签名密码至少需要 {MIN_PASSPHRASE} 个字符"
MISMATCH = "两次输入的签名密码不一致"

NO_IDENTITY = "本工作区还没有签名证书"
_HOW = "请先生成或导入证书"
_HOW_CLI = "请先用 signing init 生成或用 signing import-p12 导入"


def passphrase_problem(passphrase: str, confirm: str | None = None) -> str | None:
    """Why a new passphrase cannot be used (``confirm``: typed again); None when it can."""
    if len(passphrase) < MIN_PASSPHRASE:
        return TOO_SHORT
    if confirm is not None and passphrase != confirm:
        return MISMATCH
    return None


def typing_problem(passphrase: str, confirm: str) -> str | None:
    """What to say while the two are typed: nothing before there is something to judge
    (an empty passphrase, or a long enough one not yet typed again)."""
    if not passphrase:
        return None
    if len(passphrase) < MIN_PASSPHRASE or confirm:
        return passphrase_problem(passphrase, confirm)
    return None


def check_new_passphrase(passphrase: str, confirm: str | None = None) -> str:
    """The passphrase, when it may protect a key; ``InvalidInput`` (the same line the
    window shows) otherwise."""
    problem = passphrase_problem(passphrase, confirm)
    if problem is not None:
        raise InvalidInput(problem)
    return passphrase


def no_identity(*, command_line: bool = False) -> NotFound:
    """The error for a workspace without a signing identity (the command line names its
    commands, the window its buttons)."""
    return NotFound(f"{NO_IDENTITY}，{_HOW_CLI if command_line else _HOW}")
