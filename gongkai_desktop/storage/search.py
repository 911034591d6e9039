"""Full-text search over measures: FTS5 trigram for terms of 3+ characters, LIKE below.

The index holds one row per measure (its text, explanation, remarks and evidence
names); it is rebuilt for a measure inside the transaction that changed it.
User text is never FTS syntax: each term is quoted as a phrase and LIKE wildcards
are escaped, so quotes, AND/OR/NEAR, ``*`` or ``%`` are searched for literally.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable

from gongkai_desktop.storage import evidence, records

MAX_QUERY = 200
MIN_TRIGRAM = 3
_CODE = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")  # "1", "1.2", "1.2.3", "1.2."


def body_for(conn: sqlite3.Connection, plan_id: str, measure_id: str) -> str:
    row = conn.execute("SELECT text FROM plan_measures WHERE plan_id = ? AND id = ?",
                       (plan_id, measure_id)).fetchone()
    record = records.load(conn, measure_id)
    parts = [row[0] if row else "", record.explanation, record.remarks,
             *evidence.names_for(conn, measure_id)]
    return "\n".join(part for part in parts if part)


def reindex(conn: sqlite3.Connection, plan_id: str, measure_ids: Iterable[str]) -> None:
    """Rebuild the index rows of these measures; the caller owns the transaction."""
    for measure_id in measure_ids:
        conn.execute("DELETE FROM search_index WHERE measure_id = ?", (measure_id,))
        conn.execute("INSERT INTO search_index (measure_id, body) VALUES (?, ?)",
                     (measure_id, body_for(conn, plan_id, measure_id)))


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def by_code(query: str, order: dict[str, int]) -> list[str] | None:
    """Measures named by a code query: "1.2.3" that measure, "1.2" every measure under it.

    None when the query is not a code (then it is searched as text)."""
    code = unicodedata.normalize("NFKC", query).strip().replace("。", ".")
    if not _CODE.match(code):
        return None
    code = code.rstrip(".")
    return sorted((m for m in order if m == code or m.startswith(code + ".")),
                  key=order.__getitem__)


def search(conn: sqlite3.Connection, query: str, order: dict[str, int]) -> list[str]:
    """Measure ids whose text contains every whitespace-separated term, in plan order;
    a measure code ("1.2.3", or "1.2" for a sub-task's measures) finds those measures."""
    coded = by_code(query[:MAX_QUERY], order)
    if coded:
        return coded
    # Control characters (NUL ends a LIKE pattern early) count as spaces.
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in query[:MAX_QUERY])
    terms = list(dict.fromkeys(text.split()))
    if not terms:
        return []
    long_terms = [t for t in terms if len(t) >= MIN_TRIGRAM]
    short_terms = [t for t in terms if len(t) < MIN_TRIGRAM]
    where: list[str] = []
    params: list[str] = []
    if long_terms:
        where.append("search_index MATCH ?")
        params.append(" AND ".join(_phrase(t) for t in long_terms))
    for term in short_terms:
        where.append("body LIKE ? ESCAPE '\\'")
        params.append(_like(term))
    sql = "SELECT DISTINCT measure_id FROM search_index WHERE " + " AND ".join(where)
    found = {str(row[0]) for row in conn.execute(sql, params)}
    return sorted((m for m in found if m in order), key=order.__getitem__)
