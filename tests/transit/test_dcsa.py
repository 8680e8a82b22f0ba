"""DCSA Track & Trace 2.2: every example event of the specification is accepted; returned events and webhook bodies
validate against the 2.2 schema (no nulls, transportCall with modeOfTransport and transportCallID)."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

import pytest
from transit_payloads import decl_in, event
from transit_receivers import Receiver

from corridor.transit.schemas import EventIn, SubscriptionIn

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "dcsa-tnt"
pytestmark = pytest.mark.skipif(not SPEC.exists(), reason="the DCSA specification is not in ../shared/specs")


@cache
def _validators() -> dict:
    import yaml
    from jsonschema import Draft202012Validator

    components = yaml.safe_load((SPEC / "v2.2.0" / "TNT_v2.2.0-resolved.yaml").read_text(encoding="utf-8"))["components"]
    kinds = {"TRANSPORT": "transportEvent", "EQUIPMENT": "equipmentEvent", "SHIPMENT": "shipmentEvent"}
    return {k: Draft202012Validator({"$ref": f"#/components/schemas/{v}", "components": components}) for k, v in kinds.items()}


def assert_dcsa_22(ev: dict) -> None:
    """*ev* validates against the DCSA 2.2 schema of its type and holds no null."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validators()[ev["eventType"]].iter_errors(ev)]
    assert not errors, errors
    assert "null" not in json.dumps(ev), ev
    if "transportCall" in ev:
        assert {"modeOfTransport", "transportCallID"} <= set(ev["transportCall"])


def _examples() -> list[dict]:
    return json.loads((SPEC / "examples" / "tnt-220-response.json").read_text(encoding="utf-8"))


def test_every_example_event_is_accepted_and_emitted_conformant(svc, cast):
    examples = _examples()
    assert {e["eventType"] for e in examples} == {"TRANSPORT", "EQUIPMENT", "SHIPMENT"}
    for i, raw in enumerate(examples):
        view, changed = svc.upsert_event(cast.carrier, EventIn.model_validate({**raw, "eventID": f"{raw['eventID']}-{i}"}))
        assert changed
        assert_dcsa_22(view)
        for key, value in raw.items():  # what the producer sent comes back as sent
            if key not in ("eventID", "eventDateTime", "eventCreatedDateTime"):
                assert view[key] == value, key
    listed, _ = svc.list_events(cast.carrier)
    assert len(listed) == len(examples)
    for ev in listed:
        assert_dcsa_22(ev)


def test_corridor_events_are_emitted_conformant_with_rail_extensions(svc, cast):
    svc.create_declaration(cast.holder, decl_in("DC-1", train="T-DC", carrier_id=cast.carrier.id))
    view, _ = svc.upsert_event(cast.carrier, event("ev-dc-1", "beyuk_kesik", train="T-DC"))
    assert_dcsa_22(view)
    assert view["transportCall"]["otherFacility"] == "beyuk_kesik" and "facilityCode" not in view["transportCall"]
    assert view["transportCall"]["modeOfTransport"] == "RAIL" and view["trainNumber"] == "T-DC"
    eq, _ = svc.upsert_event(cast.carrier, event("ev-dc-2", "aktau", train=None, container="CSQU3054383", code="LOAD"))
    assert_dcsa_22(eq)
    assert eq["emptyIndicatorCode"] == "LADEN" and eq["facility"] == "aktau"


def test_webhook_bodies_are_conformant(svc, cast):
    rx = Receiver()
    try:
        svc.create_declaration(cast.holder, decl_in("DW-1", train="T-DW", carrier_id=cast.carrier.id))
        svc.subscribe(cast.holder, SubscriptionIn(callbackUrl=rx.url, secret="s3cret-s3cret-s3cret"))
        svc.upsert_event(cast.carrier, event("ev-dw-1", "altynkol", train="T-DW"))
        deadline = time.monotonic() + 20
        while not rx.received and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rx.received
        assert_dcsa_22(json.loads(rx.received[0][1]))
    finally:
        rx.close()


def test_shipment_events_need_their_document():
    from corridor.transit.dcsa import event_failures

    raw = next(e for e in _examples() if e["eventType"] == "SHIPMENT")
    bad = EventIn.model_validate({k: v for k, v in raw.items() if k != "documentID"})
    assert [f["path"] for f in event_failures(bad)] == ["documentID"]


def test_events_stored_before_schema_0002_are_emitted_conformant():
    from datetime import UTC, datetime

    from corridor.transit.db import TrackingEvent
    from corridor.transit.dcsa import event_view

    legacy = {  # as the service stored events before: nulls, a node id as facilityCode, no transportCallID
        "eventID": "old-1", "eventType": "TRANSPORT", "eventClassifierCode": "ACT", "transportEventTypeCode": "ARRI",
        "eventDateTime": "2025-11-20T08:00:00Z", "eventCreatedDateTime": "2025-11-20T08:00:00Z",
        "equipmentEventTypeCode": None, "equipmentReference": None, "railCar": None, "trainNumber": "KZ-7001",
        "transportCall": {"UNLocationCode": None, "facilityCode": "beyuk_kesik"},
    }  # fmt: skip
    ev = TrackingEvent(body=legacy, facility="beyuk_kesik", retracted=False, received_at=datetime(2025, 11, 20, tzinfo=UTC))
    assert_dcsa_22(event_view(ev))
