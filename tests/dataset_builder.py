"""Builders for small generated datasets, shared by tests (a uniquely named module: several conftest.py files exist)."""

from __future__ import annotations

import csv
from pathlib import Path

from corridor.schema import TABLES, schema

__all__ = ["MODES", "PARAMETERS", "build_dataset", "write_table"]


def write_table(folder: Path, table: str, rows: list[dict]) -> None:
    """Write *rows* as ``<table>.csv`` with the schema's columns in schema order."""
    cols = [c.attribute for c in schema(table).columns]
    with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})


MODES = [
    {
        "mode": "rail",
        "speed_kmh": 40,
        "circuity": 1.25,
        "co2_g_per_tkm": 11.3,
        "rate_usd_per_teu_km": 0.12,
        "rate_usd_per_t_km": 0.03,
    },
    {
        "mode": "road",
        "speed_kmh": 30,
        "circuity": 1.2,
        "co2_g_per_tkm": 90.3,
        "rate_usd_per_teu_km": 0.6,
        "rate_usd_per_t_km": 0.08,
    },
    {
        "mode": "sea",
        "speed_kmh": 30,
        "circuity": 1.15,
        "co2_g_per_tkm": 10.5,
        "rate_usd_per_teu_km": 0.06,
        "rate_usd_per_t_km": 0.005,
    },
]
PARAMETERS = [
    {"parameter": "t_per_teu", "value": 10, "unit": "t/TEU", "description": "x"},
    {"parameter": "t_per_bcm", "value": 730000, "unit": "t/bcm", "description": "x"},
    {"parameter": "value_of_time_usd_per_teu_h", "value": 2, "unit": "USD/TEU-h", "description": "x"},
    {"parameter": "value_of_time_usd_per_t_h", "value": 0.05, "unit": "USD/t-h", "description": "x"},
    {"parameter": "carbon_price_usd_per_tco2", "value": 80, "unit": "USD/tCO2", "description": "x"},
]


def build_dataset(folder: Path, nodes: list[dict], links: list[dict], transfers: list[dict] | None = None) -> Path:
    """Write a small but complete dataset (every value covered by a wildcard assumption) into *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    write_table(folder, "nodes", nodes)
    write_table(folder, "links", links)
    write_table(folder, "transfers", transfers or [])
    write_table(folder, "modes", MODES)
    write_table(folder, "parameters", PARAMETERS)
    for t in ("projects", "fx_rates", "corridors", "sources"):
        write_table(folder, t, [])
    prov = []
    for table in ("nodes", "links", "transfers", "modes", "parameters"):
        numeric = [c.attribute for c in schema(table).columns if c.dtype in ("float", "int")]
        prov.append(
            {"table": table, "record_id": "*", "field": ";".join(numeric), "year": 2025, "assumption": "generated test data"}
        )
    write_table(folder, "provenance", prov)
    assert {p.stem for p in folder.glob("*.csv")} == set(TABLES)
    return folder
