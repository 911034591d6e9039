"""The workspace's own connection, for the bundle tables it does not wrap itself.

``Workspace`` serialises every use of its connection with one lock and maps SQLite
errors to Chinese messages; bundle code goes through the same two context managers
so a supervisor's import is one transaction on the same connection, under the same
lock, as every other change. (Kept in this one place: if ``Workspace`` gains public
names for them, only this module changes.)
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager

from gongkai_desktop.storage import Workspace


def reading(ws: Workspace) -> AbstractContextManager[sqlite3.Connection]:
    return ws._reading()


def writing(ws: Workspace) -> AbstractContextManager[sqlite3.Connection]:
    """One write transaction (nested use becomes a savepoint); refused when read-only."""
    return ws._writing()
