"""Helpers for the bundle tests: unit and supervisor workspaces, keys, re-signing."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from gongkai_desktop.bundle.export import ExportOptions, ExportResult, export_bundle
from gongkai_desktop.bundle.format import CHUNKS_PART, PART_NAMES, TABLES
from gongkai_desktop.bundle.manifest import (
    Manifest,
    canonical_json,
    chunk_header,
    row_bytes,
    sha256_hex,
)
from gongkai_desktop.model import Status, Unit, UnitType
from gongkai_desktop.signing.identity import SigningIdentity
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import reading
from tests.plan_fixtures import TEST_PLAN, TEST_UNIT

UNIT_A = TEST_UNIT  # 万州区
UNIT_B = Unit("500102", "涪陵区", "重庆市涪陵区人民政府", UnitType.DISTRICT)
SUPERVISOR = Unit("cq-gov-office", "市政府办公厅", "重庆市人民政府办公厅", UnitType.DEPARTMENT)
PASSPHRASE = "口令123456"


@functools.cache
def identity(unit_full_name: str, signer: str = "张三") -> SigningIdentity:
    """One key per (unit, signer) for the whole run (key generation takes ~0.1 s)."""
    return SigningIdentity.generate(unit_full_name, signer, PASSPHRASE)


def office_key() -> SigningIdentity:
    """The supervising office's key (王五 signs for 市政府办公厅)."""
    return identity(SUPERVISOR.full_name, "王五")


def key_of(unit: Unit) -> SigningIdentity:
    return identity(unit.full_name)


def make_unit(path: Path, unit: Unit = UNIT_A) -> Workspace:
    return Workspace.create(path, TEST_PLAN, unit, officer="张三", contact="李四",
                            phone="023-12345678", actor="张三")


def make_supervisor(path: Path) -> Workspace:
    return Workspace.create(path, TEST_PLAN, SUPERVISOR, officer="王五", actor="王五")


PDF_PROOF = b"%PDF-1.4\n% proof of publication\n" + bytes(range(256)) * 40
SHARED_PHOTO = b"\x89PNG\r\n\x1a\n" + hashlib.sha256(b"shared").digest() * 300


def fill_a(ws: Workspace) -> None:
    """万州区: a done measure with URLs and files, a not-applicable one, a link."""
    ws.update_record("1.1.2", status=Status.DONE, explanation="已开设涉企政策解读专栏。",
                     urls=["https://www.wz.gov.cn/zcjd/"], actor="张三")
    ws.add_evidence_bytes("1.1.2", PDF_PROOF, "专栏截图说明.pdf", actor="张三")
    ws.add_evidence_bytes("1.1.2", SHARED_PHOTO, "专区照片.png", actor="张三")
    ws.add_evidence_link("1.1.2", "https://www.wz.gov.cn/zcjd/1.html", title="解读文章")
    ws.update_record("2.1.1", status=Status.NOT_APPLICABLE, reason="本区无乡镇（测试）",
                     actor="张三")
    ws.update_record("2.1.2", status=Status.IN_PROGRESS, explanation="专区建设中", actor="张三")


def fill_b(ws: Workspace) -> None:
    """涪陵区: one measure done, sharing a photo with 万州区 (same content)."""
    ws.update_record("1.1.2", status=Status.IN_PROGRESS, explanation="正在梳理。", actor="赵六")
    ws.add_evidence_bytes("1.1.2", SHARED_PHOTO, "照片.png", actor="赵六")
    ws.update_record("2.1.1", status=Status.DONE, explanation="目录已编制",
                     urls=["https://www.fl.gov.cn/ml/"], actor="赵六")


def export(ws: Workspace, out: Path, key: SigningIdentity | None = None, *,
           include_evidence: bool = True, shrink_images: bool = False,
           max_part_bytes: int | None = None) -> ExportResult:
    options = ExportOptions(include_evidence, shrink_images, max_part_bytes)
    return export_bundle(ws, out, key or key_of(ws.unit), options)


def dump(ws: Workspace) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Everything a workspace holds (schema and every table's rows): "unchanged" means equal."""
    with reading(ws) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'search_index%' ORDER BY name")]
        out = [("sqlite_master", conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall())]
        no_rowid = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%'")}
        out += [(t, conn.execute(f"SELECT * FROM [{t}] ORDER BY "
                                 f"{'1, 2' if t in no_rowid else 'rowid'}").fetchall())
                for t in tables if t != "sqlite_sequence"]
    return out


def copy(src: Path, dest: Path) -> Path:
    shutil.copyfile(src, dest)
    return dest


def tamper(path: Path, *sql: str, params: tuple[object, ...] = ()) -> Path:
    """Change a bundle file with plain SQL (an attacker without the key)."""
    with closing(sqlite3.connect(path)) as conn:
        for statement in sql:
            conn.execute(statement, params if "?" in statement else ())
        conn.commit()
    return path


def resign(path: Path, key: SigningIdentity, change: Callable[[sqlite3.Connection], None],
           manifest_change: Callable[[dict[str, object]], None] | None = None) -> Path:
    """Change a bundle, recompute its counts and hashes and sign it again with ``key``:
    a consistent, validly signed bundle with hostile content (a rogue unit)."""
    with closing(sqlite3.connect(path)) as conn:
        change(conn)
        counts, hashes = {}, {}
        for name, spec in TABLES.items():
            digest = hashlib.sha256()
            rows = conn.execute(
                f"SELECT {spec.column_names} FROM {name} ORDER BY {spec.order}").fetchall()
            for row in rows:  # (a value of the wrong type is hashed as text: refused anyway)
                digest.update(row_bytes([v.hex() if isinstance(v, bytes) else v for v in row]))
            counts[name], hashes[name] = len(rows), digest.hexdigest()
        digest = hashlib.sha256()
        chunks = conn.execute("SELECT b.sha256, c.seq, c.data FROM blob_chunks c JOIN blobs b"
                              " ON b.no = c.blob_no ORDER BY c.blob_no, c.seq").fetchall()
        for sha, seq, data in chunks:
            digest.update(chunk_header(sha, seq, len(data)))
        counts[CHUNKS_PART], hashes[CHUNKS_PART] = len(chunks), digest.hexdigest()
        assert set(counts) == set(PART_NAMES)
        body = conn.execute("SELECT body FROM manifest").fetchone()[0]
        data = Manifest.parse(body).to_dict()
        data["counts"], data["hashes"] = counts, hashes
        data["chunk_bytes"] = sum(len(c[2]) for c in chunks)
        certificate = key.certificate_der()
        data["certificate_sha256"] = sha256_hex(certificate)
        if manifest_change is not None:
            manifest_change(data)
        new_body = canonical_json(data)
        conn.execute("UPDATE manifest SET body = ?, signature = ?, certificate = ?",
                     (new_body, key.sign_bytes(new_body.encode()), certificate))
        conn.commit()
    return path


def jpeg(width: int, height: int, *, orientation: int | None = None) -> bytes:
    """A noisy photo (noise keeps JPEG from compressing it to nothing)."""
    from PIL import Image

    img = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    img.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def keys_in(paths: list[Path] | tuple[Path, ...]) -> list[str]:
    """The signing keys of these bundle files (unreadable ones skipped): what a supervisor
    passes as ``accept_keys`` after comparing fingerprints (first contact needs it)."""
    from gongkai_desktop.bundle.import_batch import peek_manifest
    from gongkai_desktop.errors import GongkaiError

    out = []
    for path in paths:
        try:
            out.append(peek_manifest(Path(path)).certificate_sha256)
        except GongkaiError:
            continue
    return out
