"""The calibration pipeline end to end on a generated three-branch network: calibrate, report, write the
scenario and read it back."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from dataset_builder import PARAMETERS, build_dataset, write_table

from corridor.calibration import calibrate, read_calibration_data, write_calibrated_scenario
from corridor.data.csvdir import read_dataset
from corridor.data.scenario_files import read_scenario
from corridor.errors import DataError

NODES = [
    {"node_id": "a", "name": "A", "kind": "rail_station", "country": "CN", "lat": 40.0, "lon": 80.0, "status": "operating"},
    {"node_id": "m", "name": "M", "kind": "rail_station", "country": "KZ", "lat": 45.0, "lon": 70.0, "status": "operating"},
    {"node_id": "b", "name": "B", "kind": "rail_station", "country": "DE", "lat": 51.0, "lon": 10.0, "status": "operating"},
    {"node_id": "c", "name": "C", "kind": "rail_station", "country": "TR", "lat": 39.0, "lon": 33.0, "status": "operating"},
]
LINKS = [
    {"link_id": "am", "from_node": "a", "to_node": "m", "mode": "rail", "gauge_mm": 1520, "length_km": 900, "countries": "CN;KZ"},
    {
        "link_id": "mb",
        "from_node": "m",
        "to_node": "b",
        "mode": "rail",
        "gauge_mm": 1520,
        "length_km": 4000,
        "countries": "KZ;DE",
    },
    {
        "link_id": "mc",
        "from_node": "m",
        "to_node": "c",
        "mode": "rail",
        "gauge_mm": 1520,
        "length_km": 3000,
        "countries": "KZ;TR",
    },
]
VDF = [
    {"parameter": "vdf_queue_j", "value": 0.5, "unit": "1", "description": "x"},
    {"parameter": "vdf_queue_mu", "value": 0.95, "unit": "1", "description": "x"},
    {"parameter": "vdf_bpr_alpha", "value": 0.15, "unit": "1", "description": "x"},
    {"parameter": "vdf_bpr_beta", "value": 4, "unit": "1", "description": "x"},
]


def _demand(i, o, d, t):
    return {
        "demand_id": i,
        "commodity": "containers",
        "cargo_class": "container",
        "origin_zone": o,
        "destination_zone": d,
        "year": 2024,
        "t_per_year": t,
        "assumption": "test prior",
    }


def _count(i, links, obs, unit="t", tpu=1):
    return {
        "count_id": i,
        "site_id": i,
        "year": 2024,
        "observed": obs,
        "unit": unit,
        "t_per_unit": tpu,
        "links": links,
        "assumption": "generated from the true matrix",
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cal") / "ds"
    build_dataset(folder, NODES, LINKS)
    write_table(folder, "parameters", PARAMETERS + VDF)
    zones = [{"zone_id": z, "name": z, "node_id": n, "reason": "test"} for z, n in (("cn", "a"), ("eu", "b"), ("tr", "c"))]
    write_table(folder, "zones", zones)
    write_table(folder, "demand", [_demand("cn_eu", "cn", "eu", 100.0), _demand("cn_tr", "cn", "tr", 50.0)])
    # the true matrix: 150 t to the EU, 30 t to Türkiye
    write_table(folder, "counts", [_count("am", "am", 180.0), _count("mb", "mb", 15.0, "TEU", 10), _count("mc", "mc", 30.0)])
    return folder


def test_calibration_reproduces_counts_from_the_true_matrix(world):
    net = read_dataset(world)
    cal = calibrate(net, read_calibration_data(net, world), 2024, prior_weight=1e-6)
    np.testing.assert_allclose(cal.demand["calibrated_t"], [150.0, 30.0], rtol=1e-3)
    np.testing.assert_allclose(cal.sites["modelled"], [180.0, 15.0, 30.0], rtol=1e-3)
    s = cal.summary()
    assert s["sites"] == 3 and s["share_within_15pct"] == 1.0 and s["prior_share_within_15pct"] < 1.0
    # each count is implied by the other two (am = mb + mc), so leave-one-out recovers it
    np.testing.assert_allclose(cal.loo["predicted"], [180.0, 15.0, 30.0], rtol=1e-2)
    body = cal.to_dict()
    assert {"site_id", "observed", "modelled", "unit", "rel_error", "geh", "source"} <= set(body["sites"][0])
    assert body["sites"][1]["unit"] == "TEU"


def test_calibrated_scenario_reads_back(world, tmp_path):
    net = read_dataset(world)
    data = read_calibration_data(net, world)
    cal = calibrate(net, data, 2024, prior_weight=1e-6)
    path = write_calibrated_scenario(cal, data, net, tmp_path / "calibrated_2024.toml")
    sc = read_scenario(path)
    assert sc.name == "calibrated_2024" and sc.base_year == 2024
    assert {d.id: round(d.at(2024)) for d in sc.demand} == {"cn_eu": 150, "cn_tr": 30}
    assert {(d.origin, d.destination) for d in sc.demand} == {("a", "b"), ("a", "c")}
    assert all(d.source and d.quote for d in sc.demand)


def test_a_year_without_demand_or_counts_is_named(world):
    net = read_dataset(world)
    with pytest.raises(DataError, match=r"(?s)demand.csv: field 'year' = 2031.*counts.csv: field 'year' = 2031"):
        calibrate(net, read_calibration_data(net, world), 2031)


def test_cli_calibrate_and_validate_json(world, tmp_path):
    import json

    from typer.testing import CliRunner

    from corridor.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["calibrate", "--year", "2024", "--data", str(world), "--output", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["summary"]) >= {"sites", "share_within_15pct", "loo_share_within_30pct"}
    assert [s["site_id"] for s in doc["sites"]] == ["am", "mb", "mc"]
    assert set(doc["sites"][0]) == {"site_id", "count_id", "observed", "modelled", "unit", "rel_error", "geh", "source"}
    assert (tmp_path / "calibrated_2024.toml").exists()
    res = runner.invoke(app, ["validate", "--year", "2024", "--data", str(world), "--json"])
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)["sites"]) == 3
    res = runner.invoke(app, ["calibrate", "--year", "2024", "--data", str(world), "--output", str(tmp_path)])
    assert res.exit_code == 0 and "within 15%" in res.stdout


def test_cli_bad_input_is_one_readable_line_and_exit_2(world, tmp_path):
    from typer.testing import CliRunner

    from corridor.cli import app

    bad = tmp_path / "ds"
    shutil.copytree(world, bad)
    text = (bad / "counts.csv").read_text(encoding="utf-8").replace("mc,mc,2024,30.0,", "mc,mc,2024,-30.0,")
    (bad / "counts.csv").write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", "--year", "2024", "--data", str(bad)])
    assert res.exit_code == 2
    assert "counts.csv:4: field 'observed' = '-30.0': expected a number >= 0" in res.output
    assert "Traceback" not in res.output
