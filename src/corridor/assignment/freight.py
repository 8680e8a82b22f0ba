"""Freight equilibrium on the corridor network: tonnes per year by origin-destination, congested where capacity binds.

Generalised cost is USD per tonne: charges + value of time x hours, with a queueing delay where ports, ferries,
sea legs and crossings near capacity (BPR on other capacity-limited links). The result gives the loaded and
capacity-limited arcs, the bottlenecks (worst volume/capacity per link or facility) and the corridor shares.

Result columns carry their units: ``flow_t_per_year``, ``capacity_t_per_year``, ``delay_h``; ``vc_ratio`` is
volume over capacity and ``share_fraction`` a share between 0 and 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from corridor.assignment.equilibrium import AssignmentClass, AssignmentResult, assign
from corridor.assignment.vdf import BPR, QUEUE
from corridor.graph import ArcKind, CompiledGraph, arc_mask, compile_graph
from corridor.graph.lanes import LanedGraph, freight_lanes, lane_mask
from corridor.model import CargoClass, Network
from corridor.model.scenario import Demand

__all__ = ["PATH_COLUMNS", "FreightResult", "assign_freight", "class_key", "class_mask", "classify_route", "freight_graph"]

_BOTTLENECK_COLUMNS = ["id", "limited_by", "name", "flow_t_per_year", "capacity_t_per_year", "vc_ratio", "delay_h"]
_SHARE_COLUMNS = ["corridor", "flow_t_per_year", "share_fraction"]
#: Path flows per origin-destination pair and class: ``arcs`` are positions in :func:`freight_graph`'s graph.
PATH_COLUMNS = ["class", "origin", "destination", "arcs", "corridor", "flow_t_per_year", "share_fraction"]


@dataclass
class FreightResult:
    """Freight flows of one year."""

    demand_t: float
    links: pd.DataFrame  # one row per capacity-limited or loaded arc
    bottlenecks: pd.DataFrame  # one row per link or facility with a capacity, worst v/c first
    shares: pd.DataFrame  # corridor, flow_t_per_year, share_fraction
    unmet_t: float
    relative_gap: float
    paths: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PATH_COLUMNS))
    """The equilibrium's path flows per class and OD pair (nodes), the corridor each path is classified as."""


@dataclass(frozen=True)
class _Costs:
    """Per-arc volume-delay inputs in USD per tonne."""

    t0: np.ndarray
    capacity_t: np.ndarray
    limited: np.ndarray
    kind: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    fixed: np.ndarray
    vot: float


def classify_route(nodes: Iterable[str], corridors: pd.DataFrame) -> str:
    """Name of the first corridor (in table order) whose required node groups the route passes."""
    passed = set(nodes)
    for _cid, row in corridors.iterrows():
        groups = [{n.strip() for n in g.split(";") if n.strip()} for g in (row["via_any"] or "").split("|") if g.strip()]
        if groups and all(passed & g for g in groups) and not passed & set(row["avoid_nodes"] or ()):
            return str(row["name"])
    return "other"


def _costs(view: Network, g: CompiledGraph) -> _Costs:
    """Queue functions at ports, ferries, sea legs, crossings and slot-limited lines; BPR on other limited links."""
    vot = view.parameter("value_of_time_usd_per_teu_h") / view.parameter("t_per_teu")
    time_h = np.maximum(g.moving_h + g.waiting_h, 0.0)
    capacity = g.capacity * g.t_per_unit
    limited = np.isfinite(capacity) & (capacity > 0)
    queue = limited & (np.isin(g.capacity_of, ["border", "node", "transfer", "line"]) | np.isin(g.mode, ["ferry", "sea"]))
    return _Costs(
        t0=vot * np.where(limited, np.maximum(time_h, 0.1), time_h),
        capacity_t=capacity,
        limited=limited,
        kind=np.where(queue, QUEUE, BPR).astype(np.int64),
        alpha=np.where(limited, np.where(queue, view.parameter("vdf_queue_j"), view.parameter("vdf_bpr_alpha")), 0.0),
        beta=np.where(queue, view.parameter("vdf_queue_mu"), view.parameter("vdf_bpr_beta")),
        fixed=g.cost_usd / g.t_per_unit,
        vot=vot,
    )


def freight_graph(view: Network, *, customs: str = "auto") -> LanedGraph:
    """The graph every freight class shares: the container graph with every freight class's rows and bulk lanes."""
    build = lambda: freight_lanes(view, compile_graph(view, CargoClass.CONTAINER, customs=customs, any_freight_class=True))  # noqa: E731
    return view.derived(("freight_lanes", customs), build)


def class_mask(view: Network, laned: LanedGraph, cargo: CargoClass, avoid: Iterable[str] = ()) -> np.ndarray:
    """Arcs a class may use: links and transfers carrying its cargo class, its lane at split facilities, no avoided
    country."""
    g = laned.graph
    classes = dict(zip(view.links["base_id"], view.links["cargo_classes"], strict=False))
    classes.update(zip(view.transfers["base_id"], view.transfers["cargo_classes"], strict=False))
    ok = np.array([not classes.get(b) or cargo in classes[b] for b in g.base], dtype=bool) | (g.kind == ArcKind.GATE)
    return ok & lane_mask(laned, cargo) & arc_mask(g, avoid_countries=frozenset(avoid))


def class_key(cargo: CargoClass | str, avoid: Iterable[str] = ()) -> str:
    """The name of the assignment class of a demand row: its cargo class and avoided countries."""
    return f"{CargoClass(cargo).value}:{'-'.join(sorted(set(avoid))) or 'any'}"


def _classes(view: Network, laned: LanedGraph, demand: Sequence[Demand], year: int) -> tuple[list[AssignmentClass], list[int]]:
    """One assignment class per cargo class and set of avoided countries (its links and lanes), over the rows' zones."""
    g = laned.graph
    zones: list[int] = []
    index: dict[int, int] = {}

    def zone(v: int) -> int:
        if v not in index:
            index[v] = len(zones)
            zones.append(v)
        return index[v]

    pairs = [(d, zone(g.origin_gate[view.resolve(d.origin)]), zone(g.dest_gate[view.resolve(d.destination)])) for d in demand]
    # rows with the same cargo class and avoided countries may use the same arcs: one class (one matrix) for them all
    groups: dict[tuple[CargoClass, frozenset[str]], np.ndarray] = {}
    for d, zo, zd in pairs:
        key = (d.cargo_class, frozenset(d.avoid_countries))
        mat = groups.setdefault(key, np.zeros((len(zones), len(zones))))
        mat[zo, zd] += d.at(year)
    classes = [
        AssignmentClass(class_key(cargo, avoid), mat, allowed=class_mask(view, laned, cargo, avoid))
        for (cargo, avoid), mat in groups.items()
    ]
    return classes, zones


def _link_rows(view: Network, laned: LanedGraph, c: _Costs, result: AssignmentResult) -> pd.DataFrame:
    """Loaded or capacity-limited arcs with flow, capacity, v/c, queueing delay and lane ('' when shared)."""
    g = laned.graph
    flows = result.flows
    delay_h = np.where(c.vot > 0, (result.costs - c.fixed - c.t0) / c.vot, 0.0)
    names = view.nodes["name"]
    rows = []
    for a in np.flatnonzero((flows > 1e-6) | c.limited):
        if g.kind[a] == ArcKind.GATE:
            continue
        tail, head = str(g.vertex_node[g.tails[a]]), str(g.vertex_node[g.indices[a]])
        limited = bool(c.limited[a])
        rows.append(
            {
                "arc": str(g.ref[a]),
                "id": str(g.base[a]),
                "mode": str(g.mode[a]),
                "from": names[tail],
                "to": names[head],
                "from_node": tail,
                "to_node": head,
                "flow_t_per_year": float(flows[a]),
                "capacity_t_per_year": float(c.capacity_t[a]) if limited else np.nan,
                "limited_by": str(g.capacity_of[a]),
                "vc_ratio": float(flows[a] / c.capacity_t[a]) if limited else np.nan,
                "delay_h": float(max(delay_h[a], 0.0)),
                "lane": str(laned.lane[a]),
            }
        )
    return pd.DataFrame(rows)


def _paths(view: Network, g: CompiledGraph, zones: list[int], result: AssignmentResult) -> pd.DataFrame:
    """Each used path with its OD nodes, class, corridor (classified by the nodes it passes), flow and share."""
    routes = result.route_shares
    if routes is None or routes.empty:
        return pd.DataFrame(columns=PATH_COLUMNS)
    rows = []
    cols = ("class", "origin", "destination", "links", "flow", "share")
    for name, o, d, links, flow, share in zip(*(routes[c] for c in cols), strict=True):
        dest = str(g.vertex_node[zones[int(d)]])
        passed = {str(g.vertex_node[g.tails[a]]) for a in links} | {dest}
        rows.append(
            {
                "class": str(name),
                "origin": str(g.vertex_node[zones[int(o)]]),
                "destination": dest,
                "arcs": tuple(int(a) for a in links),
                "corridor": classify_route(passed, view.corridors),
                "flow_t_per_year": float(flow),
                "share_fraction": float(share),
            }
        )
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


def _shares(paths: pd.DataFrame) -> pd.DataFrame:
    """Freight by corridor: the sum of the flows of the paths classified as each corridor."""
    by_corridor: dict[str, float] = {}
    for label, flow in zip(paths["corridor"], paths["flow_t_per_year"], strict=True):
        by_corridor[label] = by_corridor.get(label, 0.0) + float(flow)
    total = sum(by_corridor.values())
    return pd.DataFrame(
        [
            {"corridor": k, "flow_t_per_year": v, "share_fraction": v / total if total else 0.0}
            for k, v in sorted(by_corridor.items(), key=lambda kv: -kv[1])
        ],
        columns=_SHARE_COLUMNS,
    )


def _bottlenecks(links: pd.DataFrame) -> pd.DataFrame:
    """Worst v/c per capacity-limited link or facility (a crossing or port counts once, by node)."""
    if links.empty:
        return pd.DataFrame(columns=_BOTTLENECK_COLUMNS)
    lim = links[links["capacity_t_per_year"].notna()].copy()
    if lim.empty:
        return pd.DataFrame(columns=_BOTTLENECK_COLUMNS)
    facility = lim["limited_by"].isin(["border", "node"])
    lane = lim["lane"] if "lane" in lim.columns else pd.Series("", index=lim.index)
    suffix = np.where(lane == "", "", " (" + lane + " lane)")
    lim["name"] = np.where(facility, lim["to"] + suffix, lim["from"] + " → " + lim["to"] + " (" + lim["mode"] + ")")
    lim["key"] = np.where(facility, lim["to_node"] + np.where(lane == "", "", ":" + lane), lim["id"])
    worst = lim.sort_values("vc_ratio", ascending=False).drop_duplicates("key")
    worst = worst.assign(id=worst["key"])
    return worst[_BOTTLENECK_COLUMNS].reset_index(drop=True)


def assign_freight(
    view: Network,
    demand: Sequence[Demand],
    year: int,
    *,
    customs: str = "auto",
    rgap: float = 1e-6,
    queue_period_h: float = 0.0,
) -> FreightResult:
    """Equilibrate freight *demand* of *year* (tonnes per year, one class per row) on the year view *view*, to the
    relative gap *rgap*.

    With *queue_period_h* the queue functions (ports, ferries, crossings, slot-limited lines) also charge, beyond
    capacity, the mean wait of a queue that grows for that long: arrivals at rho x capacity wait (rho - 1) x t at
    time t, so (rho - 1) x period / 2 on average (the static queue function prices an over-full facility at hours;
    the operations simulation, which runs the year, finds weeks). 0 leaves it out."""
    total = float(sum(d.at(year) for d in demand))
    if not demand:
        empty = pd.DataFrame()
        return FreightResult(
            total, empty, pd.DataFrame(columns=_BOTTLENECK_COLUMNS), pd.DataFrame(columns=_SHARE_COLUMNS), 0.0, 0.0
        )
    laned = freight_graph(view, customs=customs)
    g = laned.graph
    c = _costs(view, g)
    classes, zones = _classes(view, laned, demand, year)
    result = assign(
        g.n_vertices,
        g.tails,
        g.indices,
        c.t0,
        np.where(c.limited, c.capacity_t, 0.0),
        classes,
        alpha=c.alpha,
        beta=c.beta,
        vdf_kind=c.kind,
        fixed_cost=c.fixed,
        over_capacity_cost=np.where(c.limited & (c.kind == QUEUE), c.vot * queue_period_h / 2.0, 0.0),
        zone_nodes=np.array(zones, dtype=np.int64),
        rgap=rgap,
        max_iter=400,
        track_routes=True,
    )
    links = _link_rows(view, laned, c, result)
    paths = _paths(view, g, zones, result)
    return FreightResult(total, links, _bottlenecks(links), _shares(paths), result.unassigned_demand, result.relative_gap, paths)
