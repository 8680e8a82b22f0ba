"""Shortest-path kernels on CSR arrays, compiled with numba.

Dijkstra with an indexed 4-ary heap (decrease-key). The kernels take plain arrays (``indptr``, ``indices``,
``weights``) so the routing and assignment engines and the TNTP benchmarks share them. Callers go through
:mod:`corridor.graph.shortest`, which runs small graphs in plain Python and imports numba only for large ones.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["multi_source", "sssp_core"]


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
def multi_source(indptr, indices, weights, enabled, sources, source_dist, target):
    """``(dist, pred_arc)`` from several sources with initial distances, into fresh buffers."""
    n = indptr.shape[0] - 1
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    hv = np.empty(n, dtype=np.int64)
    hk = np.empty(n)
    order = np.empty(n, dtype=np.int64)
    sssp_core(indptr, indices, weights, enabled, sources, source_dist, target, 0, dist, pred, pos, hv, hk, order)
    return dist, pred
