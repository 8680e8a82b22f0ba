"""Property tests on the service: random declarations and events never raise anything but TransitError, and what
the service stores satisfies its invariants (guarantee never over-reserved, states from the lifecycle)."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, timedelta, timezone

import hypothesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func, select
from transit_payloads import ITINERARY, declaration

from corridor.transit.db import Declaration, Guarantee
from corridor.transit.domain import Status
from corridor.transit.errors import TransitError
from corridor.transit.schemas import DeclarationIn, EventIn, PartyIn

NODES = [*ITINERARY, "dostyk", "khorgos", "nowhere", "aktau", ""]
text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
node = st.one_of(st.sampled_from(NODES), text)
containers = st.sampled_from(["CSQU3054383", "MSCU1234566", "TGHU1234567", "CSQU3054384", "ABCD1234567"])
countries = st.one_of(
    st.sampled_from(["CN", "KZ", "ZZ", "XX", "GE"]), st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
)
_lrn = itertools.count()
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))])
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@st.composite
def declarations(draw) -> dict:
    body = declaration(f"P-{next(_lrn)}", train=draw(st.one_of(st.none(), st.sampled_from(["T-1", "T-2"]))))
    body["itinerary"] = draw(st.one_of(st.just(list(ITINERARY)), st.lists(node, min_size=2, max_size=6)))
    body["office_departure"] = draw(st.one_of(st.just("altynkol"), node))
    body["offices_transit"] = draw(st.lists(node, max_size=3))
    body["containers"] = [{"number": c, "seals": [f"S{i}"]} for i, c in enumerate(draw(st.lists(containers, max_size=3)))]
    body["seals_count"] = draw(st.integers(0, 5))
    g = body["goods"][0]
    g["origin_country"] = draw(countries)
    g["currency"] = draw(st.sampled_from(["USD", "EUR", "CNY", "XXX", "KZT"]))
    g["value"] = draw(st.floats(0, 1e12, allow_nan=False))
    g["un_number"] = draw(st.one_of(st.none(), st.sampled_from(["0004", "0000", "9999", "1203"])))
    body["guarantee"]["amount"] = draw(st.floats(0, 1e12, allow_nan=False))
    body["guarantee"]["currency"] = draw(st.sampled_from(["USD", "EUR", "QQQ"]))
    body["transport"]["carrier_id"] = draw(st.sampled_from([None, "CARRIER", "CARRIER", 999]))  # set per test
    body["transport"]["wagons"] = draw(st.lists(st.sampled_from(["52123456", "52123457", "x"]), max_size=3))
    body["submit"] = draw(st.booleans())
    return body


def _with_carrier(body: dict, carrier_id: int) -> dict:
    if body["transport"]["carrier_id"] == "CARRIER":
        body = {**body, "transport": {**body["transport"], "carrier_id": carrier_id}}
    return body


def _parties(svc):
    if not hasattr(svc, "_prop_parties"):
        make = lambda name, role, office=None: svc.create_party(PartyIn(name=name, role=role, office_node=office), by=None)[0]  # noqa: E731
        svc._prop_parties = (make("h", "holder"), make("c", "carrier"), make("k", "customs", "altynkol"), make("o", "operator"))
    return svc._prop_parties


@SETTINGS
@given(body=declarations())
def test_random_declarations_raise_only_transit_errors(svc, body):
    holder, *_ = _parties(svc)
    try:
        data = DeclarationIn.model_validate(_with_carrier(body, _parties(svc)[1].id))
    except ValidationError:
        assume(False)
    try:
        d = svc.create_declaration(holder, data)
    except TransitError as exc:
        assert 400 <= exc.status < 500
        return
    assert d["status"] in {Status.SUBMITTED, Status.REJECTED, Status.DRAFT}
    assert (d["status"] == Status.REJECTED) == bool(d["errors"])
    for f in d["errors"]:
        assert set(f) == {"rule", "path", "value", "message"} and f["rule"].startswith("R")


@st.composite
def events(draw) -> dict:
    kind = draw(st.sampled_from(["TRANSPORT", "EQUIPMENT", "SHIPMENT"]))
    body = {
        "eventID": draw(st.sampled_from(["e1", "e2", "e3"])) + draw(st.sampled_from(["", "-x"])),
        "eventType": kind,
        "eventClassifierCode": draw(st.sampled_from(["ACT", "PLN", "EST"])),
        "eventDateTime": draw(st.datetimes(timezones=ZONES)).isoformat(),
        "eventCreatedDateTime": draw(st.datetimes(timezones=ZONES)).isoformat(),
        "trainNumber": draw(st.one_of(st.none(), st.sampled_from(["T-1", "T-2"]))),
        "equipmentReference": draw(st.one_of(st.none(), containers)),
    }
    if draw(st.integers(0, 2)) == 0:  # often a plain arrival of train T-1 at the office of departure
        body |= {"eventType": "TRANSPORT", "eventClassifierCode": "ACT", "trainNumber": "T-1", "transportEventTypeCode": "ARRI"}
        body["transportCall"] = {"facilityCode": "altynkol"}
        return body
    if draw(st.booleans()):
        body["transportCall"] = {
            "facilityCode": draw(node)[:64] or None,
            "UNLocationCode": draw(st.sampled_from([None, "KZALT", "FRPAR"])),
        }
    code = {"TRANSPORT": ["ARRI", "DEPA"], "EQUIPMENT": ["LOAD", "GTIN", "GTOT"], "SHIPMENT": ["DRFT", "RECE"]}[kind]
    body[
        {"TRANSPORT": "transportEventTypeCode", "EQUIPMENT": "equipmentEventTypeCode", "SHIPMENT": "shipmentEventTypeCode"}[kind]
    ] = draw(st.sampled_from([*code, None]))
    return body


@SETTINGS
@given(
    bodies=st.lists(declarations(), min_size=1, max_size=3),
    evs=st.lists(events(), min_size=1, max_size=4),
    who=st.lists(st.sampled_from([0, 1, 1, 1, 2, 3]), min_size=4, max_size=4),
)
def test_random_events_raise_only_transit_errors_and_never_over_reserve(svc, bodies, evs, who):
    parties = _parties(svc)
    for body in bodies:
        with contextlib.suppress(ValidationError, TransitError):
            svc.create_declaration(
                parties[0], DeclarationIn.model_validate({**_with_carrier(body, parties[1].id), "submit": True})
            )
    for raw, w in zip(evs, who, strict=False):
        try:
            e = EventIn.model_validate(raw)
        except ValidationError:
            continue
        try:
            svc.upsert_event(parties[w], e)
        except TransitError as exc:
            assert 400 <= exc.status < 500
    with svc.sessions() as s:
        released = s.scalar(select(func.count()).where(Declaration.status.in_(["released", "under_control"])))
        hypothesis.event(f"released or under control so far: {'some' if released else 'none'}")
        for g in s.scalars(select(Guarantee)):
            assert g.reserved_usd <= g.amount / svc.store.usd_rate(g.currency) + 1e-6
