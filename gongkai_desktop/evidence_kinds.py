"""What kind of evidence a file is, and what to call it, for the unit and the office alike.

One rule for every view that lists evidence (the unit's list, the supervisor's
record dialog, the viewer): the sniffed media type first, then the file name's
suffix. ``media_label`` is the short word a list shows: 图片, PDF, 文档 or 网页链接.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Protocol

# kind → the name shown where there is room for it (the unit's evidence list)
KIND_NAMES: dict[str, str] = {
    "image": "图片",
    "pdf": "PDF 文档",
    "word": "Word 文档",
    "excel": "Excel 表格",
    "ppt": "演示文稿",
    "ofd": "OFD 版式文件",
    "archive": "压缩包",
    "text": "文本文件",
    "video": "视频",
    "other": "文件",
    "link": "网页链接",
}
SUFFIXES: dict[str, frozenset[str]] = {
    "word": frozenset({".doc", ".docx", ".wps", ".odt", ".rtf"}),
    "excel": frozenset({".xls", ".xlsx", ".et", ".ods", ".csv"}),
    "ppt": frozenset({".ppt", ".pptx", ".dps", ".odp"}),
    "ofd": frozenset({".ofd"}),
    "archive": frozenset({".zip", ".rar", ".7z", ".tar", ".gz"}),
    "text": frozenset({".txt", ".md", ".log"}),
    "video": frozenset({".mp4", ".avi", ".mov", ".wmv", ".mkv"}),
    "image": frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}),
    "pdf": frozenset({".pdf"}),
}
# Shown inside the program's viewer; everything else opens in the system's program.
VIEWABLE = frozenset({"image", "pdf", "text", "link"})


class EvidenceLike(Protocol):
    """The fields both the unit's and the supervisor's evidence rows have."""

    @property
    def kind(self) -> str: ...  # "file" | "link"
    @property
    def file_name(self) -> str: ...
    @property
    def media_type(self) -> str: ...


def kind_for(is_file: bool, media_type: str, file_name: str) -> str:
    """"image", "pdf", "word", … "other", or "link"."""
    if not is_file:
        return "link"
    media = (media_type or "").lower()
    if media == "application/pdf":
        return "pdf"
    if media.startswith("image/"):
        return "image"
    suffix = PurePath(file_name).suffix.lower()
    for kind, suffixes in SUFFIXES.items():
        if suffix in suffixes:
            return kind
    if media.startswith("video/"):
        return "video"
    if media.startswith("text/"):
        return "text"
    return "other"


def evidence_kind(item: EvidenceLike) -> str:
    return kind_for(item.kind == "file", item.media_type, item.file_name)


def media_label(kind: str) -> str:
    """The short type word of a list column: 图片 / PDF / 文档 / 网页链接."""
    if kind == "image":
        return "图片"
    if kind == "pdf":
        return "PDF"
    if kind == "link":
        return "网页链接"
    return "文档"
