"""The ``corridor`` commands, run in-process with Typer's CliRunner; a few end-to-end through the installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import invoke, ok, ok_json, refused

BIN = Path(sys.executable).parent / "corridor"
EXE = str(BIN) if BIN.exists() else shutil.which("corridor")
ROOT = Path(__file__).resolve().parents[1]


def script(*args: str) -> subprocess.CompletedProcess:
    """Run the installed ``corridor`` entry point in a fresh process."""
    assert EXE, "the corridor entry point is not installed"
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------ end to end, through the installed script
def test_script_route_end_to_end():
    proc = script("route", "Xi'an", "Duisburg", "--avoid", "RU,BY", "--k", "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("Route ") >= 3
    assert "moving h" in proc.stdout and "waiting h" in proc.stdout and "KZT" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_script_broken_dataset_lists_every_problem(dataset_copy: Path):
    links = dataset_copy / "links.csv"
    text = links.read_text().replace(
        "kz_beyneu_aktau,Beyneu–Mangyshlak–Aktau port,beyneu,aktau",
        "kz_beyneu_aktau,Beyneu–Mangyshlak–Aktau port,beyneu,atlantis",
    )
    links.write_text(text.replace(",72500000,", ",-72500000,"))
    proc = script("network", "validate", str(dataset_copy))
    assert proc.returncode == 2
    assert "atlantis" in proc.stderr and "capacity_t_per_year" in proc.stderr and "links.csv:" in proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(invoke("network", "validate", str(dataset_copy), "--json").stdout)
    assert doc["error"] == "DataError" and len(doc["problems"]) >= 2


SERVICE = {"fastapi", "sqlalchemy", "uvicorn", "alembic"}
HEAVY = {"pandas", "numba", "numpy", "scipy", "geopandas", "networkx", *SERVICE}


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        (["--help"], HEAVY),
        (["route", "xian", "duisburg"], {"numba", "scipy", "pycountry", "geopandas", "networkx", *SERVICE}),
        (["sources", "--record", "btc"], {"numba", "geopandas", "networkx", *SERVICE}),
        (["network", "show"], {"numba", "geopandas", "networkx", *SERVICE}),
    ],
    ids=["help", "route", "sources", "network-show"],
)
def test_a_command_imports_only_what_it_uses(args, forbidden):
    """``corridor --help`` must not pay for pandas or the engines, a route not for numba; none for the web service."""
    code = (
        f"import sys; from corridor.cli import main; sys.argv = ['corridor', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(forbidden)!r})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stdout, proc.stdout[-300:]


#: What a route with a warm dataset cache has no use for: the other commands' modules and the dataset validators.
ROUTE_SKIPS = {
    *(f"corridor.cli.{m}" for m in ("flows", "simulate", "evidence", "transit", "calibrate", "network", "digital")),
    "corridor.data.csvfile",
    "corridor.data.dataset_checks",
    "corridor.data.dataset_provenance",
    "pyarrow.csv",
    "pycountry",
    "rich.progress",  # nothing to show when stderr is not a terminal
}


def test_a_route_from_a_warm_cache_imports_neither_other_commands_nor_validators(tmp_path: Path):
    """The first run validates the files and fills the cache; the next one reads it and imports only what routes."""
    code = (
        "import sys; from corridor.cli import main; sys.argv = ['corridor', 'route', 'xian', 'duisburg']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print('LOADED', sorted(set(sys.modules) & set({sorted(ROUTE_SKIPS)!r})))"
    )
    env = {**os.environ, "CORRIDOR_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)]
    runs.append(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env))
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    assert "corridor.data.dataset_checks" in runs[0].stdout  # a cold cache validates (so the check below can fail)
    assert "LOADED []" in runs[1].stdout, runs[1].stdout[-300:]
    assert runs[0].stdout.split("LOADED")[0] == runs[1].stdout.split("LOADED")[0]  # same output either way


# ------------------------------------------------------------------------------------------- in-process
def test_route_json():
    doc = ok_json("route", "xian", "DEDUI", "--avoid", "RU,BY,IR", "--k", "2")
    assert len(doc["routes"]) == 2
    r = doc["routes"][0]
    assert r["cost_local"]["currency"] == "KZT"
    assert r["legs"] and {"mode", "length_km", "moving_h", "waiting_h", "cost_usd", "co2_kg"} <= set(r["legs"][0])
    assert not {"RU", "BY", "IR"} & set(r["countries"])


def test_route_writes_geojson_and_refuses_to_overwrite(tmp_path: Path):
    target = tmp_path / "routes.geojson"
    ok("route", "xian", "duisburg", "--geojson", str(target))
    assert json.loads(target.read_text())["features"]
    again = refused("route", "xian", "duisburg", "--geojson", str(target))
    assert "--geojson" in again.stderr and "--force" in again.stderr
    ok("route", "xian", "duisburg", "--geojson", str(target), "--force")


def test_compare_table_and_json():
    out = ok("compare").stdout
    for name in ("Middle Corridor", "Northern route", "Sea via Suez", "KZT/TEU", "borders"):
        assert name in out
    doc = ok_json("compare", "--currency", "TRY")
    assert doc["fx"]["currency"] == "TRY"
    assert len(doc["corridors"]) == 7
    available = [c for c in doc["corridors"] if c["available"]]
    assert available and all("cost_local" in c for c in available)
    times = [c["objective_h"] for c in available]
    assert times == sorted(times), "routable corridors come best first"
    assert [c["available"] for c in doc["corridors"]] == sorted((c["available"] for c in doc["corridors"]), reverse=True)


def test_sources_filter_and_json():
    assert "Caspian" in ok("sources", "--record", "cpc").stdout or "tportal" in ok("sources", "--record", "cpc").stdout
    doc = ok_json("sources", "--kind", "assumption", "--table", "modes")
    assert doc["total"] == len(doc["values"]) > 0
    assert all(v["kind"] == "assumption" and v["note"] for v in doc["values"])
    assert set(doc["counts"]) == {"sourced", "computed", "assumption"}


def _searched_text(v: dict) -> str:
    return " ".join(str(v[c] or "") for c in ("source_title", "quote", "note")).lower()


def test_sources_search_finds_text_in_titles_quotes_and_notes(net):
    doc = ok_json("sources", "--search", "caspian")
    assert doc["total"] > 0 and all("caspian" in _searched_text(v) for v in doc["values"])
    # an assumption's reason (note) is searched too, case-insensitively, and filters combine with the search
    note = next(str(n) for n, k in zip(net.provenance["note"], net.provenance["kind"], strict=True) if k == "assumption")
    word = max(note.split(), key=len).strip(".,;:()").upper()
    hits = ok_json("sources", "--search", word, "--kind", "assumption")["values"]
    assert hits and all(word.lower() in _searched_text(h) and h["kind"] == "assumption" for h in hits)
    none = ok_json("sources", "--search", "no such text anywhere 9f3k")
    assert none["total"] == 0 and none["values"] == []
    assert "2 of " in ok("sources", "--search", "Caspian", "--limit", "2").stdout


def test_network_show_validate_export(tmp_path: Path):
    assert "valid" in ok("network", "validate").stdout
    doc = ok_json("network", "show", "--year", "2030", "--planned")
    assert doc["year"] == 2030 and doc["nodes"] > 80
    assert sum(doc["nodes_by_kind"].values()) == doc["nodes"]
    assert sum(doc["links_by_status"].values()) == doc["links"]
    assert "status operating" in ok("network", "show").stdout
    gj = tmp_path / "net.geojson"
    ok("network", "export", "--format", "geojson", "--output", str(gj))
    feats = json.loads(gj.read_text())["features"]
    assert {f["properties"]["feature"] for f in feats} == {"node", "link"}
    gpkg = tmp_path / "net.gpkg"
    ok("network", "export", "--format", "gpkg", "--output", str(gpkg))
    import geopandas as gpd

    assert len(gpd.read_file(gpkg, layer="links")) > 100
    out = tmp_path / "csv"
    ok("network", "export", "--format", "csv", "--output", str(out))
    assert (out / "provenance.csv").exists() and (out / "links.csv").exists()


def test_fx_table():
    codes = {r["currency"] for r in ok_json("fx")["rates"]}
    assert {"KZT", "KGS", "TJS", "UZS", "TMT", "EUR", "TRY"} <= codes


SIOUX = ROOT / "tests" / "data" / "tntp" / "SiouxFalls"  # vendored: runs on a fresh clone


def test_tntp_run_prints_gap_objective_and_best_known():
    out = ok("tntp", "run", str(SIOUX), "--algorithm", "bfw", "--gap", "1e-3").stdout  # the text only; JSON checks the answer
    assert "final relative gap" in out and "Beckmann objective" in out and "best-known" in out
    doc = ok_json("tntp", "run", str(SIOUX), "--gap", "1e-5")
    assert doc["converged"] and doc["relative_gap"] < 1e-5 and abs(doc["objective_rel_diff"]) < 1e-6
    assert doc["iterations"] == len(doc["log"]) and doc["wall_s"] > 0
    bad = refused("tntp", "run", "/nonexistent/folder")
    assert "folder" in bad.stderr


def test_assign_and_scenario_commands(tmp_path: Path):
    out = " ".join(ok("assign", "--scenario", "cpc_disruption", "--year", "2030").stdout.split())
    # crude and gas by route against the published split, then by terminal (allocation cases, not least cost)
    assert "Bottlenecks" in out and "stranded 56.24" in out and "Aktau → BTC" in out and "Turkmenistan → China" in out
    doc = ok_json("assign", "--scenario", "base", "--year", "2026", "--output", str(tmp_path), "--format", "geojson")
    assert doc["corridor_shares"] and doc["bottlenecks"] and doc["files"]
    out = ok("scenario", "run", "base", "--years", "2024..2027").stdout
    assert "saturates in" in out and "Corridor shares of freight by year" in out
    doc = ok_json("scenario", "diff", "cpc_disruption", "btc_quota_raised", "--years", "2030")
    ceyhan = next(r for r in doc["energy"] if r["year"] == 2030)["to_ceyhan_t_per_year"]
    assert ceyhan == pytest.approx(3.7e6)
    assert "cpc_disruption" in ok("scenario", "list").stdout


def test_sweep_command_local():
    doc = ok_json("sweep", "base", "--years", "2030", "--samples", "2", "--workers", "1")
    assert doc["executor"] == "local" and doc["samples"] == 2
    assert any(r["metric"] == "share_fraction" for r in doc["summary"])


@pytest.mark.parametrize("module", ["corridor", "corridor.cli"])
def test_python_dash_m_runs_the_command_line(module):
    proc = subprocess.run(
        [sys.executable, "-m", module, "network", "validate"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("valid:") and "operating parameters" in proc.stdout
