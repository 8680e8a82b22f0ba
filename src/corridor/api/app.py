"""The FastAPI app of the transit service: routers, limits, one error shape, and the service's lifespan.

Starting the app migrates the database to the newest schema and starts the service's background workers (group
committer, webhook deliverer); stopping it stops them. Every refusal is problem details (see
:mod:`corridor.api.errors`); limits are in :mod:`corridor.api.middleware`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from corridor.api.errors import document_problems, install_error_handlers
from corridor.api.middleware import ApiLimits, InFlight, LimitsMiddleware, PartySlots, RateLimiter
from corridor.api.routers import calibration, evidence, network, routes, scenarios, simulation, sources, transit, web
from corridor.evidence.pipeline import Evidence
from corridor.model import Network
from corridor.transit import TransitService
from corridor.transit.db import make_engine, migrate

__all__ = ["create_app"]

DESCRIPTION = (
    "Paperless transit declarations (NCTS IE015-like), automatic release on arrival, DCSA Track & Trace events, "
    "signed webhooks and audit. Every error is `application/problem+json` (RFC 9457) with the failed checks in "
    "`failures`. Authenticate with `Authorization: Bearer <token>`; send `Idempotency-Key` on writes to retry safely."
)


def create_app(
    net: Network,
    database_url: str | Engine | None = None,
    *,
    limits: ApiLimits | None = None,
    service: Any = None,
    evidence_url: str | None = None,
) -> FastAPI:
    """The app over *net* and the database at *database_url* (or an existing *service*); nothing runs until started.

    The read-only ``/evidence`` routes link claims to the same *net*; their store is *evidence_url* (default: the
    option ``evidence_database_url``), opened on first use.
    """
    limits = limits or ApiLimits()
    engine = None
    if service is None:
        engine = database_url if isinstance(database_url, Engine) else make_engine(database_url)
        service = TransitService(net, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if engine is not None:
            migrate(engine)
        service.start()
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="Corridor transit service",
        version="2.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.evidence = Evidence(net, evidence_url)
    app.state.limits = limits
    app.state.list_slots = PartySlots(limits.list_concurrency_per_party)
    app.state.rate_limiter = RateLimiter(limits.rate_per_s, limits.rate_burst, limits.rate_max_keys)
    install_error_handlers(app)
    app.state.in_flight = InFlight()
    app.add_middleware(LimitsMiddleware, limits=limits, limiter=app.state.rate_limiter, in_flight=app.state.in_flight)
    app.include_router(transit.router)
    app.include_router(evidence.router)
    app.include_router(network.router)
    app.include_router(routes.router)
    app.include_router(scenarios.router)
    app.include_router(simulation.router)
    app.include_router(calibration.router)
    app.include_router(sources.router)
    app.include_router(web.router)

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
