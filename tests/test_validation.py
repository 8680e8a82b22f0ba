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


def _problems(folder: Path) -> list:
    with pytest.raises(DataError) as info:
        read_dataset(folder, cache=False)
    return info.value.problems


def _set(folder: Path, table: str, row_index: int, **cells: str) -> None:
    def change(rows, header):
        rows[row_index].update(cells)
        return rows, header

    edit(folder, table, change)


@pytest.mark.parametrize(
    ("table", "cells", "field", "expected"),
    [
        ("modes", {"speed_kmh": "0"}, "speed_kmh", "> 0"),
        ("modes", {"circuity": "0.5"}, "circuity", "between 1 and 10"),
        ("nodes", {"lat": "200"}, "lat", "between -90 and 90"),
        ("nodes", {"lon": "-181"}, "lon", "between -180 and 180"),
        ("fx_rates", {"units_per_usd": "0"}, "units_per_usd", "> 0"),
        ("links", {"length_km": "0"}, "length_km", "> 0"),
        ("links", {"open_year": "3000"}, "open_year", "between 1800 and 2100"),
        ("links", {"capacity_t_per_year": "-1"}, "capacity_t_per_year", ">= 0"),
        ("links", {"length_km": "1e999"}, "length_km", "a finite number"),
        ("fx_rates", {"as_of": "2025-13-45"}, "as_of", "YYYY-MM-DD"),
        ("fx_rates", {"as_of": "yesterday"}, "as_of", "YYYY-MM-DD"),
    ],
)
def test_values_outside_the_schema_range_are_refused(dataset_copy: Path, table, cells, field, expected):
    _set(dataset_copy, table, 1, **cells)
    problems = _problems(dataset_copy)
    hit = [p for p in problems if p.file == f"{table}.csv" and p.field == field]
    assert hit, problems
    assert hit[0].line == 3 and hit[0].value == cells[field] and expected in hit[0].expected
    assert f"{table}.csv:3: field '{field}'" in str(hit[0])


def test_range_rules_are_data_in_the_schema():
    from corridor.schema import MODEL_YEARS, schema

    assert str(schema("modes").column("speed_kmh").range) == "(0, 1000]"
    assert str(schema("nodes").column("lat").range) == "[-90, 90]"
    for table in ("nodes", "links", "transfers", "projects", "provenance"):
        for col in schema(table).columns:
            if col.unit == "year":
                assert (col.range.lo, col.range.hi) == MODEL_YEARS, (table, col.attribute)
    assert schema("modes").columns[0].key and schema("fx_rates").columns[0].key


def test_self_loop_link_is_refused(dataset_copy: Path):

    def loop(rows, header):
        rows[0]["to_node"] = rows[0]["from_node"]
        return rows, header

    edit(dataset_copy, "links", loop)
    p = next(p for p in _problems(dataset_copy) if p.field == "to_node")
    assert (p.file, p.line) == ("links.csv", 2) and "self-loop" in p.expected


@pytest.mark.parametrize("bad", ["Ak\x00tau", "Ak\x1btau", "Ak\ttau", "Ak\x85tau"])
def test_control_characters_are_refused(dataset_copy: Path, bad: str):
    _set(dataset_copy, "nodes", 2, name=bad)
    (p,) = _problems(dataset_copy)  # one problem: the cell is not also reported as empty
    assert (p.file, p.line, p.field, p.value) == ("nodes.csv", 4, "name", bad) and "control characters" in p.expected


def test_duplicate_mode_rows_and_reversed_years_are_refused(dataset_copy: Path):
    def modes(rows, header):
        return [*rows, dict(rows[0])], header

    edit(dataset_copy, "modes", modes)
    _set(dataset_copy, "links", 0, open_year="2020", close_year="2010")
    problems = _problems(dataset_copy)
    assert any(p.file == "modes.csv" and p.field == "mode" and "already used on line 2" in p.expected for p in problems)
    assert any(p.file == "links.csv" and p.field == "close_year" and p.line == 2 for p in problems)


def test_a_border_crossing_borders_another_country(dataset_copy: Path):
    def nodes(rows, header):
        row = next(r for r in rows if r["border_with"])
        row["border_with"] = row["country"]
        return rows, header

    edit(dataset_copy, "nodes", nodes)
    (p,) = _problems(dataset_copy)
    assert (p.file, p.field) == ("nodes.csv", "border_with") and "other side" in p.expected


def test_project_value_must_fit_the_changed_column(dataset_copy: Path):
    _set(dataset_copy, "projects", 0, field="capacity_t_per_year", value="-5")
    p = next(p for p in _problems(dataset_copy) if p.file == "projects.csv")
    assert p.field == "value" and p.line == 2 and ">= 0" in p.expected


def test_non_utf8_file_is_reported_with_line_and_byte_offset(dataset_copy: Path):
    path = dataset_copy / "nodes.csv"
    data = path.read_bytes()
    lines = data.split(b"\n")
    lines[4] = lines[4].replace(b",", b",\xe9", 1)  # Latin-1 e-acute on line 5
    path.write_bytes(b"\n".join(lines))
    p = next(p for p in _problems(dataset_copy) if p.field == "(encoding)")
    offset = len(b"\n".join(lines[:4])) + 1 + lines[4].index(b"\xe9")
    assert (p.file, p.line, p.value) == ("nodes.csv", 5, b"\xe9")
    assert f"byte offset {offset}" in p.expected and "UTF-8" in p.expected


def test_a_folder_in_place_of_a_file_is_a_clear_error(dataset_copy: Path):
    (dataset_copy / "nodes.csv").unlink()
    (dataset_copy / "nodes.csv").mkdir()
    p = next(p for p in _problems(dataset_copy) if p.file == "nodes.csv")
    assert p.field == "(file)" and "not a folder" in p.expected
    with pytest.raises(DataError, match="a dataset folder"):
        read_dataset(dataset_copy / "links.csv", cache=False)


def test_many_bad_rows_report_the_first_few_and_a_count(dataset_copy: Path):
    from corridor.schema import MAX_PER_RULE

    def nodes(rows, header):
        for r in rows:
            r["lat"] = "95"
        return rows, header

    edit(dataset_copy, "nodes", nodes)
    lat = [p for p in _problems(dataset_copy) if p.field == "lat"]
    assert len(lat) == MAX_PER_RULE + 1
    assert [p.line for p in lat[:3]] == [2, 3, 4] and "more rows" in str(lat[-1].value)


def _big_dataset(folder: Path, n_links: int, bad: dict[int, dict]) -> Path:
    from dataset_builder import build_dataset

    n_nodes = 500
    nodes = [
        {
            "node_id": f"n{i}",
            "name": f"Station {i}",
            "kind": "rail_station",
            "country": "KZ",
            "lat": 40 + i % 50 * 0.1,
            "lon": 50 + i // 50 * 0.1,
        }
        for i in range(n_nodes)
    ]
    links = [
        {
            "link_id": f"l{i}",
            "from_node": f"n{i % n_nodes}",
            "to_node": f"n{(i * 7 + 1) % n_nodes}",
            "mode": "rail",
            "gauge_mm": 1520,
            "length_km": 10 + i % 700,
            "countries": "KZ",
            **bad.get(i, {}),
        }
        for i in range(n_links)
    ]
    return build_dataset(folder, nodes, links)


def test_a_large_links_file_validates_and_one_bad_row_is_found_by_line(tmp_path: Path):
    n = 50_000
    good = read_dataset(_big_dataset(tmp_path / "good", n, {}), cache=False)
    assert len(good.links) == 2 * n and good.links.loc["l49999", "length_km"] == 10 + 49_999 % 700
    bad_row = 31_337  # data row 31,337 is on line 31,339 (the header is line 1)
    problems = _problems(_big_dataset(tmp_path / "bad", n, {bad_row: {"speed_kmh": "0"}}))
    assert [(p.file, p.line, p.field, p.value) for p in problems] == [("links.csv", bad_row + 2, "speed_kmh", "0")]


def test_line_numbers_stay_right_after_quoted_line_breaks_and_blank_lines(dataset_copy: Path):
    path = dataset_copy / "nodes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(3, "")  # a blank line 4
    head = lines[2].split(",", 2)
    lines[2] = f'{head[0]},"Two\nlines",{head[2]}'  # line 3 holds a quoted line break
    lines[5] = lines[5].replace(",", ",\x01", 1)  # the row that started on line 6 now starts on line 7
    path.write_text("\n".join(lines), encoding="utf-8")
    found = {(p.line, p.field) for p in _problems(dataset_copy)}
    assert (4, "name") in found  # the line-break row ends on line 4
    assert (7, "name") in found
