"""Sample declarations and DCSA 2.2 events for the transit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from corridor.transit import TransitService
from corridor.transit.schemas import DeclarationIn, EventIn, PartyIn

ITINERARY = [
    "altynkol",
    "zhetygen",
    "almaty",
    "shu",
    "arys",
    "kyzylorda",
    "beyneu",
    "aktau",
    "baku",
    "beyuk_kesik",
    "tbilisi",
    "poti",
]


def declaration(
    lrn: str,
    *,
    carrier_id: int | None = None,
    container: str = "CSQU3054383",
    train: str | None = "KZ-7001",
    value: float = 250000.0,
    hs: str = "847130",
    guarantee: float = 100000.0,
    guarantee_ref: str = "GRN0001KZ",
    submit: bool = True,
    **extra,
) -> dict:
    body = {
        "lrn": lrn,
        "declaration_type": "T1",
        "office_departure": "altynkol",
        "offices_transit": ["beyuk_kesik"],
        "office_destination": "poti",
        "itinerary": list(ITINERARY),
        "binding_itinerary": True,
        "guarantee": {"reference": guarantee_ref, "amount": guarantee, "currency": "USD", "guarantor": "Halyk Bank"},
        "transport": {"train_number": train, "wagons": ["52123456"], "carrier_id": carrier_id},
        "containers": [{"number": container, "seals": [f"SEAL-{lrn}-1", f"SEAL-{lrn}-2"]}],
        "seals_count": 2,
        "goods": [
            {
                "hs_code": hs,
                "description": "Laptop computers",
                "gross_mass_kg": 12000,
                "net_mass_kg": 11000,
                "packages": 800,
                "value": value,
                "currency": "USD",
                "origin_country": "CN",
            }
        ],
        "documents": [{"type": "CIM/SMGS", "reference": f"SMGS-{lrn}"}],
        "submit": submit,
    }
    body.update(extra)
    return body


def decl_in(lrn: str, **kw) -> DeclarationIn:
    return DeclarationIn.model_validate(declaration(lrn, **kw))


def event(
    event_id: str,
    node: str = "altynkol",
    *,
    train: str | None = "KZ-7001",
    container: str | None = None,
    code: str = "ARRI",
    when: str | None = None,
    created: str | None = None,
) -> EventIn:
    now = datetime.now(UTC).isoformat()
    kind = "TRANSPORT" if code in ("ARRI", "DEPA") else "EQUIPMENT"
    body = {
        "eventID": event_id,
        "eventType": kind,
        "eventClassifierCode": "ACT",
        "eventDateTime": when or now,
        "eventCreatedDateTime": created or now,
        "transportCall": {"facilityCode": node},
        "trainNumber": train,
    }
    body["transportEventTypeCode" if kind == "TRANSPORT" else "equipmentEventTypeCode"] = code
    if container:
        body["equipmentReference"] = container
    return EventIn.model_validate(body)


class Cast:
    """The parties of a test: operator, two holders, two carriers, customs offices."""

    def __init__(self, svc: TransitService) -> None:
        def make(name: str, role: str, office: str | None = None):
            return svc.create_party(PartyIn(name=name, role=role, office_node=office), by=None)[0]

        self.op = make("Operator", "operator")
        self.holder = make("Forwarder A", "holder")
        self.holder_b = make("Forwarder B", "holder")
        self.carrier = make("KTZ Express", "carrier")
        self.carrier_b = make("Other Rail", "carrier")
        self.altynkol = make("Altynkol customs", "customs", "altynkol")
        self.dostyk = make("Dostyk customs", "customs", "dostyk")
        self.poti = make("Poti customs", "customs", "poti")
