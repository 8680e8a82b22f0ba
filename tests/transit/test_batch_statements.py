"""Issue 8, performance: the lodge batch as one statement on PostgreSQL (per-table statements on SQLite) writes the
same rows as before; the webhook deliverer sleeps while idle and wakes on a queued delivery or a due retry."""

from __future__ import annotations

import time
from dataclasses import replace

from sqlalchemy import select
from transit_payloads import decl_in, event
from transit_receivers import Receiver

from corridor.transit import webhooks
from corridor.transit.bulk import insert_batch
from corridor.transit.db import Declaration, DeclarationRef, Guarantee
from corridor.transit.schemas import SubscriptionIn
from corridor.transit.webhooks import Deliverer

SECRET = "s3cret-s3cret-s3cret"


def _rows(job) -> tuple[dict, list[dict], list[tuple[str, str]]]:
    trail = [
        {"at": job.row["created_at"], "party_id": job.party_id, "action": a, "from_state": f, "to_state": t, "detail": d}
        for a, f, t, d in job.trail
    ]
    return job.row, trail, job.refs


def test_one_batch_writes_each_declaration_with_its_audit_refs_and_guarantee(svc, cast):
    taken = svc.create_declaration(cast.holder, decl_in("BS-0", train="T-BS-0", carrier_id=cast.carrier.id))
    prepare = svc.declarations.prepare
    jobs = [
        prepare(cast.holder, decl_in("BS-1", train="T-BS-1", carrier_id=cast.carrier.id)),
        prepare(cast.holder, decl_in("BS-0", train="T-BS-9", carrier_id=cast.carrier.id)),  # LRN taken: not written
        prepare(cast.holder_b, decl_in("BS-1", train="T-BS-2", carrier_id=cast.carrier.id, guarantee_ref="GB1")),
        prepare(cast.holder, decl_in("BS-3", train="T-BS-3", carrier_id=987654, guarantee_ref="GRREJ")),  # R018
    ]
    guarantees = [j.guarantee for j in jobs if j.row["status"] != "rejected"][::2]  # GRN0001KZ of holder A, GB-1 of B
    with svc.store.tx() as s:
        got = insert_batch(s.connection(), [_rows(j) for j in jobs], guarantees)
    ids = {(h, lrn): i for i, h, lrn in got}
    assert set(ids) == {(cast.holder.id, "BS-1"), (cast.holder_b.id, "BS-1"), (cast.holder.id, "BS-3")}
    assert svc.get(cast.holder, taken["id"])["train_number"] == "T-BS-0"  # the taken LRN kept its declaration
    first = ids[(cast.holder.id, "BS-1")]
    assert [a["action"] for a in svc.audit(cast.holder, first)] == ["create", "submit"]
    assert [a["action"] for a in svc.audit(cast.holder, ids[(cast.holder.id, "BS-3")])] == ["create", "reject"]
    with svc.sessions() as s:
        refs = {(r.kind, r.value) for r in s.scalars(select(DeclarationRef).where(DeclarationRef.declaration_id == first))}
        held = {(g.holder_id, g.reference) for g in s.scalars(select(Guarantee))}
    offices = {("office", "altynkol"), ("office", "beyuk_kesik"), ("office", "poti")}
    assert refs == {("container", "CSQU3054383"), ("wagon", "52123456")} | offices
    assert held == {(cast.holder.id, "GRN0001KZ"), (cast.holder_b.id, "GB1")}  # not the rejected one's


def _restart_deliverer(svc, monkeypatch) -> None:
    """The deliverer again, with a fallback poll far longer than any wait below."""
    monkeypatch.setattr(webhooks, "IDLE_POLL_S", 120.0)
    svc.deliverer.stop()
    svc.deliverer = Deliverer(svc.webhooks)
    svc.deliverer.start()


def test_the_deliverer_does_not_poll_while_idle(sqlite_svc, monkeypatch):
    calls = []
    due = sqlite_svc.webhooks.due
    monkeypatch.setattr(sqlite_svc.webhooks, "due", lambda busy, limit=200: calls.append(1) or due(busy, limit))
    _restart_deliverer(sqlite_svc, monkeypatch)
    time.sleep(1.0)
    assert len(calls) <= 2  # it polled every 0.02 s (webhook_poll_s) before: about 50 queries a second


def test_a_queued_delivery_and_a_due_retry_wake_the_deliverer(svc, cast, monkeypatch):
    svc.store.settings = replace(svc.store.settings, webhook_max_attempts=2)
    _restart_deliverer(svc, monkeypatch)
    ok, failing = Receiver(), Receiver(status=500)
    try:
        svc.create_declaration(cast.holder, decl_in("WK-1", train="T-WK", carrier_id=cast.carrier.id))
        svc.subscribe(cast.holder, SubscriptionIn(callbackUrl=ok.url, secret=SECRET))
        svc.subscribe(cast.holder, SubscriptionIn(callbackUrl=failing.url, secret=SECRET))
        svc.upsert_event(cast.carrier, event("ev-wk-1", "altynkol", train="T-WK"))
        assert ok.arrived.wait(30)  # long before the 120 s fallback poll
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(failing.received) < 2:
            time.sleep(0.05)
        assert len(failing.received) == 2  # the retry after its 0.25 s backoff, not after the fallback poll
    finally:
        ok.close()
        failing.close()


def _raw(conn, table: str, drop: tuple[str, ...]) -> list[tuple]:
    """*table*'s rows as the driver stores them (no type processing), without the columns *drop*."""
    cur = conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")
    keep = [i for i, d in enumerate(cur.cursor.description) if d[0] not in drop]
    return [tuple(r[i] for i in keep) for r in cur]


def test_the_sqlite_driver_path_stores_what_core_statements_store(sqlite_svc, network):
    from corridor.transit.bulk import _insert_core
    from corridor.transit.bulk_sqlite import insert_batch_sqlite
    from corridor.transit.schemas import PartyIn

    svc = sqlite_svc
    op, _ = svc.create_party(PartyIn(name="op", role="operator"), by=None)
    holder, _ = svc.create_party(PartyIn(name="h", role="holder"), by=op)
    stored = {}
    for way, insert in (("driver", insert_batch_sqlite), ("core", _insert_core)):
        prepare = svc.declarations.prepare
        jobs = [prepare(holder, decl_in(f"EQ-{i}", train=f"T-EQ-{i}", guarantee_ref=f"GEQ{i}")) for i in range(3)]
        jobs[1].row["body"]["goods"][0]["description"] = "Ноутбуки \u00e9 \U0001f600"  # non-ASCII JSON text
        jobs.append(prepare(holder, decl_in("EQ-9", guarantee_ref="GEQ9")))
        with svc.store.tx() as s:
            conn = s.connection()
            conn.exec_driver_sql("DELETE FROM declaration_refs")
            conn.exec_driver_sql("DELETE FROM audit_log")
            conn.exec_driver_sql("DELETE FROM declarations")
            conn.exec_driver_sql("DELETE FROM guarantees")
            got = insert(conn, [_rows(j) for j in jobs], [j.guarantee for j in jobs])
            assert len(got) == 4
            dup = insert(conn, [_rows(jobs[0])], [])  # the (holder, LRN) is taken: no id, nothing written
            assert dup == []
            stored[way] = {
                t: _raw(conn, t, ("id", "declaration_id", "at", "created_at", "updated_at"))
                for t in ("declarations", "audit_log", "declaration_refs", "guarantees")
            }
            stamps = conn.exec_driver_sql("SELECT created_at FROM declarations").scalars().all()
            stored[way]["stamp"] = [(type(v), len(v)) for v in stamps]
    assert stored["driver"] == stored["core"]
    assert all(stored["driver"][t] for t in ("declarations", "audit_log", "declaration_refs", "guarantees"))


def test_a_row_the_driver_refuses_is_raised_as_sqlalchemy_raises_it(sqlite_svc):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from corridor.transit.bulk_sqlite import insert_batch_sqlite
    from corridor.transit.schemas import PartyIn

    svc = sqlite_svc
    op, _ = svc.create_party(PartyIn(name="op", role="operator"), by=None)
    holder, _ = svc.create_party(PartyIn(name="h", role="holder"), by=op)
    job = svc.declarations.prepare(holder, decl_in("NEG-1"))
    job.row["guarantee_amount"] = -1.0  # ck_guarantee_amount
    with pytest.raises(IntegrityError), svc.store.tx() as s:
        insert_batch_sqlite(s.connection(), [_rows(job)], [])


def test_a_lone_lodgement_commits_inline_and_a_crowd_in_one_batch(svc, cast):
    import asyncio
    import threading

    import pytest

    from corridor.transit.errors import TransitError

    runs: list[tuple[str, int]] = []
    run = svc.committer._run
    svc.committer._run = lambda batch: runs.append((threading.current_thread().name, len(batch))) or run(batch)

    async def lodge(lrn: str, alone: bool) -> dict:
        data = decl_in(lrn, train=f"T-{lrn}", carrier_id=cast.carrier.id)
        return await svc.create_declaration_async(cast.holder, data, inline=lambda: alone)

    async def scenario() -> tuple[dict, list[dict]]:
        one = await lodge("IN-1", True)
        with pytest.raises(TransitError) as taken:  # the LRN is taken: the same 409 as from a batch
            await lodge("IN-1", True)
        assert taken.value.status == 409
        crowd = await asyncio.gather(*(lodge(f"IN-C{i}", False) for i in range(5)))
        svc.committer.last_size = 3  # as after a batch of three: the first lodgement after a crowd joins a batch
        after_crowd = await lodge("IN-2", True)
        return one, [*crowd, after_crowd]

    one, rest = asyncio.run(scenario())
    here = threading.current_thread().name
    assert runs[:2] == [(here, 1), (here, 1)]  # committed on the caller's thread, no hop to the writer
    assert all(name == "corridor-group-commit" for name, _ in runs[2:]) and sum(n for _, n in runs[2:]) == 6
    with svc.sessions() as s:  # committed: another connection reads it, with its audit trail
        assert s.get(Declaration, one["id"]).lrn == "IN-1"
    assert [a["action"] for a in svc.audit(cast.holder, one["id"])] == ["create", "submit"]
    assert {svc.get(cast.holder, d["id"])["lrn"] for d in rest} == {*(f"IN-C{i}" for i in range(5)), "IN-2"}
