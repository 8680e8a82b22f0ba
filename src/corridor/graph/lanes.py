"""Cargo-class lanes: a crossing or port with a container figure and a tonnage figure gets two parallel arcs.

Multi-commodity freight is assigned on one graph (the container graph, flows in tonnes). A facility whose row
gives both ``capacity_teu_per_year`` (its container terminal) and ``capacity_t_per_year`` (the whole facility:
Dostyk's "annual capacity of the interstate passage Alashankou-Dostyk makes 20 mln tons", 760 TEU a day of it
container processing) would otherwise cap every cargo at the container terminal's figure. :func:`freight_lanes`
splits each arc whose capacity comes from such a facility into

- a **container lane**: the arc as compiled (the TEU figure), used by container classes only, and
- a **bulk lane**: a parallel arc with the rest of the facility, ``capacity_t - capacity_teu x t_per_teu``
  (assumption: the tonnage figure is the facility's total and its container terminal is part of it), used by
  every other class; a link's own tonnage capacity still applies when smaller.

:func:`lane_mask` gives the arcs a class may use. Lanes keep the arc's ``ref`` and ``base``, so flows by link
and count sites see both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from corridor.graph.compiled import ArcKind, CompiledGraph
from corridor.model import CargoClass, Network

__all__ = ["BULK_LANE", "CONTAINER_LANE", "LanedGraph", "freight_lanes", "lane_mask", "split_facilities"]

CONTAINER_LANE = "container"
BULK_LANE = "bulk"
_PER_ARC = (
    "indices", "tails", "kind", "ref", "base", "mode", "length_km", "moving_h", "waiting_h", "cost_usd", "co2_kg",
    "explicit", "capacity_of", "countries",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class LanedGraph:
    """A compiled graph with parallel lanes and, per arc, its lane ('' where all classes share the arc)."""

    graph: CompiledGraph
    lane: np.ndarray  # object: '', 'container' or 'bulk'


def _num(value: object) -> float | None:
    v = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(v) else float(v)


def split_facilities(view: Network, t_per_teu: float) -> dict[str, float]:
    """Nodes with both a TEU and a tonnage capacity -> the tonnes a year left to non-container cargo."""
    out = {}
    for node, r in view.nodes.iterrows():
        teu, t = _num(r["capacity_teu_per_year"]), _num(r["capacity_t_per_year"])
        if teu is not None and t is not None:
            out[str(node)] = max(t - teu * t_per_teu, 0.0)
    return out


def _facility(g: CompiledGraph, a: int) -> str | None:
    """The node whose capacity limits arc *a*: the head of a border link, the node of a transfer."""
    if g.capacity_of[a] == "border" and g.kind[a] == ArcKind.LINK:
        return str(g.vertex_node[g.indices[a]])
    if g.capacity_of[a] == "node" and g.kind[a] == ArcKind.TRANSFER:
        return str(g.vertex_node[g.tails[a]])
    return None


def _own_t(view: Network, g: CompiledGraph, a: int) -> float:
    """A link's or transfer's own tonnage capacity (inf where none)."""
    table = view.links if g.kind[a] == ArcKind.LINK else view.transfers
    base = g.base[a]
    v = _num(table.loc[base, "capacity_t_per_year"]) if base in table.index else None
    return np.inf if v is None else v


def freight_lanes(view: Network, g: CompiledGraph) -> LanedGraph:
    """*g* (the container graph of *view*) with a bulk lane beside every arc a split facility limits."""
    if g.cargo != CargoClass.CONTAINER:
        raise ValueError(f"freight lanes split the container graph, got a {g.cargo.value} graph")
    rest_t = split_facilities(view, g.t_per_unit)
    dup, dup_cap = [], []
    for a in range(g.n_arcs):
        node = _facility(g, a)
        if node in rest_t:
            dup.append(a)
            dup_cap.append(min(rest_t[node], _own_t(view, g, a)) / g.t_per_unit)
    lane = np.full(g.n_arcs, "", dtype=object)
    if not dup:
        return LanedGraph(g, lane)
    lane[dup] = CONTAINER_LANE
    take = np.concatenate([np.arange(g.n_arcs), np.array(dup, dtype=np.int64)])
    order = np.argsort(g.tails[take], kind="stable")
    fields = {name: getattr(g, name)[take][order] for name in _PER_ARC}
    capacity = np.concatenate([g.capacity, np.array(dup_cap, dtype=float)])
    fields["capacity"] = capacity[order]
    tails = fields["tails"]
    indptr = np.zeros(g.n_vertices + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=g.n_vertices), out=indptr[1:])
    lanes = np.concatenate([lane, np.full(len(dup), BULK_LANE, dtype=object)])[order]
    return LanedGraph(replace(g, indptr=indptr, **fields), lanes)


def lane_mask(laned: LanedGraph, cargo: CargoClass) -> np.ndarray:
    """Arcs a class of *cargo* may use: containers keep off bulk lanes, other cargo off container lanes."""
    barred = BULK_LANE if CargoClass(cargo) == CargoClass.CONTAINER else CONTAINER_LANE
    return laned.lane != barred
