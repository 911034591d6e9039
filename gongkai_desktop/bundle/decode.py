"""Rows of a bundle turned into domain values, each field checked like a user's input.

Everything here is plan-independent (the importer checks measure ids against the
plan). A value that a genuine export could not contain is refused, not repaired:
an evidence name with a folder (``../``, ``C:\\``, ``/etc/…``) is a hostile bundle.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from gongkai_desktop.errors import GongkaiError, UnsafeInput
from gongkai_desktop.model import MeasureRecord, Status, Unit, UnitType
from gongkai_desktop.safe_json import UnsafeJson, loads_limited
from gongkai_desktop.storage import safe_file_name
from gongkai_desktop.storage.entities import AuditEntry, EvidenceItem
from gongkai_desktop.storage.names import escaped_name, is_hidden_char
from gongkai_desktop.storage.records import MAX_TEXT, check_date, check_text, check_url, check_urls

HEX64 = re.compile(r"[0-9a-f]{64}")
MEASURE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
MAX_AUDIT_TEXT = 200_000
MAX_SHORT = 200
MAX_URLS_JSON = 1024 * 1024  # 50 addresses of 2,000 characters fit many times over

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BundleProfile:
    unit: Unit
    officer: str
    contact: str
    phone: str
    created_at: dt.datetime


class _Bad(ValueError):
    pass


def row_error(label: str, n: int, detail: str) -> UnsafeInput:
    return UnsafeInput(f"数据包中的{label}第{n}行无效（{detail}），可能被改动过，未导入")


def _checked(label: str, n: int, build: Callable[[], T]) -> T:
    try:
        return build()
    except UnsafeInput:
        raise
    except (GongkaiError, _Bad, ValueError, TypeError, KeyError, ArithmeticError,
            RecursionError) as exc:
        detail = str(exc) if isinstance(exc, GongkaiError | _Bad) else "格式不对"
        raise row_error(label, n, detail) from exc


def _short(value: object, what: str, limit: int = MAX_SHORT) -> str:
    text = check_text(str(value), what, limit)
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise _Bad(f"“{what}”含有控制字符")
    return text


def _moment(value: object) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise _Bad("时间缺少时区")
    return moment


def _sha(value: object) -> str:
    if not isinstance(value, str) or not HEX64.fullmatch(value):
        raise _Bad("校验值格式不对")
    return value


def measure_id(value: object) -> str:
    if not isinstance(value, str) or not MEASURE_ID.fullmatch(value):
        raise _Bad("举措编号格式不对")
    return value


def profile_from_row(row: tuple[object, ...]) -> BundleProfile:
    def build() -> BundleProfile:
        uid, name, full, kind, officer, contact, phone, created = row
        unit = Unit(_short(uid, "单位编号"), _short(name, "单位简称", 100),
                    _short(full, "单位全称", 100), UnitType(str(kind)))
        if not unit.id.strip() or not unit.name.strip() or not unit.full_name.strip():
            raise _Bad("单位信息不完整")
        return BundleProfile(unit, _short(officer, "负责人", 100), _short(contact, "联系人", 100),
                             _short(phone, "联系电话", 100), _moment(created))
    return _checked("单位信息", 1, build)


def record_from_row(row: tuple[object, ...], n: int) -> MeasureRecord:
    def build() -> MeasureRecord:
        mid, status, reason, completed, explanation, urls, remarks, updated = row
        try:
            url_list = loads_limited(str(urls), max_depth=1, max_bytes=MAX_URLS_JSON,
                                     what="公开网址")
        except UnsafeJson as exc:
            raise _Bad(f"公开网址{exc.detail}") from exc
        if not isinstance(url_list, list) or not all(isinstance(u, str) for u in url_list):
            raise _Bad("公开网址格式不对")
        checked_urls = check_urls(url_list)
        if list(checked_urls) != url_list:
            raise _Bad("公开网址格式不对")
        record = MeasureRecord(
            measure_id=measure_id(mid),
            status=Status(str(status)),
            reason=check_text(str(reason), "不适用理由"),
            completed_on=check_date(dt.date.fromisoformat(str(completed))) if completed else None,
            explanation=check_text(str(explanation), "完成情况说明"),
            urls=checked_urls,
            remarks=check_text(str(remarks), "备注"),
            updated_at=_moment(updated) if updated is not None else None,
        )
        if record.status is Status.NOT_APPLICABLE and not record.reason.strip():
            raise _Bad("标记为“不适用”却没有理由")
        return record
    return _checked("举措记录", n, build)


def evidence_from_row(row: tuple[object, ...], n: int) -> EvidenceItem:
    def build() -> EvidenceItem:
        (eid, mid, kind, name, media, size, sha, url, title, note, added, by, orig_sha,
         orig_size) = row
        if not isinstance(eid, int) or eid <= 0:
            raise _Bad("编号不对")
        if kind == "file":
            name_text = str(name)
            if any(is_hidden_char(c) for c in name_text):
                # Shown escaped: "报告\u202efdp.exe" would display as "报告exe.pdf".
                raise UnsafeInput(f"数据包中的佐证文件名“{escaped_name(name_text)}”含有隐藏字符"
                                  "（文字方向控制符或零宽字符，可用来伪装扩展名），"
                                  "可能被改动过，未导入")
            if not name_text or safe_file_name(name_text) != name_text:
                raise UnsafeInput(f"数据包中的佐证文件名“{escaped_name(name_text)}”不安全"
                                  "（含路径或不允许的字符），可能被改动过，未导入")
            if not isinstance(size, int) or size <= 0 or url != "":
                raise _Bad("文件大小不对")
            sha_text = _sha(sha)
            if (orig_sha is None) != (orig_size is None):
                raise _Bad("原始文件信息不完整")
            if orig_sha is not None:
                _sha(orig_sha)
                if not isinstance(orig_size, int) or orig_size <= 0:
                    raise _Bad("原始文件大小不对")
        elif kind == "link":
            if name != "" or size is not None or sha is not None or orig_sha is not None \
                    or orig_size is not None:
                raise _Bad("链接不应带有文件信息")
            check_url(str(url))
            sha_text = None
        else:
            raise _Bad("佐证类型不对")
        return EvidenceItem(
            id=eid, measure_id=measure_id(mid), kind=str(kind), file_name=str(name),
            media_type=_short(media, "文件类型", 100), size=size if kind == "file" else None,
            sha256=sha_text, url=str(url), title=_short(title, "标题", 500),
            note=check_text(str(note), "说明", MAX_TEXT), added_at=_moment(added),
            added_by=_short(by, "添加人"),
            original_sha256=orig_sha if isinstance(orig_sha, str) else None,
            original_size=orig_size if isinstance(orig_size, int) else None,
        )
    return _checked("佐证材料清单", n, build)


def audit_from_row(row: tuple[object, ...], n: int) -> AuditEntry:
    def build() -> AuditEntry:
        aid, at, actor, action, mid, field, old, new = row
        if not isinstance(aid, int) or aid <= 0:
            raise _Bad("编号不对")
        texts = [check_text(str(v), "修改内容", MAX_AUDIT_TEXT) if v is not None else None
                 for v in (old, new)]
        return AuditEntry(aid, _moment(at), _short(actor, "操作人"), _short(action, "操作", 50),
                          measure_id(mid) if mid is not None else None,
                          _short(field, "字段", 50) if field is not None else None,
                          texts[0], texts[1])
    return _checked("修改记录", n, build)


def blob_from_row(row: tuple[object, ...], n: int, max_bytes: int) -> tuple[int, str, int]:
    def build() -> tuple[int, str, int]:
        no, sha, size = row
        if not isinstance(no, int) or not isinstance(size, int) or not 0 < size <= max_bytes:
            raise _Bad("文件大小不对")
        return no, _sha(sha), size
    return _checked("佐证文件目录", n, build)
