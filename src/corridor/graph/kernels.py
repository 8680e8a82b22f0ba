"""Shortest-path kernels on CSR arrays, compiled with numba.

Dijkstra with an indexed 4-ary heap (decrease-key). The kernels take plain arrays (``indptr``, ``indices``,
``weights``) so the routing and assignment engines and the TNTP benchmarks share them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["dijkstra", "dijkstra_multi", "path_arcs"]


@njit(cache=True, nogil=True)
def _multi(indptr, indices, weights, enabled, sources, source_dist, target):
    """Dijkstra with an indexed 4-ary heap holding (key, vertex) pairs; decrease-key instead of lazy deletion."""
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    pos = np.full(n, -1, dtype=np.int64)  # heap position; -1 never queued, -2 settled
    hv = np.empty(n, dtype=np.int64)
    hk = np.empty(n, dtype=np.float64)
    size = 0
    for j in range(sources.shape[0]):
        s = sources[j]
        d = source_dist[j]
        if d < dist[s]:
            dist[s] = d
            i = pos[s]
            if i < 0:
                i = size
                size += 1
            while i > 0:
                p = (i - 1) >> 2
                if hk[p] > d:
                    hv[i] = hv[p]
                    hk[i] = hk[p]
                    pos[hv[i]] = i
                    i = p
                else:
                    break
            hv[i] = s
            hk[i] = d
            pos[s] = i
    while size > 0:
        u = hv[0]
        du = hk[0]
        pos[u] = -2
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
        for a in range(indptr[u], indptr[u + 1]):
            if enabled is not None:  # noqa: SIM102 - separate test lets numba prune the branch when None
                if not enabled[a]:
                    continue
            v = indices[a]
            nd = du + weights[a]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = a
                i = pos[v]
                if i < 0:
                    i = size
                    size += 1
                while i > 0:  # sift up (push or decrease-key)
                    p = (i - 1) >> 2
                    if hk[p] > nd:
                        hv[i] = hv[p]
                        hk[i] = hk[p]
                        pos[hv[i]] = i
                        i = p
                    else:
                        break
                hv[i] = v
                hk[i] = nd
                pos[v] = i
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
