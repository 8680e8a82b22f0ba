"""Value ranges written in interval notation in the schema CSVs (``(0, 1000]``, ``[-90, 90]``, ``[0, inf)``).

A range is data: the schema file states it, :func:`parse_range` reads it, :meth:`Range.mask` checks a
whole column at once and :meth:`Range.describe` says in words what was expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["MODEL_YEARS", "Range", "parse_range"]

#: Years a dataset row, a scenario or a query may name (the range the ``year`` columns of the schema state).
MODEL_YEARS: tuple[int, int] = (1800, 2100)

_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^,\s]+)\s*([\])])\s*$")


@dataclass(frozen=True)
class Range:
    """An interval of allowed numbers; ``lo_open``/``hi_open`` exclude the bound itself."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def mask(self, values: np.ndarray) -> np.ndarray:
        """True where a value lies inside the range (NaN counts as inside: emptiness is checked elsewhere)."""
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            above = v > self.lo if self.lo_open else v >= self.lo
            below = v < self.hi if self.hi_open else v <= self.hi
        return (above & below) | np.isnan(v)

    def contains(self, value: float) -> bool:
        """Whether one number lies inside the range."""
        return bool(self.mask(np.array([value]))[0])

    def describe(self) -> str:
        """The range in words: '> 0', '>= 1', 'between -90 and 90', '> 0 and <= 1000'."""
        lo = None if self.lo == -math.inf else f"{'>' if self.lo_open else '>='} {self.lo:g}"
        hi = None if self.hi == math.inf else f"{'<' if self.hi_open else '<='} {self.hi:g}"
        if lo and hi and not self.lo_open and not self.hi_open:
            return f"between {self.lo:g} and {self.hi:g}"
        return " and ".join(p for p in (lo, hi) if p) or "any finite number"

    def __str__(self) -> str:
        return f"{'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}{')' if self.hi_open else ']'}"


def parse_range(text: str) -> Range | None:
    """Read ``[lo, hi]``, ``(lo, hi]``, ... (``inf`` and ``-inf`` allowed); None for an empty cell."""
    if not text or not text.strip():
        return None
    m = _INTERVAL.match(text)
    if m is None:
        raise ValueError(f"range {text!r} is not an interval such as [0, inf) or (0, 1000]")
    lo, hi = float(m.group(2)), float(m.group(3))
    if not lo <= hi:
        raise ValueError(f"range {text!r} has its lower bound above its upper bound")
    return Range(lo, hi, lo_open=m.group(1) == "(", hi_open=m.group(4) == ")")
