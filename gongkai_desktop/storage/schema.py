"""Workspace schema: version 1 (every unit table), version 2 (bundles, supervisor data),
version 3 (the unit's pinned key of its supervising office), version 4 (review and
rectification: the office's verdicts, the unit's imported reviews and its 整改台账),
version 5 (delegation: the unit's own offices, assignments, their contributions)."""

from __future__ import annotations

import sqlite3

from gongkai_desktop.plan.store import create_plan_tables
from gongkai_desktop.storage.db import run_script

# Column runs that several tables share (the unit's own tables, the supervisor's
# ``sup_*`` copies and the offices' contributions), written once.
_UNIT_NAMES = """\
    unit_name TEXT NOT NULL,
    full_name TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    officer TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',"""
_STATUS_CHECK = """\
        CHECK (status IN ('not_started', 'in_progress', 'done', 'not_applicable')),"""
_RECORD_FIELDS = """\
    reason TEXT NOT NULL DEFAULT '',
    completed_on TEXT,
    explanation TEXT NOT NULL DEFAULT '',
    urls TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(urls) AND json_type(urls) = 'array'),
    remarks TEXT NOT NULL DEFAULT '',
    updated_at TEXT,"""
_EVIDENCE_FIELDS = """\
    file_name TEXT NOT NULL DEFAULT '',
    media_type TEXT NOT NULL DEFAULT '',
    size INTEGER,
    sha256 TEXT,
    url TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,"""
_AUDIT_FIELDS = """\
    at TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    measure_id TEXT,
    field TEXT,
    old TEXT,
    new TEXT"""
_BLOB_FIELDS = """\
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL CHECK (size >= 0),
    created_at TEXT NOT NULL"""
_CHUNK_FIELDS = """\
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (blob_id, seq)"""

SCHEMA_V1 = f"""
CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    unit_id TEXT NOT NULL,
{_UNIT_NAMES}
    plan_id TEXT NOT NULL REFERENCES plan_info(id),
    created_at TEXT NOT NULL
);

CREATE TABLE records (
    measure_id TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'not_started'
{_STATUS_CHECK}
{_RECORD_FIELDS}
    CHECK (status <> 'not_applicable' OR trim(reason) <> '')
);

CREATE TABLE blobs (
{_BLOB_FIELDS}
);

-- Chunks are written before their blob row (the hash is known only at the end),
-- so the foreign key is checked at COMMIT.
CREATE TABLE blob_chunks (
    blob_id INTEGER NOT NULL
        REFERENCES blobs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
{_CHUNK_FIELDS}
);

-- AUTOINCREMENT: an id is never reused, so undoing a removal can restore it.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    measure_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    blob_id INTEGER REFERENCES blobs(id),
{_EVIDENCE_FIELDS}
    added_by TEXT NOT NULL DEFAULT '',
    CHECK ((kind = 'file' AND blob_id IS NOT NULL AND sha256 IS NOT NULL)
        OR (kind = 'link' AND blob_id IS NULL AND url <> ''))
);
CREATE INDEX evidence_by_measure ON evidence (measure_id, id);
CREATE INDEX evidence_by_blob ON evidence (blob_id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
{_AUDIT_FIELDS}
);
CREATE INDEX audit_by_measure ON audit (measure_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
);

-- One row per measure: its text, the explanation, remarks and evidence names.
CREATE VIRTUAL TABLE search_index USING fts5(
    measure_id UNINDEXED,
    body,
    tokenize = 'trigram'
);
"""


def create_v1(conn: sqlite3.Connection) -> None:
    create_plan_tables(conn)
    run_script(conn, SCHEMA_V1)


# Version 2: bundles. The unit's side remembers what it exported and which receipts
# came back; the supervisor's side (``sup_*``) holds what it imported from each unit,
# with its own deduplicated blob store (so ``purge_unused_blobs``, which only knows the
# unit's own evidence, never touches it) and the units' pinned certificates.
SCHEMA_V2 = f"""
CREATE TABLE bundle_exports (
    sequence INTEGER PRIMARY KEY CHECK (sequence > 0),
    reserved_at TEXT NOT NULL,
    exported_at TEXT,
    bundle_hash TEXT,
    file_names TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(file_names)),
    size INTEGER,
    evidence_included INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE bundle_receipts (
    receipt_hash TEXT PRIMARY KEY,
    bundle_hash TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    receiver_unit_id TEXT NOT NULL,
    receiver_name TEXT NOT NULL,
    signer TEXT NOT NULL,
    cert_fingerprint TEXT NOT NULL,
    received_at TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX bundle_receipts_by_bundle ON bundle_receipts (bundle_hash);

CREATE TABLE sup_trusted_keys (
    id INTEGER PRIMARY KEY,
    unit_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    certificate BLOB NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('bundle', 'cer', 'accepted')),
    added_at TEXT NOT NULL,
    retired_at TEXT
);
-- One active key per unit; replaced keys stay as history.
CREATE UNIQUE INDEX sup_trusted_active ON sup_trusted_keys (unit_id) WHERE retired_at IS NULL;

CREATE TABLE sup_bundles (
    id INTEGER PRIMARY KEY,
    bundle_hash TEXT NOT NULL UNIQUE,
    unit_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    exported_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL DEFAULT '',
    file_names TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(file_names)),
    cert_fingerprint TEXT NOT NULL,
    evidence_included INTEGER NOT NULL,
    manifest TEXT NOT NULL
);
CREATE INDEX sup_bundles_by_unit ON sup_bundles (unit_id, sequence);

CREATE TABLE sup_units (
    unit_id TEXT PRIMARY KEY,
{_UNIT_NAMES}
    bundle_id INTEGER NOT NULL REFERENCES sup_bundles(id),
    sequence INTEGER NOT NULL,
    exported_at TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE sup_records (
    unit_id TEXT NOT NULL REFERENCES sup_units(unit_id) ON DELETE CASCADE,
    measure_id TEXT NOT NULL,
    status TEXT NOT NULL
{_STATUS_CHECK}
{_RECORD_FIELDS}
    PRIMARY KEY (unit_id, measure_id)
);

CREATE TABLE sup_evidence (
    unit_id TEXT NOT NULL REFERENCES sup_units(unit_id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    measure_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link')),
{_EVIDENCE_FIELDS}
    added_by TEXT NOT NULL DEFAULT '',
    original_sha256 TEXT,
    original_size INTEGER,
    PRIMARY KEY (unit_id, id)
);
CREATE INDEX sup_evidence_by_measure ON sup_evidence (unit_id, measure_id, id);
CREATE INDEX sup_evidence_by_sha ON sup_evidence (sha256);

CREATE TABLE sup_audit (
    unit_id TEXT NOT NULL REFERENCES sup_units(unit_id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
{_AUDIT_FIELDS},
    PRIMARY KEY (unit_id, id)
);

CREATE TABLE sup_blobs (
{_BLOB_FIELDS}
);
CREATE TABLE sup_blob_chunks (
    blob_id INTEGER NOT NULL
        REFERENCES sup_blobs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
{_CHUNK_FIELDS}
);
"""


def create_v2(conn: sqlite3.Connection) -> None:
    run_script(conn, SCHEMA_V2)


# Version 3: the key of the office that signs the unit's receipts. The first receipt
# pins it once the user has compared its fingerprint; a receipt signed with another key
# is refused until the new key is accepted the same way. Replaced keys stay as history.
SCHEMA_V3 = """
CREATE TABLE unit_office_keys (
    id INTEGER PRIMARY KEY,
    office_unit_id TEXT NOT NULL,
    office_name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    certificate BLOB NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('first', 'changed')),
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL DEFAULT '',
    retired_at TEXT
);
-- At most one active office key per workspace.
CREATE UNIQUE INDEX unit_office_key_active ON unit_office_keys (retired_at IS NULL)
    WHERE retired_at IS NULL;
"""


def create_v3(conn: sqlite3.Connection) -> None:
    run_script(conn, SCHEMA_V3)


# Version 4: review and rectification. The office keeps every verdict it set (the
# latest per unit and measure is the current one) with the bundle it refers to; the
# unit keeps the review files it accepted, the current verdict per measure and its
# rectification ledger (整改台账). A unit's response travels in its audit log, which
# every bundle already carries, so the bundle format is unchanged.
SCHEMA_V4 = """
CREATE TABLE sup_verdicts (
    id INTEGER PRIMARY KEY,
    verdict_id TEXT NOT NULL UNIQUE,
    unit_id TEXT NOT NULL,
    measure_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'returned', 'to_verify')),
    comment TEXT NOT NULL DEFAULT '',
    bundle_sequence INTEGER NOT NULL,
    bundle_hash TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    reviewer TEXT NOT NULL DEFAULT '',
    CHECK (verdict <> 'returned' OR trim(comment) <> '')
);
CREATE INDEX sup_verdicts_current ON sup_verdicts (unit_id, measure_id, id);
-- The current verdict per unit and measure as the review file carries it (canonical
-- JSON, made once when set): exporting 100 units' files joins these in one scan
-- instead of encoding 500,000 rows.
CREATE TABLE sup_verdict_files (
    unit_id TEXT NOT NULL,
    measure_id TEXT NOT NULL,
    file_json TEXT NOT NULL,
    PRIMARY KEY (unit_id, measure_id)
) WITHOUT ROWID;  -- stored in key order: a unit's verdicts are read in one sweep
-- The review reads an imported unit's audit log per measure (its responses, its ledger).
CREATE INDEX sup_audit_by_measure ON sup_audit (unit_id, measure_id, id);

CREATE TABLE unit_reviews (
    review_hash TEXT PRIMARY KEY,
    office_unit_id TEXT NOT NULL,
    office_name TEXT NOT NULL,
    signer TEXT NOT NULL,
    cert_fingerprint TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    bundle_hash TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE unit_verdicts (
    measure_id TEXT PRIMARY KEY,
    verdict_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'returned', 'to_verify')),
    comment TEXT NOT NULL DEFAULT '',
    reviewed_at TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    review_hash TEXT NOT NULL REFERENCES unit_reviews(review_hash),
    audit_id INTEGER NOT NULL
);

CREATE TABLE rectifications (
    measure_id TEXT PRIMARY KEY,
    problem TEXT NOT NULL CHECK (trim(problem) <> ''),
    action TEXT NOT NULL CHECK (trim(action) <> ''),
    owner TEXT NOT NULL CHECK (trim(owner) <> ''),
    deadline TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
"""


def create_v4(conn: sqlite3.Connection) -> None:
    run_script(conn, SCHEMA_V4)


# Version 5: delegation to the unit's own offices (下级单位: 区级部门, 乡镇街道, 内设机构).
# Offices are the workspace's own free names, never entries of the city's unit directory;
# each gets a random ``office_id`` (``office:`` + 32 hex) that travels in its task file
# and comes back in its bundle or checklist, binding a return to this office of this
# parent. What an office returns is kept as its contribution, beside the unit's own
# record (never over it); evidence contents go into the unit's own blob store (deduplicated,
# kept while a contribution refers to them). ``rollup_flags`` is 下级有新填报.
SCHEMA_V5 = f"""
CREATE TABLE offices (
    office_id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (trim(name) <> ''),
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE assignments (
    measure_id TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(office_id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'responsible')),
    deadline TEXT,
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (measure_id, office_id)
);
CREATE INDEX assignments_by_office ON assignments (office_id, measure_id);

-- Each office's pinned signing key; replaced keys stay as history.
CREATE TABLE office_keys (
    id INTEGER PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(office_id),
    fingerprint TEXT NOT NULL,
    certificate BLOB NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL DEFAULT '',
    retired_at TEXT
);
CREATE UNIQUE INDEX office_keys_active ON office_keys (office_id) WHERE retired_at IS NULL;

-- Every return imported (bundle or checklist): a repeat changes nothing (content_hash),
-- an older bundle never replaces a newer one (sequence per office).
CREATE TABLE office_returns (
    id INTEGER PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(office_id),
    kind TEXT NOT NULL CHECK (kind IN ('bundle', 'xlsx')),
    content_hash TEXT NOT NULL UNIQUE,
    sequence INTEGER,
    made_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL DEFAULT '',
    cert_fingerprint TEXT,
    file_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX office_returns_by_office ON office_returns (office_id, kind, sequence);

CREATE TABLE contributions (
    office_id TEXT NOT NULL REFERENCES offices(office_id),
    measure_id TEXT NOT NULL,
    status TEXT NOT NULL
{_STATUS_CHECK}
{_RECORD_FIELDS}
    return_id INTEGER NOT NULL REFERENCES office_returns(id),
    imported_at TEXT NOT NULL,
    PRIMARY KEY (office_id, measure_id)
);

CREATE TABLE contribution_evidence (
    office_id TEXT NOT NULL REFERENCES offices(office_id),
    id INTEGER NOT NULL,
    measure_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('file', 'link')),
{_EVIDENCE_FIELDS}
    PRIMARY KEY (office_id, id)
);
CREATE INDEX contribution_evidence_by_measure ON contribution_evidence (measure_id, office_id);
CREATE INDEX contribution_evidence_by_sha ON contribution_evidence (sha256);

CREATE TABLE rollup_flags (
    measure_id TEXT PRIMARY KEY,
    since TEXT NOT NULL
);
"""


def create_v5(conn: sqlite3.Connection) -> None:
    run_script(conn, SCHEMA_V5)
