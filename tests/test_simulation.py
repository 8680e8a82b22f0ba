"""Operations simulation: process-level behaviour (ferries, storms, yards, borders), conservation, determinism,
executors and bad input. Small horizons keep it fast."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import simpy
from simulation_helpers import yard_starts

from corridor.data.operations import read_operations
from corridor.errors import DataError
from corridor.scenarios.simulation import hops_of, run_replications
from corridor.simulation import COMPONENTS, Dist, TrafficRoute, build_plan, network_ids, run_plan, run_replication
from corridor.simulation.facilities import Port, VesselLine, Yard, month_of

YEAR = 2025


# ----------------------------------------------------------------------------- facilities on their own
def _line(
    env: simpy.Environment, *, full: bool, capacity: int = 10, headway: float = 24.0, fleet: int = 1, origin: Port | None = None
) -> VesselLine:
    rng = np.random.default_rng(0)
    a = origin or Port(env, "a", rng, None, None)
    b = Port(env, "b", rng, None, None)
    return VesselLine(
        env,
        "line",
        origin=a,
        dest=b,
        berths_origin=simpy.Resource(env, 1),
        berths_dest=simpy.Resource(env, 1),
        capacity=capacity,
        fleet=fleet,
        berth=Dist("fixed", 1.0),
        crossing=Dist("fixed", 5.0),
        leave_when_full=full,
        max_hold_h=100.0,
        headway_h=headway,
        rng=rng,
    )


def _hand_over(env: simpy.Environment, line: VesselLine, at: float, units: int, done: list) -> None:
    def proc():
        yield env.timeout(at)
        lot = yield from line.ship(units)
        done.append((units, env.now, lot.parts["load_start"]))

    env.process(proc())


def test_ferry_leaves_as_soon_as_it_is_full():
    env = simpy.Environment()
    line = _line(env, full=True)
    done: list = []
    _hand_over(env, line, 0.0, 4, done)
    _hand_over(env, line, 2.0, 6, done)
    env.run(until=50)
    assert line.sailings[0] == (2.0, 10)  # full at t=2, long before the 100 h hold ends
    assert sorted(done) == [(4, 9.0, 2.0), (6, 9.0, 2.0)]  # load 1 h + cross 5 h + unload 1 h


def test_ferry_that_waits_for_cargo_sails_part_full_after_its_longest_hold():
    env = simpy.Environment()
    line = _line(env, full=True)
    done: list = []
    _hand_over(env, line, 0.0, 4, done)
    env.run(until=200)
    assert line.sailings == [(100.0, 4)]
    assert done == [(4, 107.0, 100.0)]


def test_timetabled_ferry_leaves_on_schedule_and_splits_a_train_that_does_not_fit():
    env = simpy.Environment()
    line = _line(env, full=False, headway=24.0)
    done: list = []
    _hand_over(env, line, 3.0, 2, done)  # leaves at the 24 h slot, not full
    _hand_over(env, line, 30.0, 15, done)  # 10 at 48 h, the other 5 at 72 h
    env.run(until=200)
    assert line.sailings[:4] == [(0, 0), (24.0, 2), (48.0, 10), (72.0, 5)]  # a timetable sails even when empty
    assert (2, 31.0, 24.0) in done and (15, 79.0, 72.0) in done  # a train is through when its last wagon is


def test_storm_closes_and_reopens_a_port_and_ships_wait_for_it():
    env = simpy.Environment()
    port = Port(env, "kuryk", np.random.default_rng(3), lambda month: 0.5, Dist("fixed", 1.0))
    line = _line(env, full=True, capacity=1, origin=port)
    departures: list[float] = []
    for i in range(40):
        _hand_over(env, line, 10.0 * i, 1, departures)
    probes: list[tuple[bool, float, float]] = []

    def watch():
        while env.now < 2000:
            yield env.timeout(7.0)
            if not port.open:
                start = env.now
                yield from port.wait_open()
                probes.append((port.open, start, env.now))

    env.process(watch())
    env.run(until=2000)
    assert port.closures, "a 50% closure share must close the port"
    assert probes and all(is_open for is_open, _, _ in probes)
    for _, start, end in probes:  # the watcher resumed exactly at the end of the closure it was in
        assert any(a <= start < b and math.isclose(end, b) for a, b in port.closures)
    closed_h = sum(b - a for a, b in port.closures if b <= 2000)
    assert 0.3 < closed_h / 2000 < 0.7
    for _units, _t, load_start in departures:  # no loading starts while the port is closed
        assert not any(a < load_start < b for a, b in port.closures)


def test_a_ferry_waiting_for_wagons_does_not_hold_a_berth_another_line_needs():
    env = simpy.Environment()
    rng = np.random.default_rng(0)
    a, b = Port(env, "a", rng, None, None), Port(env, "b", rng, None, None)
    berths_a, berths_b = simpy.Resource(env, 1), simpy.Resource(env, 1)  # one ferry berth at each end

    def ferry(origin: Port, dest: Port, bo: simpy.Resource, bd: simpy.Resource) -> VesselLine:
        kw = {"capacity": 10, "fleet": 1, "berth": Dist("fixed", 1.0), "crossing": Dist("fixed", 5.0)}
        return VesselLine(
            env, "x", origin=origin, dest=dest, berths_origin=bo, berths_dest=bd, leave_when_full=True,
            max_hold_h=100.0, headway_h=24.0, rng=rng, **kw,
        )  # fmt: skip

    westbound, eastbound = ferry(a, b, berths_a, berths_b), ferry(b, a, berths_b, berths_a)
    done: list = []
    _hand_over(env, westbound, 0.0, 10, done)  # a full load at a; nothing waits at b for the eastbound ferry
    env.run(until=50)
    assert done == [(10, 7.0, 0.0)]  # load 1 h + cross 5 h + unload 1 h: b's berth was free
    assert eastbound.sailings == []  # and the eastbound ferry, with no wagons, has not sailed


def test_month_of_follows_the_calendar():
    assert month_of(0) == 1 and month_of(31 * 24 - 0.1) == 1 and month_of(31 * 24) == 2 and month_of(8759) == 12
    assert month_of(8760 + 1) == 1


def test_gauge_change_yard_never_exceeds_its_tracks():
    env = simpy.Environment()
    yard = Yard(env, "dostyk", 2, Dist("uniform", 3.0, 7.0), None, np.random.default_rng(0))
    finished: list[float] = []

    def train(at: float):
        yield env.timeout(at)
        yield from yard.process(1000.0, 100.0)
        finished.append(env.now)

    for i in range(9):
        env.process(train(0.0 if i < 6 else 12.0))
    env.run(until=200)
    assert len(finished) == 9
    edges = sorted([(a, 1) for a, _ in yard.intervals] + [(b, -1) for _, b in yard.intervals])
    running, most = 0, 0
    for _, step in edges:  # ends sort before starts at the same instant
        running += step
        most = max(most, running)
    assert most == 2 and yard.busy_max == 2
    assert yard.monitor.queue_max == 4  # six trains at once: two start, four wait
    assert max(finished) == pytest.approx(max(b for _, b in yard.intervals))


def test_gauge_change_yard_keeps_its_daily_train_limit():
    env = simpy.Environment()
    from corridor.simulation.facilities import SlotGate

    gate = SlotGate(env, "dostyk", "yard_gate", "dostyk", lambda t, teu: 24.0 / 12)  # 12 trains a day
    starts = yard_starts(env, gate, tracks=4, processing_h=1.0, trains=24)
    assert starts == [2.0 * i for i in range(24)]  # one every two hours despite four free tracks


# ------------------------------------------------------------------------------- the corridor model
@pytest.fixture(scope="module")
def ops() -> pd.DataFrame:
    return read_operations()


@pytest.fixture(scope="module")
def routes(net) -> list[TrafficRoute]:
    out = []
    for r in net.compare("xian", "duisburg", year=YEAR):
        if r.route is not None and r.corridor_id in ("middle_btk", "northern", "middle_black_sea"):
            out.append(
                TrafficRoute(
                    f"t:{r.corridor_id}", r.corridor_id, r.route.origin, r.route.destination, "container", hops_of(r.route), 400.0
                )
            )
    return out


@pytest.fixture(scope="module")
def plan(net, routes, ops):
    return build_plan(net.at_year(YEAR), routes, ops, days=40, trace=True, known_facilities=network_ids(net))


def test_every_train_is_delivered_or_still_travelling_and_its_hours_add_up(plan):
    rep = run_replication(plan, 11, 0)
    delivered = [t[0] for t in rep.trains]
    assert rep.created > 50
    assert sorted(delivered + rep.in_flight) == list(range(1, rep.created + 1))
    for t in rep.trains:
        _, _, created, arrived, _, *comp = t
        assert len(comp) == len(COMPONENTS)
        assert min(comp) >= 0
        assert math.isclose(sum(comp), arrived - created, rel_tol=1e-9, abs_tol=1e-6)


def test_a_train_passes_every_border_of_its_route_in_order(plan, routes, net):
    rep = run_replication(plan, 5, 0)
    kinds = net.nodes["kind"]
    expected = [[h.to_node for h in r.hops if h.kind == "link" and kinds.get(h.to_node) == "border_crossing"] for r in routes]
    assert all(expected), "every test route crosses borders"
    for tid, route_idx, *_ in rep.trains:
        assert rep.borders[tid] == expected[route_idx]


def test_same_seed_same_result_and_another_seed_differs(plan):
    a = run_plan(plan, replications=2, seed=7)
    b = run_plan(plan, replications=2, seed=7)
    c = run_plan(plan, replications=2, seed=8)
    # identical to the last bit, not merely close: every table a result gives
    for frame in ("trains", "facilities"):
        pd.testing.assert_frame_equal(getattr(a, frame), getattr(b, frame), check_exact=True)
    for frame in ("corridors_frame", "components_frame", "queues_frame"):
        pd.testing.assert_frame_equal(getattr(a, frame)(), getattr(b, frame)(), check_exact=True)
    assert not a.trains["door_to_door_h"].equals(c.trains["door_to_door_h"])


def test_local_processes_and_ray_give_identical_results(net, routes, ops):
    pytest.importorskip("ray")
    small = build_plan(net.at_year(YEAR), routes[:1], ops, days=15, known_facilities=network_ids(net))
    local = run_plan(small, replications=2, seed=3)
    pool = run_replications(small, replications=2, seed=3, workers=2)
    ray_run = run_replications(small, replications=2, seed=3, use_ray=True, workers=2)
    assert (pool.executor, ray_run.executor) == ("processes", "ray")
    for other in (pool, ray_run):
        pd.testing.assert_frame_equal(local.trains, other.trains)
        pd.testing.assert_frame_equal(local.facilities, other.facilities)


def test_result_tables_cover_corridors_components_and_queues(plan):
    res = run_plan(plan, replications=1, seed=1)
    cf = res.corridors_frame()
    assert set(cf["corridor_id"]) == {"middle_btk", "northern", "middle_black_sea"}
    assert (cf["p10_days"] <= cf["p50_days"]).all() and (cf["p50_days"] <= cf["p90_days"]).all()
    assert (cf["p90_days"] <= cf["p99_days"]).all()
    comp = res.components_frame()
    assert set(comp["component"]) == set(COMPONENTS)
    northern = comp[comp["corridor_id"] == "northern"].set_index("component")["mean_h"]
    assert northern["border"] >= 48.0  # Małaszewicze's cited 2-5 day wait
    assert northern["slot_wait"] == 0.0  # no ferry or feeder on the northern route
    q = res.queues_frame()
    assert {"gauge_change", "vessel_line", "weather", "window"} <= set(q["kind"])
    assert (q.loc[q["kind"] == "gauge_change", "tracks_max_in_use"] <= q.loc[q["kind"] == "gauge_change", "tracks"]).all()
    kinds = set(res.assumptions["kind"])
    assert {"sourced", "assumption"} <= kinds
    assert res.assumptions.loc[res.assumptions["kind"] == "assumption", "reason"].str.len().gt(0).all()
    monthly = res.monthly_frame()
    assert set(monthly["month"]) <= set(range(1, 13)) and monthly["trains"].sum() == pytest.approx(cf["trains"].sum())
    gj = res.to_geojson()
    assert gj["features"] and all(f["geometry"]["type"] == "Point" for f in gj["features"])


# ---------------------------------------------------------------------------------------- bad input
def test_negative_capacity_is_rejected_naming_the_field(net, routes, ops):
    bad = ops.copy()
    bad.loc[bad["param_id"] == "dostyk_tracks", "value"] = -2.0
    with pytest.raises(DataError, match=r"dostyk_tracks\.value.*-2\.0.*>= 0"):
        build_plan(net.at_year(YEAR), routes, bad, days=5, known_facilities=network_ids(net))


def test_unknown_facility_is_rejected_naming_it(net, routes, ops):
    extra = pd.concat([ops, ops[ops["param_id"] == "dostyk_tracks"].assign(param_id="x", facility="atlantis")])
    with pytest.raises(DataError, match=r"x\.facility.*atlantis"):
        build_plan(net.at_year(YEAR), routes, extra, days=5, known_facilities=network_ids(net))
    with pytest.raises(DataError, match=r"atlantis"):
        build_plan(net.at_year(YEAR), routes, ops, days=5, overrides={"atlantis.fleet": 2}, known_facilities=network_ids(net))


def test_zero_ferries_on_a_line_that_traffic_needs_is_rejected(net, routes, ops):
    with pytest.raises(DataError, match=r"feeder_aktau_baku\.fleet.*0.*at least 1 vessel"):
        build_plan(
            net.at_year(YEAR), routes, ops, days=5, overrides={"feeder_aktau_baku.fleet": 0}, known_facilities=network_ids(net)
        )
    with pytest.raises(DataError, match=r"days"):
        build_plan(net.at_year(YEAR), routes, ops, days=0, known_facilities=network_ids(net))
    with pytest.raises(DataError, match=r"trains_per_year"):
        bad = [TrafficRoute("neg", "middle_btk", "xian", "duisburg", "container", routes[0].hops, -1.0)]
        build_plan(net.at_year(YEAR), bad, ops, days=5, known_facilities=network_ids(net))


def test_a_fixed_closure_shuts_the_port_for_its_days_and_overlapping_storms_count_once():
    env = simpy.Environment()
    port = Port(env, "aktau", np.random.default_rng(1), lambda month: 0.4, Dist("fixed", 2.0), closure=(1.0, 2.0))
    resumed: list[float] = []

    def ship():
        yield env.timeout(30.0)  # inside the fixed closure (24 h - 72 h)
        yield from port.wait_open()
        resumed.append(env.now)

    env.process(ship())
    env.run(until=24 * 60)
    assert (24.0, 72.0) in port.closures
    assert resumed and resumed[0] >= 72.0
    assert not any(a < resumed[0] < b for a, b in port.closures)
    covered = port.closed_overlap(0.0, 24 * 60)
    assert covered <= sum(b - a for a, b in port.closures) + 1e-9
    assert covered >= 48.0
