"""Turn a column-wise check into :class:`~corridor.errors.Problem` rows: the first few per rule, then a count.

A file with 200,000 bad rows should not produce 200,000 lines of output; each rule (file, field,
expectation) reports its first :data:`MAX_PER_RULE` rows by line and one summary line for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from corridor.errors import Problem

__all__ = ["MAX_PER_RULE", "collect"]

#: Rows reported one by one for each rule before the rest are counted.
MAX_PER_RULE = 20


def collect(
    file: str,
    field: str,
    lines: Sequence[object] | pd.Series | np.ndarray,
    values: Sequence[object] | pd.Series | np.ndarray,
    expected: str | Sequence[str] | pd.Series,
    *,
    limit: int = MAX_PER_RULE,
) -> list[Problem]:
    """Problems for the rows *lines* whose *field* holds *values*; *expected* is one text or one per row."""
    lines = list(lines)
    if not lines:
        return []
    vals = list(values)
    exp: Iterable[str] = [expected] * len(lines) if isinstance(expected, str) else list(expected)
    exp = list(exp)
    out = [
        Problem(file, None if pd.isna(line) else int(line), field, _plain(v), e)  # type: ignore[arg-type]
        for line, v, e in zip(lines[:limit], vals[:limit], exp[:limit], strict=True)
    ]
    if len(lines) > limit:
        rest = len(lines) - limit
        out.append(Problem(file, None, field, f"{rest} more row{'s' if rest != 1 else ''}", f"{exp[limit]} (same problem)"))
    return out


def _plain(value: object) -> object:
    """numpy scalars print as plain Python numbers in messages."""
    return value.item() if isinstance(value, np.generic) else value
