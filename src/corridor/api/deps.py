"""Request dependencies: the service, the authenticated party, and a per-party slot for expensive queries.

``Authorization`` is parsed strictly (RFC 6750): exactly one header, the ``Bearer`` scheme, one space and a token
of the b64token alphabet. A bare token, another scheme, extra or trailing spaces, or two headers get 401.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException

from corridor.transit import TransitService
from corridor.transit.db import Party

__all__ = [
    "CurrentParty",
    "ListSlot",
    "Service",
    "current_party",
    "get_service",
    "get_service_of",
    "list_slot",
    "parse_bearer",
]

_BEARER = re.compile(r"Bearer ([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="corridor"'}

#: documents the scheme in OpenAPI; the header itself is parsed by :func:`parse_bearer`
_bearer_doc = HTTPBearer(auto_error=False, description="API token of a party: `Authorization: Bearer <token>`.")


def parse_bearer(value: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value, or None when it is not exactly that."""
    if not value or len(value) > 512:
        return None
    m = _BEARER.fullmatch(value)
    return m.group(1) if m else None


def get_service_of(request: Request) -> TransitService:
    """The :class:`corridor.transit.TransitService` of the app (for handlers that do not take it as a dependency)."""
    return request.app.state.service


async def get_service(request: Request) -> TransitService:
    """The :class:`corridor.transit.TransitService` of the app (a coroutine: FastAPI runs a plain function
    dependency in a worker thread, a hop that costs more than the lookup)."""
    return request.app.state.service


Service = Annotated[TransitService, Depends(get_service)]


async def current_party(request: Request, _doc: Annotated[Any, Depends(_bearer_doc)] = None) -> Party:
    """The party whose bearer token the request carries; 401 for a missing, malformed or unknown token."""
    values = request.headers.getlist("authorization")
    if not values:
        raise HTTPException(401, "missing Authorization: Bearer <token> header", headers=_CHALLENGE)
    token = parse_bearer(values[0]) if len(values) == 1 else None
    if token is None:
        raise HTTPException(401, "Authorization must be exactly 'Bearer <token>' (one header, one space)", headers=_CHALLENGE)
    service = request.app.state.service
    party = service.cached_party(token)
    if party is None:
        party = await run_in_threadpool(service.authenticate, token)
    return party


CurrentParty = Annotated[Party, Depends(current_party)]


async def list_slot(request: Request, party: CurrentParty) -> AsyncIterator[None]:
    """Hold one of the party's slots for an expensive query for the duration of the request (429 when none free)."""
    slots = request.app.state.list_slots
    if not slots.acquire(party.id):
        raise HTTPException(429, f"at most {slots.per_party} list queries of one party at a time", headers={"Retry-After": "1"})
    try:
        yield
    finally:
        slots.release(party.id)


ListSlot = Depends(list_slot)
