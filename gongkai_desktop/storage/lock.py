"""One writer per workspace: an OS-level exclusive lock on ``<workspace>.lock``.

The window holds the lock for as long as it shows a workspace; the command line's
write commands hold it for their one change. Reading (``summary``, the window's
worker threads, which open their own connection) takes no lock: SQLite keeps
readers consistent, the lock only stops two *people* editing one file at once.

The lock is the OS's (``flock`` on POSIX, ``msvcrt.locking`` on Windows), never the
file's existence, so a process that dies — even killed — releases it, and a lock
file left behind never blocks anybody.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType

from gongkai_desktop import faults
from gongkai_desktop.errors import NotFound, WorkspaceError

SUFFIX = ".lock"


class WorkspaceLocked(WorkspaceError):
    """The workspace is open for editing in another window or program."""


def lock_path(workspace: Path) -> Path:
    """``万州区.gkws`` → ``万州区.gkws.lock``, next to the workspace."""
    workspace = Path(workspace)
    return workspace.with_name(workspace.name + SUFFIX)


def locked_message(workspace: Path) -> str:
    return (f"该工作区已在另一个窗口中打开：{Path(workspace).name}（{workspace}）。"
            "请到那个窗口中继续填写；同一个工作区不能同时在两处修改。")


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # byte 0; released when the handle closes
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class WorkspaceLock:
    """A held lock; ``release()`` (or leaving a ``with`` block) gives it back."""

    def __init__(self, workspace: Path, path: Path, fd: int) -> None:
        self.workspace = workspace
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if sys.platform != "win32":
            # Removed while still locked: whoever opened the old file notices (see
            # acquire) and starts again on a fresh one, so removal never races.
            _unlink_quietly(self.path)
            _unlock(fd)
            os.close(fd)
        else:  # Windows cannot remove an open file; removal fails while another has it
            _unlock(fd)
            os.close(fd)
            _unlink_quietly(self.path)

    def __enter__(self) -> WorkspaceLock:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lock must not outlive its owner object
        fd, self._fd = getattr(self, "_fd", None), None
        if fd is not None:
            os.close(fd)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def acquire(workspace: Path) -> WorkspaceLock:
    """Lock ``workspace`` for editing, or raise ``WorkspaceLocked`` (Chinese message)."""
    workspace = Path(workspace)
    if not workspace.is_file():  # no lock file beside a mistyped name
        raise NotFound(f"找不到工作区文件：{workspace}")
    if not os.access(workspace, os.W_OK):  # said before a lock file is even tried
        raise faults.read_only(workspace, workspace=True)
    path = lock_path(workspace)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(20):  # only repeats when a holder removed the file under us
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            if faults.is_read_only(exc):
                raise faults.read_only(workspace, workspace=True) from exc
            if faults.is_disk_full(exc):
                raise faults.disk_full(workspace, workspace=True) from exc
            raise WorkspaceError(
                f"无法锁定工作区“{workspace.name}”（{faults.reason(exc)}），"
                "请确认文件所在的文件夹可以写入") from exc
        try:
            if not _try_lock(fd):
                raise WorkspaceLocked(locked_message(workspace))
            if _same_file(fd, path):
                return WorkspaceLock(workspace, path, fd)
            _unlock(fd)  # we locked a file its holder just removed: try the new one
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise WorkspaceLocked(locked_message(workspace))


def _same_file(fd: int, path: Path) -> bool:
    if sys.platform == "win32":
        return True  # an open file cannot be removed there
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def is_locked(workspace: Path) -> bool:
    """Whether another holder has ``workspace`` open for editing right now."""
    try:
        acquire(workspace).release()
    except WorkspaceLocked:
        return True
    return False
