"""Energy flows as shipped: an allocation LP with supply groups, route access, contracted volumes and tariffs.

Least cost alone sends every tonne down the cheapest pipe. Real exports follow contracts: a field's owners
ship through the pipeline they hold capacity in, a transit agreement reserves volume, a nomination fixes a
tanker programme. :func:`allocate_energy` keeps least cost only for what contracts leave free:

- each supply group (a field, a shipper class, a transit flow) enters at a node — at any of its layers, or at
  one (``entry_layer``: crude that reaches a port by rail must still cross the port's loading berths; a case
  solver treats a group whose node or entry layer is not in the year's network as stranded) — and may use only
  the links it has access to (``links``) — or every link but some (``deny``);
- contracts put lower and upper bounds on the flow of a link in its own direction (``min``, ``max``; a
  nomination is both); the reverse direction of a contracted link is closed, so a lower bound cannot be met by
  sending oil round a loop; a lower bound no group can reach (its pipeline into the port closed) is reported
  as a shortfall, at the same penalty as stranded volume, rather than making the problem infeasible;
- tariffs (USD per unit) are added to a link's cost;
- what cannot be shipped is stranded at a penalty, so the LP is always feasible.

Result columns carry the commodity's unit per year: ``flow_t_per_year`` for oil, ``flow_bcm_per_year`` for gas
(:attr:`AllocationResult.flow_column`); shares are ``share_fraction`` (0 to 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from corridor.errors import DataError, NotConvergedError, Problem
from corridor.graph import ArcKind, CompiledGraph
from corridor.model import CARGO_UNIT, Layer
from corridor.units import per_year

__all__ = ["AllocationResult", "Contract", "SupplyGroup", "allocate_energy", "entry_vertex"]


@dataclass(frozen=True)
class SupplyGroup:
    """Volume one group ships per year from *node*.

    *links* (if given) are the only links it may use, *deny* the links it may not; *entry_layer* (if given) is the
    layer of *node* where the volume enters (else the node's gate, from which every layer is free).
    """

    name: str
    node: str
    amount: float
    links: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()
    source: str = ""
    entry_layer: Layer | None = None

    def __post_init__(self) -> None:
        if self.entry_layer is not None and not isinstance(self.entry_layer, Layer):
            try:
                object.__setattr__(self, "entry_layer", Layer(str(self.entry_layer)))
            except ValueError:
                want = "one of " + ", ".join(x.value for x in Layer)
                raise DataError(
                    Problem("(allocation)", None, f"groups.{self.name}.entry_layer", self.entry_layer, want)
                ) from None


@dataclass(frozen=True)
class Contract:
    """Bounds on the yearly flow of one link in its from -> to direction: a quota, a transit agreement, a nomination."""

    link: str
    min_flow: float = 0.0
    max_flow: float = float("inf")
    source: str = ""


@dataclass
class AllocationResult:
    """Flows by link and by supply group, exports by terminal, stranded volume."""

    unit: str
    links: pd.DataFrame  # link_id, flow_<unit>_per_year (total both directions)
    groups: pd.DataFrame  # group, link_id, flow_<unit>_per_year
    sinks: pd.DataFrame  # terminal, flow_<unit>_per_year, share_fraction
    stranded: dict[str, float] = field(default_factory=dict)
    arc_flows: np.ndarray | None = None  # total flow per arc of the graph it was solved on (CSR order)
    shortfall: dict[str, float] = field(default_factory=dict)  # link -> contracted minimum not met

    @property
    def flow_column(self) -> str:
        """Name of the flow columns: ``flow_t_per_year`` or ``flow_bcm_per_year``."""
        return per_year("flow", self.unit)

    def link_flow(self, link: str) -> float:
        """Total flow on *link* (0 when unused)."""
        rows = self.links[self.links["link_id"] == link]
        return float(rows[self.flow_column].sum())

    def route_shares(self, routes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
        """Flow and share of each named route, a route's flow being its first link's (``{"CPC": ["cpc"]}``)."""
        flows = {name: self.link_flow(links[0]) for name, links in routes.items()}
        total = sum(flows.values())
        col = self.flow_column
        return pd.DataFrame(
            [{"route": k, col: v, "share_fraction": v / total if total else 0.0} for k, v in flows.items()],
            columns=["route", col, "share_fraction"],
        )


def entry_vertex(g: CompiledGraph, node: str, layer: Layer | None) -> int | None:
    """Where a volume at *node* enters *g*: the node's gate (any layer), or its vertex on *layer*; None if absent."""
    if layer is None:
        return g.origin_gate.get(node)
    hit = np.flatnonzero((g.vertex_node == node) & (g.vertex_layer == str(layer)))
    return int(hit[0]) if len(hit) else None


def _check(g: CompiledGraph, groups, sinks, contracts, tariffs) -> None:
    problems = []
    bases = {str(b) for b in g.base if b}
    for grp in groups:
        if grp.node not in g.origin_gate:
            problems.append(Problem("(allocation)", None, f"groups.{grp.name}.node", grp.node, "a node of the network"))
        elif entry_vertex(g, grp.node, grp.entry_layer) is None:
            there = sorted({str(x) for x in g.vertex_layer[g.vertex_node == grp.node]} - {"origin", "destination"})
            want = f"a layer with an active {g.cargo.value} link at {grp.node} ({', '.join(there) or 'none'})"
            problems.append(Problem("(allocation)", None, f"groups.{grp.name}.entry_layer", str(grp.entry_layer), want))
        if not np.isfinite(grp.amount) or grp.amount < 0:
            problems.append(Problem("(allocation)", None, f"groups.{grp.name}.amount", grp.amount, "an amount >= 0"))
        for link in sorted((grp.links or frozenset()) | grp.deny):
            if link not in bases:
                problems.append(
                    Problem("(allocation)", None, f"groups.{grp.name}.links", link, f"a link carrying {g.cargo.value}")
                )
    for node, cap in sinks.items():
        if node not in g.dest_gate:
            problems.append(Problem("(allocation)", None, f"sinks.{node}", node, "a node of the network"))
        elif cap is not None and (not np.isfinite(cap) or cap < 0):
            problems.append(Problem("(allocation)", None, f"sinks.{node}", cap, "an intake >= 0 or none"))
    for c in contracts:
        if c.link not in bases:
            problems.append(Problem("(allocation)", None, f"contracts.{c.link}", c.link, f"a link carrying {g.cargo.value}"))
        if not 0 <= c.min_flow <= c.max_flow:
            problems.append(Problem("(allocation)", None, f"contracts.{c.link}.min", c.min_flow, "0 <= min <= max"))
    for link, t in tariffs.items():
        if link not in bases:
            problems.append(Problem("(allocation)", None, f"tariffs.{link}", link, f"a link carrying {g.cargo.value}"))
        elif not np.isfinite(t):
            problems.append(Problem("(allocation)", None, f"tariffs.{link}", t, "a number (USD per unit)"))
    if not sinks:
        problems.append(Problem("(allocation)", None, "sinks", "{}", "at least one export terminal"))
    if problems:
        raise DataError(problems)


def allocate_energy(
    g: CompiledGraph,
    *,
    groups: Sequence[SupplyGroup],
    sinks: Mapping[str, float | None],
    contracts: Sequence[Contract] = (),
    tariffs: Mapping[str, float] | None = None,
) -> AllocationResult:
    """Ship every group's volume to the *sinks* within capacities, access rights and contracts at least cost."""
    tariffs = dict(tariffs or {})
    _check(g, groups, sinks, contracts, tariffs)
    n_arcs, n_v, n_g = g.n_arcs, g.n_vertices, len(groups)
    cap = np.where(g.explicit, g.capacity, 0.0)
    for c in contracts:
        cap[(g.base == c.link) & (g.ref != c.link)] = 0.0  # the reverse arc of a contracted link
    arc_cost = g.cost_usd + 1e-6 * (g.kind != ArcKind.GATE)
    for link, t in tariffs.items():
        arc_cost = arc_cost + np.where(g.base == link, t * g.t_per_unit, 0.0)
    sink_nodes = list(sinks)
    n_s = len(sink_nodes)
    per = n_arcs + n_s + 1  # arcs, sink intakes, stranded — per group
    n_var = per * n_g
    floors = [c for c in contracts if c.min_flow > 0]  # one shortfall variable each, after the groups' variables
    n_all = n_var + len(floors)
    rows, cols, vals = [], [], []
    b = np.zeros(n_g * n_v)
    upper = np.zeros(n_all)
    cost = np.zeros(n_all)
    penalty = 10.0 * float(np.abs(arc_cost[g.explicit]).sum()) + 1.0
    upper[n_var:] = [c.min_flow for c in floors]
    cost[n_var:] = penalty
    for k, grp in enumerate(groups):
        off, voff = k * per, k * n_v
        access = np.ones(n_arcs, dtype=bool)
        if grp.links is not None:
            access = np.isin(g.base, list(grp.links)) | (g.kind == ArcKind.GATE)
        access &= ~np.isin(g.base, list(grp.deny))
        upper[off : off + n_arcs] = np.where(access, cap, 0.0)
        upper[off + n_arcs : off + n_arcs + n_s] = [np.inf if sinks[s] is None else sinks[s] for s in sink_nodes]
        upper[off + per - 1] = grp.amount
        cost[off : off + n_arcs] = arc_cost
        cost[off + per - 1] = penalty
        arcs = np.arange(n_arcs)
        rows += [voff + g.tails, voff + g.indices, voff + np.array([g.dest_gate[s] for s in sink_nodes], dtype=np.int64)]
        cols += [off + arcs, off + arcs, off + n_arcs + np.arange(n_s)]
        vals += [np.ones(n_arcs), -np.ones(n_arcs), np.ones(n_s)]
        entry = entry_vertex(g, grp.node, grp.entry_layer)
        rows.append(np.array([voff + entry]))
        cols.append(np.array([off + per - 1]))
        vals.append(np.ones(1))
        b[voff + entry] += grp.amount
    A_eq = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_g * n_v, n_all)).tocsr()
    A_ub, b_ub = _inequalities(g, cap, sinks, sink_nodes, contracts, n_g, per, n_all)
    bounds = np.column_stack([np.zeros(n_all), np.where(np.isfinite(upper), upper, np.inf)])
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b, bounds=bounds, method="highs")
    if res.status != 0:
        raise NotConvergedError(f"allocation LP did not solve (contracts may conflict with capacities): {res.message}")
    x = np.where(np.abs(res.x) < 1e-6, 0.0, res.x)
    out = _result(g, groups, sink_nodes, x, per)
    out.shortfall = {c.link: float(v) for c, v in zip(floors, x[n_var:], strict=True) if v > 0}
    return out


def _inequalities(g, cap, sinks, sink_nodes, contracts, n_g: int, per: int, n_var: int):
    """Rows shared by the groups: each arc's capacity, each sink's intake, each contract's bounds (a minimum with
    its shortfall variable, numbered after the groups' variables in the order of the contracts with a minimum)."""
    short = per * n_g
    ub_rows, ub_cols, ub_vals, ub_b = [], [], [], []
    r = 0
    for a in np.flatnonzero(np.isfinite(cap) & g.explicit):
        ub_rows += [r] * n_g
        ub_cols += [k * per + a for k in range(n_g)]
        ub_vals += [1.0] * n_g
        ub_b.append(cap[a])
        r += 1
    for j, s in enumerate(sink_nodes):
        if sinks[s] is not None:
            ub_rows += [r] * n_g
            ub_cols += [k * per + g.n_arcs + j for k in range(n_g)]
            ub_vals += [1.0] * n_g
            ub_b.append(float(sinks[s]))
            r += 1
    for c in contracts:
        arcs = np.flatnonzero(g.ref == c.link)
        idx = [k * per + a for k in range(n_g) for a in arcs]
        if np.isfinite(c.max_flow):
            ub_rows += [r] * len(idx)
            ub_cols += idx
            ub_vals += [1.0] * len(idx)
            ub_b.append(c.max_flow)
            r += 1
        if c.min_flow > 0:
            ub_rows += [r] * (len(idx) + 1)
            ub_cols += [*idx, short]
            ub_vals += [-1.0] * (len(idx) + 1)
            ub_b.append(-c.min_flow)
            short += 1
            r += 1
    if not r:
        return None, None
    return coo_matrix((ub_vals, (ub_rows, ub_cols)), shape=(r, n_var)).tocsr(), np.array(ub_b)


def _result(g: CompiledGraph, groups: Sequence[SupplyGroup], sink_nodes: list[str], x: np.ndarray, per: int) -> AllocationResult:
    n_arcs, n_s = g.n_arcs, len(sink_nodes)
    unit = CARGO_UNIT[g.cargo]
    col = per_year("flow", unit)
    link_arc = g.kind != ArcKind.GATE
    grp_rows, stranded = [], {}
    total_arcs = np.zeros(n_arcs)
    sink_flow = np.zeros(n_s)
    for k, grp in enumerate(groups):
        f = x[k * per : k * per + n_arcs]
        total_arcs += f
        sink_flow += x[k * per + n_arcs : k * per + n_arcs + n_s]
        stranded[grp.name] = float(x[k * per + per - 1])
        by_link = pd.Series(f[link_arc]).groupby(g.base[link_arc]).sum()
        grp_rows += [{"group": grp.name, "link_id": str(lk), col: float(v)} for lk, v in by_link.items() if v > 0]
    links = pd.Series(total_arcs[link_arc]).groupby(g.base[link_arc]).sum()
    shipped = float(sink_flow.sum())
    return AllocationResult(
        unit=unit,
        links=pd.DataFrame({"link_id": [str(i) for i in links.index], col: links.values}).sort_values(
            col, ascending=False, ignore_index=True
        ),
        groups=pd.DataFrame(grp_rows, columns=["group", "link_id", col]),
        sinks=pd.DataFrame({"terminal": sink_nodes, col: sink_flow, "share_fraction": sink_flow / shipped if shipped else 0.0}),
        stranded=stranded,
        arc_flows=total_arcs,
    )
