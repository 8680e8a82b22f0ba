"""DCSA Track & Trace 2.2 conformance: type-specific checks, the Corridor node of an event, normalized bodies.

An accepted event is stored as a conformant 2.2 event: absent optional fields are left out (never null), a transport
call always carries ``transportCallID`` (derived from the event when not given) and ``modeOfTransport``, equipment
events carry ``emptyIndicatorCode`` (``LADEN`` unless posted), and a Corridor node id posted as ``facilityCode``
(DCSA allows 6 characters) is moved to ``otherFacility``. Rail references are extension fields: ``trainNumber`` and
``railCar`` (wagon number). The event views add ``facility`` (Corridor node), ``retracted`` and ``receivedAt``.
"""

from __future__ import annotations

import uuid
from typing import Any

from corridor.schema.enums import NodeKind
from corridor.transit.codes import is_container_number
from corridor.transit.db import TrackingEvent
from corridor.transit.errors import failure
from corridor.transit.schemas import EventIn
from corridor.transit.store import Store

__all__ = ["EXTENSION_FIELDS", "event_code", "event_failures", "event_view", "normalized_body", "resolve_node"]

#: Fields this service adds to DCSA 2.2 events (documented extensions)
EXTENSION_FIELDS = ("trainNumber", "railCar", "facility", "retracted", "receivedAt")
_NS = uuid.UUID("6f0d3c8e-4b1a-5c2e-9a57-c0441d0c2a11")
_DCSA_FACILITY_LEN = 6


def event_code(e: EventIn) -> str | None:
    """The event's type code (transport, equipment or shipment)."""
    return {"TRANSPORT": e.transportEventTypeCode, "EQUIPMENT": e.equipmentEventTypeCode, "SHIPMENT": e.shipmentEventTypeCode}[
        e.eventType
    ]


def _node_of(store: Store, where: dict | None) -> tuple[str | None, list[dict]]:
    if not where:
        return None, []
    for field in ("facilityCode", "otherFacility"):
        code = where.get(field)
        if code and code in store.node_kind:
            return code, []
    code = where.get("facilityCode")
    if code and len(code) > _DCSA_FACILITY_LEN:  # neither an SMDG/BIC code nor a node id
        return None, [failure("E003", "transportCall.facilityCode", code, "a Corridor node id or an SMDG/BIC facility code")]
    return store.locodes.get(where.get("UNLocationCode") or ""), []


def resolve_node(store: Store, e: EventIn) -> tuple[str | None, list[dict]]:
    """The Corridor node of the event (transport call, else event location), or None; with any failure."""
    tc = e.transportCall.model_dump(exclude_none=True) if e.transportCall else None
    node, bad = _node_of(store, tc)
    if node is None and not bad:
        node, bad = _node_of(store, (e.model_extra or {}).get("eventLocation"))
    return node, bad


def event_failures(e: EventIn) -> list[dict]:
    """Checks DCSA 2.2 makes per event type, and the container number's check digit."""
    out = []
    code_field = {
        "TRANSPORT": "transportEventTypeCode",
        "EQUIPMENT": "equipmentEventTypeCode",
        "SHIPMENT": "shipmentEventTypeCode",
    }
    if event_code(e) is None:
        out.append(failure("E001", code_field[e.eventType], None, f"an event code for a {e.eventType} event"))
    if e.eventType == "TRANSPORT" and e.transportCall is None:
        out.append(failure("E001", "transportCall", None, "a transport call for a TRANSPORT event"))
    if e.eventType == "SHIPMENT":
        for field in ("documentID", "documentTypeCode"):
            if getattr(e, field) is None:
                out.append(failure("E001", field, None, f"a {field} for a SHIPMENT event"))
    if e.equipmentReference and not is_container_number(e.equipmentReference):
        out.append(
            failure("E002", "equipmentReference", e.equipmentReference, "an ISO 6346 container number with a valid check digit")
        )
    return out


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _conform(body: dict, node: str | None, seaport: bool) -> dict:
    """*body* as a conformant 2.2 event: no nulls, a complete transport call, an empty indicator on equipment events."""
    body = _strip_nulls(body)
    tc = body.get("transportCall")
    if isinstance(tc, dict):
        code = tc.get("facilityCode")
        if code and len(code) > _DCSA_FACILITY_LEN:
            tc.pop("facilityCode")
            tc.setdefault("otherFacility", code[:50])
        if "modeOfTransport" not in tc:
            tc["modeOfTransport"] = "VESSEL" if seaport and not body.get("trainNumber") else "RAIL"
        if "transportCallID" not in tc:
            where = node or tc.get("UNLocationCode", "")
            tc["transportCallID"] = str(uuid.uuid5(_NS, f"{where}|{body.get('trainNumber', '')}"))
    if body.get("eventType") == "EQUIPMENT":
        body.setdefault("emptyIndicatorCode", "LADEN")
    return body


def normalized_body(store: Store, e: EventIn, node: str | None) -> dict:
    """The conformant DCSA 2.2 body stored for *e* (see the module docstring)."""
    return _conform(e.model_dump(mode="json"), node, node is not None and store.node_kind.get(node) == NodeKind.SEAPORT)


def event_view(ev: TrackingEvent) -> dict:
    """The event as the API and webhooks emit it: the stored 2.2 body (bodies stored before schema 0002 brought into
    2.2 shape as well) plus the extension fields, no nulls."""
    out = {**_conform(ev.body or {}, ev.facility, False), "retracted": bool(ev.retracted)}
    if ev.facility:
        out["facility"] = ev.facility
    if ev.received_at:
        out["receivedAt"] = ev.received_at.isoformat()
    return out
