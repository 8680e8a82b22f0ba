"""Rank the named corridors (``corridors.csv``) between two places by one objective."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from corridor import settings
from corridor.errors import DataError, NoRouteError, Problem
from corridor.model import CargoClass, Network
from corridor.routing.core import find_routes
from corridor.routing.route import Route

__all__ = ["Comparison", "CorridorResult", "compare", "compare_corridors", "comparison_frame"]


@dataclass
class CorridorResult:
    """The best route of one corridor, or why it has none."""

    corridor_id: str
    name: str
    route: Route | None
    reason: str | None = None


def compare_corridors(
    net: Network,
    origin: str = "xian",
    destination: str = "duisburg",
    *,
    cargo: CargoClass | str = CargoClass.CONTAINER,
    objective: str = "time",
    year: int | None = None,
    include_planned: bool = False,
    customs: str = "auto",
    corridors: Iterable[str] | None = None,
    avoid_countries: Iterable[str] = (),
    progress: Callable[[str], Any] | None = None,
) -> list[CorridorResult]:
    """Best route of each corridor from *origin* to *destination*; routable corridors first, best first.

    A corridor is a set of constraints (nodes to pass, countries, nodes and modes to avoid); user-given
    *avoid_countries* apply on top of each corridor's own. *progress*, if given, is called with each corridor's
    name before it is routed.
    """
    table = net.corridors
    ids = list(corridors) if corridors is not None else list(table.index)
    avoid_countries = list(avoid_countries)
    out = []
    for cid in ids:
        row = table.loc[cid]
        if progress is not None:
            progress(str(row["name"]))
        via = [[n.strip() for n in grp.split(";") if n.strip()] for grp in (row["via_any"] or "").split("|") if grp.strip()]
        try:
            best = find_routes(
                net,
                origin,
                destination,
                cargo=cargo,
                objective=objective,
                year=year,
                include_planned=include_planned,
                customs=customs,
                via=via,
                avoid_countries=[*row["avoid_countries"], *avoid_countries],
                avoid_nodes=row["avoid_nodes"],
                avoid_modes=row["avoid_modes"],
                k=1,
                corridor=str(cid),
            )[0]
            out.append(CorridorResult(str(cid), str(row["name"]), best))
        except NoRouteError as exc:
            out.append(CorridorResult(str(cid), str(row["name"]), None, str(exc)))
    out.sort(key=lambda r: (r.route is None, r.route.objective_value if r.route else 0.0))
    return out


def comparison_frame(results: list[CorridorResult], *, currency: str | None = None) -> pd.DataFrame:
    """Table of a comparison: one row per corridor (``days``, ``length_km``, ``cost_usd``, ``co2_kg``,
    ``border_crossings_count``, and ``cost_<currency>`` when *currency* is given)."""
    rows = []
    for i, r in enumerate(results):
        rt = r.route
        row = {
            "rank": i + 1 if rt else None,
            "corridor": r.name,
            "days": rt.days if rt else None,
            "length_km": rt.length_km if rt else None,
            "cost_usd": rt.cost_usd if rt else None,
            "co2_kg": rt.co2_kg if rt else None,
            "border_crossings_count": len(rt.border_crossings) if rt else None,
            "summary": rt.summary() if rt else r.reason,
        }
        if currency and rt:
            row[f"cost_{currency.lower()}"] = rt.cost_in(currency)
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Comparison:
    """A ranked corridor comparison together with the query it answers (places resolved to node ids)."""

    origin: str
    destination: str
    cargo: CargoClass
    objective: str
    year: int
    include_planned: bool
    customs: str
    results: list[CorridorResult]

    def to_dict(self, net: Network, *, currency: str = "USD") -> dict[str, Any]:
        """JSON-ready comparison: the query, the exchange rate used and one entry per corridor, best first."""
        rate, as_of, source = net.fx_rate(currency)
        cur = currency.upper()
        return {
            "origin": self.origin,
            "destination": self.destination,
            "cargo": self.cargo.value,
            "objective": self.objective,
            "year": self.year,
            "customs": self.customs,
            "fx": {"currency": cur, "rate_per_usd": rate, "as_of": as_of, "source": source},
            "corridors": [
                {
                    "corridor_id": r.corridor_id,
                    "name": r.name,
                    "available": r.route is not None,
                    "reason": r.reason,
                    **({} if r.route is None else r.route.to_dict(currency=currency)),
                }
                for r in self.results
            ],
        }


def compare(
    net: Network,
    origin: str = "xian",
    destination: str = "duisburg",
    *,
    cargo: CargoClass | str = CargoClass.CONTAINER,
    year: int | None = None,
    include_planned: bool = False,
    customs: str = "auto",
    objective: str = "time",
    **options: Any,
) -> Comparison:
    """:func:`compare_corridors` with the query checked and recorded (the CLI's and API's comparison).

    Places are resolved first, so a misspelt place fails before any routing; *options* go to
    :func:`compare_corridors` (``corridors``, ``avoid_countries``, ``progress``).
    """
    try:
        cargo = CargoClass(cargo)
    except ValueError:
        raise DataError(Problem("(query)", None, "cargo", cargo, f"one of {', '.join(c.value for c in CargoClass)}")) from None
    o, d = net.resolve(origin), net.resolve(destination)
    year = int(year if year is not None else settings.get("year"))
    results = compare_corridors(
        net, o, d, cargo=cargo, objective=objective, year=year, include_planned=include_planned, customs=customs, **options
    )
    return Comparison(o, d, cargo, objective, year, include_planned, customs, results)
