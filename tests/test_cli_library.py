"""The library functions the CLI (and the API) call: provenance search, network overview, the corridor comparison."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from corridor.errors import DataError, UnknownPlaceError
from corridor.model import network_overview, search_provenance
from corridor.routing import compare, compare_corridors


def test_search_provenance_handles_missing_text_and_is_case_insensitive(net):
    frame = net.provenance.reset_index()
    assert frame["note"].isna().any() and frame["quote"].isna().any(), "the data has values without a note or quote"
    hits = search_provenance(net, search="CASPIAN")
    assert len(hits) > 0
    text = (hits["source_title"].fillna("") + hits["quote"].fillna("") + hits["note"].fillna("")).str.lower()
    assert text.str.contains("caspian").all()
    assert len(search_provenance(net)) == len(net.provenance)


def test_search_provenance_filters_combine(net):
    links = search_provenance(net, table="links", kind="sourced")
    assert len(links) and set(links["table"]) == {"links"} and set(links["kind"]) == {"sourced"}
    one = search_provenance(net, table="links", record="btc", field="length_km")
    assert len(one) == 1 and one.loc[0, "value"] == pytest.approx(1768)
    source = str(links.loc[0, "source_id"])
    assert set(search_provenance(net, source=source)["source_id"]) == {source}
    with pytest.raises(DataError, match="kind"):
        search_provenance(net, kind="guess")


def test_network_overview_counts_add_up(net):
    s = network_overview(net)
    assert sum(s["nodes_by_kind"].values()) == s["nodes"] == len(net.nodes)
    assert sum(s["links_by_status"].values()) == s["links"] == sum(s["links_by_mode"].values())
    view = network_overview(net.at_year(2030, include_planned=True))
    assert view["year"] == 2030 and "operating" in view["links_by_status"]


def test_compare_ranks_best_first_and_reports_progress(net):
    seen: list[str] = []
    cmp = compare(net, "Xi'an", "Duisburg", year=2025, progress=seen.append)
    assert seen == list(net.corridors["name"]), "progress names every corridor once, in table order"
    assert cmp.origin == net.resolve("xian") and cmp.year == 2025 and cmp.cargo.value == "container"
    values = [r.route.objective_value for r in cmp.results if r.route]
    assert values == sorted(values)
    assert [r.route is None for r in cmp.results] == sorted(r.route is None for r in cmp.results)
    assert [r.corridor_id for r in cmp.results] == [r.corridor_id for r in compare_corridors(net, "xian", "duisburg", year=2025)]
    doc = cmp.to_dict(net, currency="KZT")
    assert doc["fx"]["currency"] == "KZT" and len(doc["corridors"]) == len(net.corridors)
    first = doc["corridors"][0]
    assert first["available"] and math.isclose(
        first["cost_local"]["cost_kzt"], first["cost_usd"] * doc["fx"]["rate_per_usd"], rel_tol=1e-6
    )


def test_compare_checks_the_query_before_routing(net):
    calls: list[str] = []
    with pytest.raises(DataError, match="cargo"):
        compare(net, cargo="people", progress=calls.append)
    with pytest.raises(UnknownPlaceError, match="Duisbrug"):
        compare(net, "xian", "Duisbrug", progress=calls.append)
    assert calls == []


def test_compare_sees_an_edited_corridor_table(net):
    table = net.corridors.copy()
    table["avoid_countries"] = [(*a, "KZ") for a in table["avoid_countries"]]
    cmp = compare(replace(net, corridors=table), year=2025)
    routed = [r.route for r in cmp.results if r.route is not None]
    assert routed and all("KZ" not in rt.countries for rt in routed)
    before = compare(net, year=2025)
    assert any(r.route is not None and "KZ" in r.route.countries for r in before.results)
