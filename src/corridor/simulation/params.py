"""Operating parameters for one simulated year: lookup with defaults, random draws and provenance.

The table is ``operations.csv`` (read by :func:`corridor.data.operations.read_operations`). A value is looked up
for a facility (node, link, ``container_train``...) and falls back to the ``*`` row; of several years the
latest at or before the simulated year wins. Every value the model uses is remembered, so a result lists
exactly the parameters (and assumptions) it rests on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor.errors import DataError, Problem

__all__ = [
    "DISTRIBUTIONS",
    "KINDS",
    "PARAMETERS",
    "PSEUDO_FACILITIES",
    "Dist",
    "Operations",
    "check_operations",
    "optional_float",
]

DISTRIBUTIONS = ("fixed", "uniform", "gamma")
KINDS = ("sourced", "computed", "assumption")
#: Facilities that are not nodes or links of the network.
PSEUDO_FACILITIES = ("*", "container_train", "bulk_train", "traffic")
FILE = "operations.csv"
#: Every parameter the model reads (a row or an override naming another is a typo, not a no-op).
PARAMETERS = frozenset(
    {
        "teu_per_train", "wagons_per_train", "t_per_wagon", "container_share", "probe_trains_per_week", "drain_days",
        "bcp_dwell_paper_h", "bcp_dwell_paper_inbound_h", "bcp_dwell_paper_outbound_h", "bcp_dwell_digital_h",
        "bcp_dwell_cv", "yard_tracks", "processing_h", "trains_per_day", "teu_per_day", "t_per_year",
        "line_trains_per_day", "line_t_per_year", "line_headway_h", "window_start_h", "window_end_h",
        "vessel_capacity_teu", "vessel_capacity_wagons", "fleet", "berth_h", "crossing_h", "max_hold_h",
        "leave_when_full", "headway_h", "ferry_berths", "container_berths", "yard_dwell_h", "yard_dwell_cv",
        "storm_share_nov_dec", "storm_share_jan_mar", "storm_share_apr_oct", "storm_days",
        "closure_start_day", "closure_days", "bulk_lane_t_per_year", "bulk_lane_tracks",
    }
)  # fmt: skip
_CV_PARAMETER = {
    "bcp_dwell_paper_h": "bcp_dwell_cv",
    "bcp_dwell_paper_inbound_h": "bcp_dwell_cv",
    "bcp_dwell_paper_outbound_h": "bcp_dwell_cv",
    "yard_dwell_h": "yard_dwell_cv",
}


@dataclass(frozen=True)
class Dist:
    """A value drawn per use: fixed, uniform(low, high) or gamma(mean, cv)."""

    kind: str
    low: float
    high: float = math.nan
    cv: float = 0.0

    @property
    def mean(self) -> float:
        if self.kind == "uniform":
            return (self.low + self.high) / 2.0
        return self.low

    def draw(self, rng: np.random.Generator) -> float:
        if self.kind == "uniform":
            return float(rng.uniform(self.low, self.high))
        if self.kind == "gamma" and self.cv > 0 and self.low > 0:
            shape = 1.0 / (self.cv * self.cv)
            return float(rng.gamma(shape, self.low / shape))
        return self.low


def optional_float(value: object) -> float | None:
    """*value* as a float, or None for an empty, non-numeric or NaN cell."""
    if value is None:
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _start_h(row: Mapping) -> float:
    """Hours from 1 January of the row's year to its ``valid_from`` day (0 when it holds from 1 January)."""
    day = row.get("valid_from")
    if day is None or pd.isna(day) or not str(day).strip():
        return 0.0
    when = pd.Timestamp(day)
    return float((when - pd.Timestamp(year=when.year, month=1, day=1)).total_seconds() / 3600.0)


def _when(row: Mapping) -> tuple[int, float]:
    return int(row["year"]), _start_h(row)


def check_operations(table: pd.DataFrame, known_facilities: Iterable[str]) -> None:
    """Raise :class:`DataError` for every negative value, bad range, unknown facility, distribution or kind."""
    known = set(known_facilities) | set(PSEUDO_FACILITIES)
    problems: list[Problem] = []
    for _, r in table.iterrows():
        line = int(r["_line"]) if "_line" in r and optional_float(r["_line"]) is not None else None
        value, high = optional_float(r["value"]), optional_float(r.get("value_high"))
        if value is None or value < 0:
            problems.append(Problem(FILE, line, f"{r['param_id']}.value", r["value"], "a number >= 0"))
        if high is not None and value is not None and high < value:
            problems.append(Problem(FILE, line, f"{r['param_id']}.value_high", high, f"a number >= value ({value})"))
        if str(r["facility"]) not in known:
            problems.append(
                Problem(
                    FILE,
                    line,
                    f"{r['param_id']}.facility",
                    r["facility"],
                    "a node_id, a link_id or one of " + ", ".join(PSEUDO_FACILITIES),
                )
            )
        if str(r["parameter"]) not in PARAMETERS:
            problems.append(Problem(FILE, line, f"{r['param_id']}.parameter", r["parameter"], "a parameter the model reads"))
        dist = str(r.get("distribution") or "fixed")
        if dist not in DISTRIBUTIONS:
            problems.append(Problem(FILE, line, f"{r['param_id']}.distribution", dist, "one of " + ", ".join(DISTRIBUTIONS)))
        if dist == "uniform" and high is None:
            problems.append(Problem(FILE, line, f"{r['param_id']}.value_high", "", "the high end of the uniform range"))
        kind = str(r["kind"])
        if kind not in KINDS:
            problems.append(Problem(FILE, line, f"{r['param_id']}.kind", kind, "one of " + ", ".join(KINDS)))
        elif kind != "sourced" and not str(r.get("reason") or "").strip():
            problems.append(Problem(FILE, line, f"{r['param_id']}.reason", "", f"a reason for a {kind} value"))
        elif kind == "sourced" and not str(r.get("quote") or "").strip():
            problems.append(Problem(FILE, line, f"{r['param_id']}.quote", "", "the source's words for a sourced value"))
    if problems:
        raise DataError(problems)


class Operations:
    """The parameters of one simulated year, with user overrides (``{"facility.parameter": value}``)."""

    def __init__(self, table: pd.DataFrame, year: int, overrides: Mapping[str, float] | None = None) -> None:
        self.year = year
        self._rows: dict[tuple[str, str], dict] = {}
        self._changes: dict[tuple[str, str], list[tuple[float, dict]]] = {}
        for r in sorted((r.to_dict() for _, r in table.iterrows()), key=_when):
            key = (str(r["facility"]), str(r["parameter"]))
            start_h = _start_h(r)
            if int(r["year"]) == year and start_h > 0:
                # a value taking effect during the simulated year: the row before it holds until then
                self._changes.setdefault(key, []).append((start_h, r))
            # ascending (year, day): a later row at or before *year* replaces; otherwise the earliest row stays
            elif key not in self._rows or int(r["year"]) <= year:
                self._rows[key] = r
        self.overrides = dict(overrides or {})
        self.used: dict[str, dict] = {}

    def changes(self, facility: str, parameter: str) -> list[tuple[float, float]]:
        """(hours after 1 January, value) of the rows of *parameter* at *facility* dated later in the simulated year
        (``valid_from``), in time order; none where the caller overrides the value."""
        if f"{facility}.{parameter}" in self.overrides:
            return []
        out = []
        for start_h, r in self._changes.get((facility, parameter), []):
            row = {k: v for k, v in r.items() if k != "_line"}
            self.used.setdefault(f"{facility}.{parameter}@{r['valid_from']}", {**row, "facility": facility})
            out.append((start_h, float(r["value"])))
        return out

    def row(self, facility: str, parameter: str) -> dict | None:
        """The row for *facility* (or the ``*`` default) and *parameter*, or None."""
        return self._rows.get((facility, parameter)) or self._rows.get(("*", parameter))

    def _remember(self, facility: str, parameter: str, row: dict | None, value: float) -> None:
        key = f"{facility}.{parameter}"
        if key in self.overrides:
            self.used[key] = {
                "facility": facility,
                "parameter": parameter,
                "value": value,
                "kind": "override",
                "reason": "set by the caller",
                "param_id": "",
                "year": self.year,
                "unit": "",
            }
        elif row is not None:
            self.used.setdefault(key, {**{k: v for k, v in row.items() if k != "_line"}, "facility": facility})

    def dist(self, facility: str, parameter: str, default: Dist | None = None, *, note: str = "") -> Dist | None:
        """The distribution of *parameter* at *facility*; *default* (with *note* as provenance) when no row."""
        key = f"{facility}.{parameter}"
        if key in self.overrides:
            value = float(self.overrides[key])
            self._remember(facility, parameter, None, value)
            return Dist("fixed", value)
        row = self.row(facility, parameter)
        if row is None:
            if default is not None and note:
                self.used.setdefault(
                    key,
                    {
                        "facility": facility,
                        "parameter": parameter,
                        "value": default.mean,
                        "kind": "network",
                        "reason": note,
                        "param_id": "",
                        "year": self.year,
                    },
                )
            return default
        low, high = float(row["value"]), optional_float(row.get("value_high"))
        kind = str(row.get("distribution") or "fixed")
        cv = optional_float(row.get("cv"))
        if kind == "gamma" and cv is None:
            cv_row = self.row(facility, _CV_PARAMETER.get(parameter, parameter + "_cv"))
            cv = float(cv_row["value"]) if cv_row else 0.0
            if cv_row:
                self.used.setdefault(f"*.{cv_row['parameter']}", {**{k: v for k, v in cv_row.items() if k != "_line"}})
        self._remember(facility, parameter, row, low)
        return Dist(kind, low, high if high is not None else math.nan, cv or 0.0)

    def value(self, facility: str, parameter: str, default: float | None = None, *, note: str = "") -> float | None:
        """Expected value of *parameter* at *facility*, or *default*."""
        d = self.dist(facility, parameter, None if default is None else Dist("fixed", default), note=note)
        return None if d is None else d.mean

    def provenance_frame(self) -> pd.DataFrame:
        """Every parameter the model used, with its kind, source or reason."""
        cols = [
            "facility",
            "parameter",
            "value",
            "value_high",
            "distribution",
            "unit",
            "year",
            "valid_from",
            "kind",
            "param_id",
            "facts_row",
            "source_title",
            "source_url",
            "quote",
            "confidence",
            "reason",
        ]
        frame = pd.DataFrame(list(self.used.values()))
        for c in cols:
            if c not in frame.columns:
                frame[c] = None
        return frame[cols].sort_values(["kind", "facility", "parameter"], ignore_index=True)
