"""Limits that hold: rate limit keyed on the authenticated party with bounded memory, per-party query slots, and a
body-size limit that also cuts chunked bodies."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_helpers import assert_problem, start_api
from transit_helpers import declaration

from corridor.api.middleware import ApiLimits, PartySlots, RateLimiter


def test_rate_limiter_buckets_are_bounded_and_least_recently_used_go_first():
    rl = RateLimiter(rate_per_s=1.0, burst=2.0, max_keys=100)
    for i in range(10_000):
        rl.take(f"k{i}", now=0.0)
    assert len(rl) == 100
    rl = RateLimiter(rate_per_s=1.0, burst=2.0, max_keys=2)
    rl.take("a", now=0.0)
    rl.take("b", now=0.0)
    rl.take("a", now=0.0)  # a is now the most recent
    rl.take("c", now=0.0)  # evicts b
    assert rl.take("a", now=0.0) > 0  # a kept its (spent) bucket
    assert rl.take("b", now=0.0) == 0.0  # b starts afresh


def test_rate_limiter_refills_at_the_rate():
    rl = RateLimiter(rate_per_s=2.0, burst=1.0, max_keys=10)
    assert rl.take("p", now=0.0) == 0.0
    assert rl.take("p", now=0.1) == pytest.approx(0.4)
    assert rl.take("p", now=0.5) == 0.0
    with pytest.raises(ValueError, match="rate_per_s"):
        RateLimiter(0, 1, 1)


def test_party_slots():
    slots = PartySlots(2)
    assert slots.acquire(1) and slots.acquire(1) and not slots.acquire(1)
    assert slots.acquire(2)
    slots.release(1)
    assert slots.acquire(1)
    for _ in range(2):
        slots.release(1)
    slots.release(2)
    assert slots._running == {}


@pytest.fixture
def tight(network, tmp_path):
    """The app on SQLite with a burst of 5 requests per key and (practically) no refill."""
    limits = ApiLimits(rate_per_s=1e-6, rate_burst=5, rate_max_keys=50, list_concurrency_per_party=2)
    api, client = start_api(network, f"sqlite:///{tmp_path / 'rl.sqlite'}", "sqlite")
    # parties were created under relaxed limits; now tighten: a fresh app over the same database
    client.__exit__(None, None, None)
    from fastapi.testclient import TestClient

    from corridor.api import create_app

    app = create_app(network, api.url, limits=limits)
    api.client = TestClient(app, raise_server_exceptions=False)
    with api.client:
        yield api, app


def test_rate_limit_is_keyed_on_the_party_not_the_header(tight):
    api, app = tight
    c = api.client
    # first use of each token is keyed on the address (not yet authenticated): 2 of the address's 5
    assert c.get("/parties/me", headers=api.h("holder")).status_code == 200
    assert c.get("/parties/me", headers=api.h("holder_b")).status_code == 200
    codes = [c.get("/parties/me", headers=api.h("holder")).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    r = c.get("/parties/me", headers=api.h("holder"))
    assert_problem(r, 429)
    assert int(r.headers["retry-after"]) >= 1
    # the same token with extra spaces, a bare token or another scheme: 401 on the address's allowance, never 200
    token = api.tokens["holder"]
    variants = [f"Bearer  {token}", f"Bearer {token} ", token, f"Basic {token}", f"Bearer   {token}"]
    codes = [c.get("/parties/me", headers={"Authorization": v}).status_code for v in variants]
    assert codes == [401, 401, 401, 429, 429]
    # unknown tokens share the address's bucket too: no fresh allowance per made-up header
    assert {c.get("/parties/me", headers={"Authorization": f"Bearer made-up-{i}"}).status_code for i in range(20)} == {429}
    # another party keeps its own allowance
    assert [c.get("/parties/me", headers=api.h("holder_b")).status_code for _ in range(5)] == [200] * 5
    assert len(app.state.rate_limiter) == 3  # the address and two parties, whatever the headers


def test_list_queries_are_limited_per_party(tight, monkeypatch):
    api, app = tight
    service = app.state.service
    gate, entered = threading.Event(), threading.Semaphore(0)
    real_list = service.list

    def slow_list(party, **kw):
        if party.id == api.ids["holder"]:
            entered.release()
            gate.wait(30)
        return real_list(party, **kw)

    monkeypatch.setattr(service, "list", slow_list)
    c = api.client
    c.get("/parties/me", headers=api.h("holder"))  # authenticate once: keyed on the party from now on
    with ThreadPoolExecutor(2) as pool:
        running = [pool.submit(c.get, "/declarations", headers=api.h("holder")) for _ in range(2)]
        assert entered.acquire(timeout=30) and entered.acquire(timeout=30)
        third = c.get("/declarations", headers=api.h("holder"))
        assert_problem(third, 429)
        other = c.get("/declarations", headers=api.h("holder_b"))  # another party is not held up
        assert other.status_code == 200
        gate.set()
        assert [f.result().status_code for f in running] == [200, 200]
    assert app.state.list_slots._running == {}


def _padded_declaration(lrn: str, size: int) -> bytes:
    body = json.dumps(declaration(lrn)).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_chunked_body_over_the_limit_is_413_and_nothing_is_stored(api):
    big = _padded_declaration("CHUNKED-BIG", 20_000_000)

    def chunks():
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    r = api.client.post("/declarations", content=chunks(), headers={**api.h("holder"), "Content-Type": "application/json"})
    assert_problem(r, 413)
    # the same body under the limit is accepted (the padding is only whitespace)
    ok = api.client.post(
        "/declarations",
        content=_padded_declaration("CHUNKED-OK", 900_000),
        headers={**api.h("holder"), "Content-Type": "application/json"},
    )
    assert ok.status_code == 201, ok.text
    lrns = {d["lrn"] for d in api.client.get("/declarations", params={"limit": 500}, headers=api.h("holder")).json()}
    assert "CHUNKED-OK" in lrns and "CHUNKED-BIG" not in lrns


def test_declared_length_over_the_limit_is_413_before_reading(api):
    r = api.client.post("/events", content=b"x" * 1_000_001, headers={**api.h("carrier"), "Content-Type": "application/json"})
    assert_problem(r, 413)


async def _asgi_call(app, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/declarations", "headers": headers, "client": ("10.0.0.1", 1)}
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize("length, status", [(b"\xb2", 400), (b"abc", 400), (b"-1", 400), (b"9" * 5000, 413), (b"1000001", 413)])
def test_malformed_content_length_is_a_problem_not_a_crash(length, status):
    import asyncio

    from corridor.api.middleware import LimitsMiddleware

    async def never(scope, receive, send):
        raise AssertionError("the app must not be reached")

    mw = LimitsMiddleware(never, ApiLimits(), RateLimiter(10, 10, 10))
    got, body = asyncio.run(_asgi_call(mw, [(b"content-length", length)]))
    assert got == status and json.loads(body)["status"] == status
