"""One exception tree for the core.

Every error a user can cause carries a Chinese message meant to be shown as is
(in a dialog, or as the one line the command line prints).
"""

from __future__ import annotations


class GongkaiError(Exception):
    """Base of every expected failure; ``str(err)`` is the Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(GongkaiError):
    """An unknown unit, measure, plan, evidence item or file."""


class InvalidInput(GongkaiError):
    """A value the user typed or a file they chose is not acceptable."""


class WorkspaceError(GongkaiError):
    """A workspace file cannot be opened: damaged, foreign or too new."""


class WorkspaceBusy(WorkspaceError):
    """Another program or window holds the workspace file right now (SQLite busy/locked)."""


class TooLarge(InvalidInput):
    """A file or value exceeds a configured limit."""


class UnsafeInput(InvalidInput):
    """Untrusted input (bundle, workbook) failed a safety or integrity check."""


class SignatureError(GongkaiError):
    """A signature is missing, broken, or made with an untrusted key."""


class WrongPassphrase(SignatureError):
    """The passphrase of the stored signing key is wrong; the window asks again."""

    def __init__(self, message: str = "密码不正确") -> None:
        super().__init__(message)


class Cancelled(GongkaiError):
    """Long work stopped because the user asked for it."""

    def __init__(self, message: str = "操作已取消") -> None:
        super().__init__(message)


class StorageFault(InvalidInput, WorkspaceError):
    """The disk or file system refused a write or a read: full, read-only, no permission.

    Both an ``InvalidInput`` (an unwritable output file was one before) and a
    ``WorkspaceError`` (so was a workspace that could not be written)."""


class DiskFull(StorageFault):
    """No space left (ENOSPC, SQLITE_FULL); nothing partial was left behind."""


class ReadOnlyStorage(StorageFault):
    """A read-only file, folder or medium (EROFS, EACCES, SQLITE_READONLY)."""
