"""Exchange rates over time: the dated series of each currency, and the rate in force on a day.

The rate on a day is the latest dated rate on or before it; before the first one the earliest is used and says so.
:func:`network_at_fx_date` gives a network whose ``fx_rates`` table holds the rates of one day, so every cost
conversion in the engines and commands uses that day's rates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.model.network import Network

__all__ = ["FxHistory", "FxPoint", "network_at_fx_date"]


@dataclass(frozen=True)
class FxPoint:
    """One dated rate with where it comes from."""

    currency: str
    units_per_usd: float
    as_of: dt.date
    kind: str
    source_id: str | None
    source_title: str
    quote: str | None
    note: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "currency": self.currency,
            "units_per_usd": self.units_per_usd,
            "as_of": self.as_of.isoformat(),
            "kind": self.kind,
            "source_id": self.source_id,
            "source": self.source_title,
            "quote": self.quote,
            "note": self.note,
        }


class FxHistory(dict[str, list[FxPoint]]):
    """Dated rates by currency, oldest first."""

    def series(self, currency: str) -> list[FxPoint]:
        """Every dated rate of *currency*; names the known currencies otherwise."""
        code = currency.strip().upper()
        if code not in self:
            raise DataError(Problem("fx_history.csv", None, "currency", currency, f"one of {', '.join(sorted(self))}"))
        return self[code]

    def rate_on(self, currency: str, day: dt.date) -> tuple[FxPoint, bool]:
        """(the rate in force on *day*, whether it is dated after *day* because no earlier rate exists)."""
        points = self.series(currency)
        before = [p for p in points if p.as_of <= day]
        return (before[-1], False) if before else (points[0], True)


def network_at_fx_date(net: Network, history: FxHistory, day: dt.date) -> Network:
    """*net* whose exchange-rate table holds the rate of each currency in force on *day*."""
    rows = []
    for code in sorted(history):
        point, later = history.rate_on(code, day)
        note = f"{point.kind} rate in force on {day}" + (" (earliest known rate, dated after it)" if later else "")
        rows.append({"currency": code, "units_per_usd": point.units_per_usd, "as_of": point.as_of.isoformat(),
                     "source_id": point.source_id or "", "notes": note})  # fmt: skip
    return net.replace(fx_rates=pd.DataFrame(rows).set_index("currency"))
