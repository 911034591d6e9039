"""The workspace: one SQLite file per unit (WAL, foreign keys, migrations, audit,
evidence blobs, full-text search). ``Workspace`` is the entry point."""

from gongkai_desktop.storage.entities import CLEAR, AuditEntry, Clear, EvidenceItem, UnitProfile
from gongkai_desktop.storage.evidence import CHUNK_SIZE, DEFAULT_MAX_BYTES
from gongkai_desktop.storage.names import safe_file_name
from gongkai_desktop.storage.workspace import Workspace

__all__ = [
    "CHUNK_SIZE",
    "CLEAR",
    "DEFAULT_MAX_BYTES",
    "AuditEntry",
    "Clear",
    "EvidenceItem",
    "UnitProfile",
    "Workspace",
    "safe_file_name",
]
