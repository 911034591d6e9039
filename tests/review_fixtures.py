"""Review files as an attacker builds them, and the workspaces of the review loop."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gongkai_desktop.bundle.manifest import canonical_json, sha256_hex
from gongkai_desktop.cli import main
from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint
from gongkai_desktop.signing.store import save_identity
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import dump, identity


def dump_at(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Everything the workspace file holds (equal dumps: nothing changed)."""
    with Workspace.open(path, readonly=True) as ws:
        return dump(ws)


def _parts(path: Path) -> tuple[bytes, dict[str, Any]]:
    head, _, body = path.read_bytes().partition(b"\n")
    return head, json.loads(body)


def signed(out: Path, key: SigningIdentity, body: bytes) -> Path:
    """A review file around ``body``, validly signed by ``key`` (whatever ``body`` says)."""
    certificate = key.certificate_der()
    head = json.dumps({"format": "gongkai-review",
                       "signature": base64.b64encode(key.sign_bytes(body)).decode(),
                       "certificate": base64.b64encode(certificate).decode()})
    out.write_bytes(head.encode() + b"\n" + body)
    return out


def resign_review(path: Path, key: SigningIdentity, change: Callable[[dict[str, Any]], None],
                  out: Path) -> Path:
    """A review whose body says what the holder of ``key`` wants, validly signed by it."""
    _head, body = _parts(path)
    change(body)
    body["certificate_sha256"] = sha256_hex(key.certificate_der())
    return signed(out, key, canonical_json(body).encode())


def tamper_comment(path: Path, out: Path, text: str = "已通过") -> Path:
    """Change a verdict in the signed body without signing again (no key needed)."""
    head, body = _parts(path)
    body["verdicts"][0][3] = text  # [id, measure, verdict, comment, reviewed_at, sequence]
    body["verdicts"][0][2] = "accepted"
    out.write_bytes(head + b"\n" + canonical_json(body).encode())
    return out


def deep_json(out: Path, depth: int = 100_000) -> Path:
    """A header whose nesting would exhaust a naive parser."""
    out.write_text('{"format": ' + "[" * depth + "]" * depth + "}\n{}", encoding="utf-8")
    return out


def deep_signed_body(out: Path, key: SigningIdentity, depth: int = 100_000) -> Path:
    """A validly signed body nested deeper than any review (checked after the signature)."""
    return signed(out, key, ("[" * depth + "]" * depth).encode())


WZ_KEY = identity("重庆市万州区人民政府", "张三")
FL_KEY = identity("重庆市涪陵区人民政府", "赵六")
OFFICE_KEY = identity("重庆市人民政府办公厅", "王五")
COMMENT = "缺少公开链接，请补充目录的发布网址"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def fingerprint(key: SigningIdentity) -> str:

    return group_fingerprint(hashlib.sha256(key.certificate_der()).hexdigest())


def _init(capsys: pytest.CaptureFixture[str], path: Path, unit: str, key: SigningIdentity) -> Path:
    assert run(capsys, "init", path, "--unit", unit, "--officer", "张三")[0] == 0
    with Workspace.open(path) as ws:
        save_identity(ws, key)
    return path


@pytest.fixture
def loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """万州区 and 涪陵区 exported once, the office imported both (keys accepted explicitly)."""
    wz = _init(capsys, tmp_path / "万州区.gkws", "万州区", WZ_KEY)
    fl = _init(capsys, tmp_path / "涪陵区.gkws", "涪陵区", FL_KEY)
    sup = _init(capsys, tmp_path / "办公厅.gkws", "市政府办公厅", OFFICE_KEY)
    assert run(capsys, "set", wz, "2.1.1", "--status", "已完成", "--note", "目录已编制")[0] == 0
    assert run(capsys, "set", wz, "1.1.1", "--status", "已完成", "--note", "已建专栏",
               "--url", "https://www.wz.gov.cn/a")[0] == 0
    assert run(capsys, "set", fl, "1.1.1", "--status", "推进中")[0] == 0
    for path, key in ((wz, WZ_KEY), (fl, FL_KEY)):
        out = tmp_path / f"{path.stem}-1.gkbundle"
        assert run(capsys, "bundle", "export", path, "-o", out)[0] == 0
        assert run(capsys, "bundle", "import", sup, out, "--accept-key", fingerprint(key))[0] == 0
    outbox = tmp_path / "发出"
    outbox.mkdir()
    return {"wz": wz, "fl": fl, "sup": sup, "outbox": outbox, "tmp": tmp_path}
