"""A scenario year simulated end to end: Corridor.simulate, ``corridor simulate`` and ``corridor simulate diff``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from corridor.cli import app

runner = CliRunner()
KEYS = {"corridor_id", "p10_days", "p50_days", "p90_days", "p99_days", "mean_days", "trains", "components"}


@pytest.fixture(scope="module")
def base_2025(net):
    return net.simulate(scenario="base", year=2025, replications=1, seed=7, days=30)


def test_simulate_a_scenario_year_from_the_notebook(base_2025):
    res = base_2025
    cf = res.corridors_frame()
    assert {"middle_btk", "middle_black_sea", "northern", "southern", "sea_suez"} <= set(cf["corridor_id"])
    mid = cf.set_index("corridor_id").loc["middle_btk"]
    assert mid["trains"] > 20  # the scenario's Xi'an -> Duisburg Middle Corridor trains plus the weekly probes, 30 days
    assert mid["p10_days"] <= mid["p50_days"] <= mid["p90_days"]
    # the scenario's Kazakh and Turkmen bulk travels as wagon trains on the Caspian rail ferries
    q = res.queues_frame().set_index("facility_id")
    assert {"ferry_kuryk_baku", "ferry_turkmenbashi_baku", "feeder_aktau_baku"} <= set(q.index)
    assert "ferry_aktau_baku" not in q.index  # the Aktau train ferry closed in 2019
    # (a line with traffic both ways has a queue at each end)
    assert q.loc[["ferry_kuryk_baku"], "served"].sum() > 0 and q.loc[["feeder_aktau_baku"], "sailings"].sum() > 0
    assert len(res.corridors_frame("dry_bulk")) >= 1
    od = res.od_frame()
    assert {"origin", "destination", "corridor_id"} <= set(od.columns)
    assert {("xian", "ankara"), ("xian", "almaty"), ("xian", "duisburg")} <= set(
        zip(od["origin"], od["destination"], strict=True)
    )
    body = json.loads(json.dumps(res.to_dict()))
    assert body["year"] == 2025 and body["replications"] == 1
    assert all(set(c) >= KEYS for c in body["corridors"])
    used = {(a["facility"], a["parameter"]) for a in body["assumptions"]}
    assert ("kuryk", "storm_share_nov_dec") in used and ("dostyk", "processing_h") in used


def test_cli_simulate_json_has_corridors_with_percentiles_and_components():
    r = runner.invoke(app, ["simulate", "--scenario", "base", "--year", "2025", "--days", "20", "--replications", "1", "--json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    ids = {c["corridor_id"] for c in body["corridors"]}
    assert {"middle_btk", "northern"} <= ids
    assert body["trains_generated"] == body["trains_delivered"] + body["trains_in_system_at_end"]
    assert {n["reason"] for n in body["not_simulated"]} >= {"energy case (pipelines, tankers)"}
    for c in body["corridors"]:
        assert set(c) >= KEYS
        assert set(c["components"]) >= {"running", "border", "gauge_change", "slot_wait", "weather", "port_dwell"}


def test_cli_simulate_table_and_output_files(tmp_path):
    r = runner.invoke(
        app,
        [
            "simulate",
            "--scenario",
            "base",
            "--year",
            "2025",
            "--days",
            "10",
            "--replications",
            "1",
            "--output",
            str(tmp_path),
            "--format",
            "csv",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "middle_btk" in r.output and "p50" in r.output and "still travelling at the end" in r.output
    assert "not trains, left out" in r.output
    written = {p.name for p in tmp_path.iterdir()}
    assert written >= {
        "corridors.csv",
        "components.csv",
        "queues.csv",
        "assumptions.csv",
        "offered_load.csv",
        "not_simulated.csv",
    }


def test_cli_simulate_diff_shows_what_digital_declarations_change():
    r = runner.invoke(
        app,
        [
            "simulate",
            "diff",
            "base",
            "digital_customs",
            "--year",
            "2026",
            "--days",
            "20",
            "--replications",
            "1",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    comp = {(c["corridor_id"], c["component"]): c for c in body["components"]}
    border = comp[("middle_btk", "border")]
    # digital declarations at Beyuk Kesik, Kartsakhi, Kapıkule, Kalotina and Kelebia cut the border hours
    assert border["b_days"] < border["a_days"]
    north = comp[("northern", "border")]
    # same seed, untouched crossings: the Northern route's border hours move far less (only through route shares)
    assert abs(north["change_days"]) < abs(border["change_days"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["simulate", "--format", "xml", "--days", "5", "--replications", "1"], "format"),
        (["simulate", "--scenario", "no_such_scenario", "--days", "5", "--replications", "1"], "no_such_scenario"),
        (["simulate", "--replications", "0", "--days", "5"], "replications"),
        (["simulate", "--days", "-3", "--replications", "1"], "days"),
    ],
)
def test_cli_simulate_bad_input_is_one_clear_line(args, needle):
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert needle in r.output and "Traceback" not in r.output


def test_cli_simulate_reads_the_operations_table_of_data_and_names_a_bad_value(dataset_copy):
    path = dataset_copy / "operations.csv"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("dostyk_tracks,"))
    path.write_text(text.replace(line, line.replace(",2,", ",-2,", 1)), encoding="utf-8")
    r = runner.invoke(app, ["simulate", "--data", str(dataset_copy), "--days", "5", "--replications", "1"])
    assert r.exit_code == 2
    # the schema's range names the file, line, field and value before the engine sees the table
    assert "operations.csv:" in r.output and "'value'" in r.output and "-2" in r.output and ">= 0" in r.output
    assert "Traceback" not in r.output


def test_cli_simulate_diff_of_a_week_long_storm_at_aktau_and_alat():
    # trains from Xi'an reach Aktau after about ten days: close Aktau and Alat from day 12 to day 19
    storm = ["--set-b", "aktau.closure_start_day=12", "--set-b", "aktau.closure_days=7", "--set-b", "baku.closure_start_day=12"]
    storm += ["--set-b", "baku.closure_days=7"]
    r = runner.invoke(
        app,
        [
            "simulate",
            "diff",
            "base",
            "base",
            "--year",
            "2025",
            "--days",
            "20",
            "--replications",
            "1",
            *storm,
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["b_changes"]["aktau.closure_days"] == 7.0 and body["a_changes"] == {}
    comp = {(c["corridor_id"], c["component"]): c for c in body["components"]}
    assert comp[("middle_btk", "weather")]["change_days"] > 0.5  # trains reaching Aktau in the week wait it out
    mid = {c["corridor_id"]: c for c in body["corridors"]}["middle_btk"]
    assert mid["mean_days_change"] > 0.5
    assert comp[("northern", "border")]["change_days"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("value", "needle"),
    [("atlantis.fleet=2", "atlantis"), ("feeder_aktau_baku.flete=2", "flete"), ("feeder_aktau_baku.fleet", "PARAMETER=NUMBER")],
)
def test_cli_simulate_set_rejects_unknown_facilities_parameters_and_junk(value, needle):
    r = runner.invoke(app, ["simulate", "--days", "5", "--replications", "1", "--set", value])
    assert r.exit_code == 2
    assert needle in r.output and "Traceback" not in r.output


def test_cli_simulate_diff_table_shows_two_more_kuryk_ferries_cutting_the_ferry_wait():
    args = ["simulate", "diff", "base", "base", "--year", "2025", "--days", "30", "--replications", "1"]
    r = runner.invoke(app, [*args, "--set-b", "ferry_kuryk_baku.fleet=9"])
    assert r.exit_code == 0, r.output
    assert "base* = base with ferry_kuryk_baku.fleet=9" in r.output
    assert "Bulk trains" in r.output and "Facilities whose mean wait changed" in r.output
    rj = runner.invoke(app, [*args, "--set-b", "ferry_kuryk_baku.fleet=9", "--json"])
    q = {x["facility_id"]: x for x in json.loads(rj.output)["queues"]}
    assert q["ferry_kuryk_baku"]["b_mean_wait_h"] < q["ferry_kuryk_baku"]["a_mean_wait_h"]


def test_network_validate_checks_the_operations_table(dataset_copy):
    ok = runner.invoke(app, ["network", "validate", str(dataset_copy), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["operations"] > 100
    path = dataset_copy / "operations.csv"
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("dostyk_tracks,"))
    path.write_text(text.replace(line, line.replace("dostyk_tracks,dostyk,", "dostyk_tracks,atlantis,", 1)), encoding="utf-8")
    bad = runner.invoke(app, ["network", "validate", str(dataset_copy)])
    assert bad.exit_code == 2
    assert "dostyk_tracks.facility" in bad.output and "atlantis" in bad.output and "Traceback" not in bad.output
