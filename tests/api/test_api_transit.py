"""The transit service over HTTP, in-process on SQLite and PostgreSQL: lifecycle, rules, idempotency, events."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from api_helpers import Api, assert_problem
from transit_helpers import arrival, declaration

from corridor.transit.codes import is_container_number, is_mrn


def lodge(api: Api, lrn: str, who: str = "holder", **kw) -> dict:
    body = declaration(lrn, **kw)
    body["transport"]["carrier_id"] = api.ids["carrier"]
    r = api.client.post("/declarations", json=body, headers=api.h(who))
    assert r.status_code == 201, r.text
    return r.json()


def get(api: Api, decl_id: int, who: str = "holder") -> dict:
    r = api.client.get(f"/declarations/{decl_id}", headers=api.h(who))
    assert r.status_code == 200, r.text
    return r.json()


def test_full_lifecycle_with_automatic_release(api):
    c = api.client
    d = lodge(api, "LC-1", train="T-LC-1", guarantee_ref="GLC1")
    assert d["status"] == "submitted" and d["mrn"] is None
    assert c.post("/events", json=arrival("ev-lc-1", train="T-LC-1"), headers=api.h("carrier")).status_code == 201
    d = get(api, d["id"])
    assert d["status"] == "released" and is_mrn(d["mrn"]) and 0 <= d["arrival_to_release_s"] < 1.0
    eta = c.get(f"/declarations/{d['id']}/eta", headers=api.h("holder")).json()
    assert eta["position"] == "altynkol" and eta["next_legs"][0] == {"from": "altynkol", "to": "zhetygen"} and eta["eta"]
    assert eta["as_of"] < eta["eta_p50"] <= eta["eta_p90"] and "simulated trains" in eta["eta_simulation"]
    c.post("/events", json=arrival("ev-lc-2", "altynkol", train="T-LC-1", code="DEPA"), headers=api.h("carrier"))
    assert get(api, d["id"])["status"] == "in_transit"
    c.post("/events", json=arrival("ev-lc-3", "poti", train="T-LC-1"), headers=api.h("carrier"))
    assert get(api, d["id"])["status"] == "arrived"
    r = c.post(f"/declarations/{d['id']}/decisions/write_off", headers=api.h("customs_poti"))
    assert r.status_code == 200 and r.json()["status"] == "written_off"
    trail = c.get(f"/declarations/{d['id']}/audit", headers=api.h("holder")).json()
    states = [a["to_state"] for a in trail if a["action"] != "risk_assessment"]
    assert states == ["draft", "submitted", "accepted", "mrn_allocated", "released", "in_transit", "arrived", "written_off"]
    stats = c.get("/stats", headers=api.h("operator")).json()
    assert stats["released_with_arrival"] >= 1 and stats["arrival_to_release_p99_s"] < 1.0


def test_business_rules_reject_with_rule_and_path(api):
    body = declaration("BR-1", guarantee_ref="GBR1")
    body["containers"][0]["number"] = "CSQU3054384"  # wrong check digit
    body["seals_count"] = 3
    body["itinerary"] = ["altynkol", "aktau", "poti"]
    body["offices_transit"] = ["tbilisi"]
    r = api.client.post("/declarations", json=body, headers=api.h("holder"))
    assert r.status_code == 201 and r.json()["status"] == "rejected"
    rules = {(e["rule"], e["path"]) for e in r.json()["errors"]}
    assert {("R001", "containers[0].number"), ("R003", "seals_count"), ("R009", "offices_transit[0]")} <= rules


def test_control_then_refused_release(api):
    c = api.client
    d = lodge(api, "RF-1", train="T-RF-1", hs="930100", guarantee_ref="GRF1")
    c.post("/events", json=arrival("ev-rf-1", train="T-RF-1"), headers=api.h("carrier"))
    d = get(api, d["id"])
    assert d["status"] == "under_control" and "RR-HS93" in d["control_reason"]
    r = c.post(f"/declarations/{d['id']}/decisions/refuse_release", params={"reason": "seal broken"}, headers=api.h("customs"))
    assert r.status_code == 200 and r.json()["status"] == "not_released"
    p = assert_problem(c.post(f"/declarations/{d['id']}/decisions/release", headers=api.h("customs")), 409)
    assert p["failures"] and p["failures"][0]["path"] == "status"
    assert_problem(c.post(f"/declarations/{d['id']}/decisions/approve", headers=api.h("customs")), 422)


def test_guarantee_balance_is_shared_by_open_movements(api):
    c = api.client
    a = lodge(api, "GB-1", train="T-GB-1", guarantee=60000, guarantee_ref="GRNGB1")
    b = lodge(api, "GB-2", train="T-GB-2", guarantee=60000, guarantee_ref="GRNGB1")
    c.post("/events", json=arrival("ev-gb-1", train="T-GB-1"), headers=api.h("carrier"))
    c.post("/events", json=arrival("ev-gb-2", train="T-GB-2"), headers=api.h("carrier"))
    assert get(api, a["id"])["status"] == "released"  # 50,000 USD at risk of 60,000
    assert get(api, b["id"])["status"] == "guarantee_invalid"  # only 10,000 left on the reference


def test_idempotency_key_replays_and_refuses_another_body(api):
    c = api.client
    body = declaration("ID-1", train="T-ID-1", guarantee_ref="GID1")
    first = c.post("/declarations", json=body, headers=api.h("holder", "key-id-1"))
    again = c.post("/declarations", json=body, headers=api.h("holder", "key-id-1"))
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers.get("Idempotent-Replay") == "true"
    other = c.post("/declarations", json=declaration("ID-2", guarantee_ref="GID2"), headers=api.h("holder", "key-id-1"))
    assert assert_problem(other, 422)["failures"][0]["rule"] == "I001"
    dup = c.post("/declarations", json=body, headers=api.h("holder"))  # same LRN without the key: refused
    assert assert_problem(dup, 409)["failures"][0]["path"] == "lrn"
    # a refusal by the service is replayed too (problem details, same status and failures)
    bad = {"name": "Nowhere customs", "role": "customs", "office_node": "nowhere"}
    r1 = c.post("/parties", json=bad, headers=api.h("operator", "key-id-3"))
    r2 = c.post("/parties", json=bad, headers=api.h("operator", "key-id-3"))
    assert assert_problem(r1, 422)["failures"] == assert_problem(r2, 422)["failures"]
    assert r2.headers.get("Idempotent-Replay") == "true"
    assert_problem(c.post("/declarations", json=body, headers=api.h("holder", "bad key with spaces")), 422)


def test_one_key_many_concurrent_requests_create_one_declaration(api):
    """16 clients at once under one key, half with one body and half with others: one declaration at most; the
    winning body's requests get its answer (or a retryable 409), every other body 422 (or 409)."""
    c = api.client
    same = declaration("CC-0", train="T-CC-0", guarantee_ref="GCC0")
    bodies = [same if i % 2 == 0 else declaration(f"CC-{i}", train=f"T-CC-{i}", guarantee_ref=f"GCC{i}") for i in range(16)]
    start = threading.Barrier(16)

    def post(i: int):
        start.wait(30)
        return c.post("/declarations", json=bodies[i], headers=api.h("holder", "key-cc-1"))

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(post, range(16)))
    created = {r.json()["lrn"]: r.json()["id"] for r in results if r.status_code == 201}
    assert len(created) <= 1, created
    winner = next(iter(created), None)
    for body, r in zip(bodies, results, strict=True):
        allowed = (201, 409) if winner in (None, body["lrn"]) else (422, 409)
        assert r.status_code in allowed, (body["lrn"], winner, r.status_code, r.text)
        if r.status_code == 409:
            assert "retry-after" in r.headers
    if winner is not None:
        final = c.post("/declarations", json=next(b for b in bodies if b["lrn"] == winner), headers=api.h("holder", "key-cc-1"))
        assert final.status_code == 201 and final.json()["id"] == created[winner]
    lrns = [d["lrn"] for d in c.get("/declarations", params={"limit": 500}, headers=api.h("holder")).json()]
    assert sum(x.startswith("CC-") for x in lrns) == len(created)


def test_events_upsert_retract_filter_and_paginate(api):
    c = api.client
    h = api.h("carrier")
    ev = arrival("ev-up-1", "aktau", train="T-EV", container="MSCU1234566", code="GTIN")
    assert is_container_number("MSCU1234566")
    assert c.post("/events", json=ev, headers=h).status_code == 201
    assert c.post("/events", json=ev, headers=h).status_code == 200  # same id and time: no change
    older = {**ev, "eventCreatedDateTime": "2001-01-01T00:00:00Z", "transportCall": {"facilityCode": "baku"}}
    assert c.post("/events", json=older, headers=h).status_code == 200
    got = c.get("/events", params={"equipmentReference": "MSCU1234566"}, headers=h).json()["events"]
    assert len(got) == 1 and got[0]["facility"] == "aktau"
    newer = {**ev, "eventCreatedDateTime": "2099-01-01T00:00:00Z", "transportCall": {"facilityCode": "baku"}}
    assert c.post("/events", json=newer, headers=h).status_code == 201
    assert c.get("/events", params={"equipmentReference": "MSCU1234566"}, headers=h).json()["events"][0]["facility"] == "baku"
    assert c.delete("/events/ev-up-1", headers=h).json()["retracted"] is True
    assert c.get("/events", params={"equipmentReference": "MSCU1234566"}, headers=h).json()["events"] == []
    for i in range(5):
        c.post("/events", json=arrival(f"ev-pg-{i}", "beyneu", train="T-PAGE"), headers=h)
    seen, cursor = [], 0
    while True:
        page = c.get("/events", params={"trainNumber": "T-PAGE", "limit": 2, "cursor": cursor}, headers=h).json()
        seen += [e["eventID"] for e in page["events"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert seen == [f"ev-pg-{i}" for i in range(5)]
    bad = c.post("/events", json={**ev, "eventID": "bad-1", "equipmentReference": "MSCU1234565"}, headers=h)
    assert assert_problem(bad, 422)["failures"][0]["path"] == "equipmentReference"


def test_one_bad_lodgement_never_fails_the_others_in_its_batch(api):
    """Lodgements arriving together share a group commit: one with a NUL byte is refused alone (422)."""
    c = api.client
    good = [declaration(f"BATCH-{i}", train=f"T-BATCH-{i}", guarantee_ref=f"GBATCH{i}") for i in range(24)]
    bad = declaration("BATCH-NUL", train="T-BATCH-NUL", guarantee_ref="GBATCHNUL")
    bad["goods"][0]["description"] = "laptops\x00"
    start = threading.Barrier(25)

    def post(body):
        start.wait(30)
        return c.post("/declarations", json=body, headers=api.h("holder"))

    with ThreadPoolExecutor(25) as pool:
        results = list(pool.map(post, [*good, bad]))
    assert [r.status_code for r in results[:-1]] == [201] * 24, [r.text for r in results if r.status_code != 201]
    assert_problem(results[-1], 422)
