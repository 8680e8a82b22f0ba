"""The dataset's contract: one CSV per table (attribute, dtype, unit, default, required, range, description).

These files are the only place column names, units and allowed ranges are defined. :func:`parse_rows`
validates rows read from a data file against them, column by column, and reports every problem with its
file, line, field, value and expectation.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa

from corridor.errors import DataError, Problem
from corridor.schema.columns import ARROW_STR, NUMERIC_DTYPES, control_mask, parse_column
from corridor.schema.enums import (
    CargoClass,
    Confidence,
    Layer,
    Mode,
    NodeKind,
    Status,
    Table,
    TransferKind,
)
from corridor.schema.problems import MAX_PER_RULE, collect
from corridor.schema.ranges import MODEL_YEARS, Range, parse_range
from corridor.units import UNITS

__all__ = [
    "CALIBRATION_TABLES",
    "MAX_PER_RULE",
    "MODEL_YEARS",
    "SIDE_TABLES",
    "TABLES",
    "CargoClass",
    "Column",
    "Confidence",
    "Layer",
    "Mode",
    "NodeKind",
    "Range",
    "Status",
    "Table",
    "TableSchema",
    "TransferKind",
    "collect",
    "parse_columns",
    "parse_rows",
    "rows_to_columns",
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
#: Calibration tables (demand zones, demand by commodity, observed counts): read by corridor.calibration,
#: not part of a network dataset folder.
CALIBRATION_TABLES = ("zones", "demand", "counts")

#: What a text cell may not hold.
NO_CONTROL = "text without control characters (U+0000-U+001F, U+007F-U+009F)"
#: Tables read on their own by the engine that needs them (not part of a dataset's load order).
SIDE_TABLES = ("operations",)


@dataclass(frozen=True)
class Column:
    """One attribute of a table: its type, unit, default, whether it is required or a unique key, its range."""

    attribute: str
    dtype: str
    unit: str
    default: str
    required: bool
    description: str
    key: bool = False
    range: Range | None = None


@dataclass(frozen=True)
class TableSchema:
    """The columns of one table, in file order."""

    name: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> str:
        """The first column; its values are unique where the schema marks it ``key``."""
        return self.columns[0].attribute

    def column(self, attribute: str) -> Column:
        """The column called *attribute* (KeyError if the table has none)."""
        for c in self.columns:
            if c.attribute == attribute:
                return c
        raise KeyError(attribute)

    @property
    def units(self) -> dict[str, str]:
        """Unit of each column ('' where none)."""
        return {c.attribute: c.unit for c in self.columns}

    @property
    def numeric(self) -> list[str]:
        """Columns holding numbers (these need provenance)."""
        return [c.attribute for c in self.columns if c.dtype in NUMERIC_DTYPES]


@cache
def schema(table: str) -> TableSchema:
    """Schema of *table*, read from the CSV shipped in this package."""
    known = TABLES + CALIBRATION_TABLES + SIDE_TABLES
    if table not in known:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(known)}")
    text = resources.files(__package__).joinpath(f"{table}.csv").read_text(encoding="utf-8")
    cols = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        where = f"schema/{table}.csv"
        if row["unit"] not in UNITS:
            raise DataError(Problem(where, line, "unit", row["unit"], "a unit from corridor.units.UNITS"))
        if row["required"] not in ("yes", "no", "key"):
            raise DataError(Problem(where, line, "required", row["required"], "yes, no or key"))
        try:
            rng = parse_range(row["range"])
        except ValueError as exc:
            raise DataError(Problem(where, line, "range", row["range"], str(exc))) from None
        cols.append(
            Column(
                attribute=row["attribute"],
                dtype=row["dtype"],
                unit=row["unit"],
                default=row["default"],
                required=row["required"] in ("yes", "key"),
                description=row["description"],
                key=row["required"] == "key",
                range=rng,
            )
        )
    return TableSchema(table, tuple(cols))


def _header_problems(sch: TableSchema, header: list[str], file: str) -> list[Problem]:
    known = {c.attribute for c in sch.columns}
    out = [
        Problem(file, 1, c.attribute, None, "a column with this name in the header")
        for c in sch.columns
        if c.required and c.attribute not in header
    ]
    out += [Problem(file, 1, h, h, f"a known column ({', '.join(sorted(known))})") for h in header if h not in known]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            out.append(Problem(file, 1, h, h, "each column once in the header"))
        seen.add(h)
    return out


def rows_to_columns(
    header: list[str], rows: list[tuple[int, list[str]]], file: str
) -> tuple[np.ndarray, list[Sequence[str]], list[Problem]]:
    """(line numbers, one sequence of cells per header column, problems) from (line, cells) rows.

    Rows with another number of cells than the header are reported and left out.
    """
    width = len(header)
    wrong = [(line, len(cells)) for line, cells in rows if len(cells) != width]
    problems = collect(file, "(row)", [w[0] for w in wrong], [w[1] for w in wrong], f"{width} cells like the header")
    good = rows if not wrong else [r for r in rows if len(r[1]) == width]
    columns: list[Sequence[str]] = list(zip(*(cells for _, cells in good), strict=True)) if good else [() for _ in header]
    return np.array([line for line, _ in good], dtype=np.int64), columns, problems


def _raw_frame(
    header: list[str], lines: np.ndarray, columns: list[Sequence[str] | pa.Array], file: str, controls: bool
) -> tuple[np.ndarray, list[pd.Series], list[Problem]]:
    """(line numbers, one stripped Arrow string Series per header column, problems).

    With *controls*, cells holding control characters are reported. Rows whose cells are all blank are
    dropped.
    """
    problems: list[Problem] = []
    lines = np.asarray(lines, dtype=np.int64)
    out = []
    for i, h in enumerate(header):
        col = columns[i]
        arrow = col if isinstance(col, pa.Array) else pa.array(list(col), type=pa.string())
        cells = pd.Series(pd.arrays.ArrowStringArray(arrow))
        if controls:
            bad = control_mask(cells)
            if bad.any():
                problems += collect(file, h, lines[bad.to_numpy()], cells[bad].astype(object), NO_CONTROL)
        out.append(cells.str.strip())
    if out and len(lines):
        blank = np.logical_and.reduce([(c == "").to_numpy(dtype=bool) for c in out])
        if blank.any():
            lines, out = lines[~blank], [c[~blank].reset_index(drop=True) for c in out]
    return lines, out, problems


def parse_rows(table: str, header: list[str], rows: list[tuple[int, list[str]]], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate raw CSV rows of *table* (a list of (line number, cells)); see :func:`parse_columns`."""
    lines, columns, problems = rows_to_columns(header, rows, file)
    frame, found = parse_columns(table, header, lines, columns, file)
    return frame, problems + found


def parse_columns(
    table: str,
    header: list[str],
    lines: np.ndarray,
    columns: list[Sequence[str] | pa.Array],
    file: str,
    *,
    controls: bool = True,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate the cells of *table*, given column by column, against its schema.

    *lines* holds each row's line number and *columns* one sequence of cells (or Arrow string array) per
    header column; ``controls=False`` skips the control-character check when the caller has scanned the
    whole file. Returns the typed table (``_line`` plus one column per schema attribute; numbers as float64
    with NaN where empty, other values as objects with None or () where empty, defaults filled, bad cells
    left empty) and every problem found: missing, unknown or repeated columns, control characters, empty
    required cells, cells of the wrong type, numbers outside the schema's range, and repeated keys. Each
    rule reports its first :data:`MAX_PER_RULE` rows and a count of the rest.
    """
    sch = schema(table)
    problems = _header_problems(sch, header, file)
    lines, raw, found = _raw_frame(header, lines, columns, file, controls)
    problems += found
    position = {h: i for i, h in reversed(list(enumerate(header)))}
    data: dict[str, object] = {"_line": lines}
    for c in sch.columns:
        present = c.attribute in position
        series = raw[position[c.attribute]] if present else pd.Series([""] * len(lines), dtype=ARROW_STR)
        cells = series.to_numpy(dtype=object)
        empty = cells == ""
        if c.required and present and empty.any():
            problems += collect(file, c.attribute, lines[empty], [""] * int(empty.sum()), "a value (the column is required)")
        if c.default and empty.any():
            series, cells = series.where(~empty, c.default), np.where(empty, c.default, cells)
        values, bad, expected = parse_column(c, series, cells)
        if expected is not None:
            problems += collect(file, c.attribute, lines[bad], cells[bad], expected[bad])
        data[c.attribute] = values  # float arrays, or object Series on the same 0..n-1 index
    frame = pd.DataFrame(data)
    if sch.columns[0].key:
        problems += _duplicates(frame, sch.key, file)
    return frame, problems


def _duplicates(frame: pd.DataFrame, key: str, file: str) -> list[Problem]:
    keys = frame[key]
    present = keys.notna()
    dup = present & keys.duplicated(keep="first")
    if not dup.any():
        return []
    first = frame.loc[present & ~dup].set_index(key)["_line"]
    again = frame.loc[dup]
    expected = [f"a unique {key} (already used on line {first[k]})" for k in again[key]]
    return collect(file, key, again["_line"], again[key], expected)
