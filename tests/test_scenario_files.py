"""Scenario TOML files are checked against the scenario keys (schema/scenario_keys.csv) before use."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.data.scenario_files import list_scenarios, read_scenario
from corridor.errors import DataError

BASE = """
name = "trial"
description = "A test scenario."
base_year = 2024
objective = "time"

[[demand]]
id = "cn_eu"
origin = "xian"
destination = "duisburg"
annual_growth = 0.05
assumption = "test figures"

[demand.t_per_year]
2024 = 4500000
"""


def _problems(tmp_path: Path, text: str, name: str = "trial.toml") -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_scenario(path)
    return info.value.problems


def test_shipped_scenarios_pass_the_schema_and_the_network(net):
    for name in list_scenarios():
        sc = read_scenario(name)
        sc.validate(net, years=range(sc.base_year, 2041))


def test_a_valid_file_reads(tmp_path: Path):
    path = tmp_path / "trial.toml"
    path.write_text(BASE, encoding="utf-8")
    sc = read_scenario(path)
    assert sc.objective == "time" and sc.demand[0].t_per_year == {2024: 4_500_000.0}


@pytest.mark.parametrize(
    ("extra", "key", "value", "expected"),
    [
        ('colour = "red"', "colour", "colour", "a known key (base_year, customs, demand,"),
        ('objective = "fun"', "objective", "fun", "one of time, cost, co2, generalised"),
        ('customs = "bribes"', "customs", "bribes", "one of auto, digital, paper"),
        ('include_planned = "yes"', "include_planned", "yes", "true or false"),
        ('[energy]\ncargo = "plutonium"', "energy.cargo", "plutonium", "one of liquid_bulk, gas"),
        ("[energy.supplies]\natyrau = -5", "energy.supplies.atyrau", -5, "between 0 and 1.2e+10"),
        ('[energy.sinks]\nceyhan = "lots"', "energy.sinks.ceyhan", "lots", 'or "unlimited"'),
        ("[policies.digital_customs]\nkartsakhi = 3000", "policies.digital_customs.kartsakhi", 3000, "between 1800 and 2100"),
        (
            "[policies.customs_bribes]\nx = 1",
            "policies.customs_bribes",
            "customs_bribes",
            "a known key (digital_customs, projects)",
        ),
        (
            '[[disruptions]]\nkind = "meteor"\nnode = "baku"',
            "disruptions[0].kind",
            "meteor",
            "one of capacity_factor, close_link",
        ),
        (
            '[[disruptions]]\nkind = "capacity_factor"\nlink = "cpc"\nfactor = 1.5',
            "disruptions[0].factor",
            1.5,
            "between 0 and 1",
        ),
    ],
)
def test_unknown_keys_and_bad_values_are_refused_with_the_key_path(tmp_path: Path, extra, key, value, expected):
    text = BASE.replace('objective = "time"\n', "")
    text = (
        text + "\n" + extra + "\n"
        if extra.startswith("[")
        else text.replace("base_year = 2024\n", f"base_year = 2024\n{extra}\n")
    )
    (p,) = _problems(tmp_path, text)
    assert (p.file, p.field, p.value) == ("trial.toml", key, value)
    assert expected in p.expected, p.expected


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        ("base_year = 2024", "base_year = -1", "base_year", "a year between 1800 and 2100"),
        ("base_year = 2024", "base_year = 3000", "base_year", "a year between 1800 and 2100"),
        ("base_year = 2024", "base_year = 2024.5", "base_year", "a whole number"),
        ("2024 = 4500000", "3000 = 4500000", "demand[0].t_per_year.3000", "a key that is a year between 1800 and 2100"),
        ("2024 = 4500000", "2024 = -4500000", "demand[0].t_per_year.2024", "between 0 and 1.2e+10"),
        ("2024 = 4500000", "2024 = nan", "demand[0].t_per_year.2024", "a finite number"),
        ("2024 = 4500000", "2024 = inf", "demand[0].t_per_year.2024", "a finite number"),
        ("2024 = 4500000", "2024 = 1e20", "demand[0].t_per_year.2024", "between 0 and 1.2e+10"),
        ("annual_growth = 0.05", "annual_growth = 5.0", "demand[0].annual_growth", "between -0.5 and 0.5"),
        ('id = "cn_eu"', 'id = "CN EU"', "demand[0].id", "an id of lower-case letters"),
        ('origin = "xian"', 'origin = "xi\\u0000an"', "demand[0].origin", "control characters"),
        ('origin = "xian"', 'avoid_countries = ["ZZ"]\norigin = "xian"', "demand[0].avoid_countries", "ISO 3166-1"),
        ('origin = "xian"\n', "", "demand[0].origin", "this key"),
    ],
)
def test_types_ranges_and_required_keys(tmp_path: Path, old, new, key, expected):
    assert old in BASE
    problems = _problems(tmp_path, BASE.replace(old, new))
    hit = [p for p in problems if p.field == key]
    assert hit and expected in hit[0].expected, problems


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path):
    text = BASE.replace('objective = "time"', 'objective = "fun"\ncolour = 1').replace("base_year = 2024", "base_year = 3000")
    assert {p.field for p in _problems(tmp_path, text)} == {"objective", "colour", "base_year"}


def test_a_parent_file_is_checked_and_named(tmp_path: Path):
    (tmp_path / "parent.toml").write_text(BASE.replace('objective = "time"', 'objective = "fun"'), encoding="utf-8")
    (p,) = _problems(tmp_path, 'extends = "parent.toml"\nname = "child"\ndescription = "x"\n', name="child.toml")
    assert (p.file, p.field) == ("parent.toml", "objective")


def test_folder_encoding_and_syntax_errors_are_clear(tmp_path: Path):
    with pytest.raises(DataError, match="not a folder"):
        read_scenario(tmp_path)
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASE.replace("A test", "Caf\xe9 test").encode("latin-1"))
    with pytest.raises(DataError) as info:
        read_scenario(path)
    (p,) = info.value.problems
    assert (p.file, p.line, p.field) == ("latin1.toml", 3, "(encoding)") and "byte offset" in p.expected
    (p,) = _problems(tmp_path, BASE.replace("base_year = 2024", "base_year = = 2024"))
    assert (p.field, p.line) == ("(toml)", 4)


def test_unknown_places_and_absurd_growth_are_refused_against_the_network(tmp_path: Path, net):
    path = tmp_path / "trial.toml"
    path.write_text(BASE + '\n[[disruptions]]\nkind = "close_node"\nnode = "atlantis"\n', encoding="utf-8")
    with pytest.raises(DataError, match="atlantis"):
        read_scenario(path).validate(net)
    base = read_scenario("base")
    base.validate(net, years=[2024, 2030, 2050])
    with pytest.raises(DataError) as info:
        base.validate(net, years=[2100])  # the TITR flows grow 14.2% a year beyond 2030: ~3.2 Mt then, ~3.6e10 t in 2100
    text = str(info.value)
    titr = next(d for d in base.demand if d.id == "kz_tr_titr_2024")
    assert 2.5e10 < titr.at(2100) < 4.5e10
    assert f"field 'demand.kz_tr_titr_2024' = '{titr.at(2100):.3g} t/yr in 2100'" in text and "14.2% a year from 2030" in text
    assert "cn_eu_rail_2024" not in text  # rows held at their 2024 level stay within the bound
    with pytest.raises(DataError, match="field 'year' = 3000"):
        base.validate(net, years=[3000])


def test_extends_names_a_scenario_that_exists(tmp_path: Path):
    (p,) = _problems(tmp_path, BASE.replace('objective = "time"', 'extends = "nope.toml"'))
    assert (p.file, p.field, p.value) == ("trial.toml", "extends", "nope.toml") and "one of base" in p.expected
