"""The freight side of calibration: one assignment class per demand row on the year's corridor network, and
the share of each row's tonnes that passes each count site (from the assignment's route shares).

Costs follow the scenario engine: generalised cost in USD per tonne (charges + value of time x hours), with
Davidson queues at ports, ferries and crossings and BPR on capacity-limited lines. Classes may use only links
that carry their cargo class (the Aktau–Baku feeder takes containers only) and their lane where a crossing has
separate container and bulk capacities (:mod:`corridor.graph.lanes`), and avoid the countries their shippers avoid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor.assignment.equilibrium import AssignmentClass, AssignmentResult, assign
from corridor.assignment.freight import class_mask, freight_graph
from corridor.assignment.vdf import BPR, QUEUE
from corridor.graph import CompiledGraph
from corridor.model import CargoClass, Network

__all__ = ["FreightProblem", "build_freight_problem", "route_proportions", "site_matrix"]


@dataclass
class FreightProblem:
    """Arrays of one year's freight assignment with one class per demand row (tonnes per year)."""

    view: Network
    g: CompiledGraph
    demand: pd.DataFrame  # demand rows of the year, in class order
    zone_nodes: np.ndarray
    pairs: list[tuple[int, int]]  # (origin zone index, destination zone index) per row
    allowed: list[np.ndarray]
    arrays: dict[str, np.ndarray]
    rgap: float = 1e-4
    max_iter: int = 200

    def assign(self, demand_t: np.ndarray) -> AssignmentResult:
        """Equilibrate the rows' tonnes *demand_t* (one value per demand row) and track the routes."""
        n = len(self.zone_nodes)
        classes = []
        for i, (row, (zo, zd)) in enumerate(zip(self.demand.itertuples(), self.pairs, strict=True)):
            mat = np.zeros((n, n))
            mat[zo, zd] = max(float(demand_t[i]), 0.0)
            classes.append(AssignmentClass(str(row.demand_id), mat, allowed=self.allowed[i]))
        a = self.arrays
        return assign(
            self.g.n_vertices,
            self.g.tails,
            self.g.indices,
            a["t0"],
            a["cap"],
            classes,
            alpha=a["alpha"],
            beta=a["beta"],
            vdf_kind=a["kind"],
            fixed_cost=a["fixed"],
            zone_nodes=self.zone_nodes,
            rgap=self.rgap,
            max_iter=self.max_iter,
            track_routes=True,
        )


def _cost_arrays(view: Network, g: CompiledGraph) -> dict[str, np.ndarray]:
    t_unit = g.t_per_unit
    vot = view.parameter("value_of_time_usd_per_teu_h") / view.parameter("t_per_teu")
    time_h = np.maximum(g.moving_h + g.waiting_h, 0.0)
    capacity = g.capacity * t_unit
    limited = np.isfinite(capacity) & (capacity > 0)
    queue = limited & (np.isin(g.capacity_of, ["border", "node", "transfer"]) | np.isin(g.mode, ["ferry", "sea"]))
    return {
        "t0": vot * np.where(limited, np.maximum(time_h, 0.1), time_h),
        "cap": np.where(limited, capacity, 0.0),
        "alpha": np.where(limited, np.where(queue, view.parameter("vdf_queue_j"), view.parameter("vdf_bpr_alpha")), 0.0),
        "beta": np.where(queue, view.parameter("vdf_queue_mu"), view.parameter("vdf_bpr_beta")),
        "kind": np.where(queue, QUEUE, BPR).astype(np.int64),
        "fixed": g.cost_usd / t_unit,
    }


def build_freight_problem(view: Network, demand: pd.DataFrame, zone_node: dict[str, str]) -> FreightProblem:
    """Set up the assignment of *demand* (rows of demand.csv for one year) on the year view *view*."""
    laned = freight_graph(view)
    g = laned.graph
    zones: list[int] = []
    index: dict[int, int] = {}

    def zone(v: int) -> int:
        if v not in index:
            index[v] = len(zones)
            zones.append(v)
        return index[v]

    pairs, allowed = [], []
    for row in demand.itertuples():
        o, d = zone_node[row.origin_zone], zone_node[row.destination_zone]
        pairs.append((zone(g.origin_gate[o]), zone(g.dest_gate[d])))
        allowed.append(class_mask(view, laned, CargoClass(row.cargo_class), tuple(row.avoid_countries or ())))
    return FreightProblem(
        view, g, demand.reset_index(drop=True), np.array(zones, dtype=np.int64), pairs, allowed, _cost_arrays(view, g)
    )


def route_proportions(
    routes: pd.DataFrame, row_of: dict[str, int], n_rows: int, site_arcs: list[set[int]], site_rows: list[np.ndarray]
) -> np.ndarray:
    """Sites x rows matrix of route shares: row *i*'s share of routes touching site *s*'s arcs.

    *routes* is :attr:`AssignmentResult.route_shares` (one class per row, named as in *row_of*); a route counts
    once for a site however many of its arcs it uses; ``site_rows[s]`` (bool per row) says which rows a site
    counts (a site restricted to some cargo classes).
    """
    out = np.zeros((len(site_arcs), n_rows))
    if routes is None or routes.empty:
        return out
    for r in routes.itertuples():
        i = row_of[str(r[1])]
        arcs = set(r.links)
        for s, site in enumerate(site_arcs):
            if site_rows[s][i] and arcs & site:
                out[s, i] += float(r.share)
    return out


def site_matrix(problem: FreightProblem, result: AssignmentResult, counts: pd.DataFrame) -> np.ndarray:
    """Share of each demand row's tonnes passing each count site (sites x rows)."""
    row_of = {str(r): i for i, r in enumerate(problem.demand["demand_id"])}
    cls = np.array([CargoClass(c) for c in problem.demand["cargo_class"]], dtype=object)
    site_arcs = [set(np.flatnonzero(np.isin(problem.g.base, list(c.links)))) for c in counts.itertuples()]
    site_rows = [
        np.isin(cls, list(c.cargo_classes)) if c.cargo_classes else np.ones(len(cls), dtype=bool) for c in counts.itertuples()
    ]
    return route_proportions(result.route_shares, row_of, len(problem.demand), site_arcs, site_rows)
