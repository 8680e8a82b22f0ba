"""The shortest-path kernel of :mod:`corridor.graph.kernels` in plain Python, for small graphs.

A route on the shipped network (a few hundred vertices) searches in a millisecond here, while loading the numba
kernel costs a one-shot command about half a second. Same algorithm, same operations in the same order (an
indexed 4-ary heap with decrease-key), so distances and predecessor arcs are identical to the numba kernel's,
ties included (``tests/test_graph_kernels.py`` checks it).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sssp_python"]


def _push(v: int, key: float, size: int, pos: list[int], hv: list[int], hk: list[float]) -> int:
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


def _pop(size: int, pos: list[int], hv: list[int], hk: list[float]) -> int:
    """Remove the root (already read by the caller): move the last item to the root and sift it down."""
    size -= 1
    if size > 0:
        lv, lk = hv[size], hk[size]
        i = 0
        while True:
            c = 4 * i + 1
            if c >= size:
                break
            best, bk = c, hk[c]
            for cc in range(c + 1, min(c + 4, size)):
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
    return size


def sssp_python(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    enabled: np.ndarray | None,
    sources: np.ndarray,
    source_dist: np.ndarray,
    target: int = -1,
    first_thru: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Dijkstra from several sources with initial distances; returns ``(dist, pred_arc)`` like ``dijkstra_multi``.

    Vertices below *first_thru* (other than sources) are settled but not passed through (TNTP zones).
    """
    ptr, head, w = indptr.tolist(), indices.tolist(), weights.tolist()
    ok = None if enabled is None else enabled.tolist()
    n = len(ptr) - 1
    dist, pred, pos = [np.inf] * n, [-1] * n, [-1] * n
    hv, hk = [0] * n, [0.0] * n
    size = 0
    for s, d0 in zip(sources.tolist(), source_dist.tolist(), strict=True):
        if d0 < dist[s]:
            dist[s] = d0
            size = _push(s, d0, size, pos, hv, hk)
    while size > 0:
        u, du = hv[0], hk[0]
        pos[u] = -2
        size = _pop(size, pos, hv, hk)
        if u == target:
            break
        if u < first_thru and pred[u] >= 0:
            continue
        for a in range(ptr[u], ptr[u + 1]):
            if ok is not None and not ok[a]:
                continue
            v = head[a]
            nd = du + w[a]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = a
                size = _push(v, nd, size, pos, hv, hk)
    return np.array(dist, dtype=np.float64), np.array(pred, dtype=np.int64)
