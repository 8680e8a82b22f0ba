"""Every CLI argument is checked: a bad one gets one line naming the option, the value and what was expected, exit 2."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from cli_helpers import ok, ok_json, refused

from corridor.errors import DataError
from corridor.model.inputs import (
    YEAR_MAX,
    YEAR_MIN,
    check_countries,
    check_positive,
    check_year,
    parse_range,
    parse_years,
)


def one_error_line(result, *needles: str) -> str:
    """The single ``error:`` line on stderr, checked to contain every needle."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# ------------------------------------------------------------------------------------------------ years
@pytest.mark.parametrize("years", ["99999", "-1", "3000", "1999", "2024..99999", "0..3000", "2030..2024", "20x4", "", ","])
def test_bad_years_are_refused(years):
    one_error_line(refused("scenario", "run", "base", f"--years={years}"), "--years", repr(years), "2000", "2100")


@pytest.mark.parametrize("year", ["99999", "-1", "3000"])
@pytest.mark.parametrize("command", [("route", "xian", "duisburg"), ("compare",), ("network", "show"), ("assign",)])
def test_bad_year_is_refused_on_every_command(command, year):
    one_error_line(refused(*command, f"--year={year}"), "--year", year, f"{YEAR_MIN} to {YEAR_MAX}")


def test_year_range_and_lists_parse():
    assert parse_years("2024..2027") == [2024, 2025, 2026, 2027]
    assert parse_years("2024,2030") == [2024, 2030]
    assert parse_years(f"{YEAR_MIN}..{YEAR_MAX}")[-1] == YEAR_MAX
    assert check_year(2030) == 2030
    for bad in (1999, 2101, True, 2030.5):
        with pytest.raises(DataError, match="year"):
            check_year(bad)  # type: ignore[arg-type]
    doc = ok_json("scenario", "run", "base", "--years", "2024..2025")
    assert doc["years"] == [2024, 2025]


# ----------------------------------------------------------------------------------------- quantities
@pytest.mark.parametrize("quantity", ["-1", "0", "nan", "inf", "-inf", "1e999"])
def test_bad_quantity_is_refused(quantity):
    one_error_line(refused("route", "xian", "duisburg", f"--quantity={quantity}"), "--quantity", "finite number greater than 0")


def test_quantity_checks_in_the_library():
    assert check_positive(40, "quantity") == 40.0
    for bad in (0, -3, math.nan, math.inf, True):
        with pytest.raises(DataError, match="quantity"):
            check_positive(bad, "quantity")  # type: ignore[arg-type]
    assert ok_json("route", "xian", "duisburg", "--quantity", "40")["routes"][0]["quantity_teu"] == 40


# ------------------------------------------------------------------------------------------ countries
@pytest.mark.parametrize("avoid", ["XX", "Russia", "RU,ZZ", "R"])
@pytest.mark.parametrize("command", [("route", "xian", "duisburg"), ("compare",)])
def test_unknown_country_codes_are_refused(command, avoid):
    bad = avoid.split(",")[-1]
    one_error_line(refused(*command, "--avoid", avoid), "--avoid", f"'{bad.upper()}'", "ISO 3166-1 alpha-2")


def test_country_codes_are_case_insensitive():
    assert check_countries(["ru", " by ", ""]) == ["RU", "BY"]
    doc = ok_json("route", "xian", "duisburg", "--avoid", "ru,by")
    assert not {"RU", "BY"} & set(doc["routes"][0]["countries"])


# --------------------------------------------------------------------------------------------- outputs
def test_output_onto_an_existing_file_needs_force(tmp_path: Path):
    target = tmp_path / "net.geojson"
    target.write_text("keep me")
    one_error_line(refused("network", "export", "-O", str(target)), "--output", "exists", "--force")
    assert target.read_text() == "keep me"
    ok("network", "export", "-O", str(target), "--force")
    assert json.loads(target.read_text())["features"]


def test_output_into_a_missing_folder_is_refused(tmp_path: Path):
    missing = tmp_path / "nowhere" / "routes.geojson"
    one_error_line(refused("route", "xian", "duisburg", "--geojson", str(missing)), "--geojson", "does not exist")
    one_error_line(refused("network", "export", "-O", str(missing)), "--output", "does not exist")
    assert not missing.parent.exists()


def test_output_that_is_a_folder_or_a_file_of_the_wrong_kind(tmp_path: Path):
    one_error_line(refused("network", "export", "-O", str(tmp_path)), "--output", "found a folder")
    a_file = tmp_path / "x.txt"
    a_file.write_text("x")
    one_error_line(refused("assign", "--output", str(a_file)), "--output", "expected a folder")
    one_error_line(refused("network", "export", "--format", "csv", "-O", str(a_file)), "--output", "expected a folder")
    one_error_line(refused("scenario", "run", "base", "--years", "2030", "-O", str(tmp_path)), "--output", "not empty")


@pytest.mark.parametrize(
    "args",
    [
        ("network", "export", "--format", "shp", "-O", "x.shp"),
        ("assign", "--format", "xlsx"),
        ("scenario", "run", "base", "--format", "x"),
    ],
)
def test_unknown_formats_are_refused_before_any_work(args):
    one_error_line(refused(*args), "--format", "expected one of")


# ------------------------------------------------------------------------------------------- scenarios
def test_scenario_path_that_is_a_folder(tmp_path: Path):
    one_error_line(refused("scenario", "run", str(tmp_path), "--years", "2030"), str(tmp_path), "found a folder")
    one_error_line(refused("assign", "--scenario", str(tmp_path)), "--scenario", "found a folder")


# ------------------------------------------------------------------------------------------------ sweep
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--demand-scale", "0.8:1.2:3"),
        ("--demand-scale", "a:b"),
        ("--demand-scale", "1.2:0.8"),
        ("--demand-scale", "-1:2"),
        ("--demand-scale", "nan:1"),
        ("--demand-scale", "0.5:"),
        ("--demand-scale", "inf"),
        ("--delay", "0.5:1"),
        ("--delay", "-1:2"),
        ("--disruption-prob", "2"),
        ("--disruption-prob", "nan"),
        ("--samples", "0"),
        ("--workers", "0"),
    ],
)
def test_sweep_arguments_are_parsed_strictly(option, value):
    one_error_line(refused("sweep", "base", f"{option}={value}"), option, repr(value) if ":" in value else value)


def test_range_parser():
    assert parse_range("0.7:1.3", float, "r") == (0.7, 1.3)
    assert parse_range("2", int, "r") == (2, 2)
    for bad in ("1:2:3", "x", "2:1", ":1", "1:", "nan:1"):
        with pytest.raises(DataError, match="LOW:HIGH"):
            parse_range(bad, float, "r")


# ---------------------------------------------------------------------------------------- other limits
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("route", "Xi'an", "Duisbrug"), "did you mean: Duisburg (duisport)"),
        (("route", "xian", "duisburg", "--objective", "speed"), "objective"),
        (("route", "xian", "duisburg", "--currency", "XAF"), "XAF"),
        (("route", "xian", "duisburg", "--k", "0"), "'k' = 0"),
        (("route", "xian", "duisburg", "--avoid-mode", "teleport"), "teleport"),
        (("compare", "--cargo", "people"), "people"),
        (("compare", "Xi'an", "Duisbrug"), "Duisbrug"),
        (("sources", "--kind", "guess"), "kind"),
        (("sources", "--limit", "-1"), "--limit"),
        (("sources", "--table", "nope"), "'table' = 'nope'"),
        (("route", "xian", "duisburg", "--customs", "bogus"), "bogus"),
        (("tntp", "run", "/nonexistent", "--algorithm", "zz"), "algorithm"),
        (("tntp", "run", "/nonexistent", "--gap", "-1"), "--gap"),
        (("route", "xian", "duisburg", "--data", "/nonexistent/dataset"), "--data"),
        (("network", "validate", "/nonexistent/dataset"), "PATH = '/nonexistent/dataset': expected an existing dataset folder"),
    ],
)
def test_bad_input_exits_2_with_a_clear_line(args, needle):
    assert needle in refused(*args).stderr


def test_bad_input_with_json_gives_a_json_error():
    result = refused("route", "xian", "duisburg", "--year", "3000", "--json")
    doc = json.loads(result.stdout)
    assert doc["error"] == "DataError" and "--year = 3000" in doc["problems"][0]


def test_bootstrap_with_an_empty_name_is_one_line(tmp_path: Path):
    result = refused("transit", "bootstrap", "--name", "", "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}")
    one_error_line(result, "name = ''")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder no file can be created in")
def test_an_output_that_cannot_be_written_is_one_line():
    one_error_line(refused("route", "xian", "duisburg", "--geojson", "/proc/corridor.geojson"), "/proc/corridor.geojson")
    one_error_line(refused("network", "export", "-O", "/proc/corridor.geojson"), "/proc/corridor.geojson")
