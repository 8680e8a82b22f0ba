"""Issue 8 findings 5 and 6 on the service: indexed container events, batch isolation, UTC timestamps, far dates,
nonsense declarations refused with rule, path and value, party deactivation and token rotation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from transit_payloads import decl_in, declaration, event

from corridor.transit.committer import GroupCommitter
from corridor.transit.db import TrackingEvent
from corridor.transit.errors import TransitError
from corridor.transit.events import movable_declarations
from corridor.transit.schemas import DeclarationIn, EventIn, PartyIn


def test_container_only_events_find_declarations_through_the_index(svc, cast):
    a = svc.create_declaration(cast.holder, decl_in("CI-1", train=None, container="CSQU3054383", carrier_id=cast.carrier.id))
    b = svc.create_declaration(cast.holder, decl_in("CI-2", train=None, container="MSCU1234566", carrier_id=cast.carrier.id))
    svc.upsert_event(cast.carrier, event("ev-ci-1", train=None, container="MSCU1234566", code="GTIN"))
    assert svc.get(cast.holder, a["id"])["status"] == "submitted"
    assert svc.get(cast.holder, b["id"])["status"] == "released"
    if svc.store.sqlite:  # the lookup goes through ix_ref_kind_value, not a scan of open declarations
        ev = TrackingEvent(equipment_reference="MSCU1234566", train_number=None, rail_car=None, facility="altynkol")
        sql = movable_declarations(cast.carrier, ev).compile(svc.store.engine, compile_kwargs={"literal_binds": True})
        with svc.store.engine.connect() as c:
            plan = " | ".join(str(r[-1]) for r in c.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        assert "ix_ref_kind_value" in plan and "SCAN declarations" not in plan, plan


def test_one_bad_row_never_fails_the_rest_of_its_batch(svc, cast):
    committer = GroupCommitter(svc.store)  # not started: the batch is run here, all rows in one go
    jobs = [svc.declarations.prepare(cast.holder, decl_in(f"BI-{i}")) for i in range(6)]
    jobs[2].row["body"]["goods"][0]["description"] = "bad \x00 text"  # as if it slipped past validation
    jobs[2].row["lrn"] = "BI-\x00"
    committer._run(jobs)
    assert [j.decl_id is not None for j in jobs] == [True, True, svc.store.sqlite, True, True, True]
    if not svc.store.sqlite:  # PostgreSQL refuses NUL: that lodgement alone gets a clear 422
        assert isinstance(jobs[2].error, TransitError) and jobs[2].error.status == 422
    assert {d["lrn"] for d in svc.list(cast.holder)} >= {"BI-0", "BI-1", "BI-3", "BI-4", "BI-5"}


def test_control_characters_are_refused_up_front():
    body = declaration("NUL-1")
    body["goods"][0]["description"] = "Laptops\x00"
    with pytest.raises(ValidationError) as exc:
        DeclarationIn.model_validate(body)
    assert exc.value.errors()[0]["loc"] == ("goods", 0, "description")
    with pytest.raises(ValidationError):
        DeclarationIn.model_validate({**declaration("NUL-2"), "lrn": "A\ud800"})


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        (lambda b: b["itinerary"].__setitem__(3, "sh\x07u"), ("itinerary",)),
        (lambda b: b.__setitem__("offices_transit", ["beyuk_kesik\x1f"]), ("offices_transit",)),
        (lambda b: b["containers"][0]["seals"].__setitem__(1, "S\x1b"), ("containers", 0, "seals")),
        (lambda b: b["transport"].__setitem__("wagons", ["5212\x7f"]), ("transport", "wagons")),
        (lambda b: b["transport"].__setitem__("vessel", "V\x05"), ("transport", "vessel")),
        (lambda b: b["guarantee"].__setitem__("guarantor", "Ba\x0bnk"), ("guarantee", "guarantor")),
        (lambda b: b["documents"][0].__setitem__("reference", "R\x10\ud800"), ("documents", 0, "reference")),
    ],
)
def test_control_characters_are_refused_in_every_kind_of_field(change, loc):
    body = declaration("CTL-1")
    change(body)
    with pytest.raises(ValidationError) as exc:
        DeclarationIn.model_validate(body)
    assert exc.value.errors()[0]["loc"] == loc, exc.value.errors()
    assert "control character" in exc.value.errors()[0]["msg"] or exc.value.errors()[0]["type"] == "string_unicode"


def test_control_characters_are_refused_in_party_names_and_dcsa_extra_fields():
    with pytest.raises(ValidationError) as exc:
        PartyIn.model_validate({"name": "Tez\x01", "role": "customs", "office_node": "altynkol"})
    assert exc.value.errors()[0]["loc"] == ("name",)
    assert PartyIn.model_validate({"name": "Tez\tCustoms\nPost", "role": "holder"}).name == "Tez\tCustoms\nPost"
    ev = event("ev-ctl-1", "aktau").model_dump(mode="json", exclude_none=True)
    ev["transportCall"] = {"facilityCode": "aktau", "vesselIMONumber": {"nested": ["x\x01"]}}
    with pytest.raises(ValidationError) as exc:
        EventIn.model_validate(ev)
    assert exc.value.errors()[0]["loc"] == ("transportCall",) and "vesselIMONumber" in exc.value.errors()[0]["msg"]


def test_timestamps_are_stored_and_returned_in_utc(svc, cast):
    svc.upsert_event(
        cast.carrier,
        event("ev-tz-1", "aktau", train="T-TZ", when="2026-01-01T10:00:00+05:00", created="2026-01-01T10:00:00+05:00"),
    )
    with svc.sessions() as s:
        stored = s.scalar(select(TrackingEvent.event_datetime).where(TrackingEvent.event_id == "ev-tz-1"))
    assert stored == datetime(2026, 1, 1, 5, 0, tzinfo=UTC) and stored.utcoffset().total_seconds() == 0
    later = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)  # after the event (05:00Z) although 10:00 > 06:00 on the clock
    assert svc.list_events(cast.carrier, since=later)[0] == []
    assert [e["eventID"] for e in svc.list_events(cast.carrier, since=datetime(2026, 1, 1, 4, 59, tzinfo=UTC))[0]] == ["ev-tz-1"]


def test_an_event_dated_9999_does_not_break_the_eta(svc, cast):
    d = svc.create_declaration(cast.holder, decl_in("FAR-1", train="T-FAR", carrier_id=cast.carrier.id))
    svc.upsert_event(cast.carrier, event("ev-far-1", "altynkol", train="T-FAR", when="9999-12-31T23:00:00Z"))
    eta = svc.eta(cast.holder, d["id"])
    assert eta["position"] == "altynkol" and eta["eta"] is None and eta["message"]


@pytest.mark.parametrize(
    ("change", "rule", "path", "value"),
    [
        (lambda b: b["containers"].append(dict(b["containers"][0], seals=[])), "R015", "containers[1].number", "CSQU3054383"),
        (lambda b: b["goods"][0].update(origin_country="ZZ"), "R016", "goods[0].origin_country", "ZZ"),
        (
            lambda b: b.update(itinerary=[*b["itinerary"][:3], "zhetygen", *b["itinerary"][3:]]),
            "R017",
            "itinerary[3]",
            "zhetygen",
        ),
        (lambda b: b["transport"].update(carrier_id=999999), "R018", "transport.carrier_id", 999999),
        (lambda b: b["transport"].update(wagons=["52123456", "52123456"]), "R019", "transport.wagons[1]", "52123456"),
    ],
)
def test_nonsense_declarations_are_rejected_with_rule_path_and_value(sqlite_svc, change, rule, path, value):
    holder = sqlite_svc.create_party(PartyIn(name="h", role="holder"), by=None)[0]
    body = declaration("NS-1")
    change(body)
    d = sqlite_svc.create_declaration(holder, DeclarationIn.model_validate(body))
    assert d["status"] == "rejected"
    assert {"rule": rule, "path": path, "value": value} in [{k: f[k] for k in ("rule", "path", "value")} for f in d["errors"]]


def test_parties_can_be_deactivated_and_tokens_rotated(svc, cast):
    party, token = svc.create_party(PartyIn(name="Temp", role="carrier"), by=cast.op)
    assert svc.authenticate(token).id == party.id
    _rotated, new_token = svc.rotate_token(party)
    with pytest.raises(TransitError) as exc:
        svc.authenticate(token)
    assert exc.value.status == 401 and svc.authenticate(new_token).id == party.id
    with pytest.raises(TransitError):
        svc.deactivate_party(cast.holder, party.id)
    assert svc.deactivate_party(cast.op, party.id)["active"] is False
    with pytest.raises(TransitError) as exc:
        svc.authenticate(new_token)
    assert exc.value.status == 401 and svc.cached_party(new_token) is None
    d = svc.create_declaration(cast.holder, decl_in("DA-1", carrier_id=party.id))
    assert d["status"] == "rejected" and d["errors"][0]["rule"] == "R018"  # a deactivated carrier cannot be declared


def test_far_and_naive_event_times_are_accepted_as_utc(svc, cast):
    e = EventIn.model_validate(
        {"eventID": "ev-naive", "eventType": "TRANSPORT", "eventClassifierCode": "ACT", "transportEventTypeCode": "ARRI",
         "eventDateTime": "2026-03-01T12:00:00", "eventCreatedDateTime": "2026-03-01T12:00:00",
         "transportCall": {"facilityCode": "aktau"}}
    )  # fmt: skip
    svc.upsert_event(cast.carrier, e)
    with svc.sessions() as s:
        assert s.scalar(select(TrackingEvent.event_datetime)) == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_dates_whose_utc_leaves_the_calendar_are_422(svc, cast):
    for when in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"):
        with pytest.raises(TransitError) as exc:
            svc.upsert_event(cast.carrier, event("ev-edge", "aktau", train="T-E", when=when))
        assert exc.value.status == 422 and exc.value.failures[0]["path"] == "eventDateTime"
    from datetime import timedelta, timezone

    with pytest.raises(TransitError) as exc:
        svc.list_events(cast.carrier, since=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3))))
    assert exc.value.failures[0]["path"] == "since"


def test_path_and_query_values_the_database_cannot_take_are_4xx(svc, cast):
    calls = [
        lambda: svc.retract_event(cast.carrier, "ev\x00"),
        lambda: svc.list_events(cast.carrier, train="T\x00"),
        lambda: svc.list_events(cast.carrier, equipment="\ud800"),
        lambda: svc.idempotency.begin(cast.holder.id, "k\x00", "POST", "/declarations", "h"),
        lambda: svc.customs_decision(cast.altynkol, 1, "release", reason="ok\x00"),
        lambda: svc.get(cast.holder, 2**40),
        lambda: svc.audit(cast.holder, 2**63 + 5),
        lambda: svc.cancel(cast.holder, 0),
        lambda: svc.deactivate_party(cast.op, 2**62),
    ]
    for call in calls:
        with pytest.raises(TransitError) as exc:
            call()
        assert exc.value.status in (404, 422)
    assert svc.list(cast.holder, after_id=2**62) == [] and svc.list_events(cast.holder, cursor=2**62)[0] == []
    d = svc.create_declaration(cast.holder, decl_in("BIG-1", carrier_id=2**40))
    assert d["status"] == "rejected" and d["errors"][0]["rule"] == "R018"
