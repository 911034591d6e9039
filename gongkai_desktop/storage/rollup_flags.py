"""The 下级有新填报 flags (#14): measures whose offices' answers changed since the last
roll-up. Written by ``delegation.returns`` and cleared by ``delegation.rollup`` inside
their own transactions; read here, apart from the delegation package, because the plan
tree reads them before its first paint (#15: the package's classes cost ~4 ms)."""

from __future__ import annotations

import sqlite3

from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import reading


def pending_measures(ws: Workspace) -> set[str]:
    """Measures flagged 下级有新填报: an office's answer changed since the last roll-up."""
    with reading(ws) as conn:
        return pending_in(conn)


def pending_in(conn: sqlite3.Connection) -> set[str]:
    """``pending_measures`` inside the caller's transaction."""
    return {str(r[0]) for r in conn.execute("SELECT measure_id FROM rollup_flags")}
