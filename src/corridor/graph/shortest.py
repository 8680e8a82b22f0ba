"""Shortest paths on CSR arrays: plain Python for small graphs, the numba kernel for large ones.

Both give identical distances and predecessor arcs (the same algorithm in the same order); the split only
saves a one-shot command (``corridor route``) the half second numba takes to load its cached kernel, while
assignment on large graphs keeps the compiled speed.
"""

from __future__ import annotations

import numpy as np

from corridor.graph.python_kernels import sssp_python

__all__ = ["SMALL_GRAPH_ARCS", "dijkstra", "dijkstra_multi", "path_arcs"]

#: Graphs with at most this many arcs are searched in plain Python (about 10 ms a search at this size).
SMALL_GRAPH_ARCS = 5000


def dijkstra_multi(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    source_dist: np.ndarray | None = None,
    *,
    enabled: np.ndarray | None = None,
    target: int = -1,
    engine: str = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest distances from several sources, each starting at its own initial distance.

    Returns ``(dist, pred_arc)``: ``pred_arc[v]`` is the CSR position of the arc entering *v* on its
    shortest path (-1 at sources and unreachable vertices). With *target* >= 0 the search stops once the
    target is settled. Arcs whose *enabled* flag is False are skipped. Weights must be non-negative.
    *engine* is ``python``, ``numba`` or ``auto`` (python up to :data:`SMALL_GRAPH_ARCS` arcs).
    """
    sources = np.ascontiguousarray(sources, dtype=np.int64)
    sd = np.zeros(len(sources)) if source_dist is None else np.ascontiguousarray(source_dist, dtype=np.float64)
    if engine not in ("auto", "python", "numba"):
        raise ValueError(f"engine must be auto, python or numba, got {engine!r}")
    if engine == "python" or (engine == "auto" and len(indices) <= SMALL_GRAPH_ARCS):
        return sssp_python(indptr, indices, weights, enabled, sources, sd, int(target))
    from corridor.graph.kernels import multi_source

    return multi_source(indptr, indices, weights, enabled, sources, sd, int(target))


def dijkstra(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source: int,
    *,
    target: int = -1,
    enabled: np.ndarray | None = None,
    engine: str = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """One-to-all (or one-to-one with *target*) shortest distances and predecessor arcs on a CSR graph."""
    return dijkstra_multi(indptr, indices, weights, np.array([source]), enabled=enabled, target=target, engine=engine)


def path_arcs(pred: np.ndarray, tails: np.ndarray, target: int) -> list[int]:
    """CSR arc positions on the shortest path into *target*, in travel order ([] if unreachable or a source)."""
    arcs = []
    v = target
    while pred[v] >= 0:
        a = int(pred[v])
        arcs.append(a)
        v = int(tails[a])
    arcs.reverse()
    return arcs
