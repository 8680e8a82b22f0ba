"""Issue 8 finding 4: events, subscriptions, deliveries and stats scoped to the party; callback addresses checked;
generic delivery errors; a slow receiver delays only itself; signatures with a timestamp and a replay window."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import replace

import pytest
from transit_payloads import decl_in, event
from transit_receivers import Receiver

from corridor.transit.errors import TransitError
from corridor.transit.schemas import PartyIn, SubscriptionIn
from corridor.transit.webhooks import DELIVERY_FAILED, SIGNATURE_HEADER, callback_allowed, sign, verify

SECRET = "s3cret-s3cret-s3cret"


def _wait(predicate, timeout_s: float = 20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    return predicate()


def test_events_are_scoped_to_the_party(svc, cast):
    svc.create_declaration(cast.holder, decl_in("SC-1", train="T-SC-1", carrier_id=cast.carrier.id))
    svc.upsert_event(cast.carrier, event("ev-sc-1", "altynkol", train="T-SC-1"))
    svc.upsert_event(cast.carrier_b, event("ev-sc-2", "aktau", train="T-OTHER"))
    ids = lambda p: {e["eventID"] for e in svc.list_events(p)[0]}  # noqa: E731
    assert ids(cast.holder) == {"ev-sc-1"}
    assert ids(cast.holder_b) == set()
    assert ids(cast.carrier) == {"ev-sc-1"} and ids(cast.carrier_b) == {"ev-sc-2"}
    assert ids(cast.altynkol) == {"ev-sc-1"} and ids(cast.dostyk) == set()
    assert ids(cast.op) == {"ev-sc-1", "ev-sc-2"}


def test_stats_are_scoped_to_the_party(svc, cast):
    svc.create_declaration(cast.holder, decl_in("ST-1"))
    svc.create_declaration(cast.holder_b, decl_in("ST-2"))
    svc.create_declaration(cast.holder_b, decl_in("ST-3"))
    assert svc.stats(cast.holder)["declarations_by_status"] == {"submitted": 1}
    assert svc.stats(cast.holder_b)["declarations_by_status"] == {"submitted": 2}
    assert svc.stats(cast.carrier_b)["declarations_by_status"] == {}
    assert svc.stats(cast.op)["declarations_by_status"] == {"submitted": 3}


def test_a_subscription_receives_only_what_its_party_may_see(svc, cast):
    mine, theirs = Receiver(), Receiver()
    try:
        svc.create_declaration(cast.holder, decl_in("WS-1", train="T-WS-1", carrier_id=cast.carrier.id))
        svc.subscribe(cast.holder, SubscriptionIn(callbackUrl=mine.url, secret=SECRET))
        svc.subscribe(cast.holder_b, SubscriptionIn(callbackUrl=theirs.url, secret=SECRET))
        svc.upsert_event(cast.carrier, event("ev-ws-1", "altynkol", train="T-WS-1"))
        svc.upsert_event(cast.carrier_b, event("ev-ws-2", "aktau", train="T-WS-X"))
        assert _wait(lambda: mine.received)
        headers, body = mine.received[0]
        assert json.loads(body)["eventID"] == "ev-ws-1"
        assert verify(SECRET, headers[SIGNATURE_HEADER], body)
        assert [d["event_id"] for d in _wait(lambda: [d for d in svc.deliveries(cast.holder) if d["status"] == "delivered"])] == [
            "ev-ws-1"
        ]
        assert svc.deliveries(cast.holder_b) == [] and theirs.received == []
        assert [s["callbackUrl"] for s in svc.subscriptions(cast.holder)] == [mine.url]
        assert "secret" not in svc.subscriptions(cast.holder)[0]
    finally:
        mine.close()
        theirs.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://169.254.169.254/latest", "http://[::1]/x",
                                 "http://10.0.0.1/x", "http://user:pw@127.0.0.1/x"])  # fmt: skip
def test_private_callbacks_are_refused_by_default(sqlite_svc, url):
    sqlite_svc.store.settings = replace(sqlite_svc.store.settings, allow_private_callbacks=False)
    holder = sqlite_svc.create_party(PartyIn(name="h", role="holder"), by=None)[0]
    with pytest.raises(TransitError) as exc:
        sqlite_svc.subscribe(holder, SubscriptionIn(callbackUrl=url, secret=SECRET))
    assert exc.value.status == 422 and exc.value.failures[0]["rule"] == "W001"


def test_public_addresses_pass_the_check():
    assert callback_allowed("https://93.184.216.34/hook", allow_private=False)
    assert not callback_allowed("http://127.0.0.1/hook", allow_private=False)
    assert callback_allowed("http://127.0.0.1/hook", allow_private=True)


def test_delivery_status_does_not_tell_open_from_closed_ports(sqlite_svc):
    svc = sqlite_svc
    svc.store.settings = replace(svc.store.settings, webhook_max_attempts=1)
    holder = svc.create_party(PartyIn(name="h", role="holder"), by=None)[0]
    carrier = svc.create_party(PartyIn(name="c", role="carrier"), by=None)[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    answering = Receiver(status=500)
    try:
        svc.subscribe(holder, SubscriptionIn(callbackUrl=f"http://127.0.0.1:{closed_port}/x", secret=SECRET))
        svc.subscribe(holder, SubscriptionIn(callbackUrl=answering.url, secret=SECRET))
        svc.upsert_event(carrier, event("ev-port-1", "aktau", train="T-P"))
        svc.create_declaration(holder, decl_in("PS-1", train="T-P2", carrier_id=carrier.id))
        svc.upsert_event(carrier, event("ev-port-2", "altynkol", train="T-P2"))
        failed = lambda: [d for d in svc.deliveries(holder) if d["status"] == "failed"]  # noqa: E731
        done = _wait(lambda: failed() if len(failed()) == 2 else None)
        assert done and {d["last_error"] for d in done} == {DELIVERY_FAILED}
    finally:
        answering.close()


def test_a_slow_receiver_delays_only_itself(svc, cast):
    slow, fast = Receiver(hold=True), Receiver()
    try:
        svc.create_declaration(cast.holder, decl_in("SL-1", train="T-SL", carrier_id=cast.carrier.id))
        svc.create_declaration(cast.holder_b, decl_in("SL-2", train="T-FA", carrier_id=cast.carrier.id))
        svc.subscribe(cast.holder, SubscriptionIn(callbackUrl=slow.url, secret=SECRET))
        svc.subscribe(cast.holder_b, SubscriptionIn(callbackUrl=fast.url, secret=SECRET))
        svc.upsert_event(cast.carrier, event("ev-sl-1", "altynkol", train="T-SL"))
        assert slow.arrived.wait(20)  # the slow receiver now holds its delivery
        for i in range(3):
            svc.upsert_event(cast.carrier, event(f"ev-fa-{i}", "altynkol", train="T-FA"))
        assert _wait(lambda: len(fast.received) == 3)
        assert not slow.release.is_set() and len(slow.received) == 1  # all three arrived while the slow one still hangs
    finally:
        slow.close()
        fast.close()


def test_signatures_carry_a_timestamp_and_a_replay_window():
    body = b'{"eventID":"x"}'
    header = sign(SECRET, body, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert verify(SECRET, header, body, now=1_700_000_100)
    assert not verify(SECRET, header, body, now=1_700_000_000 + 301)  # replayed too late
    assert not verify(SECRET, header, body + b" ", now=1_700_000_100)  # body changed
    assert not verify("another-secret-value", header, body, now=1_700_000_100)
    assert not verify(SECRET, "v1=abc", body) and not verify(SECRET, "", body)


def test_a_backlog_at_one_receiver_never_hides_another_subscriptions_deliveries(sqlite_svc):
    from corridor.transit.db import Delivery

    svc = sqlite_svc
    a = svc.create_party(PartyIn(name="a", role="holder"), by=None)[0]
    b = svc.create_party(PartyIn(name="b", role="holder"), by=None)[0]
    sub_a = svc.subscribe(a, SubscriptionIn(callbackUrl="http://127.0.0.1:9/a", secret=SECRET))["id"]
    sub_b = svc.subscribe(b, SubscriptionIn(callbackUrl="http://127.0.0.1:9/b", secret=SECRET))["id"]
    svc.close()  # no deliverer: only the queue is looked at
    with svc.store.tx() as s:
        s.add_all(Delivery(subscription_id=sub_a, event_id=f"a{i}", payload={}) for i in range(300))
        s.add(Delivery(subscription_id=sub_b, event_id="b0", payload={}))
    due = svc.webhooks.due(busy=set())
    assert sorted(d[1] for d in due) == sorted([sub_a, sub_b])
    assert [d[1] for d in svc.webhooks.due(busy={sub_a})] == [sub_b]
