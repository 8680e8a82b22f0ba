"""Energy flows as a min-cost LP: capacities, quotas, disruptions and stranded volumes."""

from __future__ import annotations

import pytest

from corridor.assignment.energy import solve_energy_flows
from corridor.errors import DataError
from corridor.graph import year_graph

SINKS = {"novorossiysk": None, "samara": None, "alashankou": 9.8e6, "ceyhan": None, "makhachkala": None}


@pytest.fixture(scope="module")
def oil(net):
    return year_graph(net, "liquid_bulk", year=2025)


def test_everything_ships_when_capacity_allows(oil):
    r = solve_energy_flows(oil, supplies={"atyrau": 60e6}, sinks=SINKS, max_flow={"btc": 1.5e6})
    assert r.shipped == pytest.approx(60e6) and r.stranded_total == pytest.approx(0, abs=1)
    assert r.sinks["flow_t_per_year"].sum() == pytest.approx(60e6)


def test_cpc_cut_strands_what_other_routes_cannot_take(oil):
    full = solve_energy_flows(oil, supplies={"atyrau": 70.5e6}, sinks=SINKS, max_flow={"btc": 1.5e6})
    cut = solve_energy_flows(oil, supplies={"atyrau": 70.5e6}, sinks=SINKS, max_flow={"btc": 1.5e6}, capacity_factor={"cpc": 0.0})
    assert full.stranded_total == pytest.approx(0, abs=1)
    assert cut.link_flow("cpc") == pytest.approx(0, abs=1)
    # what remains: Atyrau–Samara 17.5, KCP spare 9.8 and Aktau's oil berths 5.2 Mt/yr
    assert cut.shipped == pytest.approx(17.5e6 + 9.8e6 + 5.2e6, rel=1e-6)
    assert cut.stranded_total == pytest.approx(70.5e6 - cut.shipped, rel=1e-6)
    assert cut.links.loc[cut.links["arc"] == "aktau_oil", "binding"].all()


def test_quota_binds_btc_when_russian_outlets_are_closed(oil):
    r = solve_energy_flows(
        oil,
        supplies={"atyrau": 70.5e6},
        sinks={"ceyhan": None, "alashankou": 9.8e6},
        max_flow={"btc": 1.5e6},
        closed={"novorossiysk", "makhachkala", "samara"},
    )
    assert r.link_flow("btc") == pytest.approx(1.5e6)
    assert r.sinks.set_index("terminal").loc["ceyhan", "flow_t_per_year"] == pytest.approx(1.5e6)
    raised = solve_energy_flows(
        oil,
        supplies={"atyrau": 70.5e6},
        sinks={"ceyhan": None, "alashankou": 9.8e6},
        max_flow={"btc": 6.5e6},
        closed={"novorossiysk", "makhachkala", "samara"},
    )
    assert raised.link_flow("btc") == pytest.approx(5.2e6)  # now the Aktau berths bind, not the quota


def test_gas_flows_use_gas_capacities(net):
    g = year_graph(net, "gas", year=2030, include_planned=True)
    r = solve_energy_flows(
        g,
        supplies={"galkynysh": 100.0},
        sinks={"khorgos_cn": None, "erzurum": None, "fazilka": None, "kashgar": None, "sangachal": None},
    )
    assert r.link_flow("cagp_abc") <= 55 + 1e-6 and r.stranded_total == pytest.approx(0, abs=1e-6)


def test_bad_energy_inputs(oil):
    with pytest.raises(DataError) as info:
        solve_energy_flows(oil, supplies={"atlantis": 1.0, "atyrau": -5}, sinks={}, max_flow={"nopipe": 1})
    fields = {p.field for p in info.value.problems}
    assert {"supply.atlantis", "supply.atyrau", "sinks", "max_flow.nopipe"} <= fields
