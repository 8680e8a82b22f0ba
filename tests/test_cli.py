"""End-to-end tests through the installed ``corridor`` entry point (a real subprocess each)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "corridor"
EXE = str(BIN) if BIN.exists() else shutil.which("corridor")


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    assert EXE, "the corridor entry point is not installed"
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


def test_route_with_avoid_and_k():
    proc = run("route", "Xi'an", "Duisburg", "--avoid", "RU,BY", "--k", "3")
    assert proc.stdout.count("Route ") >= 3
    assert "moving h" in proc.stdout and "waiting h" in proc.stdout and "KZT" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_route_json():
    doc = json.loads(run("route", "xian", "DEDUI", "--avoid", "RU,BY,IR", "--k", "2", "--json").stdout)
    assert len(doc["routes"]) == 2
    r = doc["routes"][0]
    assert r["cost_local"]["currency"] == "KZT"
    assert r["legs"] and {"mode", "length_km", "moving_h", "waiting_h", "cost_usd", "co2_kg"} <= set(r["legs"][0])
    assert not {"RU", "BY", "IR"} & set(r["countries"])


def test_compare_table_and_json():
    proc = run("compare")
    for name in ("Middle Corridor", "Northern route", "Sea via Suez", "KZT/TEU", "borders"):
        assert name in proc.stdout
    doc = json.loads(run("compare", "--json", "--currency", "TRY").stdout)
    assert doc["fx"]["currency"] == "TRY"
    assert len(doc["corridors"]) == 7
    available = [c for c in doc["corridors"] if c["available"]]
    assert available and all("cost_local" in c for c in available)


def test_sources_filter_and_json():
    proc = run("sources", "--record", "cpc")
    assert "Caspian" in proc.stdout or "tportal" in proc.stdout
    doc = json.loads(run("sources", "--kind", "assumption", "--table", "modes", "--json").stdout)
    assert doc["total"] == len(doc["values"]) > 0
    assert all(v["kind"] == "assumption" and v["note"] for v in doc["values"])
    assert set(doc["counts"]) == {"sourced", "computed", "assumption"}


def test_network_show_validate_export(tmp_path: Path):
    assert "valid" in run("network", "validate").stdout
    doc = json.loads(run("network", "show", "--year", "2030", "--planned", "--json").stdout)
    assert doc["year"] == 2030 and doc["nodes"] > 80
    gj = tmp_path / "net.geojson"
    run("network", "export", "--format", "geojson", "--output", str(gj))
    feats = json.loads(gj.read_text())["features"]
    assert {f["properties"]["feature"] for f in feats} == {"node", "link"}
    gpkg = tmp_path / "net.gpkg"
    run("network", "export", "--format", "gpkg", "--output", str(gpkg))
    import geopandas as gpd

    assert len(gpd.read_file(gpkg, layer="links")) > 100
    out = tmp_path / "csv"
    run("network", "export", "--format", "csv", "--output", str(out))
    assert (out / "provenance.csv").exists() and (out / "links.csv").exists()


def test_fx_table():
    doc = json.loads(run("fx", "--json").stdout)
    codes = {r["currency"] for r in doc["rates"]}
    assert {"KZT", "KGS", "TJS", "UZS", "TMT", "EUR", "TRY"} <= codes


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("route", "Xi'an", "Duisbrug"), "did you mean: Duisburg (duisport)"),
        (("route", "xian", "duisburg", "--objective", "speed"), "objective"),
        (("route", "xian", "duisburg", "--currency", "XAF"), "XAF"),
        (("compare", "--cargo", "people"), "people"),
        (("sources", "--kind", "guess"), "kind"),
        (("network", "export", "--format", "shp", "--output", "x.shp"), "format"),
    ],
)
def test_bad_input_exits_2_with_a_clear_line(args, needle):
    proc = run(*args, check=False)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_broken_dataset_lists_every_problem(dataset_copy: Path):
    links = dataset_copy / "links.csv"
    text = links.read_text().replace(
        "kz_beyneu_aktau,Beyneu–Mangyshlak–Aktau port,beyneu,aktau",
        "kz_beyneu_aktau,Beyneu–Mangyshlak–Aktau port,beyneu,atlantis",
    )
    links.write_text(text.replace(",72500000,", ",-72500000,"))
    proc = run("network", "validate", str(dataset_copy), check=False)
    assert proc.returncode == 2
    assert "atlantis" in proc.stderr and "capacity_t_per_year" in proc.stderr and "links.csv:" in proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(run("network", "validate", str(dataset_copy), "--json", check=False).stdout)
    assert doc["error"] == "DataError" and len(doc["problems"]) >= 2


TNTP = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "tntp"


@pytest.mark.skipif(not TNTP.exists(), reason="shared/data/tntp is not beside the checkout")
def test_tntp_run_prints_gap_objective_and_best_known():
    proc = run("tntp", "run", str(TNTP / "SiouxFalls"), "--algorithm", "bfw", "--gap", "1e-4")
    assert "final relative gap" in proc.stdout and "Beckmann objective" in proc.stdout and "best-known" in proc.stdout
    doc = json.loads(run("tntp", "run", str(TNTP / "SiouxFalls"), "--gap", "1e-5", "--json").stdout)
    assert doc["converged"] and doc["relative_gap"] < 1e-5 and abs(doc["objective_rel_diff"]) < 1e-6
    assert doc["iterations"] == len(doc["log"]) and doc["wall_s"] > 0
    bad = run("tntp", "run", "/nonexistent/folder", check=False)
    assert bad.returncode == 2 and "folder" in bad.stderr and "Traceback" not in bad.stderr


def test_assign_and_scenario_commands(tmp_path: Path):
    proc = run("assign", "--scenario", "cpc_disruption", "--year", "2030")
    assert "Bottlenecks" in proc.stdout and "stranded" in proc.stdout and "btc" in proc.stdout
    doc = json.loads(
        run("assign", "--scenario", "base", "--year", "2026", "--json", "--output", str(tmp_path), "--format", "geojson").stdout
    )
    assert doc["corridor_shares"] and doc["bottlenecks"] and doc["files"]
    proc = run("scenario", "run", "base", "--years", "2024..2027")
    assert "saturates in" in proc.stdout and "Corridor shares of freight by year" in proc.stdout
    doc = json.loads(run("scenario", "diff", "cpc_disruption", "btc_quota_raised", "--years", "2030", "--json").stdout)
    ceyhan = next(r for r in doc["energy"] if r["year"] == 2030)["to_ceyhan"]
    assert ceyhan == pytest.approx(3.7e6)
    assert "cpc_disruption" in run("scenario", "list").stdout
    bad = run("scenario", "run", "base", "--years", "2030..2024", check=False)
    assert bad.returncode == 2 and "years" in bad.stderr


def test_sweep_command_local():
    doc = json.loads(run("sweep", "base", "--years", "2030", "--samples", "2", "--workers", "1", "--json").stdout)
    assert doc["executor"] == "local" and doc["samples"] == 2
    assert any(r["metric"] == "share" for r in doc["summary"])
