"""Shortest-path kernels on CSR arrays, compiled with numba.

Dijkstra with a binary heap and lazy deletion. The kernels take plain arrays (``indptr``, ``indices``,
``weights``) so the routing and assignment engines and the TNTP benchmarks share them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["dijkstra", "dijkstra_multi", "path_arcs"]


@njit(cache=True, nogil=True)
def _run(indptr, indices, weights, enabled, dist, pred, heap_d, heap_v, n_heap, target):
    """Core loop; *dist*, *pred* and the heap arrays arrive seeded with the sources."""
    n = indptr.shape[0] - 1
    done = np.zeros(n, dtype=np.bool_)
    while n_heap > 0:
        d = heap_d[0]
        u = heap_v[0]
        # pop: move the last item to the root and sift down
        n_heap -= 1
        if n_heap > 0:
            ld = heap_d[n_heap]
            lv = heap_v[n_heap]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= n_heap:
                    break
                if c + 1 < n_heap and heap_d[c + 1] < heap_d[c]:
                    c += 1
                if heap_d[c] < ld:
                    heap_d[i] = heap_d[c]
                    heap_v[i] = heap_v[c]
                    i = c
                else:
                    break
            heap_d[i] = ld
            heap_v[i] = lv
        if done[u] or d > dist[u]:
            continue
        done[u] = True
        if u == target:
            break
        for a in range(indptr[u], indptr[u + 1]):
            if not enabled[a]:
                continue
            v = indices[a]
            nd = d + weights[a]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = a
                # push with sift up
                if n_heap >= heap_d.shape[0]:
                    new_d = np.empty(heap_d.shape[0] * 2, dtype=heap_d.dtype)
                    new_v = np.empty(heap_v.shape[0] * 2, dtype=heap_v.dtype)
                    new_d[:n_heap] = heap_d[:n_heap]
                    new_v[:n_heap] = heap_v[:n_heap]
                    heap_d = new_d
                    heap_v = new_v
                i = n_heap
                n_heap += 1
                while i > 0:
                    p = (i - 1) >> 1
                    if heap_d[p] > nd:
                        heap_d[i] = heap_d[p]
                        heap_v[i] = heap_v[p]
                        i = p
                    else:
                        break
                heap_d[i] = nd
                heap_v[i] = v
    return dist, pred


@njit(cache=True, nogil=True)
def _multi(indptr, indices, weights, enabled, sources, source_dist, target):
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    cap = max(16, indices.shape[0] + sources.shape[0])
    heap_d = np.empty(cap, dtype=np.float64)
    heap_v = np.empty(cap, dtype=np.int64)
    n_heap = 0
    order = np.argsort(source_dist)
    for j in order:  # sorted insertion keeps the heap property
        s = sources[j]
        if source_dist[j] < dist[s]:
            dist[s] = source_dist[j]
            heap_d[n_heap] = source_dist[j]
            heap_v[n_heap] = s
            n_heap += 1
    return _run(indptr, indices, weights, enabled, dist, pred, heap_d, heap_v, n_heap, target)


def dijkstra_multi(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    source_dist: np.ndarray | None = None,
    *,
    enabled: np.ndarray | None = None,
    target: int = -1,
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest distances from several sources, each starting at its own initial distance.

    Returns ``(dist, pred_arc)``: ``pred_arc[v]`` is the CSR position of the arc entering *v* on its
    shortest path (-1 at sources and unreachable vertices). With *target* >= 0 the search stops once the
    target is settled. Arcs whose *enabled* flag is False are skipped. Weights must be non-negative.
    """
    sources = np.ascontiguousarray(sources, dtype=np.int64)
    sd = np.zeros(len(sources)) if source_dist is None else np.ascontiguousarray(source_dist, dtype=np.float64)
    en = np.ones(len(indices), dtype=np.bool_) if enabled is None else enabled
    return _multi(indptr, indices, weights, en, sources, sd, int(target))


def dijkstra(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source: int,
    *,
    target: int = -1,
    enabled: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One-to-all (or one-to-one with *target*) shortest distances and predecessor arcs on a CSR graph."""
    return dijkstra_multi(indptr, indices, weights, np.array([source]), enabled=enabled, target=target)


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
