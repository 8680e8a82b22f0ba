"""Issue 8 finding 3: idempotency keys claimed atomically, replayed after completion and after a crash."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from transit_payloads import decl_in

from corridor.transit.db import Declaration, IdempotencyKey
from corridor.transit.errors import TransitError
from corridor.transit.idempotency import REDACTED, Claim, Replay, request_hash
from corridor.transit.schemas import PartyIn


def _lodge_with_key(svc, party, key, data):
    """What the API does for ``POST /declarations`` with an Idempotency-Key."""
    body = data.model_dump(mode="json")
    got = svc.idempotency.begin(party.id, key, "POST", "/declarations", request_hash("POST", "/declarations", body))
    if isinstance(got, Replay):
        return "replay", got.body
    try:
        out = svc.create_declaration(party, data, claim=got)
    except TransitError as exc:
        svc.idempotency.release(got)
        return exc.status, None
    svc.idempotency.complete(got, 201, out)
    return "created", out


def _count(svc) -> int:
    with svc.sessions() as s:
        return s.scalar(select(func.count()).select_from(Declaration))


def test_one_key_with_many_bodies_creates_once(svc, cast):
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda i: _safe(_lodge_with_key, svc, cast.holder, "k-many", decl_in(f"IM-{i}")), range(16)))
    assert _count(svc) == 1
    assert sum(r[0] == "created" for r in results) == 1
    assert all(r[0] in ("created", 422, 409) for r in results)


def _safe(fn, *args):
    try:
        return fn(*args)
    except TransitError as exc:
        return exc.status, None


def test_one_key_with_the_same_body_creates_once_and_replays(svc, cast):
    data = decl_in("IS-1")
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _i: _safe(_lodge_with_key, svc, cast.holder, "k-same", data), range(16)))
    assert _count(svc) == 1
    created = [r[1] for r in results if r[0] == "created"]
    assert len(created) == 1
    assert all(r[0] in ("created", "replay", 409) for r in results)
    assert all(r[1] == created[0] for r in results if r[0] == "replay")
    again = _lodge_with_key(svc, cast.holder, "k-same", data)  # afterwards: always the first answer
    assert again == ("replay", created[0])


def test_committed_but_unanswered_request_replays_its_answer(svc, cast):
    data = decl_in("IC-1")
    h = request_hash("POST", "/declarations", data.model_dump(mode="json"))
    claim = svc.idempotency.begin(cast.holder.id, "k-crash", "POST", "/declarations", h)
    assert isinstance(claim, Claim)
    out = svc.create_declaration(cast.holder, data, claim=claim)  # the process dies before complete()
    again = svc.idempotency.begin(cast.holder.id, "k-crash", "POST", "/declarations", h)
    assert isinstance(again, Replay) and again.status == 201 and again.body == out


def test_a_409_is_never_the_keys_answer(svc, cast):
    svc.create_declaration(cast.holder, decl_in("IX-1"))
    assert _lodge_with_key(svc, cast.holder, "k-409", decl_in("IX-1"))[0] == 409
    svc.cancel(cast.holder, svc.list(cast.holder)[0]["id"])
    h = request_hash("POST", "/declarations", decl_in("IX-1").model_dump(mode="json"))
    assert isinstance(svc.idempotency.begin(cast.holder.id, "k-409", "POST", "/declarations", h), Claim)
    claim = svc.idempotency.begin(cast.holder.id, "k-409b", "POST", "/x", "h")
    svc.idempotency.complete(claim, 409, {"detail": "conflict"})
    assert isinstance(svc.idempotency.begin(cast.holder.id, "k-409b", "POST", "/x", "h"), Claim)


def test_different_body_same_key_is_422(svc, cast):
    _lodge_with_key(svc, cast.holder, "k-422", decl_in("ID-1"))
    with pytest.raises(TransitError) as exc:
        _lodge_with_key(svc, cast.holder, "k-422", decl_in("ID-2"))
    assert exc.value.status == 422 and exc.value.failures[0]["rule"] == "I001"
    assert _lodge_with_key(svc, cast.holder_b, "k-422", decl_in("ID-2"))[0] == "created"  # keys are per party


def test_new_tokens_are_never_stored_for_replay(svc, cast):
    body = {"name": "New carrier", "role": "carrier"}
    h = request_hash("POST", "/parties", body)
    claim = svc.idempotency.begin(cast.op.id, "k-party", "POST", "/parties", h)
    _party, token = svc.create_party(PartyIn(**body), by=cast.op, claim=claim)
    replay = svc.idempotency.begin(cast.op.id, "k-party", "POST", "/parties", h)
    assert isinstance(replay, Replay) and replay.body["token"] == REDACTED
    with svc.sessions() as s:
        stored = [r.response for r in s.scalars(select(IdempotencyKey))]
    assert token not in str(stored)


def test_an_abandoned_claim_is_taken_over_after_the_lease(sqlite_svc):
    from dataclasses import replace

    svc = sqlite_svc
    holder = svc.create_party(PartyIn(name="h", role="holder"), by=None)[0]
    svc.store.settings = replace(svc.store.settings, idempotency_lease_s=0.0, idempotency_wait_s=0.0)
    first = svc.idempotency.begin(holder.id, "k-lease", "POST", "/x", "h")
    second = svc.idempotency.begin(holder.id, "k-lease", "POST", "/x", "h")
    assert isinstance(first, Claim) and isinstance(second, Claim) and first.id == second.id
