"""Scenarios: files, validation, year networks, freight assignment, energy disruption, diff and sweeps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from corridor.assignment.freight import classify_route
from corridor.data.results import write_run
from corridor.data.scenario_files import list_scenarios, read_scenario
from corridor.errors import DataError
from corridor.scenarios import SATURATED_VC, Executor, SweepSpec, diff_runs, run_scenario, run_sweep, run_year, sample_parameters


def test_shipped_scenarios_load_and_validate(net):
    names = list_scenarios()
    assert {"base", "cpc_disruption", "btc_quota_raised", "digital_customs", "suez_closed"} <= set(names)
    for n in names:
        read_scenario(n).validate(net)


def test_demand_grows_between_and_beyond_anchors():
    rows = {d.id: d for d in read_scenario("base").demand}
    titr, held = rows["kz_tr_titr_2024"], rows["cn_eu_rail_2024"]
    x = titr.at(2024)
    assert titr.at(2030) == pytest.approx(x * 10 / 4.5, rel=1e-6)  # the corridor's published 4.5 -> 10 Mt
    assert x < titr.at(2027) < titr.at(2030)
    assert titr.at(2031) == pytest.approx(titr.at(2030) * 1.1423)
    assert held.at(2040) == held.at(2024)  # no cited projection: held at the calibrated level


def test_base_demand_is_the_calibrated_matrix():
    base, calibrated = read_scenario("base"), read_scenario("calibrated_2024")
    assert len(base.demand) == len(calibrated.demand) == 34
    assert {d.id: d.at(2024) for d in base.demand} == {d.id: d.at(2024) for d in calibrated.demand}
    assert {d.id: (d.cargo_class, d.commodity) for d in base.demand} == {
        d.id: (d.cargo_class, d.commodity) for d in calibrated.demand
    }


def test_year_network_applies_disruptions_and_overrides(net):
    sc = read_scenario("cpc_disruption")
    v = sc.network_for(net, 2030)
    assert "novorossiysk" not in v.nodes.index
    assert "cpc" not in v.links.index and not v.links["to_node"].eq("novorossiysk").any()  # its end node is closed
    # the capacity cut on its own (the closure above removes the pipeline, so test the cut without it)
    cut = replace(sc, disruptions=tuple(x for x in sc.disruptions if x.kind == "capacity_factor"))
    base = read_scenario("base")
    assert base.network_for(net, 2030).links.loc["cpc", "capacity_t_per_year"] == 72.5e6
    assert cut.network_for(net, 2030).links.loc["cpc", "capacity_t_per_year"] == 0
    assert cut.network_for(net, 2024).links.loc["cpc", "capacity_t_per_year"] == 72.5e6  # before the cut starts
    assert base.network_for(net, 2031).links.loc["btk_marabda_akhalkalaki", "capacity_t_per_year"] == 5e6
    assert base.network_for(net, 2032).links.loc["btk_marabda_akhalkalaki", "capacity_t_per_year"] == 17e6


@pytest.fixture(scope="module")
def base_run(net):
    return run_scenario(net, read_scenario("base"), [2024, 2030, 2035])


def test_base_year_bottlenecks_and_shares(net, base_run):
    y = base_run.years[1]
    assert y.year == 2030 and y.relative_gap < 1e-4 and y.unmet_t == pytest.approx(0, abs=1)
    assert y.shares["flow_t_per_year"].sum() == pytest.approx(sum(d.at(2030) for d in read_scenario("base").demand), rel=1e-6)
    assert y.shares["share_fraction"].sum() == pytest.approx(1.0)
    top = y.bottlenecks.iloc[0]
    assert top["vc_ratio"] >= y.bottlenecks["vc_ratio"].max() - 1e-12 and top["vc_ratio"] > 0.8
    assert not y.bottlenecks["id"].duplicated().any()
    # Dostyk's container terminal and the rest of the crossing rank as two facilities
    lanes = y.bottlenecks.set_index("id").loc[["dostyk:container", "dostyk:bulk"], "capacity_t_per_year"]
    assert lanes.tolist() == pytest.approx([3.44e6, 20e6 - 3.44e6])


def test_titr_flows_avoid_russia_belarus_and_iran(net):
    base = read_scenario("base")
    titr = replace(base, demand=tuple(d for d in base.demand if "RU" in d.avoid_countries))
    assert len(titr.demand) == 5
    y = run_year(net, titr, 2030)
    assert not {"Northern route (Kazakhstan–Russia–Belarus–Poland)", "Southern route via Turkmenistan and Iran"} & set(
        y.shares["corridor"]
    )
    assert y.shares["flow_t_per_year"].sum() == pytest.approx(sum(d.at(2030) for d in titr.demand), rel=1e-6)


def test_growth_saturates_the_caspian_and_spills_to_sea(base_run):
    shares = base_run.shares_by_year()
    long = base_run.shares_table()
    assert list(long.columns) == ["year", "corridor", "flow_t_per_year", "share_fraction"]
    assert long.groupby("year")["share_fraction"].sum().to_numpy() == pytest.approx([1.0, 1.0, 1.0])
    suez = shares["Sea via Suez"] if "Sea via Suez" in shares.columns else pd.Series(0.0, index=shares.index)
    assert suez.loc[2024] == 0 < suez.loc[2030] < suez.loc[2035]
    sat = base_run.saturation().set_index("id")
    assert sat.loc["ferry_turkmenbashi_baku", "saturation_year"] <= 2030  # the ferries fill as the TITR flows grow
    assert sat["max_vc_ratio"].max() >= SATURATED_VC
    assert sat["saturation_year"].dropna().astype(int).between(2024, 2035).all()
    first = base_run.years[0]
    assert first.allocations["kz_crude_2024"].link_flow("tanker_aktau_sangachal") == pytest.approx(1.5e6)
    assert base_run.energy_routes_table()["year"].nunique() == 3


def test_cpc_disruption_strands_crude_and_raised_quota_recovers_some(net):
    cut = run_year(net, read_scenario("cpc_disruption"), 2030).energy
    raised = run_year(net, read_scenario("btc_quota_raised"), 2030).energy
    base = run_year(net, read_scenario("base"), 2030).energy
    assert base.stranded_total == pytest.approx(0, abs=1)
    # the CPC shippers' crude may not use Samara, KCP or Makhachkala (access rights): all of it but its part of
    # the BTC nomination (1.5 Mt less the Aktau fields' 0.335 Mt) is stranded, 54.25 Mt; so are the Aktau
    # fields' 1.984 Mt sold north, whose Makhachkala pipeline ends at Novorossiysk, closed in this scenario
    stranded_cpc_shippers = 27.9e6 + 17897972 + 9619452 - (1.5e6 - 0.335e6)
    assert cut.stranded_total == pytest.approx(stranded_cpc_shippers + 1.984e6, rel=1e-6)
    assert cut.link_flow("btc") == pytest.approx(1.5e6)
    assert raised.link_flow("btc") == pytest.approx(5.2e6)  # the Aktau berths bind once the quota does not
    assert raised.stranded_total == pytest.approx(cut.stranded_total - 3.7e6, rel=1e-6)


def test_diff_and_suez_closure(net, base_run):
    a = replace(base_run, years=[base_run.years[1]])
    b = run_scenario(net, read_scenario("suez_closed"), [2030])
    d = diff_runs(a, b)
    assert "Sea via the Cape of Good Hope" in set(b.shares_table()["corridor"])
    assert "Sea via Suez" not in set(b.shares_table()["corridor"])
    shares_a, shares_b = a.shares_by_year().loc[2030], b.shares_by_year().loc[2030]
    change = d["shares"][d["shares"]["year"] == 2030].set_index("corridor")["change_share_fraction"]
    assert shares_a["Sea via Suez"] > 0.005  # the TITR overflow that went by sea in 2030
    assert change["Sea via Suez"] == pytest.approx(-shares_a["Sea via Suez"])  # all of Suez's share is lost
    assert change["Sea via the Cape of Good Hope"] == pytest.approx(shares_b["Sea via the Cape of Good Hope"])


def test_digital_customs_lowers_crossing_waits(net):
    base = read_scenario("base").network_for(net, 2030)
    dig = read_scenario("digital_customs").network_for(net, 2030)
    assert pd.isna(base.nodes.loc["beyuk_kesik", "customs_digital_h"])
    assert dig.nodes.loc["beyuk_kesik", "customs_digital_h"] == 0.5


def test_outputs_csv_parquet_geojson(net, base_run, tmp_path: Path):
    run = replace(base_run, years=[base_run.years[1]])
    csvs = write_run(run, tmp_path / "csv", format="csv")
    assert any(p.name.endswith("_saturation.csv") for p in csvs)
    routes = pd.read_csv(next(p for p in csvs if p.name.endswith("_energy_routes.csv")))
    assert set(routes["case"]) == {"kz_crude_2024", "ca_gas_2024"}
    pq = write_run(run, tmp_path / "pq", format="parquet")
    shares = pd.read_parquet(next(p for p in pq if p.name.endswith("_shares.parquet")))
    assert list(shares.columns) == ["year", "corridor", "flow_t_per_year", "share_fraction"]
    assert len(shares) == len(run.years[0].shares) and shares["share_fraction"].sum() == pytest.approx(1.0)
    gj = write_run(run, tmp_path / "gj", format="geojson", geometry=net.link_coordinates)
    assert gj[0].read_text().startswith('{"type": "FeatureCollection"')
    with pytest.raises(DataError, match="format"):
        write_run(run, tmp_path / "x", format="xlsx")


def test_bad_scenarios_name_the_field(net, tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("""name = "bad"
description = "x"
base_year = 2024
colour = "red"
[[demand]]
id = "d"
origin = "Atlantis"
destination = "duisburg"
source = "x"
[demand.t_per_year]
2024 = -5
[[disruptions]]
kind = "earthquake"
link = "cpc"
""")
    with pytest.raises(DataError) as info:
        read_scenario(bad)
    fields = {p.field for p in info.value.problems}
    assert {"colour", "demand[0].t_per_year.2024", "disruptions[0].kind"} <= fields  # the file's own schema
    bad.write_text(bad.read_text().replace('colour = "red"\n', "").replace("-5", "5").replace("earthquake", "close_link"))
    bad.write_text(bad.read_text().replace('link = "cpc"', 'link = "no_such_link"'))
    sc = read_scenario(bad)
    with pytest.raises(DataError) as info:
        sc.validate(net)
    fields = {p.field for p in info.value.problems}
    assert "demand.d.origin" in fields and "disruptions.link" in fields  # names checked against the network
    with pytest.raises(DataError, match="not-a-scenario"):
        read_scenario("not-a-scenario")


def test_classify_route(net):
    assert classify_route(["aktau", "baku", "kars"], net.corridors) == "Middle Corridor via BTK and Istanbul"
    assert classify_route(["shanghai", "suez"], net.corridors) == "Sea via Suez"
    assert classify_route(["nowhere"], net.corridors) == "other"


def test_sweep_samples_are_deterministic_and_grid_covers_combinations():
    spec = SweepSpec(years=(2030,), samples=5, seed=7, demand_scale=(0.8, 1.2), delay_years=(0, 2), disruption_probability=0.5)
    assert sample_parameters(spec, 2) == sample_parameters(spec, 2)
    assert sample_parameters(spec, 2) != sample_parameters(SweepSpec(**{**spec.__dict__, "seed": 8}), 2)
    grid = sample_parameters(SweepSpec(years=(2030,), demand_scale=(0.8, 1.2), delay_years=(0, 1), grid=True), 1)
    assert len(grid) == 3 * 2 * 2
    with pytest.raises(DataError):
        SweepSpec(years=(2030,), samples=0).check()


def test_sweep_gives_identical_results_in_process_on_processes_and_on_ray(net, monkeypatch):
    sc = read_scenario("cpc_disruption")
    spec = SweepSpec(years=(2028,), samples=3, seed=3, demand_scale=(0.7, 1.3), disruption_probability=0.5)
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")  # ignored: the Ray address comes only from settings
    here = run_sweep(net, sc, spec, workers=1)
    local = run_sweep(net, sc, spec, use_ray=False, workers=2)
    ray = run_sweep(net, sc, spec, use_ray=True, workers=2)
    assert (here.executor, local.executor, ray.executor) == (Executor.LOCAL, Executor.PROCESSES, Executor.RAY)
    assert len(here.samples) and here.samples["sample"].nunique() == 3
    pd.testing.assert_frame_equal(here.samples, local.samples)
    pd.testing.assert_frame_equal(local.samples, ray.samples)
    summary = local.summary()
    assert {"p5", "p50", "p95", "mean"} <= set(summary.columns)
    stranded = summary[summary["metric"] == "stranded_t_per_year"]
    assert len(stranded) and (stranded["p5"] <= stranded["p95"]).all()
