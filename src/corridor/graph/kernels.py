"""Shortest-path kernels on CSR arrays, compiled with numba.

Dijkstra with an indexed 4-ary heap (decrease-key). The kernels take plain arrays (``indptr``, ``indices``,
``weights``) so the routing and assignment engines and the TNTP benchmarks share them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["dijkstra", "dijkstra_multi", "path_arcs", "sssp_core"]


@njit(cache=True, nogil=True, inline="always")
def _push(v, key, size, pos, hv, hk):
    """Insert *v* or lower its key in the indexed 4-ary heap; returns the new heap size."""
    i = pos[v]
    if i < 0:
        i = size
        size += 1
    while i > 0:
        p = (i - 1) >> 2
        if hk[p] > key:
            hv[i] = hv[p]
            hk[i] = hk[p]
            pos[hv[i]] = i
            i = p
        else:
            break
    hv[i] = v
    hk[i] = key
    pos[v] = i
    return size


@njit(cache=True, nogil=True)
def sssp_core(indptr, indices, weights, enabled, sources, source_dist, target, first_thru, dist, pred, pos, hv, hk, order):
    """Dijkstra with an indexed 4-ary heap (decrease-key) into caller-owned buffers.

    Vertices below *first_thru* (other than sources) are settled but not passed through (TNTP zones).
    ``order[:count]`` lists the settled vertices in settle order; returns count.
    """
    n = indptr.shape[0] - 1
    for i in range(n):
        dist[i] = np.inf
        pred[i] = -1
        pos[i] = -1
    size = 0
    for j in range(sources.shape[0]):
        s = sources[j]
        if source_dist[j] < dist[s]:
            dist[s] = source_dist[j]
            size = _push(s, source_dist[j], size, pos, hv, hk)
    count = 0
    while size > 0:
        u = hv[0]
        du = hk[0]
        pos[u] = -2
        order[count] = u
        count += 1
        size -= 1
        if size > 0:  # move the last item to the root and sift it down
            lv = hv[size]
            lk = hk[size]
            i = 0
            while True:
                c = 4 * i + 1
                if c >= size:
                    break
                best = c
                bk = hk[c]
                e = min(c + 4, size)
                for cc in range(c + 1, e):
                    if hk[cc] < bk:
                        bk = hk[cc]
                        best = cc
                if bk < lk:
                    hv[i] = hv[best]
                    hk[i] = bk
                    pos[hv[i]] = i
                    i = best
                else:
                    break
            hv[i] = lv
            hk[i] = lk
            pos[lv] = i
        if u == target:
            break
        if u < first_thru and pred[u] >= 0:
            continue
        for a in range(indptr[u], indptr[u + 1]):
            if enabled is not None:  # noqa: SIM102 - separate test lets numba prune the branch when None
                if not enabled[a]:
                    continue
            v = indices[a]
            nd = du + weights[a]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = a
                size = _push(v, nd, size, pos, hv, hk)
    return count


@njit(cache=True, nogil=True)
def _multi(indptr, indices, weights, enabled, sources, source_dist, target):
    n = indptr.shape[0] - 1
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    hv = np.empty(n, dtype=np.int64)
    hk = np.empty(n)
    order = np.empty(n, dtype=np.int64)
    sssp_core(indptr, indices, weights, enabled, sources, source_dist, target, 0, dist, pred, pos, hv, hk, order)
    return dist, pred


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
    return _multi(indptr, indices, weights, enabled, sources, sd, int(target))


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
