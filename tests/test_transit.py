"""The transit service over a real HTTP server on localhost, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from transit_helpers import ITINERARY, Server, arrival, bootstrap, declaration, pg_bin, postgres_server

from corridor.transit.codes import is_container_number, is_mrn


def _h(token: str, key: str | None = None) -> dict:
    h = {"Authorization": f"Bearer {token}"}
    if key:
        h["Idempotency-Key"] = key
    return h


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(pg_bin() is None, reason="no PostgreSQL"))]


@pytest.fixture(scope="module", params=BACKENDS)
def svc(request, tmp_path_factory):
    """A running service with an operator, two holders, a carrier and three customs offices."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'transit.sqlite'}"
        ctx = None
    else:
        ctx = postgres_server()
        url = ctx.__enter__()
    op = bootstrap(url)
    server = Server(url).start()
    c = httpx.Client(base_url=server.url, timeout=30)

    def party(name, role, office=None):
        r = c.post("/parties", json={"name": name, "role": role, "office_node": office}, headers=_h(op))
        assert r.status_code == 201, r.text
        return r.json()["token"]

    env = {
        "url": url,
        "server": server,
        "client": c,
        "op": op,
        "backend": request.param,
        "holder": party("Forwarder A", "holder"),
        "holder_b": party("Forwarder B", "holder"),
        "carrier": party("KTZ Express", "carrier"),
        "customs_altynkol": party("Altynkol customs", "customs", "altynkol"),
        "customs_poti": party("Poti customs", "customs", "poti"),
        "customs_dostyk": party("Dostyk customs", "customs", "dostyk"),
    }
    yield env
    server.stop()
    if ctx is not None:
        ctx.__exit__(None, None, None)


def lodge(env, lrn, **kw):
    r = env["client"].post("/declarations", json=declaration(lrn, **kw), headers=_h(env["holder"]))
    assert r.status_code == 201, r.text
    return r.json()


def get(env, decl_id, who="holder"):
    return env["client"].get(f"/declarations/{decl_id}", headers=_h(env[who]))


def test_full_lifecycle_with_automatic_release(svc):
    c = svc["client"]
    d = lodge(svc, "LC-1", train="T-LC-1")
    assert d["status"] == "submitted" and d["mrn"] is None
    r = c.post("/events", json=arrival("ev-lc-1", train="T-LC-1"), headers=_h(svc["carrier"]))
    assert r.status_code == 201
    d = get(svc, d["id"]).json()
    assert d["status"] == "released" and is_mrn(d["mrn"])
    assert 0 <= d["arrival_to_release_s"] < 1.0
    eta = c.get(f"/declarations/{d['id']}/eta", headers=_h(svc["holder"])).json()
    assert eta["position"] == "altynkol" and eta["next_legs"][0] == {"from": "altynkol", "to": "zhetygen"} and eta["eta"]
    c.post("/events", json=arrival("ev-lc-2", "altynkol", train="T-LC-1", code="DEPA"), headers=_h(svc["carrier"]))
    assert get(svc, d["id"]).json()["status"] == "in_transit"
    c.post("/events", json=arrival("ev-lc-3", "poti", train="T-LC-1"), headers=_h(svc["carrier"]))
    assert get(svc, d["id"]).json()["status"] == "arrived"
    r = c.post(f"/declarations/{d['id']}/decisions/write_off", headers=_h(svc["customs_poti"]))
    assert r.status_code == 200 and r.json()["status"] == "written_off"
    trail = c.get(f"/declarations/{d['id']}/audit", headers=_h(svc["holder"])).json()
    assert [a["to_state"] for a in trail if a["action"] != "risk_assessment"] == [
        "draft",
        "submitted",
        "accepted",
        "mrn_allocated",
        "released",
        "in_transit",
        "arrived",
        "written_off",
    ]
    assert any(a["action"] == "risk_assessment" for a in trail)
    stats = c.get("/stats", headers=_h(svc["op"])).json()
    assert stats["arrival_to_release_p99_s"] < 1.0 and stats["tez_customs_over_p99"] > 1800


def test_business_rules_reject_with_rule_and_path(svc):
    body = declaration("BR-1")
    body["containers"][0]["number"] = "CSQU3054384"  # wrong check digit
    body["seals_count"] = 3
    body["itinerary"] = ["altynkol", "aktau", "poti"]
    body["offices_transit"] = ["tbilisi"]
    r = svc["client"].post("/declarations", json=body, headers=_h(svc["holder"]))
    assert r.status_code == 201 and r.json()["status"] == "rejected"
    rules = {(e["rule"], e["path"]) for e in r.json()["errors"]}
    assert {
        ("R001", "containers[0].number"),
        ("R003", "seals_count"),
        ("R009", "offices_transit[0]"),
        ("R013", "itinerary[1]"),
    } <= rules


def test_structure_errors_are_422_with_field_paths(svc):
    body = declaration("ST-1")
    body["goods"][0]["hs_code"] = "12AB"
    body["guarantee"]["amount"] = -1
    r = svc["client"].post("/declarations", json=body, headers=_h(svc["holder"]))
    assert r.status_code == 422
    paths = {f["path"] for f in r.json()["failures"]}
    assert {"goods.0.hs_code", "guarantee.amount"} <= paths
    assert (
        svc["client"]
        .post("/declarations", content=b"{not json", headers={**_h(svc["holder"]), "Content-Type": "application/json"})
        .status_code
        == 422
    )


def test_access_control(svc):
    c = svc["client"]
    d = lodge(svc, "AC-1", train="T-AC-1")
    assert get(svc, d["id"], "holder_b").status_code == 404
    assert c.post(f"/declarations/{d['id']}/cancel", headers=_h(svc["holder_b"])).status_code == 404
    assert c.get("/declarations", headers=_h(svc["holder_b"])).json() == [] or all(
        x["holder_id"] != d["holder_id"] for x in c.get("/declarations", headers=_h(svc["holder_b"])).json()
    )
    assert c.post("/events", json=arrival("ev-ac-x", train="T-AC-1"), headers=_h(svc["holder"])).status_code == 403
    assert c.post("/parties", json={"name": "x", "role": "operator"}, headers=_h(svc["holder"])).status_code == 403
    assert c.get("/declarations", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert c.get("/declarations").status_code == 401
    # the customs office at the departure crossing reads it; another office does not
    assert get(svc, d["id"], "customs_altynkol").status_code == 200
    assert get(svc, d["id"], "customs_dostyk").status_code == 404


def test_risk_rule_selects_for_control_and_only_the_competent_office_decides(svc):
    c = svc["client"]
    d = lodge(svc, "RK-1", train="T-RK-1", hs="930190", guarantee_ref="GRNRK1")
    c.post("/events", json=arrival("ev-rk-1", train="T-RK-1"), headers=_h(svc["carrier"]))
    d = get(svc, d["id"]).json()
    assert d["status"] == "under_control" and "RR-HS93" in d["control_reason"]
    r = c.post(f"/declarations/{d['id']}/decisions/release", headers=_h(svc["customs_dostyk"]))
    assert r.status_code == 403 and r.json()["failures"][0]["rule"] == "A002"
    r = c.post(f"/declarations/{d['id']}/decisions/release", headers=_h(svc["customs_altynkol"]))
    assert r.status_code == 200 and r.json()["status"] == "released"
    trail = c.get(f"/declarations/{d['id']}/audit", headers=_h(svc["holder"])).json()
    assessment = next(a for a in trail if a["action"] == "risk_assessment")
    assert assessment["detail"]["selected_by"] == ["RR-HS93"]


def test_guarantee_too_small_and_out_of_sequence_actions(svc):
    c = svc["client"]
    d = lodge(svc, "GU-1", train="T-GU-1", value=5_000_000, guarantee=1000)
    c.post("/events", json=arrival("ev-gu-1", train="T-GU-1"), headers=_h(svc["carrier"]))
    assert get(svc, d["id"]).json()["status"] == "guarantee_invalid"
    ok = lodge(svc, "SEQ-1", train="T-SEQ-1", guarantee_ref="GRNSEQ1")
    c.post("/events", json=arrival("ev-seq-1", train="T-SEQ-1"), headers=_h(svc["carrier"]))
    r = c.post(f"/declarations/{ok['id']}/cancel", headers=_h(svc["holder"]))
    assert r.status_code == 409 and r.json()["failures"][0]["path"] == "status"
    r = c.post(f"/declarations/{ok['id']}/decisions/write_off", headers=_h(svc["customs_poti"]))
    assert r.status_code == 409


def test_idempotency_keys(svc):
    c = svc["client"]
    body = declaration("ID-1", train="T-ID-1")
    first = c.post("/declarations", json=body, headers=_h(svc["holder"], "key-id-1"))
    again = c.post("/declarations", json=body, headers=_h(svc["holder"], "key-id-1"))
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers.get("Idempotent-Replay") == "true"
    other = c.post("/declarations", json=declaration("ID-2"), headers=_h(svc["holder"], "key-id-1"))
    assert other.status_code == 422 and other.json()["failures"][0]["rule"] == "I001"
    dup = c.post("/declarations", json=body, headers=_h(svc["holder"]))  # same LRN without the key: refused
    assert dup.status_code == 409 and dup.json()["failures"][0]["path"] == "lrn"


def test_events_upsert_retract_filter_and_paginate(svc):
    c = svc["client"]
    h = _h(svc["carrier"])
    ev = arrival("ev-up-1", "aktau", train="T-EV", container="MSCU1234566", code="GTIN")
    assert is_container_number("MSCU1234566")
    assert c.post("/events", json=ev, headers=h).status_code == 201
    assert c.post("/events", json=ev, headers=h).status_code == 200  # same id and time: no change
    older = {**ev, "eventCreatedDateTime": "2001-01-01T00:00:00Z", "transportCall": {"facilityCode": "baku"}}
    c.post("/events", json=older, headers=h)
    got = c.get("/events", params={"equipmentReference": "MSCU1234566"}, headers=h).json()["events"]
    assert len(got) == 1 and got[0]["facility"] == "aktau"
    newer = {**ev, "eventCreatedDateTime": "2099-01-01T00:00:00Z", "transportCall": {"facilityCode": "baku"}}
    assert c.post("/events", json=newer, headers=h).status_code == 201
    got = c.get("/events", params={"equipmentReference": "MSCU1234566"}, headers=h).json()["events"]
    assert got[0]["facility"] == "baku"
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
    assert bad.status_code == 422 and bad.json()["failures"][0]["path"] == "equipmentReference"


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    fail_first = 1

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Corridor-Signature"], body))
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(500)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhooks_are_signed_and_retried(svc):
    _Receiver.received, _Receiver.fail_first = [], 1
    httpd = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        c = svc["client"]
        secret = "s3cret-s3cret-s3cret"
        r = c.post(
            "/subscriptions",
            json={
                "callbackUrl": f"http://127.0.0.1:{httpd.server_port}/hook",
                "secret": secret,
                "equipmentReference": "TGHU1234567",
            },
            headers=_h(svc["holder"]),
        )
        assert r.status_code == 201
        c.post(
            "/events",
            json=arrival("ev-wh-1", "aktau", train=None, container="TGHU1234567", code="LOAD"),
            headers=_h(svc["carrier"]),
        )
        deadline = time.time() + 20
        while time.time() < deadline and len(_Receiver.received) < 2:
            time.sleep(0.1)
        assert len(_Receiver.received) >= 2  # one failure, then the retry
        sig, body = _Receiver.received[-1]
        assert sig == "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert json.loads(body)["eventID"] == "ev-wh-1"
        deadline = time.time() + 10
        while time.time() < deadline:
            d = c.get("/subscriptions/deliveries", headers=_h(svc["holder"])).json()
            if d and d[-1]["status"] == "delivered":
                break
            time.sleep(0.1)
        assert d[-1]["status"] == "delivered" and d[-1]["attempts"] == 2
    finally:
        httpd.shutdown()


def test_body_size_limit(svc):
    r = svc["client"].post(
        "/declarations", content=b"x" * 1_100_000, headers={**_h(svc["holder"]), "Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_crash_keeps_every_acknowledged_declaration(svc):
    """Concurrent submissions, SIGKILL mid-load, restart: every 201 is there once; retries do not duplicate."""
    server: Server = svc["server"]
    acked: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def worker(w: int) -> None:
        client = httpx.Client(base_url=server.url, timeout=10)
        for i in range(400):
            if stop.is_set():
                return
            lrn = f"CR-{w}-{i}"
            try:
                r = client.post("/declarations", json=declaration(lrn, train=f"T-CR-{w}"), headers=_h(svc["holder"], f"ck-{lrn}"))
            except httpx.HTTPError:
                return
            if r.status_code == 201:
                with lock:
                    acked[lrn] = r.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(worker, w) for w in range(8)]
        deadline = time.time() + 30
        while len(acked) < 60 and time.time() < deadline:
            time.sleep(0.05)
        server.kill()
        stop.set()
        for f in futures:
            f.result()
    assert len(acked) >= 60
    server.port = server.port  # same port, same database
    server.start()
    c = httpx.Client(base_url=server.url, timeout=30)
    rows, after = [], 0
    while True:
        page = c.get("/declarations", params={"after_id": after, "limit": 500}, headers=_h(svc["holder"])).json()
        if not page:
            break
        rows += page
        after = page[-1]["id"]
    by_lrn: dict[str, list[int]] = {}
    for r in rows:
        by_lrn.setdefault(r["lrn"], []).append(r["id"])
    for lrn, decl_id in acked.items():
        assert by_lrn.get(lrn) == [decl_id], lrn
    # retrying with the same keys never creates a second copy
    for lrn in list(acked)[:20]:
        r = c.post(
            "/declarations", json=declaration(lrn, train=f"T-CR-{lrn.split('-')[1]}"), headers=_h(svc["holder"], f"ck-{lrn}")
        )
        assert r.status_code == 201 and r.json()["id"] == acked[lrn]
    svc["client"] = c


@pytest.mark.skipif(shutil.which("schemathesis", path=str(Path(sys.executable).parent)) is None, reason="schemathesis missing")
def test_openapi_fuzz_finds_no_server_errors(svc):
    if svc["backend"] != "sqlite":
        pytest.skip("fuzzed once, on SQLite")
    exe = str(Path(sys.executable).parent / "schemathesis")
    url = svc["server"].url
    proc = subprocess.run(
        [
            exe,
            "run",
            f"{url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "-n",
            "25",
            "-H",
            f"Authorization: Bearer {svc['holder']}",
            "--phases",
            "examples,fuzzing",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_openapi_document_in_the_repo_is_current(svc):
    served = svc["client"].get("/openapi.json").json()
    shipped = json.loads((Path(__file__).resolve().parents[1] / "openapi.json").read_text())
    assert served == shipped, "run: python -m corridor.api.server openapi.json"


def test_itinerary_is_the_documented_example():
    assert ITINERARY[0] == "altynkol" and ITINERARY[-1] == "poti"


def test_rate_limit_answers_429(tmp_path):
    url = f"sqlite:///{tmp_path / 'rl.sqlite'}"
    op = bootstrap(url)
    server = Server(url, env={"CORRIDOR_RATE_PER_S": "1", "CORRIDOR_RATE_BURST": "3"}).start()
    try:
        codes = [httpx.get(server.url + "/parties/me", headers=_h(op)).status_code for _ in range(8)]
        assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
        r = httpx.get(server.url + "/parties/me", headers=_h(op))
        assert r.status_code in (200, 429) and (r.status_code == 200 or r.headers["retry-after"] == "1")
    finally:
        server.stop()


def test_refused_release_after_control(svc):
    c = svc["client"]
    d = lodge(svc, "RF-1", train="T-RF-1", hs="930100", guarantee_ref="GRNRF1")
    c.post("/events", json=arrival("ev-rf-1", train="T-RF-1"), headers=_h(svc["carrier"]))
    r = c.post(
        f"/declarations/{d['id']}/decisions/refuse_release", params={"reason": "seal broken"}, headers=_h(svc["customs_altynkol"])
    )
    assert r.status_code == 200 and r.json()["status"] == "not_released"
    assert c.post(f"/declarations/{d['id']}/decisions/release", headers=_h(svc["customs_altynkol"])).status_code == 409


def test_guarantee_balance_is_shared_by_open_movements(svc):
    c = svc["client"]
    a = lodge(svc, "GB-1", train="T-GB-1", guarantee=60000, guarantee_ref="GRNGB1")
    b = lodge(svc, "GB-2", train="T-GB-2", guarantee=60000, guarantee_ref="GRNGB1")
    c.post("/events", json=arrival("ev-gb-1", train="T-GB-1"), headers=_h(svc["carrier"]))
    c.post("/events", json=arrival("ev-gb-2", train="T-GB-2"), headers=_h(svc["carrier"]))
    assert get(svc, a["id"]).json()["status"] == "released"  # 50,000 USD at risk of 60,000
    assert get(svc, b["id"]).json()["status"] == "guarantee_invalid"  # only 10,000 left on the reference
