"""All-or-nothing loading in parallel over origins (numba): shortest-path trees, then demand pushed down them."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["aon_load", "shortest_trees"]


@njit(cache=True, nogil=True)
def _tree(indptr, indices, w, source, first_thru, dist, pred, pos, hv, hk, order):
    """Shortest-path tree from *source*; zones below *first_thru* (other than the source) are not passed through.

    Returns the number of settled vertices; ``order[:count]`` lists them in settle order.
    """
    n = indptr.shape[0] - 1
    for i in range(n):
        dist[i] = np.inf
        pred[i] = -1
        pos[i] = -1
    dist[source] = 0.0
    hv[0] = source
    hk[0] = 0.0
    pos[source] = 0
    size = 1
    count = 0
    while size > 0:
        u = hv[0]
        du = hk[0]
        pos[u] = -2
        order[count] = u
        count += 1
        size -= 1
        if size > 0:
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
        if u < first_thru and u != source:
            continue
        for a in range(indptr[u], indptr[u + 1]):
            v = indices[a]
            nd = du + w[a]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = a
                i = pos[v]
                if i < 0:
                    i = size
                    size += 1
                while i > 0:
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
    return count


@njit(cache=True, parallel=True)
def aon_load(indptr, indices, tails, w, zone_nodes, origins, demand, first_thru, n_threads):
    """Load *demand* (rows: *origins* as zone indices, columns: all zones) on shortest paths under costs *w*.

    Returns (link flows in CSR order, shortest-path total cost sum(demand x distance), unroutable demand).
    """
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    n_orig = origins.shape[0]
    n_blocks = max(1, min(n_threads, n_orig))
    buf = np.zeros((n_blocks, m))
    sptt = np.zeros(n_blocks)
    lost = np.zeros(n_blocks)
    for b in prange(n_blocks):
        dist = np.empty(n)
        pred = np.empty(n, dtype=np.int64)
        pos = np.empty(n, dtype=np.int64)
        hv = np.empty(n, dtype=np.int64)
        hk = np.empty(n)
        order = np.empty(n, dtype=np.int64)
        load = np.zeros(n)
        for j in range(b, n_orig, n_blocks):
            src = zone_nodes[origins[j]]
            cnt = _tree(indptr, indices, w, src, first_thru, dist, pred, pos, hv, hk, order)
            for z in range(demand.shape[1]):
                q = demand[j, z]
                if q > 0.0:
                    node = zone_nodes[z]
                    if dist[node] == np.inf:
                        lost[b] += q
                    else:
                        load[node] += q
                        sptt[b] += q * dist[node]
            for k in range(cnt - 1, 0, -1):
                v = order[k]
                q = load[v]
                if q != 0.0:
                    a = pred[v]
                    buf[b, a] += q
                    load[tails[a]] += q
                    load[v] = 0.0
            load[src] = 0.0
    flows = np.zeros(m)
    for b in range(n_blocks):
        for a in range(m):
            flows[a] += buf[b, a]
    return flows, sptt.sum(), lost.sum()


@njit(cache=True)
def shortest_trees(indptr, indices, w, sources, first_thru):
    """Predecessor arcs (rows: sources) and distances of the shortest-path trees from each source."""
    n = indptr.shape[0] - 1
    preds = np.empty((sources.shape[0], n), dtype=np.int64)
    dists = np.empty((sources.shape[0], n))
    pos = np.empty(n, dtype=np.int64)
    hv = np.empty(n, dtype=np.int64)
    hk = np.empty(n)
    order = np.empty(n, dtype=np.int64)
    for j in range(sources.shape[0]):
        _tree(indptr, indices, w, sources[j], first_thru, dists[j], preds[j], pos, hv, hk, order)
    return preds, dists
