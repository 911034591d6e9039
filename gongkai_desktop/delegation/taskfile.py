"""The task file (``.gktask``): a parent's signed assignment of measures to one office.

Laid out like a review file: the first line is a small JSON header (``format``,
``signature``, ``certificate``), the rest is the canonical JSON body exactly as signed.
The body names the parent unit (id, names, officer), the office (its ``office_id`` and
name), the plan's identity, and the assigned measures with their parent texts, role
(牵头/责任) and internal deadline, grouped by area and sub-task. For the office it is hostile
input: size and depth limits, exact keys, bounded texts, the signature checked before the
body is parsed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gongkai_desktop import __version__, file_kinds
from gongkai_desktop.bundle.certs import CertificateInfo
from gongkai_desktop.bundle.manifest import canonical_json, sha256_hex
from gongkai_desktop.delegation.assignment import OfficeRole, assignments
from gongkai_desktop.delegation.office_plan import office_plan, roles_of
from gongkai_desktop.delegation.offices import OFFICE_PREFIX, Office, check_name
from gongkai_desktop.errors import InvalidInput, NotFound, UnsafeInput
from gongkai_desktop.model import (
    Area,
    Deadline,
    Measure,
    Plan,
    PlanInfo,
    Subtask,
    Unit,
    UnitType,
)
from gongkai_desktop.review.reviewfile import write_file
from gongkai_desktop.review.signed_file import HEX32, PLAN_ID, open_signed, signed_bytes
from gongkai_desktop.review.signed_file import Bad as _Bad
from gongkai_desktop.review.signed_file import text as _text
from gongkai_desktop.safe_json import loads_limited
from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.storage import Workspace, safe_file_name

SUFFIX = file_kinds.TASK
FORMAT_NAME = "gongkai-task"
FORMAT_VERSION = 1
MAX_BYTES = 8 * 1024 * 1024
MAX_HEADER = 16 * 1024
MAX_DEPTH = 8
MAX_MEASURES = 5_000
MAX_TEXT = 5_000
BROKEN = "任务文件无效（已损坏、被改动，或不是本程序生成的文件）"
_OFFICE_ID = re.compile(re.escape(OFFICE_PREFIX) + r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class TaskFile:
    """A verified task: its signature checks with its own certificate (trust is decided
    by the caller: the office pins ``cert`` when it makes its workspace)."""

    task_id: str
    issued_at: dt.datetime
    parent: Unit
    parent_officer: str
    office: Office
    plan: Plan  # the office's plan: assigned measures, internal deadlines
    cert: CertificateInfo
    body: str

    @property
    def task_hash(self) -> str:
        return sha256_hex(self.body.encode("utf-8"))


def default_task_name(office_name: str) -> str:
    return safe_file_name(f"{office_name}-任务{SUFFIX}")


def _unit_dict(unit: Unit) -> dict[str, str]:
    return {"id": unit.id, "name": unit.name, "full_name": unit.full_name,
            "type": UnitType(unit.type).value}


def task_body(ws: Workspace, office: Office, certificate: bytes) -> bytes:
    assigned = assignments(ws, office_id=office.office_id)
    if not assigned:
        raise NotFound(f"尚未给“{office.name}”分配任何举措，没有可导出的任务")
    plan = office_plan(ws.plan, office.name, roles_of(assigned))
    roles = {a.measure_id: a.role for a in assigned}
    info = plan.info
    body = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "task_id": secrets.token_hex(16),
        "issued_at": dt.datetime.now().astimezone().isoformat(timespec="microseconds"),
        "app_version": __version__, "certificate_sha256": sha256_hex(certificate),
        "parent": {**_unit_dict(ws.unit), "officer": ws.profile.officer},
        "office": {"id": office.office_id, "name": office.name},
        "plan": {"id": info.id, "title": info.title, "document_number": info.document_number,
                 "issued": info.issued.isoformat(), "issuer": info.issuer,
                 "version": info.version},
        "areas": [{"id": a.id, "no": a.no, "label": a.label, "title": a.title,
                   "subtasks": [{"id": s.id, "no": s.no, "label": s.label, "title": s.title,
                                 "measures": [_measure_dict(m, roles[m.id]) for m in s.measures]}
                                for s in a.subtasks]}
                  for a in plan.areas],
    }
    return canonical_json(body).encode("utf-8")


def _measure_dict(m: Measure, role: OfficeRole) -> dict[str, Any]:
    return {"id": m.id, "no": m.no, "label": m.label, "text": m.text, "role": role.value,
            "deadline": m.deadline.date.isoformat() if m.deadline.date else None,
            "deadline_note": m.deadline.note}


def task_bytes(ws: Workspace, office: Office, identity: SigningIdentity) -> bytes:
    certificate = identity.certificate_der()
    body = task_body(ws, office, certificate)
    return signed_bytes(FORMAT_NAME, identity, certificate, body)


def write_task(ws: Workspace, office: Office, identity: SigningIdentity, out: Path) -> Path:
    """The office's signed task file at ``out`` (a folder: named after the office); written
    whole or not at all."""
    data = task_bytes(ws, office, identity)
    out = Path(out)
    if out.is_dir():
        out = out / default_task_name(office.name)
    write_file(out, data)
    return out


# ---------------------------------------------------------------------------- reading


def _int(raw: Any, high: int = 10_000) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 < raw <= high:
        raise _Bad("int")
    return raw


def _exact(raw: Any, keys: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != keys:
        raise _Bad("keys")
    return raw


def _id(raw: Any, prefix: str = "") -> str:
    if not isinstance(raw, str) or not PLAN_ID.fullmatch(raw) or not raw.startswith(prefix):
        raise _Bad("id")
    return raw


def _date(raw: Any) -> dt.date | None:
    return None if raw is None else dt.date.fromisoformat(_text(raw, 10))


def _parse_areas(raw: Any) -> tuple[Area, ...]:
    if not isinstance(raw, list) or not raw:
        raise _Bad("areas")
    seen: set[str] = set()
    areas = []
    for a in raw:
        a = _exact(a, {"id", "no", "label", "title", "subtasks"})
        area_id = _id(a["id"])
        subtasks = []
        if not isinstance(a["subtasks"], list) or not a["subtasks"]:
            raise _Bad("subtasks")
        for s in a["subtasks"]:
            s = _exact(s, {"id", "no", "label", "title", "measures"})
            sub_id = _id(s["id"], area_id + ".")
            if not isinstance(s["measures"], list) or not s["measures"]:
                raise _Bad("measures")
            measures = []
            for m in s["measures"]:
                m = _exact(m, {"id", "no", "label", "text", "role", "deadline", "deadline_note"})
                mid = _id(m["id"], sub_id + ".")
                if mid in seen:
                    raise _Bad("duplicate")
                seen.add(mid)
                role = OfficeRole(m["role"])
                measures.append((Measure(mid, _int(m["no"]), _text(m["label"], 20, empty=True),
                                         _text(m["text"], MAX_TEXT), (), (),
                                         Deadline(_date(m["deadline"]),
                                                  _text(m["deadline_note"], 500, empty=True))),
                                 role))
            subtasks.append((Subtask(sub_id, _int(s["no"]), _text(s["label"], 20, empty=True),
                                     _text(s["title"], MAX_TEXT), ()), measures))
        areas.append((Area(area_id, _int(a["no"]), _text(a["label"], 20, empty=True),
                           _text(a["title"], MAX_TEXT), ()), subtasks))
        if len(seen) > MAX_MEASURES:
            raise _Bad("too many")
    return tuple(_build(areas))


def _build(areas: list[Any]) -> list[Area]:
    out = []
    for area, subtasks in areas:
        subs = tuple(Subtask(s.id, s.no, s.label, s.title, tuple(m for m, _r in ms))
                     for s, ms in subtasks)
        out.append(Area(area.id, area.no, area.label, area.title, subs))
    return out


def _roles(raw_areas: Any) -> dict[str, OfficeRole]:
    return {m["id"]: OfficeRole(m["role"]) for a in raw_areas for s in a["subtasks"]
            for m in s["measures"]}


def _parse_body(body: str, cert: CertificateInfo) -> TaskFile:
    data = loads_limited(body, max_depth=MAX_DEPTH, max_bytes=MAX_BYTES, message=BROKEN)
    keys = {"format", "format_version", "task_id", "issued_at", "app_version",
            "certificate_sha256", "parent", "office", "plan", "areas"}
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise _Bad("format")
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise InvalidInput("该任务文件由更新版本的程序生成，请先升级本程序")
    data = _exact(data, keys)
    if version != FORMAT_VERSION:
        raise _Bad("version")
    if data["certificate_sha256"] != cert.fingerprint:
        raise UnsafeInput("任务文件所附的证书与文件内容不符（证书被替换），不予接受")
    task_id = data["task_id"]
    if not isinstance(task_id, str) or not HEX32.fullmatch(task_id):
        raise _Bad("task id")
    issued = dt.datetime.fromisoformat(_text(data["issued_at"], 40))
    if issued.tzinfo is None:
        raise _Bad("time")
    p = _exact(data["parent"], {"id", "name", "full_name", "type", "officer"})
    parent = Unit(_text(p["id"], 200), _text(p["name"], 100), _text(p["full_name"], 200),
                  UnitType(p["type"]))
    o = _exact(data["office"], {"id", "name"})
    if not isinstance(o["id"], str) or not _OFFICE_ID.fullmatch(o["id"]):
        raise _Bad("office id")
    office = Office(o["id"], check_name(_text(o["name"], 100)), issued)
    pl = _exact(data["plan"], {"id", "title", "document_number", "issued", "issuer", "version"})
    info = PlanInfo(_text(pl["id"], 100), _text(pl["title"], 500),
                    _text(pl["document_number"], 100, empty=True),
                    dt.date.fromisoformat(_text(pl["issued"], 10)),
                    _text(pl["issuer"], 200, empty=True), _int(pl["version"], 1_000_000))
    bare = Plan(info, _parse_areas(data["areas"]))
    roles = _roles(data["areas"])
    plan = office_plan(bare, office.name,
                       {m.id: (roles[m.id], m.deadline.date) for m in bare.measures()})
    return TaskFile(task_id, issued, parent, _text(p["officer"], 100, empty=True), office,
                    plan, cert, body)


def read_task(path: Path) -> TaskFile:
    """A task whose signature verifies with its own certificate; raises otherwise."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UnsafeInput(f"任务文件太大（超过 {MAX_BYTES // (1024 * 1024)} MB），"
                              "不是本程序生成的文件，未导入")
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(f"找不到任务文件：{path}") from exc
    except OSError as exc:
        raise InvalidInput(f"无法读取任务文件“{path.name}”：{exc.strerror or exc}") from exc
    return open_signed(raw, format_name=FORMAT_NAME, max_header=MAX_HEADER, broken=BROKEN,
                       bad_signature="任务文件的签名无效：内容在签名后被改动过，不予接受",
                       parse=_parse_body)
