"""Small SQL helpers that differ by dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

__all__ = ["dialect_insert"]


def dialect_insert(dialect: str, table: Any) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support for PostgreSQL or SQLite."""
    return pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
