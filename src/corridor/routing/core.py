"""Multi-criteria routing: k genuinely different routes under constraints, with a per-leg breakdown.

A query names origin and destination (id, UN/LOCODE or name), a cargo class, an objective (time, cost,
CO2 or a generalised cost mixing them) and constraints (countries, modes and nodes to avoid, nodes to pass,
year and whether planned projects count). The best route is an exact shortest path; alternatives come from
a penalty search that is kept only when a candidate shares at most ``max_overlap`` of its km with every
route already found, so alternatives are other corridors, not detours of the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corridor import settings
from corridor.errors import DataError, NoRouteError, Problem
from corridor.graph import arc_mask, year_graph
from corridor.model import CargoClass, Mode, Network
from corridor.routing.legs import build_route
from corridor.routing.route import RouteSet
from corridor.routing.search import OBJECTIVES, alternatives, objective_weights, shortest_path

__all__ = ["OBJECTIVES", "Constraints", "find_routes"]


@dataclass(frozen=True)
class Constraints:
    """What a route may and must do."""

    avoid_countries: frozenset[str] = frozenset()
    avoid_modes: frozenset[str] = frozenset()
    avoid_nodes: frozenset[str] = frozenset()
    via: tuple[frozenset[str], ...] = ()  # each group: pass at least one of these nodes, in order


def _check_query(objective: str, cargo: CargoClass | str, avoid_modes: Iterable[str], k: int) -> CargoClass:
    """The cargo class of a query, after checking its objective, modes and k; names the bad field otherwise."""
    if objective not in OBJECTIVES:
        raise DataError(Problem("(query)", None, "objective", objective, f"one of {', '.join(OBJECTIVES)}"))
    try:
        cargo = CargoClass(cargo)
    except ValueError:
        raise DataError(Problem("(query)", None, "cargo", cargo, f"one of {', '.join(c.value for c in CargoClass)}")) from None
    bad_modes = [m for m in avoid_modes if m not in {x.value for x in Mode}]
    if bad_modes:
        raise DataError(
            Problem("(query)", None, "avoid_modes", ",".join(bad_modes), f"modes among {', '.join(m.value for m in Mode)}")
        )
    if k < 1:
        raise DataError(Problem("(query)", None, "k", k, "a whole number >= 1"))
    return cargo


def _constraints(
    net: Network,
    avoid_countries: Iterable[str],
    avoid_modes: Iterable[str],
    avoid_nodes: Iterable[str],
    via: Iterable[str | Iterable[str]],
) -> Constraints:
    """Constraints with every place resolved to a node id."""
    groups = tuple(frozenset([net.resolve(v)]) if isinstance(v, str) else frozenset(net.resolve(x) for x in v) for v in via)
    return Constraints(
        avoid_countries=frozenset(x.strip().upper() for x in avoid_countries if x.strip()),
        avoid_modes=frozenset(avoid_modes),
        avoid_nodes=frozenset(net.resolve(x) for x in avoid_nodes),
        via=groups,
    )


def find_routes(
    net: Network,
    origin: str,
    destination: str,
    *,
    cargo: CargoClass | str = CargoClass.CONTAINER,
    objective: str = "time",
    weights: dict[str, float] | None = None,
    avoid_countries: Iterable[str] = (),
    avoid_modes: Iterable[str] = (),
    avoid_nodes: Iterable[str] = (),
    via: Iterable[str | Iterable[str]] = (),
    year: int | None = None,
    include_planned: bool = False,
    customs: str = "auto",
    k: int = 1,
    quantity: float = 1.0,
    max_overlap: float | None = None,
    corridor: str | None = None,
) -> RouteSet:
    """Up to *k* genuinely different routes from *origin* to *destination*, best first.

    Raises :class:`~corridor.errors.UnknownPlaceError` for a place that matches nothing and
    :class:`~corridor.errors.NoRouteError` when no route satisfies the constraints.
    """
    avoid_modes = list(avoid_modes)
    cargo = _check_query(objective, cargo, avoid_modes, k)
    year = int(year if year is not None else settings.get("year"))
    o, d = net.resolve(origin), net.resolve(destination)
    c = _constraints(net, avoid_countries, avoid_modes, avoid_nodes, via)
    view = net.at_year(year, include_planned=include_planned)
    for node in (o, d, *(n for g in c.via for n in g)):
        if node not in view.nodes.index:
            raise NoRouteError(
                f"{net.nodes.loc[node, 'name']} is not open in {year}"
                + ("" if include_planned else " (try including planned projects)")
            )
    g = year_graph(view, cargo, customs=customs)
    w = objective_weights(g, objective, view, weights)
    en = arc_mask(g, avoid_countries=c.avoid_countries, avoid_modes=c.avoid_modes, avoid_nodes=c.avoid_nodes)
    best = shortest_path(g, w, en, o, d, c.via)
    if best is None:
        raise NoRouteError(_no_route_message(net, o, d, c, cargo, year))
    found = alternatives(
        g,
        w,
        en,
        best[1],
        o,
        d,
        c.via,
        k=k,
        max_overlap=float(settings.get("k_max_overlap") if max_overlap is None else max_overlap),
        penalty=float(settings.get("k_penalty")),
        max_iterations=int(settings.get("k_max_iterations")),
    )
    routes = [
        build_route(view, g, arcs, w, origin=o, destination=d, objective=objective, quantity=quantity, corridor=corridor)
        for arcs in found
    ]
    routes.sort(key=lambda r: r.objective_value)
    return RouteSet(routes)


def _no_route_message(net: Network, o: str, d: str, c: Constraints, cargo: CargoClass, year: int) -> str:
    names = net.nodes["name"]
    parts = []
    if c.avoid_countries:
        parts.append(f"avoiding {', '.join(sorted(c.avoid_countries))}")
    if c.avoid_modes:
        parts.append(f"without {', '.join(sorted(c.avoid_modes))}")
    if c.avoid_nodes:
        parts.append(f"avoiding {', '.join(names[n] for n in sorted(c.avoid_nodes))}")
    if c.via:
        parts.append("via " + " then ".join("/".join(names[n] for n in sorted(g)) for g in c.via))
    extra = f" ({'; '.join(parts)})" if parts else ""
    return f"no {cargo.value} route from {names[o]} to {names[d]} in {year}{extra}"
