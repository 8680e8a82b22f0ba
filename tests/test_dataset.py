"""The shipped dataset: coverage of the corridors the issue names, provenance of every value, sea lanes."""

from __future__ import annotations

import pytest

from corridor.data.sea import LANE_RESTRICTIONS, compute_lane
from corridor.schema import schema


def test_every_number_has_a_provenance_row(net):
    prov = net.provenance
    for table in ("nodes", "links", "transfers", "modes"):
        frame = getattr(net, table)
        numeric = [c.attribute for c in schema(table).columns if c.dtype in ("float", "int")]
        for rid, row in frame.iterrows():
            for f in numeric:
                v = row[f]
                if v is None or v is not v or (isinstance(v, float) and v != v) or str(v) == "<NA>":
                    continue
                base = str(row["base_id"]) if "base_id" in frame.columns else str(rid)
                assert (table, base, f) in prov.index, (table, base, f)


def test_provenance_rows_are_complete(net):
    p = net.provenance.reset_index()
    sourced = p[p["kind"] != "assumption"]
    assert (sourced["quote"].astype(str).str.len() > 5).all()
    assert sourced["source_title"].notna().all()
    assumed = p[p["kind"] == "assumption"]
    assert (assumed["note"].astype(str).str.len() > 10).all()
    assert p["unit"].notna().all()
    counts = net.provenance_counts()
    assert counts["sourced"] >= 70 and counts["computed"] >= 10


def test_the_named_corridor_elements_are_in_the_model(net):
    nodes = set(net.nodes.index)
    assert {
        "dostyk",
        "alashankou",
        "altynkol",
        "khorgos_cn",
        "aktau",
        "kuryk",
        "baku",
        "turkmenbashi",
        "poti",
        "batumi",
        "constanta",
        "burgas",
        "kars",
        "halkali",
        "mersin",
        "malaszewicze",
        "suez",
        "cape",
    } <= nodes
    hubs = net.nodes[net.nodes["notes"].astype(str).str.contains("five cross-border hubs")]
    assert len(hubs) == 5
    links = set(net.links["base_id"])
    assert {
        "ferry_aktau_baku",
        "ferry_kuryk_baku",
        "ferry_turkmenbashi_baku",
        "btk_marabda_akhalkalaki",
        "tr_marmaray",
        "sea_poti_constanta",
        "ferry_batumi_burgas",
        "sea_shanghai_suez",
        "sea_shanghai_cape",
        "cku_railway",
        "cpc",
        "btc",
        "tanker_aktau_sangachal",
        "atyrau_samara",
        "kcp",
        "cagp_abc",
        "cagp_d",
        "dauletabad_khangiran",
        "korpeje_kurtkui",
        "tm_ir_tr_swap",
        "tapi",
        "tcgp",
    } <= links
    assert net.parameter("kz_btc_quota_t_per_year") == 1_500_000


def test_gauge_change_sits_where_the_gauges_meet(net):
    for node in ("dostyk", "altynkol", "malaszewicze", "akhalkalaki"):
        t = net.transfers[net.transfers["node_id"] == node]
        assert {"rail_1435", "rail_1520"} <= set(t["from_layer"].astype(str)) | set(t["to_layer"].astype(str))


@pytest.mark.parametrize("link_id", ["ferry_aktau_baku", "sea_poti_constanta", "sea_shanghai_cape"])
def test_sea_lanes_match_searoute(net, link_id):
    row = net.links.loc[link_id]
    a, b = net.nodes.loc[row["from_node"]], net.nodes.loc[row["to_node"]]
    length, _coords = compute_lane((a["lon"], a["lat"]), (b["lon"], b["lat"]), LANE_RESTRICTIONS.get(link_id))
    assert row["length_km"] == pytest.approx(length, rel=1e-3)
    assert net.provenance_of("links", link_id, "length_km")["kind"] == "computed"


def test_cape_lane_avoids_suez(net):
    cape = net.links.loc["sea_shanghai_cape", "length_km"] + net.links.loc["sea_cape_rotterdam", "length_km"]
    suez = net.links.loc["sea_shanghai_suez", "length_km"] + net.links.loc["sea_suez_rotterdam", "length_km"]
    assert cape > suez + 4000
