"""The one place where OS and SQLite failures become a Chinese line.

Every write path (the workspace, bundles, reports, workbooks, backups, receipts)
maps its ``OSError`` / ``sqlite3.Error`` here, so a full disk always reads
“磁盘空间不足…” naming the file, a read-only place always says “只读”, and a busy
file always says it is in use, whatever layer noticed first.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable
from pathlib import Path

from gongkai_desktop.errors import (
    DiskFull,
    GongkaiError,
    InvalidInput,
    NotFound,
    ReadOnlyStorage,
    WorkspaceBusy,
    WorkspaceError,
)

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
# SQLite primary result codes (the low byte of an extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26
SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_IOERR_TRUNCATE = 778, 1034, 1546


# The OS's own words are English (strerror): the usual causes, said in Chinese.
_REASONS = {
    errno.ENOENT: "文件夹不存在，或这里不能新建文件",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EISDIR: "同名的文件夹已存在",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EINVAL: "文件名无效",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
    errno.EIO: "磁盘读写出错（磁盘或U盘可能有故障）",
    errno.EEXIST: "同名文件已存在",
}


def reason(exc: OSError, *, reading: bool = False) -> str:
    """Why an OS call failed, in Chinese (the errno number when the cause is unusual)."""
    if exc.errno in _FULL_ERRNOS:
        return "磁盘空间不足"
    if exc.errno in _READONLY_ERRNOS:
        return "没有读取权限" if reading else "只读或没有写入权限"
    if reading and exc.errno == errno.ENOENT:
        return "文件不存在"
    known = _REASONS.get(exc.errno or -1)
    return known or f"系统错误 {exc.errno}" if exc.errno else "系统错误"


def _place(path: Path) -> str:
    path = Path(path)
    return f"“{path.name}”（文件夹 {path.parent}）"


def disk_full(path: Path, *, workspace: bool = False) -> DiskFull:
    if workspace:
        return DiskFull(f"磁盘空间不足：工作区{_place(path)}所在的磁盘已满，本次修改未保存，"
                        "工作区内容不变。请清理磁盘后重试")
    return DiskFull(f"磁盘空间不足：无法写入{_place(path)}，未留下不完整的文件。"
                    "请清理磁盘或换一个保存位置后重试")


def read_only(path: Path, *, workspace: bool = False) -> ReadOnlyStorage:
    if workspace:
        return ReadOnlyStorage(f"工作区{_place(path)}是只读的（只读文件、只读文件夹或只读介质），"
                               "只能查看，不能修改；本次修改未保存")
    return ReadOnlyStorage(f"无法写入{_place(path)}：文件或文件夹是只读的（或没有写入权限），"
                           "请换一个保存位置")


def busy(path: Path, what: str = "工作区") -> WorkspaceBusy:
    return WorkspaceBusy(f"{what}“{Path(path).name}”正被其他程序或窗口占用，"
                          "本次操作未完成，请稍后再试")


def exists(path: Path) -> InvalidInput:
    """A new file (a workspace, a backup) would replace one already there."""
    return InvalidInput(f"文件“{Path(path).name}”已存在，不会覆盖，请换一个文件名")


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF == SQLITE_FULL):
            return True
        return "database or disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS


def is_read_only(exc: BaseException) -> bool:
    """A read-only file, folder or medium, or no permission to write (OS or SQLite)."""
    if isinstance(exc, sqlite3.Error):
        code = _sqlite_code(exc)
        return (code is not None and code & 0xFF == SQLITE_READONLY) or "readonly" in str(exc)
    return isinstance(exc, OSError) and exc.errno in _READONLY_ERRNOS


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code)


def os_error(exc: OSError, path: Path, what: str = "") -> GongkaiError:
    """A failed write of ``path`` (``what``: 数据包文件, 报告文件 … for the generic case)."""
    if exc.errno in _FULL_ERRNOS:
        return disk_full(path)
    if exc.errno in _READONLY_ERRNOS:
        return read_only(path)
    label = what or "文件"
    return InvalidInput(f"无法写入{label}{_place(path)}：{reason(exc)}")


def sqlite_error(exc: sqlite3.Error, path: Path, *, workspace: bool = True,
                 what: str = "") -> GongkaiError:
    """A failed SQLite statement on the file ``path`` (the workspace unless told otherwise;
    ``what``: 备份文件 … names another file in the generic case)."""
    code = _sqlite_code(exc)
    primary = None if code is None else code & 0xFF
    text = str(exc).lower()
    if is_disk_full(exc) or (code in (SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC,
                                     SQLITE_IOERR_TRUNCATE) and _no_space(path)):
        return disk_full(path, workspace=workspace)
    if primary == SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return read_only(path, workspace=workspace)
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in text or "busy" in text:
        return busy(path)
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return WorkspaceError(f"文件“{Path(path).name}”已损坏或不是本程序的文件")
    if primary == SQLITE_CANTOPEN:
        return WorkspaceError(f"无法打开文件{_place(path)}（可能没有权限或位置不可写）")
    if workspace:
        return WorkspaceError(f"工作区“{Path(path).name}”读写出错，本次修改未保存"
                              f"（{_code_name(exc)}）")
    if primary == SQLITE_IOERR:
        return InvalidInput(f"无法写入{what or '文件'}{_place(path)}：{_REASONS[errno.EIO]}")
    return InvalidInput(f"无法写入{what or '文件'}{_place(path)}（{_code_name(exc)}）")


def _code_name(exc: sqlite3.Error) -> str:
    """SQLite's code name (SQLITE_…), never its English sentence."""
    return getattr(exc, "sqlite_errorname", "") or "数据库错误"


def sqlite_read_error(exc: sqlite3.Error, path: Path, what: str) -> GongkaiError:
    """A failed read of the SQLite file ``path`` someone chose (``what``: 任务分工数据文件 …):
    busy and unreadable say so; anything else means the file is damaged or foreign."""
    code = _sqlite_code(exc)
    primary = None if code is None else code & 0xFF
    text = str(exc).lower()
    name = Path(path).name
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in text:
        return busy(path, what)
    if primary == SQLITE_CANTOPEN or "unable to open" in text:
        return WorkspaceError(f"无法读取{what}“{name}”：文件无法打开（可能没有读取权限）")
    if primary == SQLITE_IOERR:
        return WorkspaceError(f"无法读取{what}“{name}”：{_REASONS[errno.EIO]}")
    return WorkspaceError(f"{what}已损坏或不是本程序的文件：{name}")


def _no_space(path: Path) -> bool:
    """Whether the disk holding ``path`` has (almost) no space left: SQLite reports some
    full disks as a write I/O error rather than SQLITE_FULL."""
    import shutil

    try:
        return shutil.disk_usage(Path(path).parent).free < 64 * 1024
    except OSError:
        return False


def any_error(exc: BaseException, path: Path, what: str = "") -> GongkaiError | None:
    """``os_error`` or ``sqlite_error`` (not a workspace) for whichever ``exc`` is; None
    for anything else (a programming error stays one)."""
    if isinstance(exc, GongkaiError):
        return exc
    if isinstance(exc, OSError):
        return os_error(exc, path, what)
    if isinstance(exc, sqlite3.Error):
        return sqlite_error(exc, path, workspace=False, what=what)
    return None


def read_bytes(path: Path, what: str, *, limit: int | None = None,
               too_large: Callable[[int], GongkaiError] | None = None,
               missing: str | None = None) -> bytes:
    """The whole of a small file someone chose, its size checked before it is read.

    ``what`` names it in the messages (证书文件, 回执文件 …): “找不到<what>：path” (or
    ``missing``), “无法读取<what>“name”：reason”; a file over ``limit`` bytes raises
    ``too_large(size)``.
    """
    path = Path(path)
    try:
        if limit is not None:
            size = path.stat().st_size
            if size > limit:
                raise (too_large(size) if too_large is not None
                       else InvalidInput(f"{what}“{path.name}”过大"))
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(missing or f"找不到{what}：{path}") from exc
    except OSError as exc:
        raise InvalidInput(f"无法读取{what}“{path.name}”：{reason(exc, reading=True)}") from exc


def unlocated(exc: OSError | sqlite3.Error) -> str:
    """The message for a failure no layer mapped (the command line's safety net)."""
    name = getattr(exc, "filename", None)
    if isinstance(exc, OSError):
        if name:
            return str(os_error(exc, Path(name)))
        return f"读写文件时出错：{reason(exc)}，操作未完成"
    if is_disk_full(exc):
        return "磁盘空间不足，操作未完成，文件内容不变。请清理磁盘后重试"
    code = getattr(exc, "sqlite_errorname", "")
    return f"数据库读写出错，操作未完成（{code or '未知错误'}）"
