"""Cargo-class lanes at crossings with container and tonnage capacities; allocation cases in scenario years."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corridor.assignment.freight import assign_freight, class_mask, freight_graph
from corridor.data.allocation_files import ENERGY_DIR, read_allocation
from corridor.data.csvdir import read_dataset
from corridor.data.scenario_files import read_scenario
from corridor.errors import DataError
from corridor.graph import compile_graph
from corridor.graph.lanes import BULK_LANE, CONTAINER_LANE, freight_lanes, lane_mask, split_facilities
from corridor.model import CargoClass
from corridor.model.scenario import Demand
from corridor.scenarios.energy_cases import solve_case


@pytest.fixture(scope="module")
def view():
    return read_dataset().at_year(2024, include_planned=True)


def _facility_arcs(laned, node: str, lane: str) -> np.ndarray:
    g = laned.graph
    head = g.vertex_node[g.indices]
    return np.flatnonzero((head == node) & (laned.lane == lane) & (g.capacity_of == "border"))


def test_dostyk_gets_a_container_and_a_bulk_lane_that_share_its_tonnage(view):
    t_per_teu = view.parameter("t_per_teu")
    teu = float(view.nodes.loc["dostyk", "capacity_teu_per_year"])
    total_t = float(view.nodes.loc["dostyk", "capacity_t_per_year"])
    assert teu == 344000  # the station's 2021 figure (project dostyk_station_2021) replaces 760 TEU/day
    assert split_facilities(view, t_per_teu)["dostyk"] == pytest.approx(total_t - teu * t_per_teu)
    laned = freight_lanes(view, compile_graph(view, CargoClass.CONTAINER))
    g = laned.graph
    box, bulk = _facility_arcs(laned, "dostyk", CONTAINER_LANE), _facility_arcs(laned, "dostyk", BULK_LANE)
    assert len(box) == len(bulk) > 0  # one bulk lane beside every border arc into Dostyk
    assert set(g.ref[box]) == set(g.ref[bulk])
    assert g.capacity[box] * g.t_per_unit == pytest.approx(np.full(len(box), teu * t_per_teu))
    assert (g.capacity[box] + g.capacity[bulk]) * g.t_per_unit == pytest.approx(np.full(len(box), total_t))
    # the CSR arrays stay consistent: each vertex's arcs are contiguous and start at indptr
    assert np.all(np.diff(g.tails) >= 0) and g.indptr[-1] == g.n_arcs
    assert np.array_equal(np.repeat(np.arange(g.n_vertices), np.diff(g.indptr)), g.tails)
    # crossings with only one figure (Altynkol: TEU only) are not split
    assert not (laned.lane[g.vertex_node[g.indices] == "altynkol"] != "").any()


def test_lane_masks_keep_each_class_to_its_lane(view):
    laned = freight_lanes(view, compile_graph(view, CargoClass.CONTAINER))
    box = lane_mask(laned, CargoClass.CONTAINER)
    bulk = lane_mask(laned, CargoClass.DRY_BULK)
    assert not box[laned.lane == BULK_LANE].any() and box[laned.lane == CONTAINER_LANE].all()
    assert not bulk[laned.lane == CONTAINER_LANE].any() and bulk[laned.lane == BULK_LANE].all()
    assert (box == bulk)[laned.lane == ""].all()
    # a link narrowed to containers (the Aktau–Baku feeder) is closed to bulk classes
    feeder = laned.graph.base == "feeder_aktau_baku"
    assert class_mask(view, laned, CargoClass.CONTAINER)[feeder].all()
    assert not class_mask(view, laned, CargoClass.DRY_BULK)[feeder].any()
    with pytest.raises(ValueError, match="container graph"):
        freight_lanes(view, compile_graph(view, CargoClass.DRY_BULK))


def test_bulk_over_dostyk_is_limited_by_the_bulk_lane_not_the_container_terminal(view):
    """8 Mt of ore from Karaganda to China: far beyond Dostyk's container terminal, well within its tonnage."""
    ore = Demand("ore", "karaganda", "urumqi", {2024: 8e6}, cargo_class=CargoClass.DRY_BULK)
    res = assign_freight(view, [ore], 2024)
    rows = res.links[res.links["to_node"].eq("dostyk") & res.links["limited_by"].eq("border")]
    assert rows.loc[rows["lane"] == CONTAINER_LANE, "flow_t_per_year"].sum() == pytest.approx(0, abs=1)
    bulk = rows[rows["lane"] == BULK_LANE]
    assert bulk["capacity_t_per_year"].iloc[0] == pytest.approx(20e6 - 3.44e6)
    assert set(res.bottlenecks["id"]) >= {"dostyk:bulk", "dostyk:container"}  # each lane ranks on its own
    # the same tonnes as containers would queue at the 3.44 Mt terminal (or go round by Altynkol)
    boxes = assign_freight(view, [replace(ore, cargo_class=CargoClass.CONTAINER)], 2024)
    brows = boxes.links[boxes.links["to_node"].eq("dostyk") & boxes.links["limited_by"].eq("border")]
    assert brows.loc[brows["lane"] == BULK_LANE, "flow_t_per_year"].sum() == pytest.approx(0, abs=1)
    assert brows["flow_t_per_year"].max() <= bulk["flow_t_per_year"].max()
    assert freight_graph(view) is freight_graph(view)  # cached on the view


def test_allocation_cases_follow_the_year_network(view):
    crude = read_allocation(ENERGY_DIR / "crude_2024.toml")
    base = solve_case(view, crude)
    assert base.link_flow("tanker_aktau_sangachal") == pytest.approx(1.5e6)  # the nomination
    assert base.stranded_total == pytest.approx(0, abs=1)
    # the Aktau fields sold north ship their 1.984 Mt by tanker to Makhachkala, nowhere else
    groups = base.result.groups
    aktau = groups[groups["group"] == "aktau_fields"].set_index("link_id")["flow_t_per_year"]
    assert aktau["tanker_aktau_makhachkala"] == pytest.approx(1.984e6) and "tanker_aktau_sangachal" not in aktau
    assert base.link_flow("tanker_aktau_makhachkala") == pytest.approx(1.984e6)
    # their 0.335 Mt bought for BTC share the 1.5 Mt nomination; Tengiz fills the rest (Kashagan only from 2025)
    on_btc = groups[groups["link_id"] == "tanker_aktau_sangachal"].set_index("group")["flow_t_per_year"]
    assert on_btc.to_dict() == pytest.approx({"aktau_fields_btc": 0.335e6, "tengiz": 1.165e6})
    # every tonne leaving Aktau by tanker is loaded over the oil berths, the Aktau fields' own crude included
    assert base.link_flow("aktau_oil") == pytest.approx(1.984e6 + 1.5e6)
    # CPC cut to zero: its shippers' crude has no other contracted outlet but the 1.5 Mt tankers
    cut = solve_case(
        replace(
            view,
            links=view.links.assign(capacity_t_per_year=view.links["capacity_t_per_year"].where(view.links.index != "cpc", 0.0)),
        ),
        crude,
    )
    assert cut.link_flow("cpc") == 0
    assert cut.stranded_total > 50e6
    # a scenario quota on the nominated link replaces the nomination by "at most"
    raised = solve_case(view, crude, quotas={"tanker_aktau_sangachal": 6.5e6, "btc": 6.5e6})
    assert raised.link_flow("tanker_aktau_sangachal") <= 6.5e6 + 1
    split = base.split().set_index("route")
    assert split["modelled_share_fraction"].sum() == pytest.approx(1.0)
    assert abs(split.loc["Aktau → BTC", "difference_pp"]) < 3  # the nominated route matches the published share


def test_gas_case_reports_exporters_and_compares_value_shares(view):
    gas = solve_case(view, read_allocation(ENERGY_DIR / "ca_gas_2024.toml"))
    split = gas.split().set_index("route")
    # Kazakhstan's 2024 transit plan (37.1 bcm Turkmen + Uzbek) less the Uzbek group; Lines A–C and D together
    assert split.loc["Turkmenistan → China", "modelled_bcm_per_year"] == pytest.approx(37.1 - 1.68)
    assert split.loc["Kazakhstan → China", "modelled_bcm_per_year"] == pytest.approx(4.56)
    assert split.loc["Turkmenistan → China", "published_share_fraction"] == pytest.approx(9.57 / (9.57 + 1.36 + 0.726))
    assert (split["difference_pp"].abs() < 3).all()  # every exporter within 3 points of the customs-value share
    assert gas.result.unit == "bcm" and gas.shipped == pytest.approx(35.42 + 4.56 + 1.68 + 1.3)


def test_scenarios_name_allocation_cases_and_bad_names_are_refused(tmp_path: Path):
    base = read_scenario("base")
    assert base.energy is not None and base.energy.allocations == ("crude_2024", "ca_gas_2024")
    assert {d.cargo_class for d in base.demand} == {CargoClass.CONTAINER, CargoClass.DRY_BULK, CargoClass.LIQUID_BULK}
    head = 'name = "bad"\ndescription = "x"\nbase_year = 2024\n'
    row = '[[demand]]\nid = "d"\norigin = "xian"\ndestination = "duisburg"\nassumption = "test"\n[demand.t_per_year]\n2024 = 1\n'
    cases = {
        '[energy]\nallocation = ["no_such_case"]\n': "field 'energy.allocation' = 'no_such_case'",
        row.replace("assumption", 'cargo_class = "gas"\nassumption'): "field 'demand[0].cargo_class' = 'gas'",
    }
    for body, message in cases.items():
        bad = tmp_path / "bad.toml"
        bad.write_text(head + body, encoding="utf-8")
        with pytest.raises(DataError) as info:
            read_scenario(bad)
        assert message in str(info.value)


def test_freight_graph_holds_every_freight_class_rows_each_closed_to_the_others(view):
    laned = freight_graph(view)
    g = laned.graph
    only = {  # row -> the one class that may use it
        "sea_batumi_constanta_oil": CargoClass.LIQUID_BULK,  # tankers from the Batumi Oil Terminal
        "aktau_oil": CargoClass.LIQUID_BULK,  # the oil berths (a transfer)
        "feeder_aktau_baku": CargoClass.CONTAINER,
    }
    for row, cargo in only.items():
        sel = g.base == row
        assert sel.any(), row
        for other in (CargoClass.CONTAINER, CargoClass.DRY_BULK, CargoClass.LIQUID_BULK):
            assert class_mask(view, laned, other)[sel].all() == (other == cargo), (row, other)
    # the container graph of routing keeps to container rows
    assert not (compile_graph(view, CargoClass.CONTAINER).base == "sea_batumi_constanta_oil").any()
