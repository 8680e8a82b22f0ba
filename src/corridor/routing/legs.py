"""Turn a path of compiled-graph arcs into a :class:`Route`: legs with names, countries and cited sources."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from corridor.graph import ArcKind, CompiledGraph
from corridor.model import Network
from corridor.model.records import records
from corridor.routing.route import Leg, Route

__all__ = ["build_route"]


def build_route(
    view: Network,
    g: CompiledGraph,
    arcs: list[int],
    w: np.ndarray,
    *,
    origin: str,
    destination: str,
    objective: str,
    quantity: float = 1.0,
    corridor: str | None = None,
) -> Route:
    """The route along *arcs* (positions in *g*, compiled from the year view *view*) with per-leg amounts for
    *quantity* units and its objective value under the weights *w*."""
    meta = view.derived("route_meta", lambda: _meta(view))
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
        destination=destination,
        cargo=g.cargo,
        objective=objective,
        quantity=quantity,
        legs=legs,
        objective_value=value * (quantity if objective != "time" else 1.0),
        year=int(view.year or 0),
        customs=g.customs,
        corridor=corridor,
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
    prov = view.provenance
    return _Meta(
        names={str(k): str(v) for k, v in view.nodes["name"].items()},
        country={str(k): str(v) for k, v in view.nodes["country"].items()},
        link_countries={str(k): tuple(v) for k, v in view.links["countries"].items()},
        provenance=dict(zip(prov.index, records(prov), strict=True)) if len(prov) else {},
    )


def _cite(field_name: str, p: dict) -> str:
    """'field: source title' for a sourced value, 'field: assumption (reason)' otherwise."""
    title = p.get("source_title")
    if isinstance(title, str) and title:
        return f"{field_name}: {title}"
    note = p.get("note")
    return f"{field_name}: {p.get('kind', 'assumption')} ({note})" if isinstance(note, str) else f"{field_name}: {p.get('kind')}"
