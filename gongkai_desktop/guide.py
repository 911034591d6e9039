"""The user guide that ships with the program (``resources/guide``), for each role.

The guide is Markdown: the window shows it (帮助 → 使用说明) with screenshots that
``scripts/guide_screenshots.py`` takes from the real window, and
``report.quickstart`` prints each role's two-page quick start from the
``quickstart-*.md`` files. Only a small subset of Markdown is used, so the same
text serves both: ``#``/``##`` headings, numbered and ``-`` lists, paragraphs
and ``![caption](images/file.png)`` pictures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from gongkai_desktop import paths
from gongkai_desktop.errors import InvalidInput, NotFound


class Role(StrEnum):
    UNIT = "unit"  # a unit's officer: fill in, evidence, report, bundle
    OFFICE = "office"  # the supervising office: import, consolidate, receipts, verify

    @property
    def label(self) -> str:
        return {"unit": "单位填报人员", "office": "主管单位"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Role:
        for role in cls:
            if text in (role.value, role.label):
                return role
        raise InvalidInput(f"没有“{text}”这种使用说明（可选：unit 单位填报人员，office 主管单位）")


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of a guide: kind is "title", "heading", "item", "bullet", "text" or "image"."""

    kind: str
    text: str
    number: int = 0  # of a numbered item
    target: str = ""  # an image's relative path


def folder() -> Path:
    return paths.resource_file("guide")


def guide_file(role: Role) -> Path:
    return folder() / f"{role.value}.md"


def quickstart_file(role: Role) -> Path:
    return folder() / f"quickstart-{role.value}.md"


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NotFound(f"找不到使用说明文件：{path.name}，请重新安装本程序") from exc


_ITEM = re.compile(r"^(\d+)\.\s+(.*)$")
_IMAGE = re.compile(r"^!\[([^\]]*)\]\(([^)]+)\)$")


def parse(markdown: str) -> list[Block]:
    """The guide's Markdown subset as blocks (continuation lines join their block)."""
    blocks: list[Block] = []
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(Block("heading", line[3:].strip()))
        elif line.startswith("# "):
            blocks.append(Block("title", line[2:].strip()))
        elif m := _IMAGE.match(line):
            blocks.append(Block("image", m.group(1), target=m.group(2)))
        elif m := _ITEM.match(line):
            blocks.append(Block("item", m.group(2), number=int(m.group(1))))
        elif line.startswith("- "):
            blocks.append(Block("bullet", line[2:].strip()))
        elif blocks and blocks[-1].kind in ("text", "item", "bullet") and raw.startswith(" "):
            last = blocks[-1]
            blocks[-1] = Block(last.kind, last.text + line, last.number)
        else:
            blocks.append(Block("text", line))
    return blocks


def images(role: Role) -> list[Path]:
    """The screenshots a role's guide shows (they must exist in a build)."""
    return [folder() / b.target for b in parse(read(guide_file(role))) if b.kind == "image"]


def chapters(role: Role) -> list[str]:
    """The guide's chapter headings, in order (the help window's contents list)."""
    return [b.text for b in parse(read(guide_file(role))) if b.kind == "heading"]
