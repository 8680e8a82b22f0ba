"""Column-wise parsing of CSV cells by schema dtype: one pass per column, not per cell.

Numbers and ids are checked with pandas/numpy on the whole column; enums, countries, currencies, dates,
booleans and lists are parsed once per distinct value (these columns have few) and mapped back.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from corridor.schema.enums import ENUMS
from corridor.units import UNITS, is_country, is_currency

if TYPE_CHECKING:
    from corridor.schema import Column

__all__ = ["ARROW_STR", "CONTROL_CHARS", "NUMERIC_DTYPES", "control_mask", "parse_column", "parse_scalar"]

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


def _numbers(col: Column, s: pd.Series, filled: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    num = pd.to_numeric(s.astype(object).where(filled), errors="coerce").astype(float)
    expected = pd.Series("", index=s.index, dtype=object)
    not_number = filled & num.isna()
    if col.dtype == "int":
        not_number |= filled & ~s.str.fullmatch(_INT).fillna(False).astype(bool)
        expected[not_number] = "a whole number"
    else:
        expected[not_number] = "a number"
    infinite = filled & np.isinf(num)
    expected[infinite] = "a finite number"
    bad = not_number | infinite
    num[bad] = np.nan
    if col.range is not None:
        out = ~pd.Series(col.range.mask(num.to_numpy()), index=s.index)
        unit = f" ({col.unit})" if col.unit not in ("", "1") else ""
        expected[out] = f"a number {col.range.describe()}{unit}"
        bad |= out
    return num, bad, expected


def parse_column(col: Column, s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse the stripped cells *s* ('' = empty) of one column.

    Returns (values, bad, expected): parsed values (NaN/None/() where empty or bad), a mask of bad cells and,
    where bad, the expectation they failed.
    """
    filled = (s != "").astype(bool)
    if col.dtype in NUMERIC_DTYPES:
        return _numbers(col, s, filled)
    empty: object = () if col.dtype.startswith("list:") else None
    none = pd.Series("", index=s.index, dtype=object)
    if col.dtype == "str" or col.dtype.startswith("ref:"):
        return s.astype(object).where(filled, None), pd.Series(False, index=s.index), none
    if col.dtype == "id":
        bad = filled & ~s.str.fullmatch(_ID).fillna(False).astype(bool)
        none[bad] = parse_scalar("id", "!")[1]
        return s.astype(object).where(filled & ~bad, None), bad, none
    cells = s.astype(object).tolist()
    parsed = {u: parse_scalar(col.dtype, u) for u in set(cells) if u != ""}
    values = [parsed[u][0] if u and parsed[u][1] is None else empty for u in cells]
    expected = [parsed[u][1] or "" if u else "" for u in cells]
    exp = pd.Series(expected, index=s.index, dtype=object)
    return pd.Series(values, index=s.index, dtype=object), exp != "", exp
