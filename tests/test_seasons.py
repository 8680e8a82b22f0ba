"""Seasonal river links: open only in their navigation season; routing leaves them out on other dates."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from cli_helpers import ok_json, refused

from corridor.data import DATASET_DIR, read_dataset
from corridor.data.rules_file import read_rules
from corridor.data.seasons_file import read_seasons
from corridor.errors import DataError, NoRouteError
from corridor.model.seasons import LinkSeason, closed_links
from corridor.routing.ruled import find_routes_under_rules, shipment_for


@pytest.fixture(scope="module")
def shipped():
    return read_dataset()


@pytest.mark.parametrize(
    ("day", "is_open"),
    [
        ("2025-04-19", False),
        ("2025-04-20", True),
        ("2025-07-01", True),
        ("2025-10-28", True),
        ("2025-10-29", False),
        ("2025-01-15", False),
    ],
)
def test_irtysh_season_boundaries(shipped, day, is_open):
    seasons = {s.link_id: s for s in read_seasons(net=shipped)}
    irtysh = seasons["irtysh_pavlodar_omsk"]
    assert irtysh.is_open(dt.date.fromisoformat(day)) is is_open
    assert irtysh.navigation_days == 192 and "192 days" in irtysh.citation


def test_a_season_may_run_across_the_new_year():
    winter = LinkSeason("ice_road", (12, 1), (3, 15))
    assert winter.is_open(dt.date(2025, 1, 10)) and winter.is_open(dt.date(2025, 12, 1))
    assert not winter.is_open(dt.date(2025, 3, 16))
    assert list(closed_links([winter], dt.date(2025, 7, 1))) == ["ice_road"]


def _river_trip(shipped, day: dt.date):
    rules, seasons = read_rules(net=shipped), read_seasons(net=shipped)
    s = shipment_for(shipped, "Pavlodar", "Omsk", cargo="grain", date=day)
    return find_routes_under_rules(
        shipped, "Pavlodar", "Omsk", rules=rules, shipment=s, avoid_modes=["rail", "road"], seasons=seasons
    )


def test_routing_uses_the_river_only_in_season(shipped):
    summer = _river_trip(shipped, dt.date(2025, 7, 1))
    assert [leg.ref for leg in summer.routes[0].legs if leg.kind == "link"] == ["irtysh_pavlodar_omsk"]
    with pytest.raises(NoRouteError, match=r"irtysh_pavlodar_omsk \(open 20 Apr – 28 Oct\)"):
        _river_trip(shipped, dt.date(2025, 1, 15))


def test_cli_month_closes_the_river():
    args = ("route", "Pavlodar", "Omsk", "--cargo", "grain", "--avoid-mode", "rail,road")
    july = ok_json(*args, "--month", "7")
    assert july["closed_in_season"] == []
    assert "irtysh_pavlodar_omsk" in refused(*args, "--month", "1").stderr
    refused(*args, "--month", "13")
    # with rail allowed, a January trip goes by rail and reports the closed river
    january = ok_json("route", "Pavlodar", "Omsk", "--cargo", "grain", "--month", "1")
    assert "irtysh_pavlodar_omsk" in {c["link_id"] for c in january["closed_in_season"]}
    assert all(leg["mode"] != "river" for leg in january["routes"][0]["legs"])


def test_bad_season_file_names_line_and_field(tmp_path, shipped):
    folder = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, folder)
    with (folder / "link_seasons.csv").open("a", encoding="utf-8") as fh:
        fh.write("irtysh_semey_pavlodar,2,30,10,28,,2024,,,because\n")
        fh.write("no_such_link,4,1,10,1,,2024,,,because\n")
        fh.write("irtysh_semey_pavlodar,4,1,10,1,,2024,,,\n")
    with pytest.raises(DataError) as info:
        read_seasons(folder, net=shipped)
    text = str(info.value)
    assert "link_seasons.csv:6: field 'open_day' = 30" in text
    assert "link_seasons.csv:7: field 'link_id' = 'no_such_link'" in text
    assert "link_seasons.csv:8: field 'assumption'" in text
