"""The lifecycle end to end on the service: lodging, automatic release on the declared carrier's arrival, ETA,
departure, arrival, write-off, audit and stats; business rules with rule ids and paths."""

from __future__ import annotations

import pytest
from transit_payloads import decl_in, event

from corridor.transit.codes import is_mrn
from corridor.transit.errors import TransitError


def test_full_lifecycle_with_automatic_release(svc, cast):
    d = svc.create_declaration(cast.holder, decl_in("LC-1", train="T-LC-1", carrier_id=cast.carrier.id))
    assert d["status"] == "submitted" and d["mrn"] is None and d["carrier_id"] == cast.carrier.id
    _, changed = svc.upsert_event(cast.carrier, event("ev-lc-1", train="T-LC-1"))
    assert changed
    d = svc.get(cast.holder, d["id"])
    assert d["status"] == "released" and is_mrn(d["mrn"]) and 0 <= d["arrival_to_release_s"] < 5
    eta = svc.eta(cast.holder, d["id"])
    assert eta["position"] == "altynkol" and eta["next_legs"][0] == {"from": "altynkol", "to": "zhetygen"} and eta["eta"]
    svc.upsert_event(cast.carrier, event("ev-lc-2", "altynkol", train="T-LC-1", code="DEPA"))
    assert svc.get(cast.holder, d["id"])["status"] == "in_transit"
    svc.upsert_event(cast.carrier, event("ev-lc-3", "poti", train="T-LC-1"))
    assert svc.get(cast.holder, d["id"])["status"] == "arrived"
    assert svc.customs_decision(cast.poti, d["id"], "write_off")["status"] == "written_off"
    trail = [a["to_state"] for a in svc.audit(cast.holder, d["id"]) if a["action"] != "risk_assessment"]
    assert trail == ["draft", "submitted", "accepted", "mrn_allocated", "released", "in_transit", "arrived", "written_off"]
    st = svc.stats(cast.op)
    assert st["released_with_arrival"] == 1 and st["tez_customs_source"] == "tez_customs"


def test_business_rules_reject_with_rule_and_path(svc, cast):
    body = decl_in("BR-1").model_dump()
    body["containers"][0]["number"] = "CSQU3054384"  # wrong check digit
    body["seals_count"] = 3
    body["itinerary"] = ["altynkol", "aktau", "poti"]
    body["offices_transit"] = ["tbilisi"]
    from corridor.transit.schemas import DeclarationIn

    d = svc.create_declaration(cast.holder, DeclarationIn.model_validate(body))
    assert d["status"] == "rejected"
    rules = {(e["rule"], e["path"]) for e in d["errors"]}
    assert {
        ("R001", "containers[0].number"),
        ("R003", "seals_count"),
        ("R009", "offices_transit[0]"),
        ("R013", "itinerary[1]"),
    } <= rules


def test_duplicate_lrn_is_409(svc, cast):
    svc.create_declaration(cast.holder, decl_in("DUP-1"))
    with pytest.raises(TransitError) as exc:
        svc.create_declaration(cast.holder, decl_in("DUP-1"))
    assert exc.value.status == 409 and exc.value.failures[0]["path"] == "lrn"


def test_close_stops_the_workers_and_later_lodgements_get_503(sqlite_svc):
    from corridor.transit.schemas import PartyIn

    holder = sqlite_svc.create_party(PartyIn(name="h", role="holder"), by=None)[0]
    sqlite_svc.create_declaration(holder, decl_in("CL-1"))
    committer, deliverer = sqlite_svc.committer.thread, sqlite_svc.deliverer.thread
    assert committer.is_alive() and deliverer.is_alive()
    sqlite_svc.close()
    sqlite_svc.close()  # idempotent
    assert not committer.is_alive() and not deliverer.is_alive()
    with pytest.raises(TransitError) as exc:
        sqlite_svc.create_declaration(holder, decl_in("CL-2"))
    assert exc.value.status == 503


def test_settings_out_of_range_are_refused_with_their_name():
    from corridor.errors import DataError
    from corridor.settings import option_context
    from corridor.transit.config import TransitSettings

    with option_context(transit_duty_rate=1.5), pytest.raises(DataError, match="transit_duty_rate"):
        TransitSettings.from_options()
    with option_context(transit_duty_rate=0.1):
        assert TransitSettings.from_options().duty_rate == 0.1
