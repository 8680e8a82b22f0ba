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
    d = read_scenario("base").demand[0]
    assert d.at(2024) == 4.5e6 and d.at(2030) == 10e6
    assert 4.5e6 < d.at(2027) < 10e6
    assert d.at(2031) == pytest.approx(10e6 * 1.1423)


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


def test_base_year_bottlenecks_and_shares(net):
    y = run_year(net, read_scenario("base"), 2030)
    assert y.relative_gap < 1e-4 and y.unmet_t == pytest.approx(0, abs=1)
    assert y.shares["flow_t_per_year"].sum() == pytest.approx(10e6, rel=1e-6)
    assert y.shares["share_fraction"].sum() == pytest.approx(1.0)
    top = y.bottlenecks.iloc[0]
    assert top["vc_ratio"] >= y.bottlenecks["vc_ratio"].max() - 1e-12 and top["vc_ratio"] > 0.8
    assert not y.bottlenecks["id"].duplicated().any()
    # EU-bound cargo avoids RU, BY and IR: nothing on those corridors
    assert not {"Northern route (Kazakhstan–Russia–Belarus–Poland)", "Southern route via Turkmenistan and Iran"} & set(
        y.shares["corridor"]
    )


def test_growth_pushes_cargo_off_the_caspian(net):
    run = run_scenario(net, read_scenario("base"), [2024, 2030, 2035])
    shares = run.shares_by_year()
    middle = shares["Middle Corridor via BTK and Istanbul"]
    long = run.shares_table()
    assert list(long.columns) == ["year", "corridor", "flow_t_per_year", "share_fraction"]
    assert long.groupby("year")["share_fraction"].sum().to_numpy() == pytest.approx([1.0, 1.0, 1.0])
    assert middle.loc[2024] > middle.loc[2030] > middle.loc[2035]
    sat = run.saturation()
    assert len(sat) and sat["max_vc_ratio"].max() >= SATURATED_VC
    assert sat["saturation_year"].dropna().astype(int).between(2024, 2035).all()


def test_cpc_disruption_strands_crude_and_raised_quota_recovers_some(net):
    cut = run_year(net, read_scenario("cpc_disruption"), 2030).energy
    raised = run_year(net, read_scenario("btc_quota_raised"), 2030).energy
    base = run_year(net, read_scenario("base"), 2030).energy
    assert base.stranded_total == pytest.approx(0, abs=1)
    assert cut.stranded_total > 30e6
    assert cut.link_flow("btc") == pytest.approx(1.5e6)
    assert raised.link_flow("btc") == pytest.approx(5.2e6)  # the Aktau berths bind once the quota does not
    assert raised.stranded_total == pytest.approx(cut.stranded_total - 3.7e6, rel=1e-6)


def test_diff_and_suez_closure(net):
    a = run_scenario(net, read_scenario("base"), [2030])
    b = run_scenario(net, read_scenario("suez_closed"), [2030])
    d = diff_runs(a, b)
    assert "Sea via the Cape of Good Hope" in set(b.shares_table()["corridor"])
    assert "Sea via Suez" not in set(b.shares_table()["corridor"])
    shares_a, shares_b = a.shares_by_year().loc[2030], b.shares_by_year().loc[2030]
    change = d["shares"][d["shares"]["year"] == 2030].set_index("corridor")["change_share_fraction"]
    assert shares_a["Sea via Suez"] > 0.3
    assert change["Sea via Suez"] == pytest.approx(-shares_a["Sea via Suez"])  # all of Suez's share is lost
    assert change["Sea via the Cape of Good Hope"] == pytest.approx(shares_b["Sea via the Cape of Good Hope"])
    assert change["Middle Corridor via BTK and Istanbul"] > 0.01  # and some of it moves to the Middle Corridor


def test_digital_customs_lowers_crossing_waits(net):
    base = read_scenario("base").network_for(net, 2030)
    dig = read_scenario("digital_customs").network_for(net, 2030)
    assert pd.isna(base.nodes.loc["beyuk_kesik", "customs_digital_h"])
    assert dig.nodes.loc["beyuk_kesik", "customs_digital_h"] == 0.5


def test_outputs_csv_parquet_geojson(net, tmp_path: Path):
    run = run_scenario(net, read_scenario("base"), [2030])
    csvs = write_run(run, tmp_path / "csv", format="csv")
    assert any(p.name.endswith("_saturation.csv") for p in csvs)
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
