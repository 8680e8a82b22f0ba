"""The read-only evidence router mounted on a bare FastAPI app, over a real SQLite store (in-process client)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from corridor.api.routers.evidence import get_evidence, router
from corridor.data import read_dataset
from corridor.evidence.pipeline import Evidence

PAGE_A = (
    "13 November 2025\n\n“Currently, 1.4 million tons of Kazakh oil are transported annually to Turkey through the BTC "
    "pipeline.” Kazakhstan was allocated a quota of 1.5 million tons. The government now aims to reach 1.5 million tons "
    "in 2025. <b>Cargo</b> on the TITR reached 4.5 million tons in 2024.\n"
)
PAGE_B = "21 December 2024\n\nThe Baku-Tbilisi-Ceyhan (BTC) pipeline is projected to carry 1.7 million tons of oil in 2025.\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    ev = Evidence(read_dataset(), f"sqlite:///{folder / 'ev.sqlite'}")
    for name, text in (("a.txt", PAGE_A), ("b.txt", PAGE_B)):
        (folder / name).write_text(text, encoding="utf-8")
    assert all(o.result for o in ev.ingest([folder / "a.txt", folder / "b.txt"]))
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_evidence] = lambda: ev
    with TestClient(app) as c:
        yield c


def test_claims_filters_and_verdicts(client):
    body = client.get("/evidence/claims", params={"subject": "btc", "modality": "quota"}).json()
    assert [(c["value"], c["unit"], c["verdict"]) for c in body["items"]] == [(1.5, "Mt", "supports")]
    assert body["items"][0]["model_ref"] == "parameters/kz_btc_quota_t_per_year/value"
    assert body["next_cursor"] is None
    flows = client.get("/evidence/claims", params={"property": "flow"}).json()["items"]
    assert {c["subject_id"] for c in flows} == {"link:btc", "corridor:middle"}
    assert any("<b>Cargo</b>" in c["sentence"] for c in flows)  # page text is returned as data


def test_cursor_paging_walks_every_claim_once(client):
    everything = client.get("/evidence/claims", params={"limit": 500}).json()["items"]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/evidence/claims", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in everything] and len(seen) == len(set(seen)) >= 5


def test_conflicts_lists_the_btc_group_with_both_sources(client):
    body = client.get("/evidence/conflicts").json()
    group = next(g for g in body["items"] if g["subject_id"] == "link:btc" and g["period"] == "2025")
    assert group["conflict"] and group["tolerance"] == 0.05
    assert {m["source"] for m in group["members"]} == {"a.txt", "b.txt"}
    wide = client.get("/evidence/conflicts", params={"tolerance": 0.2}).json()
    assert not any(g["subject_id"] == "link:btc" and g["period"] == "2025" for g in wide["items"])
    agreeing = client.get("/evidence/conflicts", params={"tolerance": 0.2, "all": True, "limit": 1}).json()
    assert len(agreeing["items"]) == 1


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/evidence/claims", {"cursor": "not-a-cursor"}, 400),
        ("/evidence/claims", {"limit": 0}, 422),
        ("/evidence/claims", {"limit": 10_000}, 422),
        ("/evidence/conflicts", {"cursor": "%%%"}, 400),
        ("/evidence/conflicts", {"tolerance": -1}, 422),
    ],
)
def test_bad_queries_are_4xx(client, path, params, status):
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
