"""The workspace: one SQLite file per unit holding its plan copy, records and evidence.

Every user action is one transaction and writes its audit rows in that same
transaction. Times are timezone-aware local ``datetime`` objects (stored as ISO
text to the second).

Threads: a ``Workspace`` may be used from any thread; every call takes one lock
(the connection is opened with ``check_same_thread=False``). A long call (adding a
200 MB file) holds that lock until it ends, so a UI that must stay responsive
meanwhile gives the worker thread its *own* ``Workspace.open(path)``: WAL lets the
UI's connection read while the worker writes, and writers wait for each other
(busy timeout). Generators such as ``iter_blob`` take the lock per chunk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sqlite3
import stat
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gongkai_desktop import faults
from gongkai_desktop.atomic import publish_new
from gongkai_desktop.errors import (
    InvalidInput,
    NotFound,
    ReadOnlyStorage,
    TooLarge,
    WorkspaceError,
)
from gongkai_desktop.model import MeasureRecord, Plan, Status, Unit, UnitType
from gongkai_desktop.plan.store import read_plan, write_plan
from gongkai_desktop.storage import audit, db, evidence, migrations, records, search
from gongkai_desktop.storage.entities import AuditEntry, Clear, EvidenceItem, UnitProfile
from gongkai_desktop.storage.names import safe_file_name
from gongkai_desktop.ticker import Progress

if TYPE_CHECKING:  # imported when used: the window opens a workspace without it (#15)
    from gongkai_desktop.storage.evidence_files import AddedFiles

MAX_PROFILE_TEXT = 100
MAX_SETTING_BYTES = 1024 * 1024
PROFILE_LABELS = {"officer": "负责人", "contact": "联系人", "phone": "联系电话"}


def _check_profile_text(value: str, field: str) -> str:
    label = PROFILE_LABELS[field]
    records.check_text(value, label, MAX_PROFILE_TEXT)
    if any(ord(c) < 32 for c in value):
        raise InvalidInput(f"“{label}”不能包含换行或控制字符")
    return value.strip()


class Workspace:
    """An open workspace file; use ``Workspace.create`` or ``Workspace.open``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._readonly = readonly
        self._lock = threading.RLock()
        self._profile = self._load_profile(conn)
        self._plan = read_plan(conn, self._profile.plan_id)
        self._order = {m.id: i for i, m in enumerate(self._plan.measures())}

    # ----------------------------------------------------------------- opening

    @classmethod
    def create(cls, path: Path, plan: Plan, unit: Unit, *, officer: str = "", contact: str = "",
               phone: str = "", actor: str = "") -> Workspace:
        """A new workspace file at ``path`` (which must not exist yet) for ``unit``."""
        path = Path(path)
        if path.exists() or path.is_symlink():
            raise faults.exists(path)
        if not path.parent.is_dir():
            raise NotFound(f"文件夹不存在：{path.parent}")
        people = {
            "officer": _check_profile_text(officer, "officer"),
            "contact": _check_profile_text(contact, "contact"),
            "phone": _check_profile_text(phone, "phone"),
        }
        # Built under a temporary name and linked into place when complete, so a crash
        # never leaves a half-made workspace under the chosen name.
        import uuid  # here: opening a workspace (start-up) does not need it

        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.creating")
        try:
            conn = db.connect(temp, readonly=False, create=True)
            try:
                with db.transaction(conn):
                    migrations.run_pending(conn, 0)
                    conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
                    cls._fill_new(conn, plan, unit, people, actor)
            finally:
                conn.close()
            publish_new(temp, path)
        except sqlite3.Error as exc:
            raise faults.sqlite_error(exc, path, workspace=False) from exc
        except OSError as exc:
            raise faults.os_error(exc, path, "工作区") from exc
        finally:
            for leftover in (temp, *db.sidecars(temp)):
                leftover.unlink(missing_ok=True)
        return cls.open(path)

    @staticmethod
    def _fill_new(conn: sqlite3.Connection, plan: Plan, unit: Unit, people: dict[str, str],
                  actor: str) -> None:
        created = db.now()
        write_plan(conn, plan)
        conn.execute(
            "INSERT INTO profile (id, unit_id, unit_name, full_name, unit_type, officer, contact,"
            " phone, plan_id, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (unit.id, unit.name, unit.full_name, UnitType(unit.type).value, people["officer"],
             people["contact"], people["phone"], plan.info.id, db.to_text(created)),
        )
        records.add_blank(conn, [m.id for m in plan.measures()])
        search.reindex(conn, plan.info.id, [m.id for m in plan.measures()])
        audit.write(conn, actor=actor, action="create", new=f"{unit.name}（{plan.info.id}）",
                    at=created)

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> Workspace:
        """Open an existing workspace; a damaged, foreign or too new file is left untouched."""
        path = Path(path)
        version = db.inspect(path, migrations.latest_version())
        if not readonly and not db.writable(path):
            raise faults.read_only(path, workspace=True)
        conn = db.connect(path, readonly=readonly)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > migrations.latest_version():
                raise WorkspaceError(
                    f"该工作区由更新版本的程序创建（版本 {version}），请升级程序后再打开"
                )
            if version < migrations.latest_version():
                if readonly:
                    raise WorkspaceError("该工作区需要升级到新版本格式，请先以可写方式打开一次")
                migrations.run_pending(conn, version, path=path)
            return cls(conn, path, readonly=readonly)
        except (sqlite3.Error, NotFound) as exc:  # e.g. its plan copy is missing
            conn.close()
            raise db.damaged(path) from exc
        except BaseException:
            conn.close()
            raise

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------- internals

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise WorkspaceError("工作区已关闭")
        return self._conn

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise faults.sqlite_error(exc, self._path) from exc

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._readonly:
                if db.writable(self._path):
                    raise ReadOnlyStorage("工作区以只读方式打开，不能修改")
                raise faults.read_only(self._path, workspace=True)
            conn = self._db
            try:
                with db.transaction(conn):
                    yield conn
            except sqlite3.Error as exc:
                raise faults.sqlite_error(exc, self._path) from exc

    def _require_measure(self, measure_id: str) -> None:
        if measure_id not in self._order:
            self._plan.measure(str(measure_id))  # raises NotFound with the standard message
            raise NotFound(f"计划中没有编号为“{measure_id}”的举措")

    def _reindex(self, conn: sqlite3.Connection, measure_id: str) -> None:
        search.reindex(conn, self._plan.info.id, [measure_id])

    @staticmethod
    def _load_profile(conn: sqlite3.Connection) -> UnitProfile:
        row = conn.execute(
            "SELECT unit_id, unit_name, full_name, unit_type, officer, contact, phone, plan_id,"
            " created_at FROM profile WHERE id = 1"
        ).fetchone()
        if row is None:
            raise WorkspaceError("工作区缺少单位信息，文件可能已损坏")
        return UnitProfile(row[0], row[1], row[2], UnitType(row[3]), row[4], row[5], row[6],
                           row[7], db.datetime_from(row[8]))

    # ------------------------------------------------------------- properties

    @property
    def path(self) -> Path:
        return self._path

    @property
    def readonly(self) -> bool:
        return self._readonly

    @property
    def plan(self) -> Plan:
        return self._plan

    @property
    def profile(self) -> UnitProfile:
        return self._profile

    @property
    def unit(self) -> Unit:
        return self._profile.unit()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Several changes in one transaction: all are kept or none (nesting is allowed)."""
        with self._writing():
            yield

    # ---------------------------------------------------------------- profile

    def update_profile(self, *, officer: str | None = None, contact: str | None = None,
                       phone: str | None = None, actor: str = "") -> UnitProfile:
        given = {"officer": officer, "contact": contact, "phone": phone}
        changes = {k: _check_profile_text(v, k) for k, v in given.items() if v is not None}
        with self._writing() as conn:
            current = self._load_profile(conn)
            changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
            for field, value in changed.items():
                conn.execute(f"UPDATE profile SET {field} = ? WHERE id = 1", (value,))
                audit.write(conn, actor=actor, action="update_profile", field=field,
                            old=getattr(current, field), new=value)
            profile = self._load_profile(conn)
        self._profile = profile
        return profile

    # ---------------------------------------------------------------- records

    def record(self, measure_id: str) -> MeasureRecord:
        self._require_measure(measure_id)
        with self._reading() as conn:
            return records.load(conn, measure_id)

    def records(self) -> dict[str, MeasureRecord]:
        """Every measure of the plan, in plan order (untouched ones as defaults)."""
        with self._reading() as conn:
            stored = records.load_all(conn)
        return {mid: stored.get(mid, MeasureRecord(mid)) for mid in self._order}

    def update_record(self, measure_id: str, *, status: Status | str | None = None,
                      reason: str | None = None,
                      completed_on: dt.date | Clear | None = None,
                      explanation: str | None = None, urls: Sequence[str] | None = None,
                      remarks: str | None = None, actor: str = "",
                      today: dt.date | None = None) -> MeasureRecord:
        """Change some fields of one record (None = leave as is; ``completed_on=CLEAR`` removes
        the date). Validated first; one transaction with one audit row per changed field.
        With ``today``, 已完成 without a date takes today's (``records.apply_change``)."""
        self._require_measure(measure_id)
        with self._writing() as conn:
            current = records.load(conn, measure_id)
            new = records.apply_change(
                current, status=status, reason=reason, completed_on=completed_on,
                explanation=explanation, urls=urls, remarks=remarks, today=today,
            )
            changed = records.changed_fields(current, new)
            if not changed:
                return current
            at = db.now()
            new = records.save_changed(conn, current, new, changed, actor=actor, at=at)
            if {"explanation", "remarks"} & set(changed):
                self._reindex(conn, measure_id)
            return new

    # --------------------------------------------------------------- settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under ``key``, or ``default``."""
        with self._reading() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: object) -> None:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"设置“{key}”的值无法保存") from exc
        if len(text.encode("utf-8")) > MAX_SETTING_BYTES:
            raise TooLarge(f"设置“{key}”的内容过大")
        with self._writing() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                         (key, text))

    def max_evidence_bytes(self) -> int:
        value = self.get_setting("max_evidence_bytes", evidence.DEFAULT_MAX_BYTES)
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        return int(value) if ok else evidence.DEFAULT_MAX_BYTES

    # --------------------------------------------------------------- evidence

    def add_evidence_file(self, measure_id: str, source: Path, *, name: str | None = None,
                          progress: Progress | None = None,
                          actor: str = "") -> EvidenceItem:
        """Store a copy of a file (streamed, one pass); ``progress`` returning False cancels."""
        self._require_measure(measure_id)
        source = Path(source)
        display = safe_file_name(name if name is not None else source.name)
        try:
            info = source.stat()
        except FileNotFoundError as exc:
            raise NotFound(f"找不到文件：{source}") from exc
        except OSError as exc:
            raise InvalidInput(f"无法读取文件“{source.name}”：{faults.reason(exc, reading=True)}"
                               ) from exc
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"“{source.name}”不是普通文件，不能作为佐证材料")
        limit = self.max_evidence_bytes()
        if info.st_size > limit:
            raise evidence.too_large(display, limit)
        try:
            with source.open("rb") as handle, self._writing() as conn:
                blob = evidence.store_chunks(conn, evidence.file_chunks(handle), name=display,
                                             total=info.st_size, limit=limit, progress=progress)
                return self._add_file_item(conn, measure_id, blob, display, None, actor)
        except OSError as exc:
            raise InvalidInput(f"读取文件“{source.name}”失败：{faults.reason(exc, reading=True)}"
                               ) from exc

    def add_evidence_bytes(self, measure_id: str, data: bytes, name: str, *,
                           media_type: str | None = None, actor: str = "") -> EvidenceItem:
        """Store bytes (a clipboard screenshot) as an evidence file called ``name``."""
        self._require_measure(measure_id)
        display = safe_file_name(name)
        limit = self.max_evidence_bytes()
        if len(data) > limit:
            raise evidence.too_large(display, limit)
        with self._writing() as conn:
            blob = evidence.store_chunks(conn, evidence.bytes_chunks(bytes(data)), name=display,
                                         total=len(data), limit=limit, progress=None)
            return self._add_file_item(conn, measure_id, blob, display, media_type, actor)

    def _add_file_item(self, conn: sqlite3.Connection, measure_id: str,
                       blob: evidence.StoredBlob, name: str, media_type: str | None,
                       actor: str) -> EvidenceItem:
        kind = (media_type or "").strip()[:100] or evidence.media_type(blob.head, name)
        item = EvidenceItem(0, measure_id, "file", name, kind, blob.size, blob.sha256, "", "",
                            "", db.now(), actor)
        stored = evidence.insert(conn, item, blob.id)
        audit.write(conn, actor=actor, action="add_evidence", measure_id=measure_id,
                    field="evidence", new=_summary(stored), at=stored.added_at)
        self._reindex(conn, measure_id)
        return stored

    def add_evidence_link(self, measure_id: str, url: str, *, title: str = "", note: str = "",
                          actor: str = "") -> EvidenceItem:
        self._require_measure(measure_id)
        item = EvidenceItem(0, measure_id, "link", "", "", None, None, records.check_url(url),
                            records.check_text(title, "标题", evidence.MAX_TITLE).strip(),
                            records.check_text(note, "说明", evidence.MAX_NOTE),
                            db.now(), actor)
        with self._writing() as conn:
            stored = evidence.insert(conn, item, None)
            audit.write(conn, actor=actor, action="add_evidence", measure_id=measure_id,
                        field="evidence", new=_summary(stored), at=stored.added_at)
            self._reindex(conn, measure_id)
            return stored

    def add_evidence_files(self, measure_id: str, files: Sequence[Path], *, actor: str = "",
                           progress: Progress | None = None,
                           skip_refused: bool = True) -> AddedFiles:
        """Several files at once: duplicates skipped, a cancel undoes them all
        (``evidence_files.add_evidence_files``; the window and ``attach`` use it)."""
        from gongkai_desktop.storage.evidence_files import add_evidence_files

        return add_evidence_files(self, measure_id, files, actor=actor, progress=progress,
                                  skip_refused=skip_refused)

    def evidence(self, measure_id: str | None = None) -> list[EvidenceItem]:
        if measure_id is not None:
            self._require_measure(measure_id)
        with self._reading() as conn:
            return evidence.items(conn, measure_id)

    def remove_evidence(self, evidence_id: int, *, actor: str = "") -> EvidenceItem:
        """Remove an item (its file content stays until ``purge_unused_blobs``, so undo works)."""
        with self._writing() as conn:
            item = evidence.get(conn, evidence_id)
            conn.execute("DELETE FROM evidence WHERE id = ?", (item.id,))
            audit.write(conn, actor=actor, action="remove_evidence", measure_id=item.measure_id,
                        field="evidence", old=_summary(item))
            self._reindex(conn, item.measure_id)
            return item

    def restore_evidence(self, item: EvidenceItem, *, actor: str = "") -> EvidenceItem:
        """Undo a removal: the item comes back (with its old id when that is free)."""
        self._require_measure(item.measure_id)
        with self._writing() as conn:
            blob_id: int | None = None
            if item.kind == "file":
                try:
                    blob_id, size = evidence.blob_for(conn, item.sha256 or "")
                except NotFound as exc:
                    raise NotFound("该佐证文件的内容已被清理，无法恢复") from exc
                item = _with(item, size=size, file_name=safe_file_name(item.file_name),
                             url="")
            elif item.kind == "link":
                item = _with(item, url=records.check_url(item.url), file_name="", size=None,
                             sha256=None)
            else:
                raise InvalidInput("无法恢复：佐证类型无效")
            row = conn.execute("SELECT 1 FROM evidence WHERE id = ?", (item.id,)).fetchone()
            if row is not None and evidence.get(conn, item.id) == item:
                return item  # already back (a repeated undo)
            stored = evidence.insert(conn, item, blob_id, keep_id=row is None)
            audit.write(conn, actor=actor, action="restore_evidence",
                        measure_id=stored.measure_id, field="evidence", new=_summary(stored))
            self._reindex(conn, stored.measure_id)
            return stored

    def purge_unused_blobs(self, *, actor: str = "") -> int:
        """Delete file contents no evidence item uses any more; returns how many went."""
        with self._writing() as conn:
            count = evidence.purge_unused(conn)
            if count:
                audit.write(conn, actor=actor, action="purge_blobs", new=str(count))
        with self._reading() as conn:
            if count and not conn.in_transaction:
                # Gives the space back to the disk. executescript steps the pragma to the
                # end (execute() would free a single page); its own small transaction.
                conn.executescript("PRAGMA incremental_vacuum")
        return count

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        """The content with this hash, chunk by chunk (never all in memory)."""
        with self._reading() as conn:
            blob_id, size = evidence.blob_for(conn, sha256)
        done = seq = 0
        while done < size:
            with self._reading() as conn:
                data = evidence.chunk(conn, blob_id, seq)
                if data is None:
                    evidence.blob_for(conn, sha256)  # NotFound when purged meanwhile
                    raise evidence.incomplete()
            done += len(data)
            seq += 1
            yield data
        if done != size:
            raise evidence.incomplete()

    def read_blob(self, sha256: str, max_bytes: int) -> bytes:
        """The whole content (e.g. for a thumbnail); TooLarge when it exceeds ``max_bytes``."""
        with self._reading() as conn:
            _blob_id, size = evidence.blob_for(conn, sha256)
        if size > max_bytes:
            raise TooLarge(f"文件太大（{evidence.megabytes(size)}），无法预览")
        return b"".join(self.iter_blob(sha256))

    def export_evidence(self, evidence_id: int, folder: Path) -> Path:
        """Write an evidence file into ``folder`` (never outside it, never over a file)."""
        with self._reading() as conn:
            item = evidence.get(conn, evidence_id)
        if item.kind != "file" or not item.sha256:
            raise InvalidInput("这条佐证是网址链接，没有可导出的文件")
        folder = Path(folder)
        if not folder.is_dir():
            raise NotFound(f"文件夹不存在：{folder}")
        return evidence.write_new_file(folder, item.file_name, item.sha256,
                                       self.iter_blob(item.sha256))

    # ------------------------------------------------------------ log, search

    def audit_log(self, measure_id: str | None = None) -> list[AuditEntry]:
        with self._reading() as conn:
            return audit.read(conn, measure_id)

    def search(self, query: str) -> list[str]:
        """Measure ids (plan order) whose text, explanation, remarks or evidence names
        contain every whitespace-separated term of ``query``."""
        with self._reading() as conn:
            return search.search(conn, str(query), self._order)


def _with(item: EvidenceItem, **changes: Any) -> EvidenceItem:
    return dataclasses.replace(item, **changes)


def _summary(item: EvidenceItem) -> str:
    data: dict[str, object] = {"id": item.id, "kind": item.kind}
    if item.kind == "file":
        data.update(file_name=item.file_name, size=item.size, sha256=item.sha256)
    else:
        data.update(url=item.url, title=item.title)
    return json.dumps(data, ensure_ascii=False)
