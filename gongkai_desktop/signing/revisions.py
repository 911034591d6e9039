"""What a later revision of a PDF added, in Chinese words (页面、批注、表单字段、文档信息…).

Descriptive only: whether the file counts as changed is decided in ``verify.py``
from pyHanko's validation results. This module reads the revision with pyHanko's
historical resolver and names what a reader of the file would notice. A file
that is too odd to describe gets a general word, never an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

log = logging.getLogger(__name__)

MAX_PAGES = 10_000  # a hostile page tree cannot keep us walking forever
OTHER = "其他内容"
INFO = "文档信息（标题、作者等）"

_ANNOTATIONS = {
    "/FreeText": "批注（文字框）", "/Text": "批注（便笺）", "/Square": "批注（方框）",
    "/Circle": "批注（圆圈）", "/Stamp": "批注（图章）", "/Ink": "批注（手写）",
    "/Line": "批注（线条）", "/Polygon": "批注（多边形）", "/Highlight": "批注（高亮）",
    "/Link": "链接", "/FileAttachment": "附件",
}


def describe_revision(reader: PdfFileReader, revision: int) -> list[str]:
    """What ``revision`` added or changed, each item once, e.g. ``第1页的批注（方框）``."""
    try:
        found = _describe(reader, revision)
    except Exception as exc:  # a description must never turn a verdict into a crash
        log.info("could not describe revision %d: %s", revision, exc)
        found = []
    return list(dict.fromkeys(found)) or [OTHER]


def _describe(reader: PdfFileReader, revision: int) -> list[str]:
    now = reader.get_historical_resolver(revision)
    before = reader.get_historical_resolver(revision - 1)
    changed = reader.xrefs.explicit_refs_in_revision(revision)
    found: list[str] = []
    old_pages = {ref.idnum for ref in _page_refs(before)}
    for number, ref in enumerate(_page_refs(now), start=1):
        if ref.idnum not in old_pages:
            found.append(f"新增的第{number}页")
            continue
        found += _page_changes(now, before, ref, changed, number)
    if _info_changed(now, before, changed):
        found.append(INFO)
    return found


def _page_refs(resolver: HistoricalResolver) -> Iterator[generic.Reference]:
    root = resolver.trailer_view["/Root"]
    pages = _raw(root, "/Pages")
    stack: list[Any] = [pages]
    seen: set[int] = set()
    while stack and len(seen) < MAX_PAGES:
        ref = stack.pop()
        if not isinstance(ref, generic.IndirectObject) or ref.idnum in seen:
            continue
        seen.add(ref.idnum)
        node = resolver.get_object(ref.reference)
        if node.get("/Type") == "/Page":
            yield ref.reference
        else:
            stack.extend(reversed(list(_raw(node, "/Kids", resolver) or ())))


def _raw(container: Any, key: str, resolver: HistoricalResolver | None = None) -> Any:
    """``container[key]`` without resolving references (None when absent); an indirect
    array is resolved when a ``resolver`` is given."""
    value = container.raw_get(key) if key in container else None
    if resolver is not None and isinstance(value, generic.IndirectObject):
        value = resolver.get_object(value.reference)
    return value


def _refs_in(value: Any) -> set[int]:
    if isinstance(value, generic.IndirectObject):
        return {value.idnum}
    if isinstance(value, generic.ArrayObject):
        return {v.idnum for v in value if isinstance(v, generic.IndirectObject)}
    return set()


def _page_changes(now: HistoricalResolver, before: HistoricalResolver, ref: generic.Reference,
                  changed: set[generic.Reference], number: int) -> list[str]:
    page, old_page = now.get_object(ref), before.get_object(ref)
    changed_ids = {r.idnum for r in changed}
    found: list[str] = []
    contents = _refs_in(_raw(page, "/Contents", now))
    old_contents = _refs_in(_raw(old_page, "/Contents", before))
    if contents != old_contents or contents & changed_ids:
        found.append(f"第{number}页的页面内容")
    annots = _raw(page, "/Annots", now)
    old_annots = _refs_in(_raw(old_page, "/Annots", before))
    for item in annots if isinstance(annots, generic.ArrayObject) else ():
        if isinstance(item, generic.IndirectObject) and (
                item.idnum not in old_annots or item.idnum in changed_ids):
            found.append(f"第{number}页的{_annotation_kind(now.get_object(item.reference))}")
    if ref in changed and not found:
        found.append(f"第{number}页的页面属性")
    return found


def _annotation_kind(annot: Any) -> str:
    subtype = str(annot.get("/Subtype", ""))
    if subtype != "/Widget":
        return _ANNOTATIONS.get(subtype, f"批注（{subtype.lstrip('/') or '未知类型'}）")
    field, depth = annot, 0
    while field is not None and "/FT" not in field and depth < 32:
        field, depth = field.get("/Parent"), depth + 1
    if field is not None and field.get("/FT") == "/Sig":
        return "签名字段（未签名）" if field.get("/V") is None else "签名"
    return "表单字段"


def _info_changed(now: HistoricalResolver, before: HistoricalResolver,
                  changed: set[generic.Reference]) -> bool:
    info = _raw(now.trailer_view, "/Info")
    old = _raw(before.trailer_view, "/Info")
    if isinstance(info, generic.IndirectObject):
        return info.reference in changed or not (
            isinstance(old, generic.IndirectObject) and old.idnum == info.idnum)
    return isinstance(old, generic.IndirectObject) or info != old
