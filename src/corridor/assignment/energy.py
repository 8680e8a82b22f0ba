"""Hard-capacity energy flows: oil (t/yr) and gas (bcm/yr) as a min-cost flow LP solved with HiGHS.

Supplies at fields or hubs must reach export terminals (sinks) over pipelines, tanker legs, rail and swap
arrangements, within link and transfer capacities and quotas. What cannot be shipped is reported as
stranded, at a penalty cost, so the LP is always feasible and tells where capacity binds.

Amounts are per year in the commodity's unit, and the column names say which: ``flow_t_per_year`` and
``capacity_t_per_year`` for oil (liquid bulk), ``flow_bcm_per_year`` and ``capacity_bcm_per_year`` for gas
(:func:`corridor.units.per_year` gives the name); ``utilisation_fraction`` and ``share_fraction`` lie between 0 and 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from corridor.errors import DataError, NotConvergedError, Problem
from corridor.graph import ArcKind, CompiledGraph
from corridor.model import CARGO_UNIT, CargoClass
from corridor.units import per_year

__all__ = ["EnergyFlowResult", "solve_energy_flows"]


@dataclass
class EnergyFlowResult:
    """Flows of one energy commodity: per link, per export terminal, stranded per supply node."""

    cargo: CargoClass
    unit: str
    supply: float
    shipped: float
    stranded: dict[str, float]
    sinks: pd.DataFrame  # terminal, flow_<unit>_per_year, share_fraction
    links: pd.DataFrame  # arc, link_id, mode, flow_<unit>_per_year, capacity_<unit>_per_year, utilisation_fraction, binding
    cost_usd: float

    @property
    def flow_column(self) -> str:
        """Name of the flow columns of :attr:`sinks` and :attr:`links`: ``flow_t_per_year`` or ``flow_bcm_per_year``."""
        return per_year("flow", self.unit)

    @property
    def stranded_total(self) -> float:
        return float(sum(self.stranded.values()))

    def link_flow(self, base_id: str) -> float:
        """Total flow on a link (both directions)."""
        rows = self.links[self.links["link_id"] == base_id]
        return float(rows[self.flow_column].sum())

    def to_dict(self) -> dict:
        """JSON-ready result; amounts named with their unit (``supply_t_per_year``, ``stranded_bcm_per_year``...)."""
        u = self.unit
        return {
            "cargo": self.cargo.value,
            "unit": u,
            per_year("supply", u): self.supply,
            per_year("shipped", u): self.shipped,
            per_year("stranded", u): self.stranded,
            per_year("stranded_total", u): self.stranded_total,
            "cost_usd": self.cost_usd,
            "sinks": self.sinks.to_dict(orient="records"),
            "links": self.links[self.links[self.flow_column] > 1e-9].to_dict(orient="records"),
        }


def _check(
    g: CompiledGraph,
    supplies: Mapping[str, float],
    sinks: Mapping[str, float | None],
    capacity_factor: Mapping[str, float],
    max_flow: Mapping[str, float],
) -> None:
    """Raise :class:`DataError` naming every unknown node or link and every bad amount."""
    problems = []
    bases = {str(b) for b in g.base if b}
    for node, qty in supplies.items():
        if node not in g.origin_gate:
            problems.append(Problem("(scenario)", None, f"supply.{node}", node, "a node of the network"))
        elif not np.isfinite(qty) or qty < 0:
            problems.append(Problem("(scenario)", None, f"supply.{node}", qty, "an amount >= 0"))
    for node, cap in sinks.items():
        if node not in g.dest_gate:
            problems.append(Problem("(scenario)", None, f"sinks.{node}", node, "a node of the network"))
        elif cap is not None and (not np.isfinite(cap) or cap < 0):
            problems.append(Problem("(scenario)", None, f"sinks.{node}", cap, "an intake >= 0 or none"))
    for label, mapping in (("capacity_factor", capacity_factor), ("max_flow", max_flow)):
        for link, v in mapping.items():
            if link not in bases:
                problems.append(Problem("(scenario)", None, f"{label}.{link}", link, f"a link carrying {g.cargo.value}"))
            elif not np.isfinite(v) or v < 0:
                problems.append(Problem("(scenario)", None, f"{label}.{link}", v, "a value >= 0"))
    if not sinks:
        problems.append(Problem("(scenario)", None, "sinks", "{}", "at least one export terminal"))
    if problems:
        raise DataError(problems)


def _capacities(
    g: CompiledGraph, capacity_factor: Mapping[str, float], max_flow: Mapping[str, float], closed: set[str] | frozenset[str]
) -> np.ndarray:
    """Per-arc capacity: only rows that name the commodity (or are its pipelines), scaled, capped and closed."""
    cap = np.where(g.explicit, g.capacity, 0.0)
    for link, f in capacity_factor.items():
        sel = g.base == link
        cap[sel] = np.where(np.isfinite(cap[sel]), cap[sel] * f, cap[sel])
    for link, q in max_flow.items():
        sel = g.base == link
        cap[sel] = np.minimum(cap[sel], q)
    if closed:
        shut = np.isin(g.vertex_node, list(closed))
        cap[shut[g.tails] | shut[g.indices]] = 0.0
    return cap


def _solve(
    g: CompiledGraph, cap: np.ndarray, supplies: Mapping[str, float], sinks: Mapping[str, float | None], supply_nodes: list[str]
) -> np.ndarray:
    """The LP's solution: arc flows, then intake per sink, then stranded volume per supply node."""
    n_arcs, n_v = g.n_arcs, g.n_vertices
    sink_nodes = list(sinks)
    n_sink, n_sup = len(sink_nodes), len(supply_nodes)
    n_var = n_arcs + n_sink + n_sup
    # conservation: out - in (+ stranded at supply gates) = supply
    rows = np.concatenate([g.tails, g.indices, [g.dest_gate[s] for s in sink_nodes], [g.origin_gate[s] for s in supply_nodes]])
    cols = np.concatenate([np.arange(n_arcs), np.arange(n_arcs), n_arcs + np.arange(n_sink), n_arcs + n_sink + np.arange(n_sup)])
    vals = np.concatenate([np.ones(n_arcs), -np.ones(n_arcs), np.ones(n_sink), np.ones(n_sup)])
    A = coo_matrix((vals, (rows.astype(np.int64), cols)), shape=(n_v, n_var)).tocsr()
    b = np.zeros(n_v)
    for s in supply_nodes:
        b[g.origin_gate[s]] += supplies[s]
    # stranding costs more than any path can (the sum of all arc costs bounds every simple path), so it happens
    # only when capacity binds
    penalty = 10.0 * float(np.abs(g.cost_usd[g.explicit]).sum()) + 1.0
    cost = np.concatenate([g.cost_usd + 1e-6 * (g.kind != ArcKind.GATE), np.zeros(n_sink), np.full(n_sup, penalty)])
    upper = np.concatenate(
        [cap, [np.inf if sinks[s] is None else sinks[s] for s in sink_nodes], [supplies[s] for s in supply_nodes]]
    )
    bounds = np.column_stack([np.zeros(n_var), np.where(np.isfinite(upper), upper, np.inf)])
    res = linprog(cost, A_eq=A, b_eq=b, bounds=bounds, method="highs")
    if res.status != 0:
        raise NotConvergedError(f"energy-flow LP did not solve: {res.message}")
    return np.where(np.abs(res.x) < 1e-6, 0.0, res.x)  # HiGHS returns -0.0 and round-off for empty arcs


def _link_frame(g: CompiledGraph, flows: np.ndarray, cap: np.ndarray) -> pd.DataFrame:
    """One row per link or transfer arc: flow, capacity, utilisation and whether capacity binds."""
    sel = g.kind != ArcKind.GATE
    unit = CARGO_UNIT[g.cargo]
    flow, capacity = flows[sel], cap[sel]
    finite = np.isfinite(capacity)
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(finite & (capacity > 0), flow / np.where(capacity > 0, capacity, 1.0), np.nan)
        binding = finite & (flow >= capacity - 1e-6 * np.maximum(1, capacity))
    links = pd.DataFrame(
        {
            "arc": g.ref[sel],
            "link_id": g.base[sel],
            "mode": g.mode[sel],
            per_year("flow", unit): flow,
            per_year("capacity", unit): capacity,
            "utilisation_fraction": utilisation,
            "binding": binding,
        }
    )
    return links.sort_values(per_year("flow", unit), ascending=False, ignore_index=True)


def solve_energy_flows(
    g: CompiledGraph,
    *,
    supplies: Mapping[str, float],
    sinks: Mapping[str, float | None],
    capacity_factor: Mapping[str, float] | None = None,
    max_flow: Mapping[str, float] | None = None,
    closed: set[str] | frozenset[str] = frozenset(),
) -> EnergyFlowResult:
    """Ship *supplies* (node -> units per year) to *sinks* (node -> most intake, None = unlimited) at least cost.

    ``capacity_factor`` scales a link's capacity (``{"cpc": 0.5}`` restricts CPC to half); ``max_flow`` caps the
    flow on a link (quotas, e.g. ``{"btc": 1.5e6}``); ``closed`` nodes take no flow at all. Raises
    :class:`~corridor.errors.DataError` for unknown nodes or links and negative amounts.
    """
    _check(g, supplies, sinks, capacity_factor or {}, max_flow or {})
    cap = _capacities(g, capacity_factor or {}, max_flow or {}, closed)
    supply_nodes = [n for n, q in supplies.items() if q > 0]
    x = _solve(g, cap, supplies, sinks, supply_nodes)
    n_arcs, n_sink = g.n_arcs, len(sinks)
    flows = x[:n_arcs]
    sink_flow = x[n_arcs : n_arcs + n_sink]
    shipped = float(sink_flow.sum())
    unit = CARGO_UNIT[g.cargo]
    share = sink_flow / shipped if shipped > 0 else 0.0
    sinks_frame = pd.DataFrame({"terminal": list(sinks), per_year("flow", unit): sink_flow, "share_fraction": share})
    return EnergyFlowResult(
        cargo=g.cargo,
        unit=unit,
        supply=float(sum(supplies[s] for s in supply_nodes)),
        shipped=shipped,
        stranded={s: float(v) for s, v in zip(supply_nodes, x[n_arcs + n_sink :], strict=True)},
        sinks=sinks_frame.sort_values(per_year("flow", unit), ascending=False, ignore_index=True),
        links=_link_frame(g, flows, cap),
        cost_usd=float(np.dot(g.cost_usd, flows)),
    )
