"""Routes of the transit service: parties, declarations and their decisions, DCSA events, subscriptions, stats.

Each handler reads the request, calls one :class:`corridor.transit.TransitService` method as the authenticated
party and answers the method's result; who may see or do what is decided by the service, never here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from corridor.api.deps import CurrentParty, ListSlot, Service, get_service_of
from corridor.api.idempotent import IdempotencyKey, run_once
from corridor.api.models import (
    AuditEntryOut,
    DeclarationOut,
    DeliveryOut,
    EtaOut,
    EventOut,
    EventPage,
    Health,
    PartyOut,
    PartyWithToken,
    StatsOut,
    SubscriptionOut,
)
from corridor.api.strict import StrictRoute
from corridor.transit.domain import Status
from corridor.transit.parties import party_view
from corridor.transit.schemas import DeclarationIn, EventIn, PartyIn, SubscriptionIn

__all__ = ["router"]

router = APIRouter(route_class=StrictRoute)

DeclId = Annotated[int, Path(ge=1, le=2**62, description="Declaration id")]
PartyId = Annotated[int, Path(ge=1, le=2**62, description="Party id")]
EventId = Annotated[str, Path(min_length=1, max_length=100, description="eventID of the event")]
Limit = Annotated[int, Query(ge=1, le=500, description="Most items in one page.")]


class Decision(StrEnum):
    """What a customs office decides about a movement."""

    RELEASE = "release"
    REFUSE_RELEASE = "refuse_release"
    WRITE_OFF = "write_off"


def _errors(*statuses: int) -> dict:
    """Route-specific refusals for the OpenAPI document (bodies: problem details, filled in by document_problems)."""
    text = {
        403: "The party's role or office may not do this.",
        404: "No such resource visible to this party.",
        409: "The resource is not in a state that allows this (or the Idempotency-Key is in flight).",
    }
    return {s: {"description": text[s]} for s in statuses}


def _party_view(p: object) -> dict:
    return p if isinstance(p, dict) else party_view(p)


@router.get("/health", response_model=Health, tags=["service"])
def health() -> dict:
    """Liveness: the app answers."""
    return {"status": "ok"}


@router.post("/parties", status_code=201, response_model=PartyWithToken, responses=_errors(403, 409), tags=["parties"])
async def create_party(
    data: PartyIn, party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None
) -> Response:
    """Create a party (operators only); the answer carries its token, once (a replay shows it redacted)."""

    def work(claim: object) -> tuple[int, dict]:
        created, token = service.create_party(data, by=party, claim=claim)
        return 201, {**_party_view(created), "token": token}

    return await run_in_threadpool(
        run_once, service, party, key, "POST", request.url.path, data.model_dump(mode="json"), work, PartyWithToken
    )


@router.get("/parties/me", response_model=PartyOut, tags=["parties"])
def me(party: CurrentParty) -> dict:
    """The party the token belongs to."""
    return _party_view(party)


@router.post("/parties/me/token", response_model=PartyWithToken, responses=_errors(409), tags=["parties"])
async def rotate_token(party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None) -> Response:
    """Replace the party's token: the old one stops working at once; the new one is shown once (a replay redacts it)."""

    def work(claim: object) -> tuple[int, dict]:
        rotated, token = service.rotate_token(party, claim=claim)
        return 200, {**_party_view(rotated), "token": token}

    return await run_in_threadpool(run_once, service, party, key, "POST", request.url.path, {}, work, PartyWithToken)


@router.post("/parties/{party_id}/deactivate", response_model=PartyOut, responses=_errors(403, 404, 409), tags=["parties"])
async def deactivate_party(
    party_id: PartyId, party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None
) -> Response:
    """Deactivate a party (operators only): its token stops working at once; its records stay."""
    return await run_in_threadpool(
        run_once,
        service,
        party,
        key,
        "POST",
        request.url.path,
        {},
        lambda claim: (200, _party_view(service.deactivate_party(party, party_id, claim=claim))),
        PartyOut,
    )


@router.post("/declarations", status_code=201, response_model=DeclarationOut, responses=_errors(403, 409), tags=["declarations"])
async def lodge(data: DeclarationIn, party: CurrentParty, request: Request, key: IdempotencyKey = None) -> Response:
    """Lodge a declaration; unless ``submit`` is false it is checked against the business rules at once.

    A declaration failing a rule is stored as ``rejected`` with every failure; it is still a 201. One whose goods or
    itinerary a trade rule (sanctions, policy) forbids is refused with 422: each failure names the rule, the path
    (``itinerary``, ``goods[0].origin_country``...) and the ``citation`` (legal source and quote).
    """
    service = get_service_of(request)  # the busiest route: one dependency fewer for FastAPI to solve
    if key:
        return await run_in_threadpool(
            run_once,
            service,
            party,
            key,
            "POST",
            request.url.path,
            data.model_dump(mode="json"),
            lambda claim: (201, service.create_declaration(party, data, claim=claim)),
            DeclarationOut,
        )
    # the only request in flight commits on the event loop: nobody waits behind it, and the hop to the writer
    # thread and back would be most of its latency beside the commit itself
    in_flight = request.app.state.in_flight
    lodged = await service.create_declaration_async(party, data, inline=lambda: in_flight.requests <= 1)
    return JSONResponse(lodged, status_code=201)


@router.get("/declarations", response_model=list[DeclarationOut], dependencies=[ListSlot], tags=["declarations"])
def list_declarations(
    party: CurrentParty,
    service: Service,
    status: Status | None = None,
    after_id: Annotated[int, Query(ge=0, le=2**62, description="Only ids above this (keyset paging).")] = 0,
    limit: Limit = 100,
) -> list[dict]:
    """The declarations this party may read, by id."""
    return service.list(party, status=status, after_id=after_id, limit=limit)


@router.get("/declarations/{decl_id}", response_model=DeclarationOut, responses=_errors(404), tags=["declarations"])
def get_declaration(decl_id: DeclId, party: CurrentParty, service: Service) -> dict:
    """One declaration, if this party may read it."""
    return service.get(party, decl_id)


@router.post("/declarations/{decl_id}/submit", response_model=DeclarationOut, responses=_errors(404, 409), tags=["declarations"])
async def submit(
    decl_id: DeclId, party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None
) -> Response:
    """Submit a draft: it is checked against the business rules (its holder only), then the trade rules (422)."""
    return await run_in_threadpool(
        run_once, service, party, key, "POST", request.url.path, {},
        lambda claim: (200, service.submit(party, decl_id, claim=claim)), DeclarationOut,
    )  # fmt: skip


@router.post("/declarations/{decl_id}/cancel", response_model=DeclarationOut, responses=_errors(404, 409), tags=["declarations"])
async def cancel(
    decl_id: DeclId, party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None
) -> Response:
    """Cancel a declaration not yet released (its holder only)."""
    return await run_in_threadpool(
        run_once, service, party, key, "POST", request.url.path, {},
        lambda claim: (200, service.cancel(party, decl_id, claim=claim)), DeclarationOut,
    )  # fmt: skip


@router.post(
    "/declarations/{decl_id}/decisions/{decision}",
    response_model=DeclarationOut,
    responses=_errors(403, 404, 409),
    tags=["declarations"],
)
async def decide(
    decl_id: DeclId,
    decision: Decision,
    party: CurrentParty,
    service: Service,
    request: Request,
    reason: Annotated[str, Query(max_length=500, description="Why (kept in the audit trail).")] = "",
    key: IdempotencyKey = None,
) -> Response:
    """Release or refuse release after control, or write off at destination: the competent customs office only."""
    return await run_in_threadpool(
        run_once,
        service,
        party,
        key,
        "POST",
        request.url.path,
        {"reason": reason},
        lambda claim: (200, service.customs_decision(party, decl_id, decision.value, reason, claim=claim)),
        DeclarationOut,
    )


@router.get(
    "/declarations/{decl_id}/audit",
    response_model=list[AuditEntryOut],
    responses=_errors(404),
    dependencies=[ListSlot],
    tags=["declarations"],
)
def audit(decl_id: DeclId, party: CurrentParty, service: Service) -> list[dict]:
    """Every state change of the declaration, who made it and when."""
    return service.audit(party, decl_id)


@router.get("/declarations/{decl_id}/eta", response_model=EtaOut, responses=_errors(404), tags=["declarations"])
def eta(decl_id: DeclId, party: CurrentParty, service: Service) -> dict:
    """Last known position on the itinerary and the arrival time Corridor's routing expects."""
    return service.eta(party, decl_id)


@router.post(
    "/events",
    status_code=201,
    response_model=EventOut,
    responses={200: {"description": "Already stored, unchanged."}, **_errors(403, 409)},
    tags=["events"],
)
async def post_event(
    data: EventIn, party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None
) -> Response:
    """Post a DCSA Track & Trace event: 201 when stored or updated (newer eventCreatedDateTime), 200 when unchanged."""

    def work(claim: object) -> tuple[int, dict]:
        ev, changed = service.upsert_event(party, data, claim=claim)
        return (201 if changed else 200), ev

    return await run_in_threadpool(
        run_once, service, party, key, "POST", request.url.path, data.model_dump(mode="json"), work, EventOut
    )


@router.delete("/events/{event_id}", response_model=EventOut, responses=_errors(404, 409), tags=["events"])
async def retract(
    event_id: EventId, party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None
) -> Response:
    """Retract an event (its owner only); it stays in the record, marked retracted."""
    return await run_in_threadpool(
        run_once,
        service,
        party,
        key,
        "DELETE",
        request.url.path,
        {},
        lambda claim: (200, service.retract_event(party, event_id, claim=claim)),
        EventOut,
    )


@router.get("/events", response_model=EventPage, dependencies=[ListSlot], tags=["events"])
def list_events(
    party: CurrentParty,
    service: Service,
    equipmentReference: Annotated[str | None, Query(max_length=11)] = None,
    trainNumber: Annotated[str | None, Query(max_length=35)] = None,
    facility: Annotated[str | None, Query(max_length=64)] = None,
    eventTypeCode: Annotated[str | None, Query(max_length=4)] = None,
    since: datetime | None = None,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Limit = 100,
    includeRetracted: bool = False,
) -> dict:
    """The events this party may see, oldest first, in pages."""
    events, nxt = service.list_events(
        party,
        equipment=equipmentReference,
        train=trainNumber,
        facility=facility,
        code=eventTypeCode,
        since=since,
        cursor=cursor,
        limit=limit,
        include_retracted=includeRetracted,
    )
    return {"events": events, "next_cursor": nxt}


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut, responses=_errors(409), tags=["subscriptions"])
async def subscribe(
    data: SubscriptionIn, party: CurrentParty, service: Service, request: Request, key: IdempotencyKey = None
) -> Response:
    """Subscribe a callback URL to the events this party may see (signed deliveries, see the security model)."""
    return await run_in_threadpool(
        run_once,
        service,
        party,
        key,
        "POST",
        request.url.path,
        data.model_dump(mode="json"),
        lambda claim: (201, service.subscribe(party, data, claim=claim)),
        SubscriptionOut,
    )


@router.get("/subscriptions", response_model=list[SubscriptionOut], dependencies=[ListSlot], tags=["subscriptions"])
def subscriptions(party: CurrentParty, service: Service) -> list[dict]:
    """This party's subscriptions."""
    return service.subscriptions(party)


@router.get("/subscriptions/deliveries", response_model=list[DeliveryOut], dependencies=[ListSlot], tags=["subscriptions"])
def deliveries(party: CurrentParty, service: Service) -> list[dict]:
    """Delivery attempts of this party's subscriptions."""
    return service.deliveries(party)


@router.get("/stats", response_model=StatsOut, dependencies=[ListSlot], tags=["service"])
def stats(party: CurrentParty, service: Service) -> dict:
    """Arrival-to-release times and declarations by status, over what this party may see."""
    return service.stats(party)
