"""The plain-Python shortest-path kernel gives exactly the numba kernel's distances and predecessor arcs.

``corridor route`` searches small graphs in Python (no numba to load) and assignment searches large ones with
numba, so both must agree bit for bit, ties included: on the shipped network for every objective and on TNTP
networks (with integer weights, so many paths tie, and with zones that may not be passed through).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corridor.data.tntp import read_tntp
from corridor.graph import arc_mask, dijkstra_multi, year_graph
from corridor.graph.kernels import sssp_core
from corridor.graph.python_kernels import sssp_python
from corridor.graph.shortest import SMALL_GRAPH_ARCS
from corridor.routing.search import OBJECTIVES, objective_weights

TNTP = Path(__file__).resolve().parent / "data" / "tntp"


def _numba_core(indptr, indices, w, enabled, sources, sd, target, first_thru):
    n = len(indptr) - 1
    dist, pred = np.empty(n), np.empty(n, dtype=np.int64)
    pos, hv, hk, order = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n), np.empty(n, dtype=np.int64)
    sssp_core(indptr, indices, w, enabled, sources, sd, target, first_thru, dist, pred, pos, hv, hk, order)
    return dist, pred


def _same(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> None:
    assert np.array_equal(a[0], b[0]), "distances differ"
    assert np.array_equal(a[1], b[1]), "predecessor arcs differ"


def test_shipped_graph_is_small_enough_for_python_search(net):
    assert year_graph(net, "container", year=2025).n_arcs <= SMALL_GRAPH_ARCS


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("cargo", ["container", "liquid_bulk"])
def test_engines_agree_on_shipped_network(net, objective, cargo):
    view = net.at_year(2030, include_planned=True)
    g = year_graph(view, cargo)
    w = objective_weights(g, objective, view)
    masks = [None, arc_mask(g, avoid_countries={"RU", "BY"}), arc_mask(g, avoid_modes={"road"})]
    origins = sorted(g.origin_gate)[::7]
    assert len(origins) >= 5
    for en in masks:
        for o in origins:
            src = np.array([g.origin_gate[o]])
            py = dijkstra_multi(g.indptr, g.indices, w, src, enabled=en, engine="python")
            nb = dijkstra_multi(g.indptr, g.indices, w, src, enabled=en, engine="numba")
            _same(py, nb)
            target = int(g.dest_gate[origins[0]])
            _same(
                dijkstra_multi(g.indptr, g.indices, w, src, enabled=en, target=target, engine="python"),
                dijkstra_multi(g.indptr, g.indices, w, src, enabled=en, target=target, engine="numba"),
            )
    # several sources with their own starting distances (the via-group searches)
    verts = np.concatenate([g.layer_vertices[n] for n in sorted(g.layer_vertices)[:6]])
    sd = np.arange(len(verts), dtype=float) * 3.0
    _same(
        dijkstra_multi(g.indptr, g.indices, w, verts, sd, engine="python"),
        dijkstra_multi(g.indptr, g.indices, w, verts, sd, engine="numba"),
    )


@pytest.mark.parametrize("name", ["SiouxFalls", "Anaheim"])
def test_engines_agree_on_tntp_with_ties_and_zones(name):
    tn = read_tntp(TNTP / name)
    order = np.argsort(tn.tails, kind="stable")
    tails, heads = tn.tails[order], tn.heads[order]
    indptr = np.zeros(tn.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=tn.n_nodes), out=indptr[1:])
    exact = np.ascontiguousarray(tn.free_flow_time[order], dtype=np.float64)
    tied = np.round(exact)  # integer weights: many equal-length paths, so tie-breaking must match too
    assert len(np.unique(tied)) < len(tied) / 2
    rng = np.random.default_rng(7)
    enabled = rng.random(len(heads)) > 0.1
    for w in (exact, tied):
        for s in range(0, tn.n_zones, max(1, tn.n_zones // 8)):
            src, sd = np.array([s], dtype=np.int64), np.zeros(1)
            for en in (None, enabled):
                for first_thru in (0, tn.first_thru_node):
                    _same(
                        sssp_python(indptr, heads, w, en, src, sd, -1, first_thru),
                        _numba_core(indptr, heads, w, en, src, sd, -1, first_thru),
                    )


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        dijkstra_multi(np.array([0, 0]), np.array([], dtype=np.int64), np.array([]), np.array([0]), engine="gpu")
