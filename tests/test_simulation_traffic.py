"""A scenario's demand as trains: each row on its own assignment paths (container vs bulk trains), what is not a
train listed with its tonnes, and the calibrated ``base`` scenario conserving trains and repeating by seed."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from corridor.assignment.freight import assign_freight, class_key
from corridor.data.operations import read_operations
from corridor.data.scenario_files import read_scenario
from corridor.model import CargoClass
from corridor.model.scenario import Demand
from corridor.scenarios.simulation import scenario_trains, simulate_scenario
from corridor.scenarios.traffic import tonnes_per_train
from corridor.simulation import Operations

YEAR = 2025
TITR = ("RU", "BY", "IR")


@pytest.fixture(scope="module")
def rows_scenario():
    """Five rows: Middle Corridor containers, Kazakh ore to China, oil products to the Black Sea, crude, ocean boxes."""
    rows = (
        Demand("box", "xian", "ankara", {YEAR: 1_125_000.0}, avoid_countries=TITR, cargo_class=CargoClass.CONTAINER),
        Demand("ore", "karaganda", "xian", {YEAR: 3_087_500.0}, cargo_class=CargoClass.DRY_BULK),
        Demand("products", "atyrau", "constanta", {YEAR: 300_000.0}, cargo_class=CargoClass.LIQUID_BULK),
        Demand("crude", "atyrau", "samara", {YEAR: 5_000_000.0}, cargo_class=CargoClass.LIQUID_BULK, commodity="crude"),
        Demand("ocean", "shanghai", "rotterdam", {YEAR: 2_000_000.0}, cargo_class=CargoClass.CONTAINER),
    )
    return dataclasses.replace(read_scenario("china_europe_titr"), name="rows", demand=rows, energy=None)


@pytest.fixture(scope="module")
def rows_trains(net, rows_scenario):
    return scenario_trains(net, rows_scenario, YEAR, probes=False)


@pytest.fixture(scope="module")
def per_train(net):
    return tonnes_per_train(net.at_year(YEAR), Operations(read_operations(), YEAR))


def test_assignment_gives_each_od_its_paths_and_their_flows(net, rows_scenario):
    view = rows_scenario.network_for(net, YEAR)
    fr = assign_freight(view, rows_scenario.demand, YEAR)
    p = fr.paths
    box = p[(p["class"] == class_key("container", TITR)) & (p["origin"] == "xian") & (p["destination"] == "ankara")]
    assert len(box) >= 1 and math.isclose(box["flow_t_per_year"].sum(), 1_125_000.0, rel_tol=1e-6)
    assert math.isclose(box["share_fraction"].sum(), 1.0, rel_tol=1e-9)
    assert set(box["corridor"]) == {"Middle Corridor via BTK and Istanbul"}
    # the corridor shares are the sums of the classified paths
    shares = fr.shares.set_index("corridor")["flow_t_per_year"]
    assert math.isclose(shares.sum(), p["flow_t_per_year"].sum(), rel_tol=1e-9)


def test_each_row_becomes_trains_on_its_own_od_with_its_tonnes(rows_trains, per_train):
    by_row: dict[str, list] = {}
    for r in rows_trains.routes:
        by_row.setdefault(r.route_id.split(":")[0], []).append(r)
    box, ore = by_row["box"], by_row["ore"]
    assert {(r.origin, r.destination, r.cargo, r.corridor_id) for r in box} == {("xian", "ankara", "container", "middle_btk")}
    assert math.isclose(sum(r.trains_per_year for r in box) * per_train["container"], 1_125_000.0, rel_tol=1e-9)
    assert {(r.origin, r.destination, r.cargo) for r in ore} == {("karaganda", "xian", "dry_bulk")}
    assert math.isclose(sum(r.trains_per_year for r in ore) * per_train["bulk"], 3_087_500.0, rel_tol=1e-9)
    assert per_train["container"] != per_train["bulk"]  # TEU per train vs wagons x t per wagon
    # oil products travel in tank wagons: bulk trains, which end at the Georgian port the sea leg leaves from
    products = by_row["products"]
    assert {r.cargo for r in products} == {"liquid_bulk"} and {r.destination for r in products} <= {"poti", "batumi"}
    assert all(h.mode not in ("sea", "river") for r in products for h in r.hops[-1:])


def test_flows_that_are_not_trains_are_listed_with_their_tonnes(rows_trains):
    ns = rows_trains.not_simulated.set_index("demand_id")
    assert "crude" not in {r.route_id.split(":")[0] for r in rows_trains.routes}
    assert ns.loc["crude", "t_per_year"] == 5_000_000.0 and "pipeline" in ns.loc["crude", "reason"]
    ocean = rows_trains.not_simulated[rows_trains.not_simulated["demand_id"] == "ocean"]
    assert ocean["t_per_year"].sum() == pytest.approx(2_000_000.0) and ocean["reason"].str.contains("sea").all()
    products = rows_trains.not_simulated[rows_trains.not_simulated["demand_id"] == "products"]
    assert products["reason"].str.startswith("sea leg").all()


# ------------------------------------------------------------------------------------------ the base scenario
@pytest.fixture(scope="module")
def base_trains(net):
    return scenario_trains(net, read_scenario("base"), YEAR)


@pytest.fixture(scope="module")
def base_60(net, base_trains):
    return simulate_scenario(net, "base", YEAR, days=60, replications=1, seed=7)


def test_base_trains_carry_the_assigned_tonnes_of_every_row(net, base_trains, per_train):
    sc = read_scenario("base")
    demand = sum(d.at(YEAR) for d in sc.demand)
    ns = base_trains.not_simulated
    left = ns[~ns["reason"].str.startswith("sea leg")]["t_per_year"].sum()  # energy cases carry no tonnes here
    carried = sum(
        r.trains_per_year * per_train["container" if r.cargo == "container" else "bulk"]
        for r in base_trains.routes
        if r.source == "scenario"
    )
    assert math.isclose(carried + left, demand, rel_tol=1e-6)
    scen = [r for r in base_trains.routes if r.source == "scenario"]
    assert {r.corridor_id for r in scen} >= {"northern", "middle_btk", "middle_black_sea", "southern", "other"}
    assert {r.cargo for r in scen} == {"container", "dry_bulk", "liquid_bulk"}
    # Kazakh ore to China runs Karaganda -> Xi'an, not on a China-EU route
    ore = [r for r in scen if r.route_id.startswith("kz_cn_metals_2024:")]
    assert ore and all((r.origin, r.destination) == ("karaganda", "xian") for r in ore)
    # the probe trains of the default pair still run on every compared corridor
    probes = {r.corridor_id for r in base_trains.routes if r.source == "probe"}
    assert {"middle_btk", "middle_black_sea", "northern", "southern", "sea_suez"} <= probes


def test_base_conserves_trains_and_delivers_middle_corridor_containers(base_60):
    res = base_60
    delivered = int(res.trains["delivered_h"].notna().sum())
    assert res.generated == delivered + res.in_system
    body = res.to_dict()
    assert body["trains_generated"] == body["trains_delivered"] + body["trains_in_system_at_end"]
    cf = res.corridors_frame().set_index("corridor_id")
    assert cf.loc["middle_btk", "trains"] > 0  # Xi'an -> Duisburg containers arrive on the Middle Corridor
    # per corridor and cargo, delivered trains follow the planned ones (assigned tonnes / tonnes per train)
    tb = res.trains_by_corridor().set_index(["corridor_id", "cargo"])
    big = tb[tb["planned_trains_per_year"] > 500]
    ratio = big["delivered_trains_per_year"] / big["planned_trains_per_year"]
    assert ((ratio > 0.5) & (ratio < 1.5)).all(), ratio
    # what the year's trains ask of each facility is on the result, and the over-capacity ones are named
    assert {"facility_id", "load_ratio"} <= set(res.offered_load.columns)
    assert set(res.over_capacity()["facility_id"]) <= set(res.offered_load["facility_id"])


def test_base_same_seed_same_trains_another_seed_differs(net, base_trains):
    a = simulate_scenario(net, "base", YEAR, days=15, replications=1, seed=3)
    b = simulate_scenario(net, "base", YEAR, days=15, replications=1, seed=3)
    c = simulate_scenario(net, "base", YEAR, days=15, replications=1, seed=4)
    pd.testing.assert_frame_equal(a.trains, b.trains)
    assert a.generated == b.generated and a.in_system == b.in_system
    assert not a.trains["door_to_door_h"].equals(c.trains["door_to_door_h"])


def test_plan_borders_only_where_the_country_changes_and_yards_per_direction_and_lane(net, base_trains):
    from corridor.simulation import build_plan, network_ids

    view = read_scenario("base").network_for(net, YEAR)
    plan = build_plan(view, base_trains.routes, read_operations(), days=10, known_facilities=network_ids(net))
    stages = {r.route_id: s for r, s in zip(plan.routes, plan.stages, strict=True)}

    def borders(prefix: str) -> list[tuple[str, str]]:
        rid = next(k for k in stages if k.startswith(prefix))
        return [(st.facility, st.yard) for st in stages[rid] if st.kind == "border"]

    # Kazakh grain to Uzbekistan stays inside Kazakhstan until it leaves for Uzbekistan: never via the Dostyk border
    # station (the line to it starts at Aktogay), and it meets no border before
    grain = next(r for r in base_trains.routes if r.route_id.startswith("kz_uz_grain_2024:"))
    assert "dostyk" not in {h.to_node for h in grain.hops} | {h.from_node for h in grain.hops}
    assert {c for h in grain.hops for c in h.countries} <= {"KZ", "UZ"}
    assert "dostyk" not in {f for f, _ in borders("kz_uz_grain_2024:")}
    # ore to China crosses there and changes gauge in the bulk lane; containers to China in the container yard
    assert ("dostyk", "dostyk:bulk:outbound") in borders("kz_cn_metals_2024:")
    assert ("dostyk", "dostyk:outbound") in borders("eu_cn_rail_2024:")
    assert ("dostyk", "dostyk:inbound") in borders("cn_eu_rail_2024:northern:0")
    bulk, boxes = plan.yards["dostyk:bulk:outbound"], plan.yards["dostyk:outbound"]
    # the bulk lane: the crossing's tonnes a year less its container terminal's TEU x t per TEU, no daily train cap
    row = view.nodes.loc["dostyk"]
    lane_t = float(row["capacity_t_per_year"]) - float(row["capacity_teu_per_year"]) * view.parameter("t_per_teu")
    assert bulk["t_per_year"] == pytest.approx(lane_t) and 0 < lane_t < 20_000_000 and bulk["trains_per_day"] is None
    # the container yard takes the 2022-2025 rows of operations.csv: 14 trains a day (index1520 2022, KTZ 2025) and
    # (344,000 + 160,000 TEU a year) / 365 (the 2021 station figure plus the TransTerminal's 2022 second stage)
    assert (boxes["trains_per_day"], boxes["teu_per_day"]) == (14, pytest.approx(1380.82))


@pytest.mark.parametrize(
    ("year", "line_pairs", "dostyk_trains", "dostyk_teu"),
    [(2018, 12, 12, 760), (2022, 12, 14, 1380.82), (2025, 12, 14, 1380.82), (2026, 60, 28, 1380.82)],
)
def test_dated_capacity_rows_take_effect_from_their_year(year, line_pairs, dostyk_trains, dostyk_teu):
    """The latest row at or before the simulated year wins: Dostyk-Moyinty keeps 12 pairs through 2025 (its second
    track opened on 30 Sep 2025) and Dostyk's exchange doubles to 28 trains a day from 2026."""
    ops = Operations(read_operations(), year)
    assert ops.value("kz_dostyk_moyinty", "line_trains_per_day") == line_pairs
    assert ops.value("dostyk", "trains_per_day") == dostyk_trains
    assert ops.value("dostyk", "teu_per_day") == pytest.approx(dostyk_teu)
    assert ops.value("malaszewicze", "trains_per_day") == {2018: 14, 2022: 16, 2025: 16, 2026: 16}[year]
