"""``init WORKSPACE --from FILE.gktask``: the office's own workspace, made from its task.

plan = the assigned measures (parent texts, internal deadlines); unit = the office (its
``office_id`` from the parent, not a unit of the city directory); the parent's
certificate pinned as the office key (the key receipts and review files from the parent
must be signed with). The task's signature is checked with the certificate it carries;
that certificate is the parent's introduction, so its fingerprint is shown and, when
``accept_key`` is given (compared by phone), must match.
"""

from __future__ import annotations

import json
from pathlib import Path

from gongkai_desktop.bundle.office_key import OfficeKeyCheck, OfficeKeyState, pin_office_key
from gongkai_desktop.bundle.trust import check_validity, normalize_fingerprint
from gongkai_desktop.bundle.wsconn import writing
from gongkai_desktop.delegation.office_plan import office_unit
from gongkai_desktop.delegation.taskfile import TaskFile, read_task
from gongkai_desktop.errors import InvalidInput, SignatureError
from gongkai_desktop.storage import Workspace, db

TASK_SETTING = "delegation.task"


def check_task_key(task: TaskFile, accept_key: str | None) -> None:
    what = f"“{task.parent.name}”的任务文件"
    if not task.cert.valid_at(task.issued_at):
        raise SignatureError(f"{what}的签名证书在签发时不在有效期内"
                             f"（{task.cert.validity_text()}），不予接受")
    check_validity(task.cert, db.now(), what)
    if accept_key is not None and normalize_fingerprint(accept_key) != task.cert.fingerprint:
        raise InvalidInput(f"所接受的指纹与任务文件的证书指纹（{task.cert.grouped_fingerprint}）"
                           "不符，未创建工作区。请与上级单位核对后重试")


def init_from_task(path: Path, task_path: Path, *, officer: str = "", contact: str = "",
                   phone: str = "", accept_key: str | None = None,
                   actor: str = "") -> tuple[Workspace, TaskFile]:
    """Make the office's workspace at ``path`` from a verified task; nothing is left on
    failure. Returns the open workspace and the task (its ``cert`` is now pinned)."""
    task = read_task(task_path)
    check_task_key(task, accept_key)
    ws = Workspace.create(path, task.plan, office_unit(task.office), officer=officer,
                          contact=contact, phone=phone, actor=actor)
    try:
        at = db.now()
        with writing(ws) as conn:
            check = OfficeKeyCheck(OfficeKeyState.NEW, task.parent, task.cert, None)
            pin_office_key(conn, check, actor=actor, at=at)
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                         (TASK_SETTING, json.dumps(task_record(task), ensure_ascii=False)))
    except BaseException:
        ws.close()
        Path(path).unlink(missing_ok=True)
        for side in db.sidecars(Path(path)):
            side.unlink(missing_ok=True)
        raise
    return ws, task


def task_record(task: TaskFile) -> dict[str, object]:
    return {"task_id": task.task_id, "task_hash": task.task_hash,
            "issued_at": task.issued_at.isoformat(), "office_id": task.office.office_id,
            "parent": {"id": task.parent.id, "name": task.parent.name,
                       "full_name": task.parent.full_name},
            "parent_fingerprint": task.cert.fingerprint}


def parent_of(ws: Workspace) -> dict[str, object] | None:
    """The task this workspace was made from (parent, office id), None for a unit's own."""
    value = ws.get_setting(TASK_SETTING)
    return value if isinstance(value, dict) else None

