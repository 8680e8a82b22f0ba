"""The dataset's contract: one CSV per table (attribute, dtype, unit, default, required, description).

These files are the only place column names and units are defined. :func:`parse_rows` validates rows read
from a data file against them and reports every problem with its file, line, field, value and expectation.
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.schema.enums import (
    ENUMS,
    CargoClass,
    Confidence,
    Layer,
    Mode,
    NodeKind,
    Status,
    Table,
    TransferKind,
)
from corridor.units import UNITS, is_country, is_currency

__all__ = [
    "SIDE_TABLES",
    "TABLES",
    "CargoClass",
    "Column",
    "Confidence",
    "Layer",
    "Mode",
    "NodeKind",
    "Status",
    "Table",
    "TableSchema",
    "TransferKind",
    "parse_rows",
    "schema",
]

#: Tables of a dataset folder, in load order.
TABLES = (
    "sources",
    "nodes",
    "links",
    "transfers",
    "modes",
    "parameters",
    "projects",
    "fx_rates",
    "corridors",
    "provenance",
)

#: Tables read on their own by the engine that needs them (not part of a dataset's load order).
SIDE_TABLES = ("operations",)

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_MISSING = ("", None)


@dataclass(frozen=True)
class Column:
    """One attribute of a table."""

    attribute: str
    dtype: str
    unit: str
    default: str
    required: bool
    description: str


@dataclass(frozen=True)
class TableSchema:
    """The columns of one table, in file order."""

    name: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> str:
        """The first column; unique for tables whose first column has dtype ``id``."""
        return self.columns[0].attribute

    def column(self, attribute: str) -> Column:
        for c in self.columns:
            if c.attribute == attribute:
                return c
        raise KeyError(attribute)

    @property
    def units(self) -> dict[str, str]:
        """Unit of each column ('' where none)."""
        return {c.attribute: c.unit for c in self.columns}


@cache
def schema(table: str) -> TableSchema:
    """Schema of *table*, read from the CSV shipped in this package."""
    if table not in TABLES and table not in SIDE_TABLES:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(TABLES + SIDE_TABLES)}")
    text = resources.files(__package__).joinpath(f"{table}.csv").read_text(encoding="utf-8")
    cols = []
    for row in csv.DictReader(text.splitlines()):
        if row["unit"] not in UNITS:
            raise DataError(Problem(f"schema/{table}.csv", None, "unit", row["unit"], "a unit from corridor.units.UNITS"))
        cols.append(
            Column(
                attribute=row["attribute"],
                dtype=row["dtype"],
                unit=row["unit"],
                default=row["default"],
                required=row["required"] == "yes",
                description=row["description"],
            )
        )
    return TableSchema(table, tuple(cols))


def _parse_scalar(dtype: str, raw: str) -> tuple[object, str | None]:
    """Parse one non-empty cell; returns (value, None) or (None, what was expected)."""
    if dtype in ("str",) or dtype.startswith("ref:"):
        return raw, None
    if dtype == "id":
        return (raw, None) if _ID.match(raw) else (None, "an id of lower-case letters, digits, '_', '-' or '.'")
    if dtype == "float":
        try:
            value = float(raw)
        except ValueError:
            return None, "a number"
        if value != value or value in (float("inf"), float("-inf")):
            return None, "a finite number"
        return value, None
    if dtype == "int":
        try:
            return int(raw), None
        except ValueError:
            return None, "a whole number"
    if dtype == "bool":
        low = raw.strip().lower()
        if low in ("true", "yes", "1"):
            return True, None
        if low in ("false", "no", "0"):
            return False, None
        return None, "true or false"
    if dtype == "country":
        return (raw, None) if is_country(raw) else (None, "an ISO 3166-1 alpha-2 country code")
    if dtype == "currency":
        return (raw, None) if is_currency(raw) else (None, "an ISO 4217 currency code")
    if dtype == "unit":
        return (raw, None) if raw in UNITS else (None, f"a known unit ({', '.join(u for u in UNITS if u)})")
    if dtype == "date":
        try:
            return _dt.date.fromisoformat(raw).isoformat(), None
        except ValueError:
            return None, "a date as YYYY-MM-DD"
    if dtype.startswith("enum:"):
        enum = ENUMS[dtype.removeprefix("enum:")]
        try:
            return enum(raw), None
        except ValueError:
            return None, f"one of {', '.join(e.value for e in enum)}"
    raise ValueError(f"schema dtype {dtype!r} is not known")


def _parse_cell(col: Column, raw: str) -> tuple[object, str | None]:
    if col.dtype.startswith("list:"):
        inner = col.dtype.removeprefix("list:")
        values = []
        for part in (p.strip() for p in raw.split(";")):
            if not part:
                continue
            value, err = _parse_scalar(inner, part)
            if err:
                return None, f"';'-separated values, each {err} (got {part!r})"
            values.append(value)
        return tuple(values), None
    value, err = _parse_scalar(col.dtype, raw)
    if err is None and col.dtype == "float" and col.unit not in ("deg", "", "1") and value < 0:  # type: ignore[operator]
        return None, f"a number >= 0 ({col.unit})"
    return value, err


def parse_rows(table: str, header: list[str], rows: list[tuple[int, list[str]]], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate raw CSV rows of *table* against its schema.

    *rows* holds (line number, cells). Returns the typed table (one column per schema attribute, defaults
    filled, bad cells left empty) and every problem found: missing or unknown columns, empty required
    cells, cells of the wrong type or unit, negative quantities and duplicate ids.
    """
    sch = schema(table)
    problems: list[Problem] = []
    known = {c.attribute for c in sch.columns}
    for c in sch.columns:
        if c.attribute not in header and c.required:
            problems.append(Problem(file, 1, c.attribute, None, "a column with this name in the header"))
    for h in header:
        if h not in known:
            problems.append(Problem(file, 1, h, h, f"a known column ({', '.join(sorted(known))})"))
    records = []
    for line, cells in rows:
        if len(cells) != len(header):
            problems.append(Problem(file, line, "(row)", len(cells), f"{len(header)} cells like the header"))
            continue
        raw = dict(zip(header, cells, strict=True))
        rec: dict[str, object] = {"_line": line}
        for c in sch.columns:
            cell = (raw.get(c.attribute) or "").strip()
            if cell in _MISSING:
                if c.required and c.attribute in header:
                    problems.append(Problem(file, line, c.attribute, "", "a value (the column is required)"))
                cell = c.default
            if cell in _MISSING:
                rec[c.attribute] = () if c.dtype.startswith("list:") else None
                continue
            value, err = _parse_cell(c, cell)
            if err:
                problems.append(Problem(file, line, c.attribute, cell, err))
            rec[c.attribute] = value
        records.append(rec)
    frame = pd.DataFrame(records, columns=["_line", *(c.attribute for c in sch.columns)], dtype=object)
    if sch.columns[0].dtype == "id":
        seen: dict[object, int] = {}
        for line, key in zip(frame["_line"], frame[sch.key], strict=True):
            if key is None:
                continue
            if key in seen:
                problems.append(Problem(file, int(line), sch.key, key, f"a unique {sch.key} (already used on line {seen[key]})"))
            else:
                seen[key] = int(line)
    return frame, problems
