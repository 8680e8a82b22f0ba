"""Checks of the arguments a user passes to a query (years, quantities, country codes, ranges).

The CLI and the API call the same checks, so that a bad argument gets the same one-line message everywhere:
the argument's name, the value given and what was expected. Each raises :class:`~corridor.errors.DataError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TypeVar

from corridor.errors import DataError

__all__ = [
    "YEAR_MAX",
    "YEAR_MIN",
    "check_count",
    "check_countries",
    "check_fraction",
    "check_positive",
    "check_year",
    "parse_range",
    "parse_years",
]

#: Model years a query may ask for: the dataset describes 2000 onwards and scenarios project to 2100 at most.
YEAR_MIN, YEAR_MAX = 2000, 2100

T = TypeVar("T", int, float)


def _bad(name: str, value: object, expected: str) -> DataError:
    return DataError(f"{name} = {value!r}: expected {expected}")


def check_year(year: int, name: str = "year") -> int:
    """*year* if it lies in the model's range ``YEAR_MIN``–``YEAR_MAX``."""
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise _bad(name, year, f"a year from {YEAR_MIN} to {YEAR_MAX}")
    return year


def parse_years(text: str, name: str = "years") -> list[int]:
    """``'2024..2035'``, ``'2024,2030'`` or ``'2030'`` as a list of years, each in the model's range."""
    expected = f"YYYY, YYYY..YYYY or YYYY,YYYY with years from {YEAR_MIN} to {YEAR_MAX}"
    try:
        if ".." in text:
            a, b = text.split("..", 1)
            lo, hi = int(a), int(b)
            if hi < lo:
                raise _bad(
                    name, text, f"a range YYYY..YYYY whose first year is not after its last, years from {YEAR_MIN} to {YEAR_MAX}"
                )
            years = list(range(lo, hi + 1)) if lo >= YEAR_MIN and hi <= YEAR_MAX else [lo, hi]
        else:
            years = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise _bad(name, text, expected) from None
    if not years or any(not YEAR_MIN <= y <= YEAR_MAX for y in years):
        raise _bad(name, text, expected)
    return years


def check_positive(value: float, name: str) -> float:
    """*value* if it is a finite number greater than zero (not NaN, not infinite)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise _bad(name, value, "a finite number greater than 0")
    return float(value)


def check_fraction(value: float, name: str) -> float:
    """*value* if it is a probability: a finite number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 1:
        raise _bad(name, value, "a number from 0 to 1")
    return float(value)


def check_count(value: int, name: str, minimum: int = 1) -> int:
    """*value* if it is a whole number of at least *minimum*."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(name, value, f"a whole number >= {minimum}")
    return value


def check_countries(codes: Iterable[str], name: str = "avoid") -> list[str]:
    """Upper-cased ISO 3166-1 alpha-2 codes; an unknown code is refused (``XX``, ``Russia``)."""
    from corridor.units import is_country

    out = [c.strip().upper() for c in codes if c.strip()]
    unknown = [c for c in out if not is_country(c)]
    if unknown:
        raise _bad(name, ",".join(unknown), "ISO 3166-1 alpha-2 country codes such as RU, BY, IR")
    return out


def parse_range(text: str, cast: Callable[[str], T], name: str, *, minimum: float | None = None) -> tuple[T, T]:
    """``'LOW:HIGH'`` (or one value) as a pair of finite numbers with LOW <= HIGH (and >= *minimum*)."""
    expected = "LOW:HIGH with finite numbers, LOW <= HIGH" + ("" if minimum is None else f", both >= {minimum:g}")
    lo_text, sep, hi_text = text.partition(":")
    if ":" in hi_text or (sep and not hi_text.strip()):
        raise _bad(name, text, expected)
    try:
        lo, hi = cast(lo_text.strip()), cast((hi_text if sep else lo_text).strip())
    except ValueError:
        raise _bad(name, text, expected) from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi or (minimum is not None and lo < minimum):
        raise _bad(name, text, expected)
    return lo, hi
