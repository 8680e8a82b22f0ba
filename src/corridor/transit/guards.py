"""Checks on arguments that do not come through a pydantic model (path and query values, keys, ids), so that no value
reaches the database that it cannot store or compare: a clear 4xx instead of a driver error."""

from __future__ import annotations

from corridor.transit.errors import TransitError, failure
from corridor.transit.schemas import bad_text

__all__ = ["MAX_ID", "check_id", "check_text"]

#: Largest row id (PostgreSQL ``integer``)
MAX_ID = 2**31 - 1


def check_text(path: str, value: str | None, max_length: int = 500) -> None:
    """422 when *value* holds a control character or lone surrogate, or is longer than *max_length*."""
    if value is None:
        return
    found = bad_text(value)
    if found or len(value) > max_length:
        expected = "text without control characters" if found else f"at most {max_length} characters"
        raise TransitError(
            422, "invalid value", f"invalid {path}", [failure("S001", path, value if not found else found[1], expected)]
        )


def check_id(value: int, what: str) -> None:
    """404 for an id no row can have (out of the database's integer range)."""
    if not 1 <= int(value) <= MAX_ID:
        raise TransitError(404, "not found", f"no {what} {value}")
