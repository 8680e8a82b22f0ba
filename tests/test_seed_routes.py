"""The routes the seed pages name are in the network, routable, and operating only where a source says so."""

from __future__ import annotations

import pytest

from corridor.data import read_dataset
from corridor.routing import find_routes

NEW_LINKS = [
    "kz_ekibastuz_pavlodar", "kz_ekibastuz_astana", "ru_omsk_petropavl", "ru_moscow_ust_luga", "sea_ust_luga_rotterdam",
    "irtysh_semey_pavlodar", "irtysh_pavlodar_omsk", "irtysh_tugyl_semey", "rail_jeminay_tugyl", "cn_urumqi_jeminay",
    "ili_konayev_yining", "kz_road_almaty_konayev", "cn_yining_khorgos", "uz_bukhara_termez", "af_termez_mazar",
    "trans_afghan_rail", "pk_kharlachi_peshawar", "road_termez_mazar", "road_mazar_kabul", "road_kabul_peshawar",
    "az_baku_horadiz", "horadiz_aghband", "tripp_syunik", "tr_nakhchivan_kars", "sea_makhachkala_turkmenbashi",
    "road_andijan_osh", "sea_poti_santos", "ru_moscow_makhachkala",
]  # fmt: skip


@pytest.fixture(scope="module")
def shipped():
    return read_dataset()


def test_operating_rows_name_their_source(shipped):
    base = shipped.links.drop_duplicates("base_id").set_index("base_id")
    sources = set(shipped.sources.index)
    for link_id in NEW_LINKS:
        row = base.loc[link_id]
        if row["status"] == "operating":
            notes = str(row["notes"])
            assert any(s in notes for s in sources) or "links.csv" in notes or "shared/data/operations" in notes, link_id


@pytest.mark.parametrize(
    ("origin", "destination", "options", "expected"),
    [
        ("tashkent", "santos", {}, ["ferry_turkmenbashi_baku", "sea_poti_santos"]),  # Uzbek block train to Brazil
        (
            "moscow",
            "osh",
            {"avoid_countries": ["KZ"]},
            ["ru_moscow_makhachkala", "sea_makhachkala_turkmenbashi", "road_andijan_osh"],
        ),
        ("baku", "kars", {"via": ["nakhchivan"]}, ["horadiz_aghband", "tripp_syunik", "tr_nakhchivan_kars"]),
        ("tugyl", "omsk", {"avoid_modes": ["rail"]}, ["irtysh_tugyl_semey", "irtysh_semey_pavlodar", "irtysh_pavlodar_omsk"]),
        ("konayev", "yining", {"avoid_modes": ["rail", "road"]}, ["ili_konayev_yining"]),
        ("termez", "peshawar", {"avoid_modes": ["rail"]}, ["road_termez_mazar", "road_mazar_kabul", "road_kabul_peshawar"]),
        ("tashkent", "peshawar", {}, ["af_termez_mazar", "trans_afghan_rail"]),
    ],
)
def test_seed_routes_are_routable_with_planned_projects(shipped, origin, destination, options, expected):
    route = find_routes(shipped, origin, destination, year=2030, include_planned=True, cargo="dry_bulk", **options)[0]
    used = [leg.ref.removesuffix("~r") for leg in route.legs if leg.kind == "link"]
    assert all(link in used for link in expected), used


def test_planned_routes_stay_closed_without_planned_projects(shipped):
    view = shipped.at_year(2030)
    for link_id in (
        "trans_afghan_rail",
        "tripp_syunik",
        "irtysh_tugyl_semey",
        "ili_konayev_yining",
        "sea_makhachkala_turkmenbashi",
    ):
        assert link_id not in view.links.index
    assert "sea_ust_luga_rotterdam" in view.links.index and "irtysh_pavlodar_omsk" in view.links.index
