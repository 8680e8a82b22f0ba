"""Growth of the calibrated demand for projections: each demand row belongs to one group with a cited anchor
or a stated assumption (``corridor/data/growth/demand_growth_<year>.toml``).

A group gives ``annual_growth`` (beyond its anchors) and may give ``factor_2030`` (the row's 2030 tonnes as a
multiple of its base-year tonnes, from a published projection). Every problem — a row in no group or in two, an
unknown row, a rate outside (-0.5, 0.5), a group with neither source and quote nor assumption — is reported
with the file and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from corridor.errors import DataError, Problem

__all__ = ["GROWTH_DIR", "RowGrowth", "read_growth"]

GROWTH_DIR = Path(__file__).resolve().parents[1] / "data" / "growth"


@dataclass(frozen=True)
class RowGrowth:
    """How one demand row grows: anchors as multiples of the base year, the rate beyond, and why."""

    group: str
    annual_growth: float
    factors: dict[int, float]  # anchor year -> multiple of the base-year tonnes (the base year itself is 1)
    source: str
    quote: str
    assumption: str


def _group(where: str, i: int, g: dict, year: int, problems: list[Problem]) -> RowGrowth | None:
    tag = f"groups[{i}]"
    rate = g.get("annual_growth")
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not -0.5 < rate < 0.5:
        problems.append(Problem(where, None, f"{tag}.annual_growth", rate, "a rate between -0.5 and 0.5"))
        return None
    if not ((g.get("source") and g.get("quote")) or g.get("assumption")):
        problems.append(Problem(where, None, f"{tag}.source", g.get("source", ""), "a source with quote, or an assumption"))
    factors = {year: 1.0}
    if "factor_2030" in g:
        f = g["factor_2030"]
        if isinstance(f, bool) or not isinstance(f, int | float) or f <= 0:
            problems.append(Problem(where, None, f"{tag}.factor_2030", f, "a multiple > 0"))
        else:
            factors[2030] = float(f)
    return RowGrowth(
        str(g.get("name", tag)),
        float(rate),
        factors,
        str(g.get("source", "")),
        str(g.get("quote", "")),
        str(g.get("assumption", "")),
    )


def read_growth(path: str | Path, rows: list[str]) -> dict[str, RowGrowth]:
    """Growth of each of the demand *rows* (ids) from the growth file *path*."""
    p = Path(path)
    if not p.is_file():
        raise DataError(Problem(str(p), None, "(file)", str(p), "an existing TOML file"))
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(Problem(p.name, None, "(toml)", str(exc), "valid TOML")) from None
    where, problems = p.name, []
    year = doc.get("year")
    if not isinstance(year, int):
        raise DataError(Problem(where, None, "year", year, "the base year (a whole number)"))
    out: dict[str, RowGrowth] = {}
    known = set(rows)
    for i, g in enumerate(doc.get("groups", [])):
        growth = _group(where, i, g, year, problems)
        for r in g.get("rows", []):
            if r not in known:
                problems.append(Problem(where, None, f"groups[{i}].rows", r, f"a demand_id of {year}"))
            elif r in out:
                problems.append(Problem(where, None, f"groups[{i}].rows", r, f"a row in one group only (also in {out[r].group})"))
            elif growth is not None:
                out[r] = growth
    missing = [r for r in rows if r not in out]
    if missing and not problems:
        problems.append(Problem(where, None, "groups", ", ".join(missing), "every demand row in a group"))
    if problems:
        raise DataError(problems)
    return out
