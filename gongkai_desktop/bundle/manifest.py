"""The manifest: what a bundle (part) holds, as canonical JSON, plus the part hashes.

The signature covers the manifest body; the body holds a SHA-256 over each part
(every row of a table in a fixed order, serialised as canonical JSON lines; for the
chunk part one ``sha256:seq:length`` line per chunk) and the SHA-256 of the
signer's certificate. The ``blobs`` part lists every evidence content by its
SHA-256 and size, and the reader recomputes each content's SHA-256 from its
chunks. So one signature check plus recomputed hashes cover every byte that is
read, and the content is hashed once (by the reader; the exporter takes the hash
the workspace computed when the file was added).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gongkai_desktop.bundle.format import FORMAT_NAME, FORMAT_VERSION, PART_LABELS, PART_NAMES
from gongkai_desktop.errors import UnsafeInput
from gongkai_desktop.model import Unit, UnitType
from gongkai_desktop.safe_json import loads_limited

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 4  # the manifest's objects nest two deep
HEX64 = re.compile(r"[0-9a-f]{64}")
HEX32 = re.compile(r"[0-9a-f]{32}")
COUNT_KEYS = PART_NAMES
BROKEN = "数据包清单无效（可能已损坏或被改动），未导入"


def canonical_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)


def row_bytes(values: Sequence[object]) -> bytes:
    """One table row as hashed: a canonical JSON array and a newline."""
    return (json.dumps(list(values), ensure_ascii=False, separators=(",", ":"),
                       allow_nan=False) + "\n").encode("utf-8")


def chunk_header(sha256: str, seq: int, length: int) -> bytes:
    return f"{sha256}:{seq}:{length}\n".encode("ascii")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bundle_hash(body_hashes: Sequence[str]) -> str:
    """The identity of a whole bundle (all its parts, in order): what import keys on."""
    return sha256_hex("".join(body_hashes).encode("ascii"))


@dataclass(frozen=True, slots=True)
class Manifest:
    bundle_id: str  # random, shared by every part of one export
    part_index: int  # from 1
    part_count: int
    app_version: str
    unit: Unit
    plan_id: str
    plan_version: int
    sequence: int  # grows with every export of the unit's workspace
    exported_at: dt.datetime
    evidence_included: bool
    images_shrunk: bool
    counts: Mapping[str, int]  # rows per part name in this file
    chunk_bytes: int  # bytes of evidence content in this file
    hashes: Mapping[str, str]  # SHA-256 per part name
    certificate_sha256: str
    signer: str = ""  # the certificate's common name, for people

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "bundle_id": self.bundle_id,
            "part": {"index": self.part_index, "count": self.part_count},
            "app_version": self.app_version,
            "unit": {"id": self.unit.id, "name": self.unit.name,
                     "full_name": self.unit.full_name, "type": UnitType(self.unit.type).value},
            "plan": {"id": self.plan_id, "version": self.plan_version},
            "sequence": self.sequence,
            "exported_at": self.exported_at.isoformat(timespec="seconds"),
            "evidence_included": self.evidence_included,
            "images_shrunk": self.images_shrunk,
            "counts": {k: int(self.counts[k]) for k in COUNT_KEYS},
            "chunk_bytes": self.chunk_bytes,
            "hashes": {k: self.hashes[k] for k in COUNT_KEYS},
            "certificate_sha256": self.certificate_sha256,
            "signer": self.signer,
        }

    def body(self) -> str:
        return canonical_json(self.to_dict())

    @classmethod
    def parse(cls, body: str) -> Manifest:
        """Strictly: exact keys, exact types, sane values; ``UnsafeInput`` otherwise."""
        if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            raise UnsafeInput(BROKEN)
        try:
            # Depth checked before parsing: nesting turns json.loads into deep recursion.
            data = loads_limited(body, max_depth=MAX_DEPTH, max_bytes=MAX_BODY_BYTES,
                                 message=BROKEN)
            return _from_dict(data)
        except (ValueError, TypeError, KeyError, RecursionError, AttributeError) as exc:
            if isinstance(exc, UnsafeInput):
                raise
            raise UnsafeInput(BROKEN) from exc


def _exact(data: object, keys: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != keys:
        raise ValueError("keys")
    return data


def _text(value: object, limit: int = 200) -> str:
    if not isinstance(value, str) or len(value) > limit or any(ord(c) < 32 for c in value):
        raise ValueError("text")
    return value


def _int(value: object, low: int = 0, high: int = 1 << 62) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError("int")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("bool")
    return value


def _hex(value: object, pattern: re.Pattern[str] = HEX64) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError("hex")
    return value


def _from_dict(raw: object) -> Manifest:
    keys = {"format", "format_version", "bundle_id", "part", "app_version", "unit", "plan",
            "sequence", "exported_at", "evidence_included", "images_shrunk", "counts",
            "chunk_bytes", "hashes", "certificate_sha256", "signer"}
    if isinstance(raw, dict) and raw.get("format") == FORMAT_NAME:
        version = raw.get("format_version")
        if isinstance(version, int) and version > FORMAT_VERSION:
            raise UnsafeInput(
                f"数据包由更新版本的程序导出（格式版本 {version}），请升级本程序后再导入")
    data = _exact(raw, keys)
    if data["format"] != FORMAT_NAME or data["format_version"] != FORMAT_VERSION:
        raise ValueError("format")
    part = _exact(data["part"], {"index", "count"})
    count = _int(part["count"], 1, 10_000)
    index = _int(part["index"], 1, count)
    unit_raw = _exact(data["unit"], {"id", "name", "full_name", "type"})
    unit = Unit(_text(unit_raw["id"]), _text(unit_raw["name"], 100),
                _text(unit_raw["full_name"], 100), UnitType(_text(unit_raw["type"])))
    if not unit.id.strip() or not unit.name.strip() or not unit.full_name.strip():
        raise ValueError("unit")
    plan = _exact(data["plan"], {"id", "version"})
    counts_raw = _exact(data["counts"], set(COUNT_KEYS))
    hashes_raw = _exact(data["hashes"], set(COUNT_KEYS))
    exported = dt.datetime.fromisoformat(_text(data["exported_at"], 40))
    if exported.tzinfo is None:
        raise ValueError("naive time")
    return Manifest(
        bundle_id=_hex(data["bundle_id"], HEX32),
        part_index=index,
        part_count=count,
        app_version=_text(data["app_version"], 40),
        unit=unit,
        plan_id=_text(plan["id"], 100),
        plan_version=_int(plan["version"], 1, 1_000_000),
        sequence=_int(data["sequence"], 1),
        exported_at=exported,
        evidence_included=_bool(data["evidence_included"]),
        images_shrunk=_bool(data["images_shrunk"]),
        counts={k: _int(counts_raw[k]) for k in COUNT_KEYS},
        chunk_bytes=_int(data["chunk_bytes"]),
        hashes={k: _hex(hashes_raw[k]) for k in COUNT_KEYS},
        certificate_sha256=_hex(data["certificate_sha256"]),
        signer=_text(data["signer"], 200),
    )


def hash_mismatch(part: str) -> UnsafeInput:
    return UnsafeInput(
        f"数据包内容与清单不符（“{PART_LABELS.get(part, part)}”部分的校验值不一致），"
        "可能已损坏或被改动，未导入"
    )
