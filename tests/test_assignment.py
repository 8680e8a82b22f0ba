"""Flow engine: equilibrium on TNTP networks against best-known solutions, VDFs, multi-class, SO, routes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.assignment import QUEUE, AssignmentClass, assign
from corridor.assignment.tntp import run_tntp
from corridor.assignment.vdf import vdf_cost, vdf_derivative, vdf_integral, vdf_second
from corridor.data.tntp import read_tntp, read_tntp_net
from corridor.errors import DataError, NotConvergedError

TNTP = Path(__file__).resolve().parent / "data" / "tntp"  # vendored: the equilibrium tests never skip


@pytest.mark.parametrize(("algorithm", "tolerance"), [("bfw", 1e-6), ("cfw", 1e-5)])
def test_sioux_falls_matches_best_known(algorithm, tolerance):
    run = run_tntp(read_tntp(TNTP / "SiouxFalls"), algorithm=algorithm, gap=1e-5, max_iter=5000)
    assert run.result.converged and run.result.relative_gap < 1e-5
    assert run.best_objective == pytest.approx(4231335.287107, rel=1e-9)  # the README's 42.31335287107440 x 1e5
    assert abs(run.objective_rel_diff) < tolerance
    assert run.flow_correlation > 0.99999
    gaps = run.result.iterations["relative_gap"].to_numpy()
    assert gaps[-1] < gaps[0]


def test_anaheim_with_first_thru_node():
    run = run_tntp(read_tntp(TNTP / "Anaheim"), gap=1e-5)
    assert run.result.converged and abs(run.objective_rel_diff) < 5e-6
    assert run.result.unassigned_demand == 0


def test_frank_wolfe_reports_every_iteration_and_can_refuse_to_stop_early():
    t = read_tntp(TNTP / "SiouxFalls")
    r = assign(
        t.n_nodes,
        t.tails,
        t.heads,
        t.free_flow_time,
        t.capacity,
        [AssignmentClass("c", t.demand)],
        alpha=t.b,
        beta=t.power,
        algorithm="fw",
        rgap=1e-4,
        max_iter=15,
    )
    assert not r.converged and len(r.iterations) == 15
    assert list(r.iterations.columns) == ["iteration", "relative_gap", "objective", "step", "direction"]
    with pytest.raises(NotConvergedError):
        assign(
            t.n_nodes,
            t.tails,
            t.heads,
            t.free_flow_time,
            t.capacity,
            [AssignmentClass("c", t.demand)],
            alpha=t.b,
            beta=t.power,
            algorithm="fw",
            rgap=1e-6,
            max_iter=5,
            raise_if_not_converged=True,
        )


def braess():
    t = read_tntp(TNTP / "Braess-Example")
    return t


def test_system_optimum_is_never_worse_than_user_equilibrium():
    t = read_tntp(TNTP / "SiouxFalls")
    kw = dict(alpha=t.b, beta=t.power, rgap=1e-5, max_iter=3000)
    ue = assign(t.n_nodes, t.tails, t.heads, t.free_flow_time, t.capacity, [AssignmentClass("c", t.demand)], **kw)
    so = assign(
        t.n_nodes, t.tails, t.heads, t.free_flow_time, t.capacity, [AssignmentClass("c", t.demand)], system_optimum=True, **kw
    )
    kind = np.zeros(len(t.tails), dtype=np.int64)

    def tstt(x):
        return float(np.dot(x, vdf_cost(x, t.free_flow_time, t.capacity, t.b, t.power, kind, np.zeros(len(x)), np.empty(len(x)))))

    assert tstt(so.flows) < tstt(ue.flows)
    assert tstt(so.flows) > 0.95 * tstt(ue.flows)


def test_wardrop_conditions_and_route_shares_on_a_two_route_network():
    # two parallel routes 0->1 (BPR) and 0->2->1 (a queue-like port link), one OD pair
    tails, heads = np.array([0, 0, 2]), np.array([1, 2, 1])
    t0 = np.array([10.0, 4.0, 4.0])
    cap = np.array([1000.0, 800.0, 1e9])
    kind = np.array([0, QUEUE, 0])
    alpha = np.array([0.15, 0.5, 0.0])
    beta = np.array([4.0, 0.95, 4.0])
    demand = np.array([[0.0, 1500.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    r = assign(
        3,
        tails,
        heads,
        t0,
        cap,
        [AssignmentClass("box", demand)],
        alpha=alpha,
        beta=beta,
        vdf_kind=kind,
        zone_nodes=np.array([0, 1, 2]),
        rgap=1e-8,
        max_iter=2000,
        track_routes=True,
    )
    c = r.costs
    assert r.flows[0] > 0 and r.flows[1] > 0
    assert c[0] == pytest.approx(c[1] + c[2], rel=1e-5)  # both used routes cost the same
    shares = r.route_shares
    assert shares["share"].sum() == pytest.approx(1.0)
    assert set(shares["links"]) == {(0,), (1, 2)}
    for links, flow in zip(shares["links"], shares["flow"], strict=True):  # route flows rebuild link flows
        assert r.flows[links[0]] == pytest.approx(flow, rel=1e-6)


def test_multiclass_respects_allowed_links_and_shared_capacity():
    t = read_tntp(TNTP / "SiouxFalls")
    m = len(t.tails)
    banned = np.zeros(m, dtype=bool)
    banned[:10] = True
    trucks = AssignmentClass("trucks", t.demand * 0.1, pce=2.0, allowed=~banned)
    cars = AssignmentClass("cars", t.demand * 0.8)
    r = assign(t.n_nodes, t.tails, t.heads, t.free_flow_time, t.capacity, [cars, trucks], alpha=t.b, beta=t.power, rgap=1e-4)
    assert r.converged
    assert np.all(r.class_flows["trucks"][banned] == 0)
    assert np.allclose(r.flows, r.class_flows["cars"] + 2.0 * r.class_flows["trucks"])


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(0.1, 5.0), st.floats(0.01, 2.0), st.sampled_from([0, 1]))
def test_vdf_derivatives_and_integral_are_consistent(rho, t0, a, kind):
    cap = 100.0
    b = 4.0 if kind == 0 else 0.9
    x = np.array([rho * cap])
    args = (np.array([t0]), np.array([cap]), np.array([a]), np.array([b]), np.array([kind], dtype=np.int64))
    h = 1e-4 * cap
    cost = lambda v: vdf_cost(np.array([v]), *args, np.zeros(1), np.empty(1))[0]  # noqa: E731
    der = vdf_derivative(x, *args, np.empty(1))[0]
    assert der == pytest.approx((cost(x[0] + h) - cost(max(x[0] - h, 0))) / (x[0] + h - max(x[0] - h, 0)), rel=1e-3, abs=1e-6)
    integ = lambda v: vdf_integral(np.array([v]), *args, np.zeros(1))  # noqa: E731
    assert (integ(x[0] + h) - integ(x[0])) / h == pytest.approx(cost(x[0] + h / 2), rel=1e-3)
    assert vdf_second(x, *args, np.empty(1))[0] >= 0


def test_queue_vdf_grows_sharply_near_capacity_and_stays_finite_beyond():
    args = (np.array([10.0]), np.array([100.0]), np.array([0.5]), np.array([0.95]), np.array([QUEUE], dtype=np.int64))
    costs = [vdf_cost(np.array([x]), *args, np.zeros(1), np.empty(1))[0] for x in (0, 50, 90, 99, 150)]
    assert costs[0] == 10.0 and costs[1] < costs[2] < costs[3] < costs[4] < np.inf
    assert costs[3] - costs[2] > 5 * (costs[1] - costs[0])


def test_bad_inputs_are_named():
    with pytest.raises(DataError, match="capacity"):
        assign(2, [0], [1], np.array([1.0]), np.array([-5.0]), [AssignmentClass("c", np.zeros((2, 2)))])
    with pytest.raises(DataError, match=r"c\[0,1\]"):
        assign(2, [0], [1], np.array([1.0]), np.array([5.0]), [AssignmentClass("c", np.array([[0, -1.0], [0, 0]]))])
    with pytest.raises(DataError, match="algorithm"):
        assign(2, [0], [1], np.array([1.0]), np.array([5.0]), [AssignmentClass("c", np.zeros((2, 2)))], algorithm="msa")


def test_broken_tntp_line_names_file_and_line(tmp_path: Path):
    src = (TNTP / "SiouxFalls" / "SiouxFalls_net.tntp").read_text().splitlines()
    idx = next(i for i, line in enumerate(src) if line.strip().startswith("1\t2") or line.strip().startswith("1 "))
    src[idx] = "\t1\t2\tlots\t6\t6\t0.15\t4\t0\t0\t1\t;"
    src[idx + 3] = "\t1\t99\t100\t6\t6\t0.15\t4\t0\t0\t1\t;"
    (tmp_path / "Broken_net.tntp").write_text("\n".join(src))
    with pytest.raises(DataError) as info:
        read_tntp_net(tmp_path / "Broken_net.tntp")
    text = str(info.value)
    assert f"Broken_net.tntp:{idx + 1}" in text and "capacity" in text and "lots" in text
    assert f"Broken_net.tntp:{idx + 4}" in text and "node numbers 1..24" in text


def test_a_queue_lasting_the_period_prices_flow_beyond_capacity():
    """Two parallel links: a queue of capacity 100 (free cost 1) and an uncongested detour (cost 30), 150 units.

    The static queue function lets the short link run at v/c 1.0475 (where its linear branch reaches 30); a queue
    that lasts the period adds 1000 x (v/c - 1) beyond capacity, so it settles at v/c 1.00792 (1200 v/c = 1209.5).
    """
    demand = np.array([[0.0, 150.0], [0.0, 0.0]])
    common = dict(alpha=np.array([0.5, 0.0]), beta=np.array([0.95, 4.0]), vdf_kind=np.array([QUEUE, 0]), rgap=1e-9)
    args = (2, [0, 0], [1, 1], np.array([1.0, 30.0]), np.array([100.0, 0.0]), [AssignmentClass("c", demand)])
    static = assign(*args, **common)
    period = assign(*args, over_capacity_cost=np.array([1000.0, 0.0]), **common)
    assert static.flows[0] == pytest.approx(104.75, rel=1e-4)
    assert period.flows[0] == pytest.approx(100.0 * 1209.5 / 1200.0, rel=1e-4)
    assert period.costs[0] == pytest.approx(30.0, rel=1e-4) and period.flows.sum() == pytest.approx(150.0)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(0.0, 500.0))
def test_over_capacity_cost_derivative_and_integral_are_consistent(rho, over):
    from corridor.assignment.vdf import over_capacity_cost

    cap, h = np.array([100.0]), 1e-3
    x = np.array([rho * 100.0])

    def part(v: float, i: int) -> float:
        return float(np.sum(over_capacity_cost(np.array([v]), cap, np.array([over]))[i]))

    assert part(x[0], 0) == pytest.approx(over * max(rho - 1.0, 0.0))
    if abs(rho - 1.0) > 1e-3:
        assert part(x[0], 1) == pytest.approx((part(x[0] + h, 0) - part(x[0] - h, 0)) / (2 * h), rel=1e-3, abs=1e-9)
    assert (part(x[0] + h, 2) - part(x[0], 2)) / h == pytest.approx(part(x[0] + h / 2, 0), rel=1e-3, abs=1e-6)
