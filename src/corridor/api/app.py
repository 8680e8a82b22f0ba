"""FastAPI app of the transit service: thin handlers over :class:`corridor.transit.TransitService`.

Every POST takes an ``Idempotency-Key`` header (a retry gets the first answer, never a duplicate); bodies over
the size limit get 413, clients over the rate limit 429; invalid input gets 4xx with field paths, never 500.
A background thread delivers webhooks signed with HMAC-SHA256 and retries them with exponential backoff.
"""

import hashlib
import hmac
import json
import threading
import time
from datetime import datetime
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import sessionmaker

from corridor.model import Network
from corridor.transit.db import IdempotencyRecord, Party, make_engine, migrate
from corridor.transit.schemas import DeclarationIn, EventIn, PartyIn, SubscriptionIn
from corridor.transit.service import TransitError, TransitService

__all__ = ["create_app", "sign"]

MAX_BODY_BYTES = 1_000_000


def sign(secret: str, body: bytes) -> str:
    """The webhook signature header value: ``sha256=<hex HMAC-SHA256 of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _RateLimiter:
    """Token bucket per client key."""

    def __init__(self, rate_per_s: float, burst: float) -> None:
        self.rate, self.burst = rate_per_s, burst
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            ok = tokens >= 1.0
            self.buckets[key] = (tokens - 1.0 if ok else tokens, now)
            return ok


class _Limits:
    """Pure ASGI middleware: body-size limit (413) and per-client rate limit (429), before any parsing."""

    def __init__(self, app, limiter: _RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _reply(send, 413, {"detail": f"request body over {MAX_BODY_BYTES} bytes", "failures": []})
            return
        client = scope.get("client")
        key = headers.get(b"authorization") or (client[0].encode() if client else b"-")
        if not self.limiter.allow(key.decode(errors="replace")):
            await _reply(send, 429, {"detail": "rate limit exceeded", "failures": []}, [(b"retry-after", b"1")])
            return
        await self.app(scope, receive, send)


async def _reply(send, status: int, body: dict, extra: list | None = None) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *(extra or [])],
        }
    )
    await send({"type": "http.response.body", "body": data})


class _Deliverer(threading.Thread):
    """Posts due webhook deliveries, signed, and records each attempt."""

    def __init__(self, service: TransitService, interval_s: float = 0.1) -> None:
        super().__init__(daemon=True, name="corridor-webhooks")
        self.service, self.interval_s = service, interval_s
        self.stop = threading.Event()
        self.client = httpx.Client(timeout=5.0)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                due = self.service.due_deliveries()
            except OperationalError:
                due = []
            for delivery_id, url, secret, payload, _attempts in due:
                body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
                try:
                    r = self.client.post(
                        url,
                        content=body,
                        headers={
                            "Content-Type": "application/json",
                            "Corridor-Signature": sign(secret, body),
                            "Corridor-Delivery": str(delivery_id),
                        },
                    )
                    ok, err = 200 <= r.status_code < 300, None if r.status_code < 300 else f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, err = False, f"{type(exc).__name__}: {exc}"[:300]
                self.service.record_delivery(delivery_id, ok, err)
            self.stop.wait(self.interval_s)


def create_app(
    net: Network,
    database_url: str | None = None,
    *,
    rate_per_s: float = 5000.0,
    burst: float = 10000.0,
    deliver_webhooks: bool = True,
) -> FastAPI:
    """Build the app over a database (migrated to the newest schema on start) and the Corridor network."""
    engine = make_engine(database_url)
    migrate(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    service = TransitService(sessions, net)
    limiter = _RateLimiter(rate_per_s, burst)
    app = FastAPI(
        title="Corridor transit service",
        version="1.0.0",
        description="Paperless transit declarations (NCTS IE015-like), automatic release on arrival, "
        "DCSA-style tracking events, subscriptions and audit.",
    )
    app.state.service = service
    deliverer = _Deliverer(service)
    if deliver_webhooks:

        @app.on_event("startup")
        def _start() -> None:
            deliverer.start()

        @app.on_event("shutdown")
        def _stop() -> None:
            deliverer.stop.set()

    app.add_middleware(_Limits, limiter=limiter)

    @app.exception_handler(TransitError)
    async def _transit_error(_request: Request, exc: TransitError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "failures": exc.failures}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        failures = [
            {
                "rule": "S000",
                "path": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                "value": _jsonable(e.get("input")),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "request failed structure validation", "failures": failures}, status_code=422)

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        return JSONResponse({"detail": "database busy, retry", "failures": []}, status_code=503, headers={"Retry-After": "1"})

    async def party(authorization: Annotated[str | None, Header()] = None) -> Party:
        token = authorization.removeprefix("Bearer ").strip() if authorization else None
        known = service.cached_party(token)
        return known if known is not None else await run_in_threadpool(service.authenticate, token)

    PartyDep = Annotated[Party, Depends(party)]
    DeclId = Annotated[int, Path(ge=1, le=2**62, description="Declaration id")]
    IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]

    def idempotent(p: Party, key: str | None, body: Any, fn) -> JSONResponse:
        """Run *fn* once per (party, key): a retry with the same body replays the stored answer."""
        if not key:
            status, payload = fn()
            return JSONResponse(payload, status_code=status)
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        with service.sessions() as s:
            rec = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.party_id == p.id, IdempotencyRecord.key == key))
            if rec is not None:
                if rec.request_hash != digest:
                    raise TransitError(
                        422,
                        "Idempotency-Key reused with a different request",
                        [
                            {
                                "rule": "I001",
                                "path": "Idempotency-Key",
                                "value": key,
                                "message": "a new key for a different request",
                            }
                        ],
                    )
                return JSONResponse(rec.response, status_code=rec.status_code, headers={"Idempotent-Replay": "true"})
        try:
            status, payload = fn()
        except TransitError as exc:
            status, payload = exc.status, {"detail": str(exc), "failures": exc.failures}
        try:
            with service._tx() as s:
                s.add(IdempotencyRecord(party_id=p.id, key=key, request_hash=digest, status_code=status, response=payload))
        except IntegrityError:  # a concurrent retry stored its answer first: replay that one
            with service.sessions() as s:
                rec = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.party_id == p.id, IdempotencyRecord.key == key))
                return JSONResponse(rec.response, status_code=rec.status_code, headers={"Idempotent-Replay": "true"})
        return JSONResponse(payload, status_code=status)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/parties", status_code=201)
    def create_party(data: PartyIn, p: PartyDep, key: IdemKey = None) -> JSONResponse:
        def go() -> tuple[int, dict]:
            created, token = service.create_party(data, by=p)
            return 201, {
                "id": created.id,
                "name": created.name,
                "role": created.role,
                "office_node": created.office_node,
                "token": token,
            }

        return idempotent(p, key, data.model_dump(), go)

    @app.get("/parties/me")
    def me(p: PartyDep) -> dict:
        return {"id": p.id, "name": p.name, "role": p.role, "office_node": p.office_node}

    @app.post("/declarations", status_code=201)
    async def lodge(data: DeclarationIn, p: PartyDep, key: IdemKey = None) -> JSONResponse:
        if key:  # idempotency records need the database: run the whole exchange in a worker thread
            return await run_in_threadpool(
                idempotent, p, key, data.model_dump(mode="json"), lambda: (201, service.create_declaration(p, data))
            )
        return JSONResponse(await service.create_declaration_async(p, data), status_code=201)

    @app.get("/declarations")
    def list_declarations(
        p: PartyDep,
        status: str | None = None,
        after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict]:
        return service.list(p, status=status, after_id=after_id, limit=limit)

    @app.get("/declarations/{decl_id}")
    def get_declaration(decl_id: DeclId, p: PartyDep) -> dict:
        return service.get(p, decl_id)

    @app.post("/declarations/{decl_id}/submit")
    def submit(decl_id: DeclId, p: PartyDep, key: IdemKey = None) -> JSONResponse:
        return idempotent(p, key, {"submit": decl_id}, lambda: (200, service.submit(p, decl_id)))

    @app.post("/declarations/{decl_id}/cancel")
    def cancel(decl_id: DeclId, p: PartyDep, key: IdemKey = None) -> JSONResponse:
        return idempotent(p, key, {"cancel": decl_id}, lambda: (200, service.cancel(p, decl_id)))

    @app.post("/declarations/{decl_id}/decisions/{decision}")
    def decide(
        decl_id: DeclId,
        decision: Annotated[str, Path(pattern="^(release|refuse_release|write_off)$")],
        p: PartyDep,
        reason: Annotated[str, Query(max_length=500)] = "",
        key: IdemKey = None,
    ) -> JSONResponse:
        return idempotent(
            p,
            key,
            {"decide": decl_id, "decision": decision, "reason": reason},
            lambda: (200, service.customs_decision(p, decl_id, decision, reason)),
        )

    @app.get("/declarations/{decl_id}/audit")
    def audit(decl_id: DeclId, p: PartyDep) -> list[dict]:
        return service.audit(p, decl_id)

    @app.get("/declarations/{decl_id}/eta")
    def eta(decl_id: DeclId, p: PartyDep) -> dict:
        return service.eta(p, decl_id)

    @app.post("/events")
    def post_event(data: EventIn, p: PartyDep, key: IdemKey = None) -> JSONResponse:
        def go() -> tuple[int, dict]:
            ev, changed = service.upsert_event(p, data)
            return (201 if changed else 200), ev

        return idempotent(p, key, data.model_dump(mode="json"), go)

    @app.delete("/events/{event_id}")
    def retract(event_id: Annotated[str, Path(max_length=100)], p: PartyDep) -> dict:
        return service.retract_event(p, event_id)

    @app.get("/events")
    def list_events(
        p: PartyDep,
        equipmentReference: str | None = None,
        trainNumber: str | None = None,
        facility: str | None = None,
        eventTypeCode: str | None = None,
        since: datetime | None = None,
        cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        includeRetracted: bool = False,
    ) -> dict:
        events, nxt = service.list_events(
            p,
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

    @app.post("/subscriptions", status_code=201)
    def subscribe(data: SubscriptionIn, p: PartyDep, key: IdemKey = None) -> JSONResponse:
        return idempotent(p, key, data.model_dump(), lambda: (201, service.subscribe(p, data)))

    @app.get("/subscriptions/deliveries")
    def deliveries(p: PartyDep) -> list[dict]:
        return service.deliveries(p)

    @app.get("/stats")
    def stats(p: PartyDep) -> dict:
        return service.stats()

    return app


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)
