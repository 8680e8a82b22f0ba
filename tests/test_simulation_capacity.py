"""Capacities that change during a year (``valid_from``), the simulation's route choice within the capacities it
simulates, and planned rows without an opening year kept out of the observed years."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import simpy
from simulation_helpers import yard_starts

from corridor.data.operations import read_operations
from corridor.data.scenario_files import read_scenario
from corridor.scenarios.operating_capacity import SLOT_LIMITED, lowest_in_year, mean_train_t, operating_view
from corridor.simulation import Operations
from corridor.simulation.facilities import SlotGate
from corridor.simulation.load import offered_load

SEP_30_H = (pd.Timestamp("2025-09-30") - pd.Timestamp("2025-01-01")).total_seconds() / 3600.0


def _row(param_id: str, year: int, value: float, valid_from: object = None) -> dict:
    return {
        "param_id": param_id,
        "facility": "kz_dostyk_moyinty",
        "parameter": "line_trains_per_day",
        "year": year,
        "valid_from": valid_from,
        "value": value,
        "value_high": None,
        "distribution": "fixed",
        "cv": None,
        "unit": "train pairs/day",
        "kind": "sourced",
        "quote": "q",
        "reason": "",
    }


def test_a_dated_row_takes_effect_on_its_day_and_the_earlier_value_holds_until_then():
    # file order puts the dated row last: it must still not replace the 1 January value
    table = pd.DataFrame([_row("a", 2024, 12), _row("b", 2025, 12), _row("c", 2025, 60, "2025-09-30")])
    ops = Operations(table, 2025)
    assert ops.value("kz_dostyk_moyinty", "line_trains_per_day") == 12
    assert ops.changes("kz_dostyk_moyinty", "line_trains_per_day") == [(pytest.approx(SEP_30_H), 60.0)]
    assert "kz_dostyk_moyinty.line_trains_per_day@2025-09-30" in ops.used
    # the next year starts with the dated value; an override replaces the whole year
    assert Operations(table, 2026).value("kz_dostyk_moyinty", "line_trains_per_day") == 60
    assert Operations(table, 2026).changes("kz_dostyk_moyinty", "line_trains_per_day") == []
    overridden = Operations(table, 2025, {"kz_dostyk_moyinty.line_trains_per_day": 30})
    assert overridden.changes("kz_dostyk_moyinty", "line_trains_per_day") == []
    assert lowest_in_year(ops, "kz_dostyk_moyinty", "line_trains_per_day") == 12


def test_a_gate_serves_at_the_new_rate_from_the_day_its_capacity_changes():
    env = simpy.Environment()
    gate = SlotGate(env, "line", "line", "a", lambda t, teu: 2.0, changes=[(10.0, lambda t, teu: 0.5)])
    starts = []

    def train():
        wait = gate.admit(1000.0, 100.0)
        starts.append(env.now + wait)
        yield env.timeout(0)

    for _ in range(10):
        env.process(train())
    env.run(until=1)
    # 2 h slots until hour 10 (0, 2, 4, 6, 8), then 0.5 h slots (10, 10.5, ...)
    assert starts == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 10.5, 11.0, 11.5, 12.0]


def test_a_yard_gate_with_a_dated_rate_keeps_its_tracks():
    env = simpy.Environment()
    gate = SlotGate(env, "y", "yard_gate", "y", lambda t, teu: 4.0, changes=[(8.0, lambda t, teu: 1.0)])
    assert yard_starts(env, gate, tracks=1, processing_h=0.5, trains=5) == [0.0, 4.0, 8.0, 9.0, 10.0]


def test_the_shipped_dostyk_moyinty_line_doubles_on_30_september_2025(net):
    ops = Operations(read_operations(), 2025)
    assert ops.value("kz_dostyk_moyinty", "line_trains_per_day") == 12
    assert ops.changes("kz_dostyk_moyinty", "line_trains_per_day") == [(pytest.approx(SEP_30_H), 60.0)]
    # 2024 has no change; 2026 runs at 60 all year
    assert Operations(read_operations(), 2024).changes("kz_dostyk_moyinty", "line_trains_per_day") == []
    assert Operations(read_operations(), 2026).value("kz_dostyk_moyinty", "line_trains_per_day") == 60


def test_offered_load_weighs_each_capacity_by_the_share_of_the_year_it_holds(net):
    from corridor.scenarios.simulation import scenario_trains
    from corridor.simulation import build_plan, network_ids

    sc = read_scenario("base")
    trains = scenario_trains(net, sc, 2025, probes=False)
    view = sc.network_for(net, 2025)
    plan = build_plan(view, trains.routes, read_operations(), days=5, known_facilities=network_ids(net))
    gate = next(g for g in plan.gates.values() if g["facility_id"] == "kz_dostyk_moyinty")
    assert gate["trains_per_day"] == 12 and gate["changes"] == [(pytest.approx(SEP_30_H), {"trains_per_day": 60.0})]
    load = offered_load(plan)
    line = load[load["facility_id"] == "kz_dostyk_moyinty"]
    # demand counts 2 h of slot a train until 30 September and 0.4 h after it; capacity is the year's slot hours
    share = SEP_30_H / 8760.0
    trains = sum(
        route.trains_per_year
        for route, stages in zip(plan.routes, plan.stages, strict=True)
        for st in stages
        if st.kind == "gate" and plan.gates[st.facility]["facility_id"] == "kz_dostyk_moyinty"
    )
    assert trains > 0
    assert line["demand_per_year"].sum() == pytest.approx(trains * (share * 2.0 + (1 - share) * 0.4))
    assert set(line["capacity_per_year"]) == {8760.0}
    # route choice saw the line's slots: over the year (12 pairs a day until 30 September, 60 after) it plans no
    # more trains than they take in either direction (1.68x and 1.39x when the equilibrium had no capacity on it)
    assert (line["load_ratio"] <= 1.0).all()


def test_route_choice_sees_the_line_and_yard_capacities_the_simulation_runs_on(net):
    sc = read_scenario("base")
    view = sc.network_for(net, 2025)
    ops = Operations(read_operations(), 2025)
    routed = operating_view(view, ops, 2000.0, 112.5, wagons_per_train=40.0)
    line = routed.links[routed.links["base_id"] == "kz_dostyk_moyinty"]
    # the lowest capacity in force during 2025 (12 pairs a day until 30 September) x 365 x 2,000 t
    assert list(line["capacity_t_per_year"]) == pytest.approx([12 * 365 * 2000.0] * len(line)) and len(line) > 0
    assert line[SLOT_LIMITED].all() and not routed.links.loc[routed.links["base_id"] == "kz_zhetygen_almaty", SLOT_LIMITED].any()
    # Altynkol: 20 trains a day x 112.5 TEU x 365, below its 5,000 TEU a day
    assert routed.nodes.loc["altynkol", "capacity_teu_per_year"] == pytest.approx(20 * 112.5 * 365)
    # Dostyk's container yard takes the simulation's figure; its bulk lane (tonnes less the container terminal)
    # stays the one the simulation runs on
    teu = routed.nodes.loc["dostyk", "capacity_teu_per_year"]
    assert teu <= min(14 * 112.5, 1380.82) * 365 + 1e-6 and teu != view.nodes.loc["dostyk", "capacity_teu_per_year"]

    def lane(nodes: pd.DataFrame) -> float:
        return float(nodes.loc["dostyk", "capacity_t_per_year"]) - float(nodes.loc["dostyk", "capacity_teu_per_year"]) * 10.0

    assert lane(routed.nodes) == pytest.approx(lane(view.nodes))
    # a vessel line with its own fleet: Lake Van's two 50-wagon ferries on a 12 h timetable, 36,500 wagons a
    # direction, x the 2,000 t train / 40 wagons of the call
    van = routed.links[routed.links["base_id"] == "tr_van_tatvan_ferry"]
    assert list(van["capacity_t_per_year"]) == pytest.approx([36_500 * 2000.0 / 40] * 2)
    # never raised: a huge train leaves a line's tonnes as the network has them where it has its own
    tbilisi = routed.links[routed.links["base_id"] == "ge_tbilisi_poti"]
    own = view.links[view.links["base_id"] == "ge_tbilisi_poti"]["capacity_t_per_year"]
    for got, had in zip(tbilisi["capacity_t_per_year"], own, strict=True):
        had = float(had) if pd.notna(had) else math.inf
        assert float(got) <= had
    # the year view itself is untouched
    assert SLOT_LIMITED not in view.links.columns


def test_mean_train_tonnes_weighs_container_and_bulk_trains():
    per = {"container": 1000.0, "bulk": 4000.0}
    assert mean_train_t({"container": 1000.0, "bulk": 4000.0}, per) == pytest.approx(5000.0 / 2)
    assert mean_train_t({}, per) == 4000.0


def test_planned_rows_without_an_opening_year_stay_shut_in_the_observed_years(net):
    undated = net.parameter("undated_projects_from_year")
    assert undated == 2026
    for year, open_ in ((2024, False), (2025, False), (2026, True), (2030, True)):
        view = net.at_year(year, include_planned=True)
        assert ("rail_jeminay_tugyl" in set(view.links["base_id"])) is open_, year
    # dated planned rows keep their own year, and without planned projects nothing planned is open
    assert "rail_jeminay_tugyl" not in set(net.at_year(2030).links["base_id"])
