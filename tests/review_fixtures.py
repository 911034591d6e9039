"""Review files as an attacker builds them, and the workspaces of the review loop."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import dump
from tests.receipt_fixtures import resign


def dump_at(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Everything the workspace file holds (equal dumps: nothing changed)."""
    with Workspace.open(path, readonly=True) as ws:
        return dump(ws)


def resign_review(path: Path, key: SigningIdentity, change: Callable[[dict[str, Any]], None],
                  out: Path) -> Path:
    """A review whose body says what the holder of ``key`` wants, validly signed by it."""
    return resign(path, key, change, out)


def tamper_comment(path: Path, out: Path, text: str = "已通过") -> Path:
    """Change a comment in the signed body without signing again (no key needed)."""
    outer = json.loads(path.read_text(encoding="utf-8"))
    body = json.loads(outer["body"])
    body["verdicts"][0]["comment"] = text
    body["verdicts"][0]["verdict"] = "accepted"
    outer["body"] = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    out.write_text(json.dumps(outer, ensure_ascii=False), encoding="utf-8")
    return out


def deep_json(out: Path, depth: int = 100_000) -> Path:
    """A file whose nesting would exhaust a naive parser."""
    out.write_text('{"format": "gongkai-review", "body": ' + "[" * depth + "]" * depth
                   + ', "signature": "", "certificate": ""}', encoding="utf-8")
    return out
