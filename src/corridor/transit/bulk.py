"""The statements of one group-commit batch: declarations, their audit entries, indexed references and guarantees.

On PostgreSQL the whole batch is one statement (data-modifying CTEs fed by JSON parameters): one round trip
instead of four, whatever the batch size. On SQLite (in-process) it is one statement per table through the driver
(:mod:`corridor.transit.bulk_sqlite`); elsewhere one multi-row Core statement per table.
Either way a duplicate (holder, LRN) comes back without an id and writes nothing but the guarantee.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from corridor.transit.bulk_sqlite import insert_batch_sqlite
from corridor.transit.db import AuditEntry, Declaration, DeclarationRef, Guarantee
from corridor.transit.sqlutil import dialect_insert

__all__ = ["BatchRows", "insert_batch"]

#: the references of a batch on SQLite, bound by the driver (SQLAlchemy's per-row parameter processing costs more
#: than the insert for these rows, which need no conversion)
_SQLITE_REFS = f"INSERT INTO {DeclarationRef.__tablename__} (declaration_id, kind, value) VALUES (?, ?, ?)"

#: (declaration row, audit rows without declaration_id, (kind, value) references) of one lodgement
BatchRows = tuple[dict, list[dict], list[tuple[str, str]]]


def insert_batch(conn: Connection, lodgements: list[BatchRows], guarantees: list[dict]) -> list[tuple[int, int, str]]:
    """Insert the batch in the caller's transaction; (id, holder_id, lrn) of each declaration inserted."""
    if not lodgements:
        return []
    if conn.dialect.name == "postgresql":
        try:
            params = _pg_params(lodgements, guarantees)
        except (TypeError, ValueError):  # a value JSON cannot carry (NaN...): the per-table statements bind it
            return _insert_core(conn, lodgements, guarantees)
        return _insert_pg(conn, lodgements, guarantees, params)
    if conn.dialect.name == "sqlite":
        got = insert_batch_sqlite(conn, lodgements, guarantees)
        if got is not None:
            return got
    return _insert_core(conn, lodgements, guarantees)


def _insert_core(conn: Connection, lodgements: list[BatchRows], guarantees: list[dict]) -> list[tuple[int, int, str]]:
    dialect, dtable = conn.dialect.name, Declaration.__table__
    if guarantees:
        ins_g = dialect_insert(dialect, Guarantee.__table__).on_conflict_do_nothing(index_elements=["holder_id", "reference"])
        conn.execute(ins_g, guarantees)
    ins = dialect_insert(dialect, dtable).on_conflict_do_nothing(index_elements=["holder_id", "lrn"])
    ins = ins.returning(dtable.c.id, dtable.c.holder_id, dtable.c.lrn)
    got = [tuple(r) for r in conn.execute(ins, [row for row, _a, _r in lodgements])]
    ids = {(h, lrn): i for i, h, lrn in got}
    audit, refs = [], []
    for row, trail, kinds in lodgements:
        decl_id = ids.get((row["holder_id"], row["lrn"]))
        if decl_id is not None:
            audit += [{**a, "declaration_id": decl_id} for a in trail]
            refs += [{"declaration_id": decl_id, "kind": k, "value": v} for k, v in kinds]
    if audit:
        conn.execute(AuditEntry.__table__.insert(), audit)
    if refs and dialect == "sqlite":  # plain (int, text, text) rows: straight to the driver's executemany
        conn.exec_driver_sql(_SQLITE_REFS, [(r["declaration_id"], r["kind"], r["value"]) for r in refs])
    elif refs:
        conn.execute(DeclarationRef.__table__.insert(), refs)
    return got


def _pg_params(lodgements: list[BatchRows], guarantees: list[dict]) -> dict[str, str]:
    audit, refs = [], []
    for row, trail, kinds in lodgements:
        key = {"holder_id": row["holder_id"], "lrn": row["lrn"]}
        audit += [{**key, "n": len(audit) + k, "row": a} for k, a in enumerate(trail)]
        refs += [{**key, "kind": k, "value": v} for k, v in kinds]
    return {
        "decls": _json([row for row, _a, _r in lodgements]),
        "audit": _json(audit),
        "refs": _json(refs),
        "guarantees": _json(guarantees),
    }


def _insert_pg(
    conn: Connection, lodgements: list[BatchRows], guarantees: list[dict], params: dict[str, str]
) -> list[tuple[int, int, str]]:
    audit_cols = tuple(lodgements[0][1][0]) if lodgements[0][1] else ("action",)
    stmt = _pg_statement(tuple(lodgements[0][0]), audit_cols, tuple(guarantees[0]) if guarantees else ())
    return [tuple(r) for r in conn.execute(stmt, params)]


@cache
def _pg_statement(decl_cols: tuple[str, ...], audit_cols: tuple[str, ...], guarantee_cols: tuple[str, ...]) -> Any:
    """The batch as one statement; cached per column set, so psycopg prepares it once per connection."""
    dtable, gtable = Declaration.__table__, Guarantee.__table__
    atable, rtable = AuditEntry.__table__, DeclarationRef.__table__
    d_cols = _cols(decl_cols)
    a_cols = _cols(audit_cols)
    a_sel = ", ".join(f"r.{_q(c)}" for c in audit_cols)
    sql = f"""
WITH d AS (
  INSERT INTO {_t(dtable)} ({d_cols})
  SELECT {d_cols} FROM json_populate_recordset(CAST(NULL AS {_t(dtable)}), CAST(:decls AS json))
  ON CONFLICT (holder_id, lrn) DO NOTHING
  RETURNING id, holder_id, lrn
), a AS (
  INSERT INTO {_t(atable)} (declaration_id, {a_cols})
  SELECT d.id, {a_sel}
  FROM json_to_recordset(CAST(:audit AS json)) AS x(holder_id integer, lrn text, n integer, "row" json)
  JOIN d ON d.holder_id = x.holder_id AND d.lrn = x.lrn
  CROSS JOIN LATERAL json_populate_record(CAST(NULL AS {_t(atable)}), x."row") AS r
  ORDER BY x.n
), f AS (
  INSERT INTO {_t(rtable)} (declaration_id, kind, value)
  SELECT d.id, x.kind, x.value
  FROM json_to_recordset(CAST(:refs AS json)) AS x(holder_id integer, lrn text, kind text, value text)
  JOIN d ON d.holder_id = x.holder_id AND d.lrn = x.lrn
)"""
    if guarantee_cols:
        g_cols = _cols(guarantee_cols)
        sql += f""", g AS (
  INSERT INTO {_t(gtable)} ({g_cols})
  SELECT {g_cols} FROM json_populate_recordset(CAST(NULL AS {_t(gtable)}), CAST(:guarantees AS json))
  ON CONFLICT (holder_id, reference) DO NOTHING
)"""
    return text(sql + "\nSELECT id, holder_id, lrn FROM d")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _t(table: Table) -> str:
    return _q(table.name)


def _cols(names: tuple[str, ...]) -> str:
    return ", ".join(_q(c) for c in names)


def _json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, allow_nan=False, default=_encode, separators=(",", ":"))


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):  # stored in UTC, as UTCDateTime does
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a batch")
