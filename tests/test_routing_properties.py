"""Routing properties on generated networks (hypothesis): optimality, constraints, distinct alternatives."""

from __future__ import annotations

import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from dataset_builder import build_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridor
from corridor.errors import NoRouteError
from corridor.graph import ArcKind, dijkstra, year_graph
from corridor.routing.search import objective_weights
from corridor.settings import option_context

COUNTRIES = ["KZ", "CN", "RU", "BY", "AZ", "GE", "TR", "IR"]
MODES = ["rail", "road", "sea"]


@st.composite
def networks(draw):
    n = draw(st.integers(4, 9))
    countries = [draw(st.sampled_from(COUNTRIES)) for _ in range(n)]
    nodes = [
        {
            "node_id": f"n{i}",
            "name": f"Node {i}",
            "kind": "city",
            "country": countries[i],
            "lat": 40 + i * 0.7,
            "lon": 50 + (i * 37 % 11),
        }
        for i in range(n)
    ]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=n, max_size=3 * n))
    links = []
    for j, (a, b) in enumerate(pairs):
        if a == b:
            continue
        mode = draw(st.sampled_from(MODES))
        links.append(
            {
                "link_id": f"l{j}",
                "from_node": f"n{a}",
                "to_node": f"n{b}",
                "mode": mode,
                "gauge_mm": 1520 if mode == "rail" else "",
                "length_km": draw(st.integers(10, 2000)),
                "countries": ";".join(dict.fromkeys([countries[a], countries[b]])),
                "two_way": draw(st.booleans()),
            }
        )
    return nodes, links


def load_generated(nodes, links):
    """Write and load a generated dataset (its own folder, removed afterwards; not written to the dataset cache)."""
    with tempfile.TemporaryDirectory() as tmp, option_context(cache_dir="off"):
        return corridor.load(build_dataset(Path(tmp) / "ds", nodes, links))


def check_best_is_optimal(net, last: str, objective: str, k: int) -> None:
    """The best route is never worse than an alternative and equals an independent (NetworkX) shortest path."""
    try:
        routes = net.route("n0", last, objective=objective, k=k)
    except NoRouteError:
        return
    values = [r.objective_value for r in routes]
    assert values[0] == min(values)
    assert len(routes) <= k
    view = net.at_year(2025)
    g = year_graph(view, routes[0].cargo)
    w = objective_weights(g, objective, view)
    G = nx.DiGraph()
    for a in range(g.n_arcs):
        u, v = int(g.tails[a]), int(g.indices[a])
        if not G.has_edge(u, v) or G[u][v]["w"] > w[a]:
            G.add_edge(u, v, w=float(w[a]))
    ref = nx.shortest_path_length(G, g.origin_gate["n0"], g.dest_gate[last], weight="w")
    assert values[0] == pytest.approx(ref, rel=1e-9, abs=1e-9)


def check_avoided_never_appear(net, last: str, avoid_c: set[str], avoid_m: set[str]) -> None:
    try:
        routes = net.route("n0", last, avoid_countries=avoid_c, avoid_modes=avoid_m, k=3)
    except NoRouteError:
        return
    for r in routes:
        assert not set(r.countries) & avoid_c
        assert not set(r.modes) & avoid_m
        for leg in r.legs:
            assert not set(leg.countries) & avoid_c


def check_k_routes_distinct(net, last: str, k: int) -> None:
    """Alternatives differ and share at most 60 % of the shorter one's km."""
    try:
        routes = net.route("n0", last, k=k, max_overlap=0.6)
    except NoRouteError:
        return
    seqs = [tuple(leg.ref for leg in r.legs) for r in routes]
    assert len(set(seqs)) == len(seqs)
    for i in range(len(routes)):
        for j in range(i + 1, len(routes)):
            a = {leg.ref.removesuffix("~r"): leg.length_km for leg in routes[i].legs if leg.kind == "link"}
            b = {leg.ref.removesuffix("~r"): leg.length_km for leg in routes[j].legs if leg.kind == "link"}
            shared = sum(v for key, v in a.items() if key in b)
            assert shared <= 0.6 * min(sum(a.values()), sum(b.values())) + 1e-9


def check_via_is_passed(net, last: str, via: str) -> None:
    try:
        routes = net.route("n0", last, via=[via])
    except NoRouteError:
        return
    assert via in routes[0].nodes


# One generated network serves every property: loading (validating) a dataset costs far more than routing on it.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    networks(),
    st.sampled_from(["time", "cost", "co2", "generalised"]),
    st.integers(1, 4),
    st.sets(st.sampled_from(COUNTRIES), min_size=1, max_size=3),
    st.sets(st.sampled_from(MODES), max_size=2),
)
def test_routing_properties_on_generated_networks(data, objective, k, avoid_c, avoid_m):
    nodes, links = data
    net = load_generated(nodes, links)
    last = f"n{len(nodes) - 1}"
    check_best_is_optimal(net, last, objective, k)
    check_avoided_never_appear(net, last, avoid_c, avoid_m)
    check_k_routes_distinct(net, last, max(k, 2))
    check_via_is_passed(net, last, f"n{len(nodes) // 2}")


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 60), st.integers(1, 300), st.integers(0, 2**31 - 1))
def test_dijkstra_kernel_matches_scipy(n, m, seed):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra as sp_dijkstra

    rng = np.random.default_rng(seed)
    tails = rng.integers(0, n, m)
    heads = rng.integers(0, n, m)
    w = rng.uniform(0.0, 10.0, m)
    order = np.argsort(tails, kind="stable")
    tails, heads, w = tails[order], heads[order], w[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    dist, _pred = dijkstra(indptr, heads.astype(np.int64), w, 0, engine="python")
    compiled, _pred = dijkstra(indptr, heads.astype(np.int64), w, 0, engine="numba")
    # scipy keeps the smallest of parallel arcs when built from a dense min matrix
    dense = np.full((n, n), np.inf)
    for a, b, x in zip(tails, heads, w, strict=True):
        if a != b:
            dense[a, b] = min(dense[a, b], x)
    dense[np.isinf(dense)] = 0
    ref = sp_dijkstra(csr_matrix(dense), indices=0)
    assert np.allclose(dist, ref, equal_nan=False)
    assert np.array_equal(dist, compiled)
    assert ArcKind.LINK == 0
