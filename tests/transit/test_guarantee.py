"""Issue 8 finding 2: guarantees belong to a holder and their balance is reserved atomically."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from transit_payloads import decl_in, event


def test_parallel_arrivals_release_only_what_the_guarantee_covers(svc, cast):
    # each movement puts 250,000 x 0.2 = 50,000 USD at risk; the guarantee covers 100,000: exactly two
    ids = [
        svc.create_declaration(
            cast.holder,
            decl_in(f"GP-{i}", train=f"T-GP-{i}", carrier_id=cast.carrier.id, guarantee=100000, guarantee_ref="GRNPAR"),
        )["id"]
        for i in range(10)
    ]
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda i: svc.upsert_event(cast.carrier, event(f"ev-gp-{i}", train=f"T-GP-{i}")), range(10)))
    states = [svc.get(cast.holder, i)["status"] for i in ids]
    assert states.count("released") == 2 and states.count("guarantee_invalid") == 8


def test_a_reference_is_scoped_to_its_holder(svc, cast):
    a = svc.create_declaration(
        cast.holder, decl_in("GS-A", train="T-GS-A", carrier_id=cast.carrier.id, guarantee=60000, guarantee_ref="GRNSAME")
    )
    b = svc.create_declaration(
        cast.holder_b, decl_in("GS-B", train="T-GS-B", carrier_id=cast.carrier.id, guarantee=60000, guarantee_ref="GRNSAME")
    )
    svc.upsert_event(cast.carrier, event("ev-gs-a", train="T-GS-A"))
    svc.upsert_event(cast.carrier, event("ev-gs-b", train="T-GS-B"))
    assert svc.get(cast.holder, a["id"])["status"] == "released"
    assert svc.get(cast.holder_b, b["id"])["status"] == "released"  # B's own 60,000, not what A left over


def test_balance_is_shared_by_open_movements_and_freed_on_write_off(svc, cast):
    kw = {"carrier_id": cast.carrier.id, "guarantee": 60000, "guarantee_ref": "GRNGB1"}
    a = svc.create_declaration(cast.holder, decl_in("GB-1", train="T-GB-1", **kw))
    b = svc.create_declaration(cast.holder, decl_in("GB-2", train="T-GB-2", **kw))
    c = svc.create_declaration(cast.holder, decl_in("GB-3", train="T-GB-3", **kw))
    svc.upsert_event(cast.carrier, event("ev-gb-1", train="T-GB-1"))
    svc.upsert_event(cast.carrier, event("ev-gb-2", train="T-GB-2"))
    assert svc.get(cast.holder, a["id"])["status"] == "released"
    assert svc.get(cast.holder, b["id"])["status"] == "guarantee_invalid"  # only 10,000 left
    svc.upsert_event(cast.carrier, event("ev-gb-3", "poti", train="T-GB-1"))
    svc.customs_decision(cast.poti, a["id"], "write_off")
    svc.upsert_event(cast.carrier, event("ev-gb-4", train="T-GB-3"))
    assert svc.get(cast.holder, c["id"])["status"] == "released"  # A's 50,000 came back


def test_a_rejected_declaration_does_not_register_its_guarantee(svc, cast):
    from transit_payloads import declaration

    from corridor.transit.schemas import DeclarationIn

    bad = declaration("GR-0", train="T-GR", carrier_id=cast.carrier.id, guarantee_ref="GRNREJ")
    bad["guarantee"].update(currency="QQQ", amount=1)  # rule R007 rejects it
    assert svc.create_declaration(cast.holder, DeclarationIn.model_validate(bad))["status"] == "rejected"
    ok = svc.create_declaration(cast.holder, decl_in("GR-1", train="T-GR", carrier_id=cast.carrier.id, guarantee_ref="GRNREJ"))
    svc.upsert_event(cast.carrier, event("ev-gr-1", train="T-GR"))
    assert svc.get(cast.holder, ok["id"])["status"] == "released"
