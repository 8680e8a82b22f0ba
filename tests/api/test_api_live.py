"""The service as users run it: ``corridor serve`` in its own process, over real HTTP on loopback.

Settings come from the environment through corridor.settings; SIGKILL under load loses no acknowledged declaration;
SIGTERM runs the lifespan's shutdown; a 20 MB chunked body is cut off with 413; webhooks arrive signed with a
timestamp that :func:`corridor.transit.webhooks.verify` accepts.
"""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import httpx
import pytest
from api_helpers import BACKENDS, assert_problem, bearer, fresh_database
from transit_helpers import Server, arrival, bootstrap, declaration

from corridor.transit.webhooks import SIGNATURE_HEADER, verify

ENV = {"CORRIDOR_TRANSIT_ALLOW_PRIVATE_CALLBACKS": "1", "CORRIDOR_RATE_PER_S": "100000", "CORRIDOR_RATE_BURST": "100000"}


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory):
    """A running server with an operator, a holder and a carrier."""
    url = fresh_database(request.param, tmp_path_factory, request)
    op = bootstrap(url)
    server = Server(url, env=ENV).start()
    c = httpx.Client(base_url=server.url, timeout=30)
    tokens, ids = {"operator": op}, {}
    for who, role in (("holder", "holder"), ("carrier", "carrier")):
        r = c.post("/parties", json={"name": who, "role": role}, headers=bearer(op))
        assert r.status_code == 201, r.text
        tokens[who], ids[who] = r.json()["token"], r.json()["id"]
    yield {"server": server, "client": c, "tokens": tokens, "ids": ids, "url": url}
    server.stop()


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    fail_first: ClassVar[int] = 1

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers[SIGNATURE_HEADER], body))
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(500)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_release_and_signed_webhook_over_real_http(live):
    _Receiver.received, _Receiver.fail_first = [], 1
    httpd = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    c, t = live["client"], live["tokens"]
    secret = "s3cret-s3cret-s3cret"
    try:
        sub = {"callbackUrl": f"http://127.0.0.1:{httpd.server_port}/hook", "secret": secret}
        assert c.post("/subscriptions", json=sub, headers=bearer(t["holder"])).status_code == 201
        body = declaration("LIVE-1", train="T-LIVE-1")
        body["transport"]["carrier_id"] = live["ids"]["carrier"]
        d = c.post("/declarations", json=body, headers=bearer(t["holder"])).json()
        assert c.post("/events", json=arrival("ev-live-1", train="T-LIVE-1"), headers=bearer(t["carrier"])).status_code == 201
        assert c.get(f"/declarations/{d['id']}", headers=bearer(t["holder"])).json()["status"] == "released"
        deadline = time.time() + 30
        while time.time() < deadline and len(_Receiver.received) < 2:
            time.sleep(0.1)
        assert len(_Receiver.received) >= 2  # refused once, then retried
        header, payload = _Receiver.received[-1]
        assert verify(secret, header, payload) and not verify("another-secret-value", header, payload)
        assert not verify(secret, header, payload, now=time.time() + 3600)  # an old signature is refused
        assert json.loads(payload)["eventID"] == "ev-live-1"
    finally:
        httpd.shutdown()


def test_chunked_20_mb_body_gets_413_and_nothing_is_stored(live):
    server, t = live["server"], live["tokens"]
    doc = json.dumps(declaration("LIVE-BIG", train="T-LIVE-BIG")).encode()
    chunk = b" " * 65536
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/declarations")
    for k, v in {**bearer(t["holder"]), "Content-Type": "application/json", "Transfer-Encoding": "chunked"}.items():
        conn.putheader(k, v)
    conn.endheaders()
    sent = 0
    try:
        conn.send(b"%x\r\n%s\r\n" % (len(doc) - 1, doc[:-1]))
        while sent < 20_000_000:
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        conn.send(b"1\r\n}\r\n0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before the client finished sending
    r = conn.getresponse()
    assert r.status == 413 and r.getheader("content-type").startswith("application/problem+json")
    conn.close()
    lrns = {d["lrn"] for d in live["client"].get("/declarations", headers=bearer(t["holder"])).json()}
    assert "LIVE-BIG" not in lrns


def test_crash_keeps_every_acknowledged_declaration(live):
    """Concurrent lodgements with keys, SIGKILL mid-load, restart: every 201 is there once; retries replay it."""
    server: Server = live["server"]
    holder, carrier_id = live["tokens"]["holder"], live["ids"]["carrier"]
    acked: dict[str, int] = {}
    lock, stop = threading.Lock(), threading.Event()

    def body(lrn: str) -> dict:
        b = declaration(lrn, train=f"T-{lrn}", guarantee_ref="GCRASH")
        b["transport"]["carrier_id"] = carrier_id
        return b

    def worker(w: int) -> None:
        client = httpx.Client(base_url=server.url, timeout=10)
        for i in range(400):
            if stop.is_set():
                return
            lrn = f"CR-{w}-{i}"
            try:
                r = client.post("/declarations", json=body(lrn), headers=bearer(holder) | {"Idempotency-Key": f"ck-{lrn}"})
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
    server.start()
    c = httpx.Client(base_url=server.url, timeout=30)
    rows, after = [], 0
    while page := c.get("/declarations", params={"after_id": after, "limit": 500}, headers=bearer(holder)).json():
        rows += page
        after = page[-1]["id"]
    by_lrn: dict[str, list[int]] = {}
    for r in rows:
        by_lrn.setdefault(r["lrn"], []).append(r["id"])
    for lrn, decl_id in acked.items():
        assert by_lrn.get(lrn) == [decl_id], lrn
    for lrn in list(acked)[:20]:  # a retry with the same key replays the first answer
        r = c.post("/declarations", json=body(lrn), headers=bearer(holder) | {"Idempotency-Key": f"ck-{lrn}"})
        assert r.status_code == 201 and r.json()["id"] == acked[lrn]
    live["client"] = c


def test_limits_come_from_settings_and_sigterm_stops_cleanly(tmp_path):
    url = f"sqlite:///{tmp_path / 'rl.sqlite'}"
    op = bootstrap(url)
    env = {"CORRIDOR_RATE_PER_S": "0.001", "CORRIDOR_RATE_BURST": "4", "CORRIDOR_MAX_BODY_BYTES": "2000"}
    server = Server(url, env=env).start()  # start-up polls /health from this address: the address bucket is spent
    try:
        codes = [httpx.get(server.url + "/parties/me", headers=bearer(op)).status_code for _ in range(6)]
        assert 429 in codes and codes[-1] == 429
        r = httpx.get(server.url + "/parties/me", headers=bearer(op))
        assert_problem(r, 429)
        assert int(r.headers["retry-after"]) >= 1
        r = httpx.get(server.url + "/parties/me", headers={"Authorization": f"Bearer  {op}"})
        assert r.status_code in (401, 429) and r.status_code != 200
        big = httpx.post(
            server.url + "/declarations", content=b"x" * 2001, headers=bearer(op) | {"Content-Type": "application/json"}
        )
        assert_problem(big, 413)
    finally:
        server.proc.send_signal(signal.SIGTERM) if server.proc else None
        code = server.proc.wait(timeout=30) if server.proc else 0
    # uvicorn shuts down (lifespan included), then re-raises the signal: exit status 0 or "killed by SIGTERM"
    assert code in (0, -signal.SIGTERM), server.proc.stderr.read().decode()[-2000:]
