"""Routing and corridor comparison on the shipped dataset."""

from __future__ import annotations

import json

import pytest

from corridor.errors import DataError, NoRouteError, UnknownPlaceError


def test_avoiding_russia_and_belarus(net):
    routes = net.route("Xi'an", "Duisburg", avoid_countries=["RU", "BY"], k=3)
    assert len(routes) == 3
    for r in routes:
        assert not {"RU", "BY"} & set(r.countries)
        assert r.origin == "xian" and r.destination == "duisburg"
        assert r.days > 5 and r.cost_usd > 0 and r.co2_kg > 0
    assert [r.objective_value for r in routes] == sorted(r.objective_value for r in routes)


def test_avoiding_iran_too_gives_the_middle_corridor(net):
    best = net.route("Xi'an", "Duisburg", avoid_countries=["RU", "BY", "IR"])[0]
    assert {"KZ", "AZ", "GE"} <= set(best.countries)
    caspian = [leg for leg in best.legs if leg.mode in ("ferry", "sea") and "AZ" in leg.countries]
    assert caspian, "the route crosses the Caspian"


def test_per_leg_breakdown_adds_up(net):
    r = net.route("Xi'an", "Duisburg", avoid_countries=["RU", "BY", "IR"])[0]
    frame = r.to_frame()
    assert {"mode", "from", "to", "length_km", "moving_h", "waiting_h", "cost_usd", "co2_kg", "sources"} <= set(frame.columns)
    assert frame["length_km"].sum() == pytest.approx(r.length_km)
    assert frame["moving_h"].sum() + frame["waiting_h"].sum() == pytest.approx(r.time_h)
    assert frame["cost_usd"].sum() == pytest.approx(r.cost_usd)
    assert (frame["waiting_h"] >= 0).all() and (frame.loc[frame["kind"] == "transfer", "length_km"] == 0).all()
    assert r.border_crossings and all(net.nodes.loc[b, "kind"] == "border_crossing" for b in r.border_crossings)
    assert any("Astana Times" in s for s in frame["sources"])  # a sourced leg says where its length came from


def test_objectives_trade_off(net):
    fastest = net.route("xian", "duisburg", objective="time", avoid_countries=["RU", "BY", "IR"])[0]
    cheapest = net.route("xian", "duisburg", objective="cost", avoid_countries=["RU", "BY", "IR"])[0]
    greenest = net.route("xian", "duisburg", objective="co2", avoid_countries=["RU", "BY", "IR"])[0]
    assert fastest.time_h <= cheapest.time_h + 1e-9 and fastest.time_h <= greenest.time_h + 1e-9
    assert cheapest.cost_usd <= fastest.cost_usd + 1e-9 and cheapest.cost_usd <= greenest.cost_usd + 1e-9
    assert greenest.co2_kg <= fastest.co2_kg + 1e-9


def test_quantity_scales_money_and_co2_not_time(net):
    one = net.route("xian", "duisburg", objective="cost")[0]
    ten = net.route("xian", "duisburg", objective="cost", quantity=10)[0]
    assert ten.cost_usd == pytest.approx(10 * one.cost_usd)
    assert ten.co2_kg == pytest.approx(10 * one.co2_kg)
    assert ten.time_h == pytest.approx(one.time_h)


def test_digital_customs_cut_waiting(net):
    kw = dict(avoid_countries=["RU", "BY", "IR"], via=["aktau"])
    paper = net.route("Xi'an", "Duisburg", customs="paper", **kw)[0]
    digital = net.route("Xi'an", "Duisburg", customs="auto", **kw)[0]
    assert digital.waiting_h < paper.waiting_h
    assert net.route("Xi'an", "Duisburg", customs="auto", year=2023, **kw)[0].waiting_h == pytest.approx(paper.waiting_h)


def test_via_and_avoid_nodes(net):
    r = net.route("xian", "duisburg", via=["Turkmenbashi"], avoid_countries=["IR", "RU"])[0]
    assert "turkmenbashi" in r.nodes
    r2 = net.route("xian", "duisburg", avoid_nodes=["aktau", "kuryk", "turkmenbashi"], avoid_countries=["RU", "BY"])[0]
    assert not {"aktau", "kuryk", "turkmenbashi"} & set(r2.nodes)


def test_planned_projects_only_when_asked(net):
    with pytest.raises(NoRouteError):
        net.route("Kashgar", "Andijan", avoid_countries=["KZ"], avoid_modes=["sea", "ferry"], year=2025)
    r = net.route("Kashgar", "Andijan", avoid_countries=["KZ"], year=2030, include_planned=True)[0]
    assert any(leg.ref.startswith("cku_railway") for leg in r.legs)


def test_energy_routes(net):
    oil = net.route("Tengiz", "Ceyhan", cargo="liquid_bulk", objective="cost", avoid_countries=["RU"])[0]
    assert "sangachal" in oil.nodes and any(leg.mode == "oil_pipeline" for leg in oil.legs)
    assert oil.unit == "t"
    cpc = net.route("Tengiz", "Novorossiysk", cargo="liquid_bulk")[0]
    assert [leg.ref for leg in cpc.legs if leg.kind == "link"] == ["cpc"]
    gas = net.route("Galkynysh", "Khorgos (China)", cargo="gas")[0]
    assert gas.modes == ["gas_pipeline"] and gas.unit == "bcm"
    with pytest.raises(NoRouteError):
        net.route("Galkynysh", "Sangachal", cargo="gas", year=2025)  # TCGP is planned
    assert net.route("Galkynysh", "Sangachal", cargo="gas", year=2030, include_planned=True)[0]


def test_bad_queries_are_clear(net):
    with pytest.raises(UnknownPlaceError) as info:
        net.route("Xi'an", "Duisbrug")
    assert "Duisburg (duisport)" in info.value.suggestions
    with pytest.raises(DataError, match="objective"):
        net.route("xian", "duisburg", objective="speed")
    with pytest.raises(DataError, match="cargo"):
        net.route("xian", "duisburg", cargo="people")
    with pytest.raises(DataError, match="avoid_modes"):
        net.route("xian", "duisburg", avoid_modes=["teleport"])


def test_compare_ranks_the_corridors(net):
    results = net.compare()
    names = [r.corridor_id for r in results]
    assert set(names) == set(net.corridors.index)
    routed = [r for r in results if r.route]
    assert [r.route.objective_value for r in routed] == sorted(r.route.objective_value for r in routed)
    by_id = {r.corridor_id: r for r in results}
    assert by_id["cku"].route is None and "no container route" in (by_id["cku"].reason or "")
    later = {r.corridor_id: r for r in net.compare(year=2030, include_planned=True)}
    assert any(leg.ref.startswith("cku_railway") for leg in later["cku"].route.legs)
    assert "suez" in by_id["sea_suez"].route.nodes and "suez" not in by_id["sea_cape"].route.nodes
    assert "malaszewicze" in by_id["northern"].route.nodes
    assert {"RU", "BY"}.isdisjoint(by_id["middle_btk"].route.countries)
    frame = net.compare_frame(currency="KZT")
    assert "cost_kzt" in frame.columns


def test_geojson_and_dict_outputs(net):
    routes = net.route("xian", "duisburg", k=2, avoid_countries=["RU", "BY"])
    doc = routes.to_geojson()
    assert doc["type"] == "FeatureCollection" and doc["features"]
    assert all(f["geometry"]["type"] == "LineString" for f in doc["features"])
    d = routes[0].to_dict(currency="KZT")
    assert d["cost_local"]["currency"] == "KZT" and d["cost_local"]["as_of"] == "2025-11-13"
    json.dumps(d)


def test_sea_leg_follows_its_lane(net):
    r = net.route("Shanghai", "Rotterdam", avoid_countries=["RU", "KZ", "IR"])[0]
    sea = [f for f in r.to_geojson()["features"] if f["properties"]["mode"] == "sea"]
    assert sea and max(len(f["geometry"]["coordinates"]) for f in sea) > 10


def test_network_tables_refuse_in_place_writes_and_edited_copies_route_anew(net):
    """No stale cache: a Network's tables are read-only; the documented edit path gives the new answer."""
    query = {"avoid_countries": ["RU", "BY"], "year": 2025}
    before = net.route("xian", "duisburg", **query)[0]
    crossing = before.border_crossings[0]
    forced = net.route("xian", "duisburg", via=[crossing], **query)[0]
    with pytest.raises(ValueError, match="read-only"):
        net.nodes.loc[crossing, "customs_paper_h"] = 100.0
    nodes = net.nodes.copy()
    nodes.loc[crossing, ["customs_paper_h", "customs_digital_h"]] += 100.0  # +100 h at the border, either regime
    edited = net.replace(nodes=nodes)
    slower = edited.route("xian", "duisburg", via=[crossing], **query)[0]
    assert slower.waiting_h == pytest.approx(forced.waiting_h + 100.0)
    assert net.route("xian", "duisburg", via=[crossing], **query)[0].waiting_h == pytest.approx(forced.waiting_h)
    best = edited.route("xian", "duisburg", **query)[0]
    assert crossing not in best.border_crossings or best.waiting_h == pytest.approx(before.waiting_h + 100.0)


def test_a_column_replaced_in_place_is_seen_by_the_next_route(net):
    own = net.replace(nodes=net.nodes.copy())  # a network with its own nodes table
    query = {"avoid_countries": ["RU", "BY"], "year": 2025}
    crossing = own.route("xian", "duisburg", **query)[0].border_crossings[0]
    forced = own.route("xian", "duisburg", via=[crossing], **query)[0]
    bump = (own.nodes.index == crossing) * 100.0
    own.nodes["customs_paper_h"] = own.nodes["customs_paper_h"] + bump
    own.nodes["customs_digital_h"] = own.nodes["customs_digital_h"] + bump
    assert own.route("xian", "duisburg", via=[crossing], **query)[0].waiting_h == pytest.approx(forced.waiting_h + 100.0)
    with pytest.raises(ValueError, match="read-only"):  # the new column is locked again
        own.nodes.loc[crossing, "customs_paper_h"] = 0.0


def test_network_survives_pickling_read_only(net):
    import pickle

    net.route("xian", "duisburg")
    copy = pickle.loads(pickle.dumps(net))
    assert copy.route("xian", "duisburg")[0].time_h == net.route("xian", "duisburg")[0].time_h
    with pytest.raises(ValueError, match="read-only"):
        copy.links.loc[copy.links.index[0], "length_km"] = 1.0


def test_year_graph_is_built_once_per_network_and_anew_for_an_edited_copy(net):
    from corridor.graph import year_graph

    g = year_graph(net, "container", year=2025)
    assert year_graph(net, "container", year=2025) is g
    assert year_graph(net.at_year(2025), "container") is g  # the same cached year view
    assert year_graph(net, "container", year=2025, customs="paper") is not g
    edited = net.replace(links=net.links.copy())
    assert year_graph(edited, "container", year=2025) is not g
