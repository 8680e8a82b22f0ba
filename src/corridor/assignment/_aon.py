"""All-or-nothing loading in parallel over origins (numba): shortest-path trees, then demand pushed down them."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from corridor.graph.kernels import sssp_core

__all__ = ["aon_load", "shortest_trees"]


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
        src_arr = np.empty(1, dtype=np.int64)
        zero = np.zeros(1)
        for j in range(b, n_orig, n_blocks):
            src = zone_nodes[origins[j]]
            src_arr[0] = src
            cnt = sssp_core(indptr, indices, w, None, src_arr, zero, -1, first_thru, dist, pred, pos, hv, hk, order)
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
    src_arr = np.empty(1, dtype=np.int64)
    zero = np.zeros(1)
    for j in range(sources.shape[0]):
        src_arr[0] = sources[j]
        sssp_core(indptr, indices, w, None, src_arr, zero, -1, first_thru, dists[j], preds[j], pos, hv, hk, order)
    return preds, dists
