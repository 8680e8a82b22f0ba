"""Loading a malformed dataset fails with one clear message per problem — all problems at once."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridor.data import read_dataset
from corridor.errors import DataError


def edit(folder: Path, table: str, fn) -> None:
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0].keys())
    rows, header = fn(rows, header)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def test_shipped_dataset_is_valid(net):
    assert len(net.nodes) > 80 and len(net.links) > 200


def test_all_problems_reported_together(dataset_copy: Path):
    def links(rows, header):
        rows[0]["to_node"] = "atlantis"  # unknown node (line 2)
        rows[1]["capacity_t_per_year"] = "-3"  # negative capacity (line 3)
        rows.append(dict(rows[2]))  # duplicate id (last line)
        return rows, header

    def parameters(rows, header):
        rows[0]["unit"] = "furlongs"  # unknown unit
        return rows, header

    def fx(rows, header):
        rows[0]["currency"] = "XYZ"  # unknown currency
        return rows, header

    def nodes(rows, header):
        return rows, [h for h in header if h != "lat"]  # missing required column

    edit(dataset_copy, "links", links)
    edit(dataset_copy, "parameters", parameters)
    edit(dataset_copy, "fx_rates", fx)
    edit(dataset_copy, "nodes", nodes)
    with pytest.raises(DataError) as info:
        read_dataset(dataset_copy)
    err = info.value
    text = str(err)
    by = {(p.file, p.field) for p in err.problems}
    assert ("links.csv", "to_node") in by and "atlantis" in text and "a node_id from nodes.csv" in text
    assert ("links.csv", "capacity_t_per_year") in by
    assert any(p.file == "links.csv" and p.field == "link_id" and "already used" in p.expected for p in err.problems)
    assert ("parameters.csv", "unit") in by and "furlongs" in text
    assert ("fx_rates.csv", "currency") in by and "ISO 4217" in text
    assert any(p.file == "nodes.csv" and p.field == "lat" and p.line == 1 for p in err.problems)
    lines = {p.line for p in err.problems if p.file == "links.csv" and p.field in ("to_node", "capacity_t_per_year")}
    assert lines == {2, 3}
    assert isinstance(err, ValueError)  # callers may catch the built-in


def test_value_without_provenance_is_an_error(dataset_copy: Path):
    def provenance(rows, header):
        return [r for r in rows if not (r["record_id"] == "cpc" and r["field"] == "capacity_t_per_year")], header

    edit(dataset_copy, "provenance", provenance)
    with pytest.raises(DataError) as info:
        read_dataset(dataset_copy)
    p = info.value.problems[0]
    assert (p.file, p.field, p.value) == ("links.csv", "capacity_t_per_year", 72500000.0)
    assert "provenance.csv" in p.expected


def test_sourced_provenance_needs_a_quote_and_assumption_needs_a_reason(dataset_copy: Path):
    def provenance(rows, header):
        rows[0]["assumption"] = ""  # an assumption row with no reason
        src = next(r for r in rows if r["source_id"])
        src["quote"] = ""
        return rows, header

    edit(dataset_copy, "provenance", provenance)
    with pytest.raises(DataError) as info:
        read_dataset(dataset_copy)
    fields = {p.field for p in info.value.problems}
    assert {"quote", "assumption"} <= fields


def test_missing_file_is_reported(dataset_copy: Path):
    (dataset_copy / "modes.csv").unlink()
    with pytest.raises(DataError, match=r"modes\.csv"):
        read_dataset(dataset_copy)


def test_rail_link_needs_a_gauge_and_countries_of_its_ends(dataset_copy: Path):
    def links(rows, header):
        r = next(r for r in rows if r["link_id"] == "kz_beyneu_aktau")
        r["gauge_mm"] = ""
        r["countries"] = "RU"
        return rows, header

    edit(dataset_copy, "links", links)
    with pytest.raises(DataError) as info:
        read_dataset(dataset_copy)
    fields = {p.field for p in info.value.problems}
    assert {"gauge_mm", "countries"} <= fields
