"""Multi-criteria routing: k genuinely different routes under constraints, with a per-leg breakdown.

A query names origin and destination (id, UN/LOCODE or name), a cargo class, an objective (time, cost,
CO2 or a generalised cost mixing them) and constraints (countries, modes and nodes to avoid, nodes to pass,
year and whether planned projects count). The best route is an exact shortest path; alternatives come from
a penalty search that is kept only when a candidate shares at most ``max_overlap`` of its km with every
route already found, so alternatives are other corridors, not detours of the first.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from corridor import settings
from corridor.errors import DataError, NoRouteError, Problem
from corridor.graph import ArcKind, CompiledGraph, arc_mask, compile_graph, dijkstra_multi
from corridor.model import CARGO_UNIT, CargoClass, Mode, Network, NodeKind

__all__ = ["OBJECTIVES", "Constraints", "Leg", "Route", "RouteSet", "find_routes"]

OBJECTIVES = ("time", "cost", "co2", "generalised")
_LINK = int(ArcKind.LINK)

_VIEWS: weakref.WeakKeyDictionary[Network, dict] = weakref.WeakKeyDictionary()


def _view(net: Network, year: int, include_planned: bool) -> Network:
    cache = _VIEWS.setdefault(net, {})
    key = (year, include_planned)
    if key not in cache:
        cache[key] = net.at_year(year, include_planned=include_planned)
    return cache[key]


def _graph(view: Network, cargo: CargoClass, customs: str) -> CompiledGraph:
    cache = _VIEWS.setdefault(view, {})
    key = ("graph", cargo, customs)
    if key not in cache:
        cache[key] = compile_graph(view, cargo, customs=customs)
    return cache[key]


@dataclass(frozen=True)
class Constraints:
    """What a route may and must do."""

    avoid_countries: frozenset[str] = frozenset()
    avoid_modes: frozenset[str] = frozenset()
    avoid_nodes: frozenset[str] = frozenset()
    via: tuple[frozenset[str], ...] = ()  # each group: pass at least one of these nodes, in order


@dataclass(frozen=True)
class Leg:
    """One link or transfer of a route."""

    kind: str  # link | transfer
    ref: str
    mode: str
    from_node: str
    to_node: str
    from_name: str
    to_name: str
    countries: tuple[str, ...]
    length_km: float
    moving_h: float
    waiting_h: float
    cost_usd: float
    co2_kg: float
    sources: tuple[str, ...] = ()


@dataclass
class Route:
    """A route with its legs and totals; amounts are for ``quantity`` units of the cargo class."""

    origin: str
    destination: str
    cargo: CargoClass
    objective: str
    quantity: float
    legs: list[Leg]
    objective_value: float
    year: int
    customs: str
    corridor: str | None = None
    _net: Network | None = field(default=None, repr=False, compare=False)

    # -------------------------------------------------------------- totals
    @property
    def unit(self) -> str:
        return CARGO_UNIT[self.cargo]

    @property
    def length_km(self) -> float:
        return float(sum(leg.length_km for leg in self.legs))

    @property
    def moving_h(self) -> float:
        return float(sum(leg.moving_h for leg in self.legs))

    @property
    def waiting_h(self) -> float:
        return float(sum(leg.waiting_h for leg in self.legs))

    @property
    def time_h(self) -> float:
        return self.moving_h + self.waiting_h

    @property
    def days(self) -> float:
        return self.time_h / 24.0

    @property
    def cost_usd(self) -> float:
        return float(sum(leg.cost_usd for leg in self.legs))

    @property
    def co2_kg(self) -> float:
        return float(sum(leg.co2_kg for leg in self.legs))

    @property
    def nodes(self) -> list[str]:
        """Node ids passed, in order (each once)."""
        out = [self.origin]
        for leg in self.legs:
            if leg.to_node != out[-1]:
                out.append(leg.to_node)
        return out

    @property
    def border_crossings(self) -> list[str]:
        """Border-crossing nodes passed (where customs formalities apply)."""
        if self._net is None:
            return []
        kinds = self._net.nodes["kind"]
        return [n for n in self.nodes if kinds.get(n) == NodeKind.BORDER_CROSSING]

    @property
    def countries(self) -> list[str]:
        """Countries entered, in order."""
        out: list[str] = []
        for leg in self.legs:
            out.extend(c for c in leg.countries if c not in out)
        return out

    @property
    def modes(self) -> list[str]:
        """Moving modes used, in order of first use."""
        out: list[str] = []
        for leg in self.legs:
            if leg.kind == "link" and leg.mode not in out:
                out.append(leg.mode)
        return out

    def summary(self, *, via_count: int = 6) -> str:
        """A short 'A – B – C' description through the route's main nodes."""
        names = self._names()
        key = [
            n
            for n in self.nodes
            if self._net is not None
            and self._net.nodes.loc[n, "kind"] in (NodeKind.BORDER_CROSSING, NodeKind.SEAPORT, NodeKind.WAYPOINT)
        ]
        mid = key[:via_count]
        seq = [self.origin, *[n for n in mid if n not in (self.origin, self.destination)], self.destination]
        return " – ".join(names.get(n, n) for n in seq)

    def _names(self) -> dict[str, str]:
        return {} if self._net is None else self._net.nodes["name"].to_dict()

    # -------------------------------------------------------------- output
    def cost_in(self, currency: str) -> float:
        """Total cost in *currency*, at the dataset's dated exchange rate."""
        if self._net is None:
            raise DataError("route has no network attached; cannot convert currency")
        return self._net.usd_to(self.cost_usd, currency)

    def to_frame(self) -> pd.DataFrame:
        """One row per leg: mode, from, to, km, moving and waiting hours, cost (USD), CO2 (kg), sources."""
        return pd.DataFrame(
            [
                {
                    "kind": leg.kind,
                    "id": leg.ref,
                    "mode": leg.mode,
                    "from": leg.from_name,
                    "to": leg.to_name,
                    "from_node": leg.from_node,
                    "to_node": leg.to_node,
                    "countries": ";".join(leg.countries),
                    "length_km": leg.length_km,
                    "moving_h": leg.moving_h,
                    "waiting_h": leg.waiting_h,
                    "cost_usd": leg.cost_usd,
                    "co2_kg": leg.co2_kg,
                    "sources": "; ".join(leg.sources),
                }
                for leg in self.legs
            ]
        )

    def to_dict(self, *, currency: str | None = None) -> dict:
        """JSON-ready description with totals and legs."""
        out = {
            "origin": self.origin,
            "destination": self.destination,
            "corridor": self.corridor,
            "cargo": self.cargo.value,
            "unit": self.unit,
            "quantity": self.quantity,
            "year": self.year,
            "customs": self.customs,
            "objective": self.objective,
            "objective_value": self.objective_value,
            "summary": self.summary(),
            "length_km": round(self.length_km, 1),
            "time_h": round(self.time_h, 2),
            "days": round(self.days, 2),
            "moving_h": round(self.moving_h, 2),
            "waiting_h": round(self.waiting_h, 2),
            "cost_usd": round(self.cost_usd, 2),
            "co2_kg": round(self.co2_kg, 2),
            "border_crossings": self.border_crossings,
            "countries": self.countries,
            "modes": self.modes,
            "legs": self.to_frame().round(3).to_dict(orient="records"),
        }
        if currency and currency.upper() != "USD" and self._net is not None:
            rate, as_of, source = self._net.fx_rate(currency)
            out["cost_local"] = {
                "currency": currency.upper(),
                "amount": round(self.cost_usd * rate, 2),
                "rate_per_usd": rate,
                "as_of": as_of,
                "source": source,
            }
        return out

    def to_geojson(self) -> dict:
        """GeoJSON FeatureCollection with one LineString per moving leg (sea legs follow their lane)."""

        feats = []
        for leg in self.legs:
            if leg.kind != "link" or self._net is None:
                continue
            coords = self._net.link_coordinates(leg.ref)
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                    "properties": {
                        "id": leg.ref,
                        "mode": leg.mode,
                        "from": leg.from_name,
                        "to": leg.to_name,
                        "length_km": leg.length_km,
                        "time_h": leg.moving_h + leg.waiting_h,
                        "cost_usd": leg.cost_usd,
                        "co2_kg": leg.co2_kg,
                    },
                }
            )
        return {
            "type": "FeatureCollection",
            "features": feats,
            "properties": {k: v for k, v in self.to_dict().items() if k != "legs"},
        }


class RouteSet(list[Route]):
    """Routes ranked best first, with table and GeoJSON output."""

    def to_frame(self) -> pd.DataFrame:
        """One row per route: rank, corridor, summary and totals."""
        return pd.DataFrame(
            [
                {
                    "rank": i + 1,
                    "corridor": r.corridor,
                    "summary": r.summary(),
                    "days": r.days,
                    "length_km": r.length_km,
                    "cost_usd": r.cost_usd,
                    "co2_kg": r.co2_kg,
                    "border_crossings": len(r.border_crossings),
                    "objective": r.objective_value,
                }
                for i, r in enumerate(self)
            ]
        )

    def to_geojson(self) -> dict:
        feats = []
        for i, r in enumerate(self):
            for f in r.to_geojson()["features"]:
                f["properties"]["rank"] = i + 1
                feats.append(f)
        return {"type": "FeatureCollection", "features": feats}


def _weights(g: CompiledGraph, objective: str, net: Network, weights: dict[str, float] | None) -> np.ndarray:
    time = g.moving_h + g.waiting_h
    if objective == "time":
        return time
    if objective == "cost":
        return g.cost_usd.copy()
    if objective == "co2":
        return g.co2_kg.copy()
    if objective == "generalised":
        w = dict(weights or {})
        if g.cargo == CargoClass.CONTAINER:
            vot = w.get("usd_per_h", net.parameter("value_of_time_usd_per_teu_h"))
        else:
            vot = w.get("usd_per_h", net.parameter("value_of_time_usd_per_t_h"))
            if g.cargo == CargoClass.GAS:
                vot *= net.parameter("t_per_bcm")
        carbon = w.get("usd_per_tco2", net.parameter("carbon_price_usd_per_tco2"))
        return g.cost_usd + vot * time + carbon * g.co2_kg / 1000.0
    raise DataError(Problem("(query)", None, "objective", objective, f"one of {', '.join(OBJECTIVES)}"))


def _enabled(g: CompiledGraph, c: Constraints) -> np.ndarray:
    return arc_mask(g, avoid_countries=c.avoid_countries, avoid_modes=c.avoid_modes, avoid_nodes=c.avoid_nodes)


def _shortest(
    g: CompiledGraph, w: np.ndarray, en: np.ndarray, origin: str, dest: str, via: Sequence[frozenset[str]]
) -> tuple[float, list[int]] | None:
    """Best path through the via groups in order; returns (objective, arc positions) or None."""
    sources = np.array([g.origin_gate[origin]])
    sdist = np.zeros(1)
    preds: list[np.ndarray] = []
    for group in via:
        verts = np.concatenate([g.layer_vertices.get(n, np.empty(0, dtype=np.int64)) for n in sorted(group)])
        if len(verts) == 0:
            return None
        dist, pred = dijkstra_multi(g.indptr, g.indices, w, sources, sdist, enabled=en)
        preds.append(pred)
        reach = np.isfinite(dist[verts])
        if not reach.any():
            return None
        sources, sdist = verts[reach], dist[verts][reach]
    target = g.dest_gate[dest]
    dist, pred = dijkstra_multi(g.indptr, g.indices, w, sources, sdist, enabled=en, target=target)
    if not np.isfinite(dist[target]):
        return None
    preds.append(pred)
    arcs: list[int] = []
    v = target
    for p in reversed(preds):
        while p[v] >= 0:
            a = int(p[v])
            arcs.append(a)
            v = int(g.tails[a])
    arcs.reverse()
    return float(dist[target]), arcs


def _route(
    net: Network,
    view: Network,
    g: CompiledGraph,
    arcs: list[int],
    w: np.ndarray,
    origin: str,
    dest: str,
    objective: str,
    quantity: float,
    customs: str,
) -> Route:
    meta = _meta(view)
    names = meta.names
    legs = []
    for a in arcs:
        kind = ArcKind(int(g.kind[a]))
        if kind == ArcKind.GATE:
            continue
        fn, tn = str(g.vertex_node[g.tails[a]]), str(g.vertex_node[g.indices[a]])
        ref = str(g.ref[a])
        legs.append(
            Leg(
                kind="link" if kind == ArcKind.LINK else "transfer",
                ref=ref,
                mode=str(g.mode[a]),
                from_node=fn,
                to_node=tn,
                from_name=str(names[fn]),
                to_name=str(names[tn]),
                countries=meta.leg_countries(kind, ref, fn, tn),
                length_km=float(g.length_km[a]),
                moving_h=float(g.moving_h[a]),
                waiting_h=float(g.waiting_h[a]),
                cost_usd=float(g.cost_usd[a]) * quantity,
                co2_kg=float(g.co2_kg[a]) * quantity,
                sources=meta.sources(kind, ref),
            )
        )
    value = float(sum(w[a] for a in arcs))
    return Route(
        origin=origin,
        destination=dest,
        cargo=g.cargo,
        objective=objective,
        quantity=quantity,
        legs=legs,
        objective_value=value * (quantity if objective != "time" else 1.0),
        year=int(view.year or 0),
        customs=customs,
        _net=view,
    )


@dataclass
class _Meta:
    """Per-view lookups for building legs without pandas in the loop."""

    names: dict[str, str]
    country: dict[str, str]
    link_countries: dict[str, tuple[str, ...]]
    provenance: dict[tuple[str, str, str], dict]
    _sources: dict[tuple[int, str], tuple[str, ...]] = field(default_factory=dict)

    def leg_countries(self, kind: ArcKind, ref: str, from_node: str, to_node: str) -> tuple[str, ...]:
        """Countries a leg passes in travel order: the start node's, any crossed in between, the end node's."""
        a, b = self.country[from_node], self.country[to_node]
        if kind != ArcKind.LINK:
            return (a,)
        middle = [c for c in self.link_countries[ref] if c not in (a, b)]
        return tuple(dict.fromkeys([a, *middle, b]))

    def sources(self, kind: ArcKind, ref: str) -> tuple[str, ...]:
        """Where a leg's length, time and tariff (or a transfer's dwell) come from."""
        key = (int(kind), ref)
        if key not in self._sources:
            table = "links" if kind == ArcKind.LINK else "transfers"
            fields = ("length_km", "transit_time_h", "tariff_usd_per_teu") if kind == ArcKind.LINK else ("dwell_h",)
            base = ref.removesuffix("~r")
            found = [(f, self.provenance.get((table, base, f))) for f in fields]
            self._sources[key] = tuple(_cite(f, p) for f, p in found if p is not None)
        return self._sources[key]


def _meta(view: Network) -> _Meta:
    cache = _VIEWS.setdefault(view, {})
    if "meta" not in cache:
        prov = view.provenance
        cache["meta"] = _Meta(
            names={str(k): str(v) for k, v in view.nodes["name"].items()},
            country={str(k): str(v) for k, v in view.nodes["country"].items()},
            link_countries={str(k): tuple(v) for k, v in view.links["countries"].items()},
            provenance=dict(zip(prov.index, prov.to_dict("records"), strict=True)) if len(prov) else {},
        )
    return cache["meta"]


def _cite(field_name: str, p: dict) -> str:
    """'field: source title' for a sourced value, 'field: assumption (reason)' otherwise."""
    title = p.get("source_title")
    if isinstance(title, str) and title:
        return f"{field_name}: {title}"
    note = p.get("note")
    return f"{field_name}: {p.get('kind', 'assumption')} ({note})" if isinstance(note, str) else f"{field_name}: {p.get('kind')}"


def _overlap(a: list[int], b: list[int], g: CompiledGraph) -> float:
    """Share of the shorter route's km that both routes use (links compared by base id)."""

    def km(arcs: Iterable[int]) -> dict[str, float]:
        return {str(g.base[x]): float(g.length_km[x]) for x in arcs if g.kind[x] == _LINK}

    ka, kb = km(a), km(b)
    shared = sum(v for k, v in ka.items() if k in kb)
    shorter = min(sum(ka.values()), sum(kb.values()))
    return shared / shorter if shorter > 0 else 1.0


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
    year = int(year if year is not None else settings.get("year"))
    o, d = net.resolve(origin), net.resolve(destination)
    groups = tuple(frozenset([net.resolve(v)]) if isinstance(v, str) else frozenset(net.resolve(x) for x in v) for v in via)
    c = Constraints(
        avoid_countries=frozenset(x.strip().upper() for x in avoid_countries if x.strip()),
        avoid_modes=frozenset(avoid_modes),
        avoid_nodes=frozenset(net.resolve(x) for x in avoid_nodes),
        via=groups,
    )
    view = _view(net, year, include_planned)
    for node in (o, d, *(n for g in groups for n in g)):
        if node not in view.nodes.index:
            raise NoRouteError(
                f"{net.nodes.loc[node, 'name']} is not open in {year}"
                + ("" if include_planned else " (try including planned projects)")
            )
    g = _graph(view, cargo, customs)
    w = _weights(g, objective, view, weights)
    en = _enabled(g, c)
    best = _shortest(g, w, en, o, d, c.via)
    if best is None:
        raise NoRouteError(_no_route_message(net, o, d, c, cargo, year))
    found = [best[1]]
    max_overlap = float(settings.get("k_max_overlap") if max_overlap is None else max_overlap)
    penalty = float(settings.get("k_penalty"))
    pw = w.copy()
    for _ in range(int(settings.get("k_max_iterations"))):
        if len(found) >= k:
            break
        for arcs in found[-1:]:
            bases = {str(g.base[a]) for a in arcs if g.kind[a] == _LINK}
            pw[np.isin(g.base, list(bases))] *= 1.0 + penalty
        cand = _shortest(g, pw, en, o, d, c.via)
        if cand is None:
            break
        arcs = cand[1]
        if any(arcs == f for f in found):
            continue
        if all(_overlap(arcs, f, g) <= max_overlap for f in found):
            found.append(arcs)
        else:
            # penalise the candidate too, so the search moves on to other corridors
            bases = {str(g.base[a]) for a in arcs if g.kind[a] == _LINK}
            pw[np.isin(g.base, list(bases))] *= 1.0 + penalty
    routes = [_route(net, view, g, arcs, w, o, d, objective, quantity, customs) for arcs in found]
    for r in routes:
        r.corridor = corridor
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
