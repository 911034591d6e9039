"""``init WORKSPACE --from FILE.gktask``: the office's own workspace, made from its task.

plan = the assigned measures (parent texts, internal deadlines); unit = the office (its
``office_id`` from the parent, not a unit of the city directory); the parent's
certificate pinned as the office key (the key receipts and review files from the parent
must be signed with). The task's signature is checked with the certificate it carries;
that certificate is the parent's introduction, so its fingerprint is shown and, when
``accept_key`` is given (compared by phone), must match.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from gongkai_desktop.bundle.key_pins import normalize_fingerprint
from gongkai_desktop.bundle.office_key import OfficeKeyCheck, OfficeKeyState, pin_office_key
from gongkai_desktop.bundle.trust import check_validity
from gongkai_desktop.delegation.office_plan import office_unit
from gongkai_desktop.delegation.taskfile import TaskFile, read_task
from gongkai_desktop.errors import InvalidInput, SignatureError, UnsafeInput
from gongkai_desktop.model import Area, Measure, Plan, Subtask
from gongkai_desktop.plan.store import rewrite_plan_tree
from gongkai_desktop.storage import Workspace, audit, db, records, search
from gongkai_desktop.storage.wsconn import writing

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
            ws.set_setting(TASK_SETTING, task_record(task))  # joins this transaction
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



# ----------------------------------------------------------------- a re-issued task

@dataclass(frozen=True, slots=True)
class TaskUpdate:
    already: bool  # this very task was applied before: nothing changed
    added: tuple[str, ...]  # measures newly assigned
    deadlines: tuple[str, ...]  # measures whose internal deadline changed
    task: TaskFile

    def sentence(self) -> str:
        """What applying the task did, the one line the window and the CLI show."""
        if self.already:
            return "此任务文件已导入过（未作任何改动）"
        added = f"（{'、'.join(self.added)}）" if self.added else ""
        return (f"已更新任务：新增 {len(self.added)} 项举措{added}，"
                f"{len(self.deadlines)} 项内部时限有变化")


def _measure_key(measure_id: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in measure_id.split("."))


def _merged(old: Plan, new: Plan) -> Plan:
    """Every measure of both (the office never loses a measure it reported on), the task's
    version of those it names; areas and sub-tasks in id order."""
    measures = {m.id: m for m in old.measures()} | {m.id: m for m in new.measures()}
    heads = {s.id: (a, s) for p in (old, new) for a in p.areas for s in a.subtasks}
    areas: dict[str, tuple[Area, dict[str, list[Measure]]]] = {}
    for mid in sorted(measures, key=_measure_key):
        sub_id = mid.rsplit(".", 1)[0]
        area, sub = heads[sub_id]
        entry = areas.setdefault(area.id, (area, {}))
        entry[1].setdefault(sub.id, []).append(measures[mid])
    built = []
    for area_id in sorted(areas, key=_measure_key):
        area, subs = areas[area_id]
        built.append(Area(area.id, area.no, area.label, area.title, tuple(
            Subtask(heads[sid][1].id, heads[sid][1].no, heads[sid][1].label,
                    heads[sid][1].title, tuple(ms))
            for sid, ms in sorted(subs.items(), key=lambda kv: _measure_key(kv[0])))))
    return Plan(old.info, tuple(built))


def update_from_task(ws: Workspace, task_path: Path, *, actor: str = "") -> TaskUpdate:
    """Apply a re-issued task to the office's workspace: newly assigned measures are added
    and internal deadlines follow the task. Refused: a workspace not made from a task, a
    task for another office, one not signed with the pinned parent key (another parent), an
    older task than the one applied, another plan. Reopen the workspace afterwards (its
    ``plan`` is read when opened)."""
    from gongkai_desktop.bundle.office_key import office_key

    task = read_task(task_path)
    record = parent_of(ws)
    if record is None:
        raise InvalidInput("本工作区不是由上级单位的任务文件建立的，不能导入任务文件")
    if task.office.office_id != ws.unit.id:
        raise UnsafeInput(f"此任务文件是下发给“{task.office.name}”的，不是本单位"
                          f"（{ws.unit.name}）的，未导入")
    pinned = office_key(ws)
    if pinned is None or pinned.fingerprint != task.cert.fingerprint \
            or task.parent.id != _text(record.get("parent"), "id"):
        raise SignatureError(f"此任务文件不是由本单位已固定的上级单位证书签名的"
                             f"（指纹 {task.cert.grouped_fingerprint}），未导入")
    check_task_key(task, None)
    if task.task_hash == record.get("task_hash"):
        return TaskUpdate(True, (), (), task)
    applied = dt.datetime.fromisoformat(str(record.get("issued_at")))
    if task.issued_at <= applied:
        raise InvalidInput(f"已导入“{task.parent.name}”更新的任务文件，此任务文件较旧，未导入")
    info = ws.plan.info
    if (task.plan.info.id, task.plan.info.version) != (info.id, info.version):
        raise InvalidInput("此任务文件使用的任务分工与本工作区不同，未导入")
    old = {m.id: m for m in ws.plan.measures()}
    added = tuple(m.id for m in task.plan.measures() if m.id not in old)
    moved = tuple(m.id for m in task.plan.measures()
                  if m.id in old and old[m.id].deadline != m.deadline)
    merged = _merged(ws.plan, task.plan)
    at = db.now()
    with writing(ws) as conn:
        rewrite_plan_tree(conn, merged)  # plan_info, which the profile refers to, stays
        records.add_blank(conn, added)
        search.reindex(conn, info.id, list(added))
        ws.set_setting(TASK_SETTING, task_record(task))  # joins this transaction
        audit.write(conn, actor=actor, action="update_task", field=task.task_id,
                    new=json.dumps({"added": added, "deadlines": moved}, ensure_ascii=False),
                    at=at)
    return TaskUpdate(False, added, moved, task)


def _text(value: object, key: str) -> str:
    return str(value.get(key, "")) if isinstance(value, dict) else ""
