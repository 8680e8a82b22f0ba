"""The dashboard's JSON API in-process: answers match the library, bad input is a 4xx problem naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from corridor.api.app import create_app
from corridor.data import read_dataset
from corridor.routing import find_routes

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def net():
    return read_dataset()


@pytest.fixture(scope="module")
def client(net):
    with TestClient(create_app(net, "sqlite://")) as c:
        yield c


def test_network_of_a_year_has_every_operating_link_once(client, net):
    doc = client.get("/network", params={"year": 2025, "status": "operating"}).json()
    links = [f for f in doc["features"] if f["properties"]["feature"] == "link"]
    view = net.at_year(2025)
    assert {f["properties"]["link_id"] for f in links} == set(view.links["base_id"])
    assert all(f["properties"]["status"] == "operating" for f in doc["features"])
    sea = [f for f in links if f["properties"]["mode"] == "sea"]
    assert sea and max(len(f["geometry"]["coordinates"]) for f in sea) > 2  # sea lanes, not straight lines


def test_planned_projects_appear_in_their_year(client, net):
    planned = net.links[net.links["status"].astype(str) != "operating"].dropna(subset=["open_year"])
    link = planned.sort_values("open_year").iloc[0]
    year = int(link["open_year"])
    before = client.get("/network", params={"year": year - 1}).json()["features"]
    after = client.get("/network", params={"year": year}).json()["features"]
    ids = lambda fs: {f["properties"].get("link_id") for f in fs}  # noqa: E731
    assert link["base_id"] not in ids(before)
    assert link["base_id"] in ids(after)


def test_places_search_names_aliases_and_locodes(client):
    assert client.get("/places", params={"q": "DEDUI"}).json()[0]["node_id"] == "duisburg"
    assert client.get("/places", params={"q": "duis"}).json()[0]["node_id"] == "duisburg"
    assert client.get("/places", params={"q": "sian"}).json()[0]["node_id"] == "xian"  # an alias
    assert client.get("/places", params={"q": "zzzz"}).json() == []


def test_route_avoiding_russia_and_belarus_matches_the_library(client, net):
    r = client.get("/routes", params={"origin": "Xi'an", "destination": "Duisburg", "avoid": "RU,BY", "currency": "EUR"})
    assert r.status_code == 200, r.text
    body = r.json()
    found = find_routes(net, "xian", "duisburg", avoid_countries=["RU", "BY"])
    lib = found[0].to_dict(currency="EUR")
    route = body["routes"][0]
    assert not {"RU", "BY"} & set(route["countries"])
    assert route["cost_usd"] == lib["cost_usd"] and route["days"] == lib["days"]
    assert [leg["id"] for leg in route["legs"]] == [leg["id"] for leg in lib["legs"]]
    assert route["cost_local"]["currency"] == "EUR"
    assert body["geojson"]["features"]
    assert body["geojson"] == found.to_geojson()  # the same drawing as the library's (sea legs along their lanes)
    again = client.get("/routes", params={"origin": "xian", "destination": "duisburg", "avoid": "RU,BY"}).json()
    assert again["geojson"] == body["geojson"]  # vertices remembered by the app are the same on the next request


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({"origin": "xian", "destination": "Atlantis"}, "destination", 422),
        ({"origin": "xian", "destination": "duisburg", "avoid": "XX"}, "avoid", 422),
        ({"origin": "xian", "destination": "duisburg", "currency": "ZZZ"}, "currency", 422),
        ({"origin": "xian", "destination": "duisburg", "k": 0}, "k", 422),
        ({"origin": "xian", "destination": "duisburg", "cargo": "gold"}, "cargo", 422),
    ],
)
def test_bad_route_queries_are_problems_naming_the_field(client, params, field, status):
    r = client.get("/routes", params=params)
    assert r.status_code == status
    assert r.headers["content-type"].startswith(PROBLEM)
    assert field in [f["path"] for f in r.json()["failures"]] or field in r.json()["detail"]


def test_unknown_records_and_scenarios_are_404_problems(client):
    for url in ("/network/links/nope", "/network/nodes/nope", "/scenarios/nope/years/2030"):
        r = client.get(url)
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM), url


def test_link_detail_carries_its_sources(client):
    body = client.get("/network/links/cpc").json()
    assert body["values"]["mode"] == "oil_pipeline"
    assert body["sources"] and all(s["record_id"] == "cpc" for s in body["sources"])


def test_scenario_year_flows_bottlenecks_and_shares(client):
    body = client.get("/scenarios/base/years/2030").json()
    assert body["links"] and all(len(link["coordinates"]) >= 2 for link in body["links"])
    assert body["bottlenecks"][0]["vc_ratio"] >= body["bottlenecks"][-1]["vc_ratio"]
    assert abs(sum(s["share_fraction"] for s in body["corridor_shares"]) - 1) < 1e-6
    assert body["energy"]["sinks"]


def test_series_refuses_too_many_years(client):
    r = client.get("/scenarios/base/series", params={"years": "2024..2050"})
    assert r.status_code == 422 and r.json()["failures"][0]["path"] == "years"


def test_static_files_stay_inside_the_web_folder(client):
    for path in ("/static/..%2f..%2fpyproject.toml", "/static/%2e%2e/api/app.py", "/static/nope.js"):
        assert client.get(path).status_code == 404, path


def test_provenance_search_and_bad_kind(client):
    body = client.get("/provenance", params={"record": "cpc"}).json()
    assert body["total"] == len(body["items"]) > 0
    assert client.get("/provenance", params={"kind": "rumour"}).status_code == 422


UNIT_CHECKED = [
    ("/routes", {"origin": "xian", "destination": "duisburg", "k": 2, "currency": "EUR"}),
    ("/routes", {"origin": "Tengiz", "destination": "Ceyhan", "cargo": "liquid_bulk", "objective": "cost"}),
    ("/compare", {"currency": "KZT"}),
    ("/scenarios/cpc_disruption/years/2030", {}),
    ("/scenarios/cpc_disruption/series", {"years": "2030,2032"}),
]


#: Numeric names the walk accepts in the calibration fit only: their names are fixed by ``corridor calibrate --json``
#: (issue 10). ``observed``, ``modelled`` and ``predicted`` are in the unit given beside them in ``unit``;
#: ``rel_error`` is a fraction, ``geh`` and ``r2`` are dimensionless statistics; ``sites``/``demand_sites`` are counts
#: of sites; the ``share_*`` figures are fractions of the sites.
CALIBRATION_PLAIN = {
    "observed",
    "modelled",
    "predicted",
    "rel_error",
    "geh",
    "r2",
    "sites",
    "demand_sites",
    "share_within_15pct",
    "prior_share_within_15pct",
    "loo_share_within_30pct",
    "loo_share_within_30pct_demand_sites",
    "share_geh_below_5",
}


@pytest.mark.parametrize(("path", "params"), UNIT_CHECKED, ids=[f"{p} {sorted(q)}" for p, q in UNIT_CHECKED])
def test_dashboard_numbers_carry_units(client, path, params):
    from test_result_units import unitless

    res = client.get(path, params=params)
    assert res.status_code == 200, res.text
    doc = res.json()
    doc.pop("geojson", None)  # GeoJSON coordinates are positions by the GeoJSON standard
    for link in doc.get("links", []):
        link.pop("coordinates")
    assert unitless(doc) == []


def test_calibration_numbers_carry_units(client):
    from test_result_units import unitless

    doc = client.get("/calibration/2024").json()
    bare = unitless(doc)
    assert bare, "the walk sees the fixed calibration names"
    named = [b.rsplit(" (", 1)[1].rstrip(")") for b in bare]
    assert sorted(set(named) - CALIBRATION_PLAIN) == [], bare
    assert all(isinstance(doc["summary"][k], str) for k in ("geh_unit",))


def test_calibration_fit_per_count_site(client, net):
    from corridor.calibration import FIT_LIMIT, read_calibration_data

    res = client.get("/calibration/2024")
    assert res.status_code == 200, res.text
    body = res.json()
    counts = read_calibration_data(net).counts_for(2024)
    assert [s["count_id"] for s in body["sites"]] == list(counts["count_id"])
    for site, (_, count) in zip(body["sites"], counts.iterrows(), strict=True):
        assert site["site_id"] == count["site_id"] and site["unit"] == count["unit"]
        assert site["observed"] == pytest.approx(float(count["observed"]))
        assert site["rel_error"] == pytest.approx((site["modelled"] - site["observed"]) / site["observed"])
        assert site["source"], site["site_id"]
    summary = body["summary"]
    assert summary["sites"] == len(body["sites"]) == len(body["leave_one_out"])
    within = sum(abs(s["rel_error"]) <= FIT_LIMIT for s in body["sites"]) / len(body["sites"])
    assert summary["share_within_15pct"] == pytest.approx(within)
    loo_within = sum(abs(s["rel_error"]) <= body["loo_limit_fraction"] for s in body["leave_one_out"]) / summary["sites"]
    assert summary["loo_share_within_30pct"] == pytest.approx(loo_within)
    assert {s["count_id"] for s in body["leave_one_out"]} == {s["count_id"] for s in body["sites"]}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/calibration/2030", "year"),  # in range, but no demand or counts that year
        ("/calibration/1200", "year"),
        ("/calibration/next", "year"),
        ("/calibration/2024?prior_weight=0", "prior_weight"),
        ("/calibration/2024?prior_weight=lots", "prior_weight"),
    ],
)
def test_bad_calibration_queries_are_problems_naming_the_field(client, url, field):
    r = client.get(url)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert any(field in f["path"] for f in body["failures"]), body
    if url.endswith("2030"):
        assert "2024" in r.text  # says which years have data
