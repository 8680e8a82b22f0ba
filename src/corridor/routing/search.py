"""Path search on a compiled graph: objective weights, the best path through ordered via groups, and
penalised re-searches for alternatives that share little of their length with the routes already found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from corridor.errors import DataError, Problem
from corridor.graph import ArcKind, CompiledGraph, dijkstra_multi
from corridor.model import CargoClass, Network

__all__ = ["OBJECTIVES", "OBJECTIVE_UNITS", "alternatives", "objective_weights", "shortest_path"]

OBJECTIVES = ("time", "cost", "co2", "generalised")
#: The unit each objective is measured in (the suffix of ``objective_<unit>`` in result tables and JSON).
OBJECTIVE_UNITS = {"time": "h", "cost": "usd", "co2": "kg", "generalised": "usd"}
_LINK = int(ArcKind.LINK)


def objective_weights(g: CompiledGraph, objective: str, net: Network, weights: dict[str, float] | None = None) -> np.ndarray:
    """Per-arc weight for *objective*: hours, USD, kg CO2, or USD plus value of time and carbon price (generalised).

    *weights* may override ``usd_per_h`` (value of time) and ``usd_per_tco2`` (carbon price) of the generalised cost.
    """
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


def shortest_path(
    g: CompiledGraph, w: np.ndarray, en: np.ndarray, origin: str, dest: str, via: Sequence[frozenset[str]] = ()
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


def _overlap(a: list[int], b: list[int], g: CompiledGraph) -> float:
    """Share of the shorter route's km that both routes use (links compared by base id)."""

    def km(arcs: Iterable[int]) -> dict[str, float]:
        return {str(g.base[x]): float(g.length_km[x]) for x in arcs if g.kind[x] == _LINK}

    ka, kb = km(a), km(b)
    shared = sum(v for k, v in ka.items() if k in kb)
    shorter = min(sum(ka.values()), sum(kb.values()))
    return shared / shorter if shorter > 0 else 1.0


def _penalise(pw: np.ndarray, g: CompiledGraph, arcs: list[int], penalty: float) -> None:
    bases = {str(g.base[a]) for a in arcs if g.kind[a] == _LINK}
    pw[np.isin(g.base, list(bases))] *= 1.0 + penalty


def alternatives(
    g: CompiledGraph,
    w: np.ndarray,
    en: np.ndarray,
    best: list[int],
    origin: str,
    dest: str,
    via: Sequence[frozenset[str]],
    *,
    k: int,
    max_overlap: float,
    penalty: float,
    max_iterations: int,
) -> list[list[int]]:
    """*best* plus up to ``k - 1`` paths that each share at most *max_overlap* of their km with every path found.

    Each search raises the weight of the links of the last path found (and of rejected candidates) by *penalty*,
    so the search moves on to other corridors rather than detours of the first.
    """
    found = [best]
    pw = w.copy()
    for _ in range(max_iterations):
        if len(found) >= k:
            break
        _penalise(pw, g, found[-1], penalty)
        cand = shortest_path(g, pw, en, origin, dest, via)
        if cand is None:
            break
        arcs = cand[1]
        if any(arcs == f for f in found):
            continue
        if all(_overlap(arcs, f, g) <= max_overlap for f in found):
            found.append(arcs)
        else:
            _penalise(pw, g, arcs, penalty)
    return found
