"""Rank the named corridors (``corridors.csv``) between two places by one objective."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from corridor.errors import NoRouteError
from corridor.model import CargoClass, Network
from corridor.routing.core import find_routes
from corridor.routing.route import Route

__all__ = ["CorridorResult", "compare_corridors"]


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
) -> list[CorridorResult]:
    """Best route of each corridor from *origin* to *destination*; routable corridors first, best first.

    A corridor is a set of constraints (nodes to pass, countries, nodes and modes to avoid); user-given
    *avoid_countries* apply on top of each corridor's own.
    """
    table = net.corridors
    ids = list(corridors) if corridors is not None else list(table.index)
    out = []
    for cid in ids:
        row = table.loc[cid]
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
    """Table of a comparison: one row per corridor."""
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
            "border_crossings": len(rt.border_crossings) if rt else None,
            "summary": rt.summary() if rt else r.reason,
        }
        if currency and rt:
            row[f"cost_{currency.lower()}"] = rt.cost_in(currency)
        rows.append(row)
    return pd.DataFrame(rows)
