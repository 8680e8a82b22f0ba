"""Column-wise parsing of CSV cells by schema dtype: one pass per column, not per cell.

Numbers and ids are checked with pandas/numpy on the whole column; enums, countries, currencies, dates,
booleans and lists are parsed once per distinct value (these columns have few) and mapped back.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from corridor.schema.enums import ENUMS
from corridor.units import UNITS, is_country, is_currency

if TYPE_CHECKING:
    from corridor.schema import Column

#: (values, bad cells, expectation per cell or None when none is bad)
Parsed = tuple[pd.Series | np.ndarray, np.ndarray, np.ndarray | None]

__all__ = ["ARROW_STR", "CONTROL_CHARS", "NUMERIC_DTYPES", "control_mask", "parse_column", "parse_scalar", "per_distinct"]

#: Raw cells are held as Arrow strings, whose ``.str`` methods run in C over the whole column.
ARROW_STR = "string[pyarrow]"
#: dtypes whose columns hold numbers (float64 in parsed tables, NaN where empty).
NUMERIC_DTYPES = ("float", "int")
#: C0 and C1 control characters (NUL, tab, newline, escape, ...): never allowed in a cell.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ID = r"[a-z0-9][a-z0-9_.-]*"
_INT = r"[+-]?[0-9]+"
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def control_mask(raw: pd.Series) -> pd.Series:
    """True where a cell holds a control character."""
    return raw.str.contains(CONTROL_CHARS.pattern, regex=True).fillna(False).astype(bool)


def parse_scalar(dtype: str, raw: str) -> tuple[object, str | None]:
    """Parse one non-empty cell of a non-numeric dtype; returns (value, None) or (None, what was expected)."""
    if dtype == "str" or dtype.startswith("ref:"):
        return raw, None
    if dtype == "id":
        return (raw, None) if re.fullmatch(_ID, raw) else (None, "an id of lower-case letters, digits, '_', '-' or '.'")
    if dtype == "bool":
        low = raw.lower()
        return (True, None) if low in _TRUE else (False, None) if low in _FALSE else (None, "true or false")
    if dtype == "country":
        return (raw, None) if is_country(raw) else (None, "an ISO 3166-1 alpha-2 country code")
    if dtype == "currency":
        return (raw, None) if is_currency(raw) else (None, "an ISO 4217 currency code")
    if dtype == "unit":
        return (raw, None) if raw in UNITS else (None, f"a known unit ({', '.join(u for u in UNITS if u)})")
    if dtype == "date":
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            return None, "a date as YYYY-MM-DD"
        try:
            return _dt.date.fromisoformat(raw).isoformat(), None
        except ValueError:
            return None, "a date as YYYY-MM-DD (a real calendar day)"
    if dtype.startswith("enum:"):
        enum = ENUMS[dtype.removeprefix("enum:")]
        try:
            return enum(raw), None
        except ValueError:
            return None, f"one of {', '.join(e.value for e in enum)}"
    if dtype.startswith("list:"):
        inner, values = dtype.removeprefix("list:"), []
        for part in (p.strip() for p in raw.split(";")):
            if part:
                value, err = parse_scalar(inner, part)
                if err:
                    return None, f"';'-separated values, each {err} (got {part!r})"
                values.append(value)
        return tuple(values), None
    raise ValueError(f"schema dtype {dtype!r} is not known")


def _arrow_fullmatch(s: pd.Series, pattern: str) -> np.ndarray:
    return s.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def _numbers(col: Column, s: pd.Series, cells: np.ndarray, filled: np.ndarray) -> Parsed:
    num = pd.to_numeric(np.where(filled, cells, None), errors="coerce").astype(float)
    not_number = filled & np.isnan(num)
    if col.dtype == "int" and filled.any():
        not_number |= filled & ~_arrow_fullmatch(s, _INT)
    infinite = np.isinf(num)
    out = ~col.range.mask(np.where(not_number | infinite, np.nan, num)) if col.range is not None else np.zeros(len(num), bool)
    bad = not_number | infinite | out
    if not bad.any():
        return num, bad, None
    num[bad] = np.nan
    expected = np.full(len(num), "", dtype=object)
    if col.range is not None:
        unit = f" ({col.unit})" if col.unit not in ("", "1") else ""
        expected[out] = f"a number {col.range.describe()}{unit}"
    expected[infinite] = "a finite number"
    expected[not_number] = "a whole number" if col.dtype == "int" else "a number"
    return num, bad, expected


def parse_column(col: Column, s: pd.Series, cells: np.ndarray | None = None) -> Parsed:
    """Parse the stripped cells *s* ('' = empty) of one column (*cells*: the same as a numpy object array).

    Returns (values, bad, expected): parsed values (a float array with NaN, or objects with None or ()
    where empty or bad), a boolean array of bad cells and, when any is bad, the expectation each failed.
    """
    cells = s.to_numpy(dtype=object) if cells is None else cells
    filled = cells != ""
    if col.dtype in NUMERIC_DTYPES:
        return _numbers(col, s, cells, filled)
    none = np.zeros(len(cells), dtype=bool)
    if col.dtype == "str" or col.dtype.startswith("ref:"):
        return pd.Series(np.where(filled, cells, None), index=s.index, dtype=object), none, None
    if col.dtype == "id":
        bad = filled & ~_arrow_fullmatch(s, _ID) if filled.any() else none
        values = pd.Series(np.where(filled & ~bad, cells, None), index=s.index, dtype=object)
        return values, bad, np.where(bad, parse_scalar("id", "!")[1], "").astype(object) if bad.any() else None
    empty: object = () if col.dtype.startswith("list:") else None
    parsed = {u: parse_scalar(col.dtype, u) for u in set(cells.tolist()) if u != ""}
    parsed[""] = (empty, None)
    pairs = [parsed[u] for u in cells.tolist()]
    values = pd.Series([v if e is None else empty for v, e in pairs], index=s.index, dtype=object)
    expected = np.array([e or "" for _, e in pairs], dtype=object)
    bad = expected != ""
    return values, bad, expected if bad.any() else None


def per_distinct(fn: Callable[[object, object], object], a: Sequence[object], b: Sequence[object]) -> np.ndarray:
    """``fn(x, y)`` for each row's pair of *a* and *b*, computed once per distinct pair (an object array)."""
    ca, ua = pd.factorize(pd.Series(a, dtype=object), use_na_sentinel=True)
    cb, ub = pd.factorize(pd.Series(b, dtype=object), use_na_sentinel=True)
    width = len(ub) + 1
    pair = (ca.astype(np.int64) + 1) * width + (cb.astype(np.int64) + 1)
    distinct, inverse = np.unique(pair, return_inverse=True)
    ua_list, ub_list = list(ua), list(ub)
    results = np.empty(len(distinct), dtype=object)
    for i, p in enumerate(distinct.tolist()):
        ia, ib = divmod(p, width)
        results[i] = fn(ua_list[ia - 1] if ia else None, ub_list[ib - 1] if ib else None)
    return results[inverse.reshape(-1)]
