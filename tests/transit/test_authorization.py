"""Issue 8 finding 1 and the 403 leak of finding 4: ownership of movements, offices and events."""

from __future__ import annotations

import pytest
from transit_payloads import decl_in, event

from corridor.transit.errors import TransitError


def _status(svc, party, decl_id):
    return svc.get(party, decl_id)["status"]


def test_only_the_declared_carrier_releases_its_movement(svc, cast):
    d = svc.create_declaration(cast.holder, decl_in("AU-1", train="T-AU-1", carrier_id=cast.carrier.id))
    svc.upsert_event(cast.carrier_b, event("ev-au-x", train="T-AU-1"))  # another carrier, same train number
    assert _status(svc, cast.holder, d["id"]) == "submitted"
    svc.upsert_event(cast.carrier_b, event("ev-au-y", train=None, container="CSQU3054383", code="GTIN"))
    assert _status(svc, cast.holder, d["id"]) == "submitted"
    svc.upsert_event(cast.carrier, event("ev-au-1", train="T-AU-1"))
    assert _status(svc, cast.holder, d["id"]) == "released"


def test_customs_posts_only_at_its_own_office(svc, cast):
    d = svc.create_declaration(cast.holder, decl_in("AU-2", train="T-AU-2"))  # no carrier declared
    with pytest.raises(TransitError) as exc:
        svc.upsert_event(cast.dostyk, event("ev-au-2x", "altynkol", train="T-AU-2"))
    assert exc.value.status == 403 and "altynkol" not in exc.value.detail
    assert _status(svc, cast.holder, d["id"]) == "submitted"
    svc.upsert_event(cast.altynkol, event("ev-au-2", "altynkol", train="T-AU-2"))
    assert _status(svc, cast.holder, d["id"]) == "released"


def test_event_ids_belong_to_their_poster(svc, cast):
    first = event("ev-own-1", "aktau", train="T-OWN", code="GTIN", container="MSCU1234566", created="2026-01-01T00:00:00Z")
    svc.upsert_event(cast.carrier, first)
    hijack = event("ev-own-1", "baku", train="T-OWN", code="GTIN", container="MSCU1234566", created="2099-01-01T00:00:00Z")
    with pytest.raises(TransitError) as exc:
        svc.upsert_event(cast.carrier_b, hijack)
    assert exc.value.status == 409 and exc.value.failures[0]["rule"] == "E004"
    with pytest.raises(TransitError) as exc:
        svc.retract_event(cast.carrier_b, "ev-own-1")
    assert exc.value.status == 404
    events, _ = svc.list_events(cast.carrier, equipment="MSCU1234566")
    assert [e["facility"] for e in events] == ["aktau"]
    svc.retract_event(cast.carrier, "ev-own-1")
    with pytest.raises(TransitError):  # a retracted event cannot be revived by another party either
        svc.upsert_event(cast.carrier_b, hijack)
    assert svc.list_events(cast.carrier, equipment="MSCU1234566", include_retracted=True)[0][0]["retracted"] is True


def test_customs_refusal_does_not_name_the_movements_office(svc, cast):
    d = svc.create_declaration(cast.holder, decl_in("AU-3", train="T-AU-3", hs="930190", carrier_id=cast.carrier.id))
    svc.upsert_event(cast.carrier, event("ev-au-3", train="T-AU-3"))
    assert _status(svc, cast.holder, d["id"]) == "under_control"
    with pytest.raises(TransitError) as exc:  # dostyk cannot even see it
        svc.customs_decision(cast.dostyk, d["id"], "release")
    assert exc.value.status == 404 and "altynkol" not in str(exc.value.problem())
    with pytest.raises(TransitError) as exc:  # poti sees it (destination) but is not where the movement is
        svc.customs_decision(cast.poti, d["id"], "release")
    assert exc.value.status == 403 and exc.value.failures[0]["rule"] == "A002"
    assert "altynkol" not in str(exc.value.problem())
    assert svc.customs_decision(cast.altynkol, d["id"], "release")["status"] == "released"


def test_declarations_are_read_only_by_their_parties(svc, cast):
    d = svc.create_declaration(cast.holder, decl_in("AU-4", carrier_id=cast.carrier.id))
    for outsider in (cast.holder_b, cast.carrier_b, cast.dostyk):
        with pytest.raises(TransitError) as exc:
            svc.get(outsider, d["id"])
        assert exc.value.status == 404
        assert all(x["id"] != d["id"] for x in svc.list(outsider))
    with pytest.raises(TransitError):
        svc.cancel(cast.holder_b, d["id"])
    for insider in (cast.holder, cast.carrier, cast.altynkol, cast.poti, cast.op):
        assert svc.get(insider, d["id"])["id"] == d["id"]


def test_customs_paging_filters_before_the_limit(svc, cast):
    for i in range(5):  # departure at khorgos: not visible to altynkol
        body = decl_in(f"PG-X{i}").model_dump()
        body.update(office_departure="dostyk", itinerary=["dostyk", *body["itinerary"][1:]], submit=False)
        from corridor.transit.schemas import DeclarationIn

        svc.create_declaration(cast.holder, DeclarationIn.model_validate(body))
    mine = svc.create_declaration(cast.holder, decl_in("PG-1", submit=False))
    page = svc.list(cast.altynkol, limit=2)
    assert [x["id"] for x in page] == [mine["id"]]


def test_only_holders_lodge_and_only_operators_create_parties(svc, cast):
    from corridor.transit.schemas import PartyIn

    with pytest.raises(TransitError) as exc:
        svc.create_declaration(cast.carrier, decl_in("AU-5"))
    assert exc.value.status == 403
    with pytest.raises(TransitError) as exc:
        svc.create_party(PartyIn(name="x", role="operator"), by=cast.holder)
    assert exc.value.status == 403
    with pytest.raises(TransitError) as exc:
        svc.upsert_event(cast.holder, event("ev-h-1"))
    assert exc.value.status == 403


def test_another_carriers_events_do_not_move_the_eta(svc, cast):
    d = svc.create_declaration(cast.holder, decl_in("AU-6", train="T-AU-6", carrier_id=cast.carrier.id))
    svc.upsert_event(cast.carrier, event("ev-au-6", "altynkol", train="T-AU-6"))
    svc.upsert_event(cast.carrier_b, event("ev-au-6x", "tbilisi", train="T-AU-6"))  # spoofed position
    assert svc.eta(cast.holder, d["id"])["position"] == "altynkol"
