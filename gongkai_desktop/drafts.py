"""Input the officer typed that could not be saved yet (a malformed web address or date).

It is kept, never dropped: in a small JSON file in the user data folder, per
workspace and measure, until the officer corrects or discards it. The file is the
officer's own; anything unreadable in it counts as "no drafts".
"""

from __future__ import annotations

import json
from pathlib import Path

from gongkai_desktop import paths
from gongkai_desktop.atomic import atomic_output

DRAFTS_FILE = "input-drafts.json"
FIELDS = ("urls", "completed_on")  # the fields whose text the core can refuse
MAX_TEXT = 20_000

Drafts = dict[str, dict[str, str]]  # measure id -> field -> text as typed


def drafts_path() -> Path:
    return paths.user_data_dir() / DRAFTS_FILE


def _key(workspace: Path) -> str:
    try:
        return str(Path(workspace).resolve())
    except OSError:
        return str(workspace)


def _read_all() -> dict[str, Drafts]:
    try:
        data = json.loads(drafts_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load(workspace: Path) -> Drafts:
    """The kept input of one workspace (only well-formed entries)."""
    raw = _read_all().get(_key(workspace))
    out: Drafts = {}
    if not isinstance(raw, dict):
        return out
    for measure_id, fields in raw.items():
        if not isinstance(fields, dict):
            continue
        kept = {f: t for f, t in fields.items()
                if f in FIELDS and isinstance(t, str) and len(t) <= MAX_TEXT}
        if kept:
            out[str(measure_id)] = kept
    return out


def save(workspace: Path, drafts: Drafts) -> None:
    """Replace the kept input of one workspace (written whole, then renamed into place)."""
    data = _read_all()
    key = _key(workspace)
    if drafts:
        data[key] = drafts
    else:
        data.pop(key, None)
    path = drafts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
