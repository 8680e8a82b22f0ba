"""Response models of the HTTP API: what each route answers, as the OpenAPI document shows it.

The service returns plain dicts; these models name and type their fields. Models whose content the service may
extend (DCSA events carry every field posted) allow extra fields and pass them through unchanged.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from corridor.api.errors import Failure
from corridor.transit.domain import Role, Status

__all__ = [
    "AuditEntryOut",
    "DeclarationOut",
    "DeliveryOut",
    "EtaOut",
    "EventOut",
    "EventPage",
    "GuaranteeOut",
    "Health",
    "PartyOut",
    "PartyWithToken",
    "StatsOut",
    "SubscriptionOut",
]

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"}, description="ISO 8601, UTC")]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Health(BaseModel):
    status: str = Field(description="ok when the app answers.")


class PartyOut(_Out):
    id: int
    name: str
    role: Role
    office_node: str | None = Field(default=None, description="Node id of a customs office.")
    active: bool | None = Field(default=None, description="False once the party is deactivated.")


class PartyWithToken(PartyOut):
    token: str = Field(description="The API token; shown once, only its hash is stored. Send as Authorization: Bearer <token>.")


class GuaranteeOut(_Out):
    reference: str
    amount: float
    currency: str


class DeclarationOut(_Out):
    id: int
    lrn: str
    mrn: str | None = Field(description="Movement reference number, allocated at release.")
    status: Status
    declaration_type: str
    holder_id: int
    office_departure: str
    offices_transit: list[str]
    office_destination: str
    itinerary: list[str]
    train_number: str | None = None
    containers: list[str]
    guarantee: GuaranteeOut
    amount_at_risk_usd: float
    current_office: str | None = None
    control_reason: str | None = None
    errors: list[Failure] = Field(default_factory=list, description="Business-rule failures of a rejected declaration.")
    created_at: Timestamp | None = None
    released_at: Timestamp | None = None
    arrival_to_release_s: float | None = None


class AuditEntryOut(_Out):
    id: int
    at: Timestamp
    party_id: int | None
    action: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any] | None = None


class Leg(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str


class EtaOut(_Out):
    declaration_id: int
    position: str | None = Field(description="Last node of the itinerary with an actual event.")
    next_legs: list[Leg | str] = Field(description="Legs still ahead (or the itinerary's nodes before any event).")
    eta: Timestamp | None = None
    eta_p50: Timestamp | None = Field(None, description="Median arrival from the operations simulation of the base scenario.")
    eta_p90: Timestamp | None = Field(None, description="Arrival that 90% of simulated trains on the same route beat.")
    eta_simulation: str | None = Field(None, description="What the simulated percentiles are based on.")
    remaining_h: float | None = None
    remaining_km: float | None = None
    as_of: Timestamp | None = None
    message: str | None = None


class EventOut(_Out):
    """A DCSA Track & Trace 2.2 event as stored, with ``retracted`` and the receipt time."""

    eventID: str
    eventType: str
    eventClassifierCode: str | None = None
    eventDateTime: Timestamp | None = None
    eventCreatedDateTime: Timestamp | None = None


class EventPage(BaseModel):
    events: list[EventOut]
    next_cursor: int | None = Field(description="Pass as cursor= for the next page; null on the last page.")


class SubscriptionOut(_Out):
    id: int
    callbackUrl: str
    equipmentReference: str | None = None
    eventCodes: list[str] = Field(default_factory=list)


class DeliveryOut(_Out):
    id: int
    event_id: str
    status: str
    attempts: int
    last_error: str | None = None


class StatsOut(_Out):
    declarations_by_status: dict[str, int]
    released_with_arrival: int
    arrival_to_release_p50_s: float | None = None
    arrival_to_release_p99_s: float | None = None
    arrival_to_release_max_s: float | None = None
