"""The group-commit batch on SQLite straight through the driver, in the caller's transaction.

SQLAlchemy builds, caches and binds a Core statement for each table of every batch: for batches of a few rows
that costs more than SQLite's own work. Here each table's ``INSERT`` text and the bind processors of its columns
(the column types' own: JSON text, UTC timestamps, exactly what Core stores) are made once, and the rows go to the
driver's cursor; a driver error is raised as SQLAlchemy's (``IntegrityError``, ``OperationalError``...) so callers
handle it as they would a Core statement's. Declarations go in as multi-row ``INSERT ... ON CONFLICT DO NOTHING
RETURNING``: a duplicate (holder, LRN) comes back without an id and writes nothing but the guarantee.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from corridor.transit.db import AuditEntry, Declaration, DeclarationRef, Guarantee

__all__ = ["SqliteInsert", "insert_batch_sqlite"]

#: bound variables per statement, under SQLite's smallest compiled-in limit (999)
_MAX_VARIABLES = 999


@dataclass(frozen=True)
class SqliteInsert:
    """``INSERT`` text for *keys* of one table and the bind processor of each key's column (None: as is)."""

    table: str
    keys: tuple[str, ...]
    columns: str  # the keys quoted, comma-separated
    procs: tuple[Callable[[Any], Any] | None, ...]
    conflict: str  # " ON CONFLICT (...) DO NOTHING" or ""
    returning: str  # " RETURNING ..." or ""

    def sql(self, rows: int = 1) -> str:
        one = "(" + ", ".join("?" * len(self.keys)) + ")"
        return f"INSERT INTO {self.table} ({self.columns}) VALUES {', '.join([one] * rows)}{self.conflict}{self.returning}"

    def params(self, row: dict) -> list[Any]:
        return [row[k] if p is None else p(row[k]) for k, p in zip(self.keys, self.procs, strict=True)]


#: per dialect (an engine's): (table, keys, conflict, returning) -> its insert
_INSERTS: weakref.WeakKeyDictionary[Dialect, dict[tuple, SqliteInsert | None]] = weakref.WeakKeyDictionary()


def _insert(
    dialect: Dialect, table: Table, keys: tuple[str, ...], conflict: tuple[str, ...] = (), returning: tuple[str, ...] = ()
) -> SqliteInsert | None:
    """The cached :class:`SqliteInsert` of *table* for *keys*; None when a column left out has a Python-side
    default (Core would fill it in: the caller takes the Core path)."""
    cache = _INSERTS.setdefault(dialect, {})
    cache_key = (table.name, keys, conflict, returning)
    if cache_key in cache:
        return cache[cache_key]
    cols = table.columns
    found = None
    if all(k in cols for k in keys) and not any(c.default is not None for c in cols if c.key not in keys):
        q = dialect.identifier_preparer.quote
        procs = tuple(cols[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys)
        found = SqliteInsert(
            q(table.name), keys, ", ".join(map(q, keys)), procs,
            f" ON CONFLICT ({', '.join(map(q, conflict))}) DO NOTHING" if conflict else "",
            f" RETURNING {', '.join(map(q, returning))}" if returning else "",
        )  # fmt: skip
    cache[cache_key] = found
    return found


def _run(cur: sqlite3.Cursor, sql: str, params: Any, many: bool = False) -> list[tuple]:
    try:
        return cur.executemany(sql, params).fetchall() if many else cur.execute(sql, params).fetchall()
    except sqlite3.Error as exc:  # as SQLAlchemy raises it, so callers tell a refused row from a busy database
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error, ismulti=many) from exc


def insert_batch_sqlite(
    conn: Connection, lodgements: list[tuple[dict, list[dict], list[tuple[str, str]]]], guarantees: list[dict]
) -> list[tuple[int, int, str]] | None:
    """Insert the batch in *conn*'s transaction; (id, holder_id, lrn) of each declaration inserted, or None (nothing
    written) when some row leaves out a column with a default: the caller uses Core statements instead."""
    dialect, dtable = conn.dialect, Declaration.__table__
    decl = _insert(dialect, dtable, tuple(lodgements[0][0]), ("holder_id", "lrn"), ("id", "holder_id", "lrn"))
    gins = _insert(dialect, Guarantee.__table__, tuple(guarantees[0]), ("holder_id", "reference")) if guarantees else None
    trails = [a for _row, trail, _refs in lodgements for a in trail]
    audit = _insert(dialect, AuditEntry.__table__, ("declaration_id", *trails[0])) if trails else None
    if decl is None or (guarantees and gins is None) or (trails and audit is None):
        return None
    if any(tuple(row) != decl.keys for row, _a, _r in lodgements) or any(tuple(g) != gins.keys for g in guarantees):
        return None
    if any(tuple(a) != audit.keys[1:] for a in trails):
        return None
    cur = conn.connection.cursor()
    try:
        if guarantees:
            _run(cur, gins.sql(), [gins.params(g) for g in guarantees], many=True)
        got: list[tuple[int, int, str]] = []
        per = max(1, _MAX_VARIABLES // len(decl.keys))
        for k in range(0, len(lodgements), per):
            part = lodgements[k : k + per]
            got += [tuple(r) for r in _run(cur, decl.sql(len(part)), [v for row, _a, _r in part for v in decl.params(row)])]
        ids = {(h, lrn): i for i, h, lrn in got}
        rows, refs = [], []
        for row, trail, kinds in lodgements:
            decl_id = ids.get((row["holder_id"], row["lrn"]))
            if decl_id is not None:
                rows += [audit.params({**a, "declaration_id": decl_id}) for a in trail]
                refs += [(decl_id, k, v) for k, v in kinds]
        if rows:
            _run(cur, audit.sql(), rows, many=True)
        if refs:
            _run(cur, _REFS, refs, many=True)
    finally:
        cur.close()
    return got


#: references are plain (int, text, text) rows: no conversion
_REFS = f"INSERT INTO {DeclarationRef.__tablename__} (declaration_id, kind, value) VALUES (?, ?, ?)"
