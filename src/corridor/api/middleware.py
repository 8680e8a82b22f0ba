"""Limits that hold under a flood: a per-party rate limit with bounded memory, and per-party query slots.

The rate limit runs before any parsing (pure ASGI middleware). It is keyed on the party the bearer token belongs to
(looked up in the service's token cache, no database access) and on the client address for everything else, never
on the raw header: a malformed or unknown token shares its address's allowance. Buckets live in a
least-recently-used map of bounded size. The body-size limit counts the bytes as they arrive, so a chunked body
without ``Content-Length`` is cut off too (413, before any handler sees it); a declared ``Content-Length`` over
the limit is refused at once.
"""

from __future__ import annotations

import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor import settings
from corridor.api.deps import parse_bearer
from corridor.api.errors import PROBLEM_MEDIA_TYPE, TYPES, problem_body, render

__all__ = ["ApiLimits", "BodyTooLarge", "InFlight", "LimitsMiddleware", "PartySlots", "RateLimiter"]

_DIGITS = re.compile(r"[0-9]+")


class BodyTooLarge(HTTPException):
    """The request body grew past the limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit} bytes", headers={"Connection": "close"})


@dataclass(frozen=True)
class ApiLimits:
    """The HTTP limits; :meth:`from_settings` reads them from :mod:`corridor.settings`."""

    rate_per_s: float = 100.0
    rate_burst: float = 200.0
    rate_max_keys: int = 10_000
    max_body_bytes: int = 1_000_000
    list_concurrency_per_party: int = 2

    @classmethod
    def from_settings(cls) -> ApiLimits:
        """The limits configured through ``CORRIDOR_RATE_PER_S`` and the other options in corridor.settings."""
        return cls(
            rate_per_s=float(settings.get("rate_per_s")),
            rate_burst=float(settings.get("rate_burst")),
            rate_max_keys=int(settings.get("rate_max_keys")),
            max_body_bytes=int(settings.get("max_body_bytes")),
            list_concurrency_per_party=int(settings.get("list_concurrency_per_party")),
        )


class RateLimiter:
    """Token bucket per key; at most *max_keys* buckets, the least recently used evicted first.

    Called from the event loop only, so it needs no lock. An evicted key starts again with a full bucket, which
    is the same allowance a new client gets.
    """

    def __init__(self, rate_per_s: float, burst: float, max_keys: int) -> None:
        if rate_per_s <= 0 or burst < 1 or max_keys < 1:
            raise ValueError(f"rate limit needs rate_per_s > 0, burst >= 1, max_keys >= 1; got {rate_per_s}, {burst}, {max_keys}")
        self.rate_per_s, self.burst, self.max_keys = rate_per_s, burst, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one token of *key*: 0.0 when allowed, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate_per_s)
        wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate_per_s
        self._buckets[key] = (tokens - 1.0 if wait == 0.0 else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


class PartySlots:
    """At most *per_party* expensive queries in flight per party; the map holds only parties with one running."""

    def __init__(self, per_party: int) -> None:
        if per_party < 1:
            raise ValueError(f"list_concurrency_per_party must be >= 1, got {per_party}")
        self.per_party = per_party
        self._running: dict[int, int] = {}

    def acquire(self, party_id: int) -> bool:
        """Take a slot for *party_id*; False when all its slots are busy."""
        n = self._running.get(party_id, 0)
        if n >= self.per_party:
            return False
        self._running[party_id] = n + 1
        return True

    def release(self, party_id: int) -> None:
        """Give back a slot taken with :meth:`acquire`."""
        n = self._running.get(party_id, 1) - 1
        if n <= 0:
            self._running.pop(party_id, None)
        else:
            self._running[party_id] = n


class InFlight:
    """How many HTTP requests the app is serving now (counted by :class:`LimitsMiddleware`; one event loop)."""

    def __init__(self) -> None:
        self.requests = 0


class LimitsMiddleware:
    """Pure ASGI middleware: 413 for a declared body over the limit, 429 over the rate limit, before any parsing;
    counts the requests in flight into *in_flight*."""

    def __init__(self, app: ASGIApp, limits: ApiLimits, limiter: RateLimiter, in_flight: InFlight | None = None) -> None:
        self.app, self.limits, self.limiter = app, limits, limiter
        self.in_flight = in_flight or InFlight()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.in_flight.requests += 1
        try:
            await self._http(scope, receive, send)
        finally:
            self.in_flight.requests -= 1

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not _DIGITS.fullmatch(length) or len(length) > 18 or int(length) > self.limits.max_body_bytes):
            status = 413 if _DIGITS.fullmatch(length) else 400
            detail = f"request body over {self.limits.max_body_bytes} bytes" if status == 413 else "malformed Content-Length"
            await _reply(send, scope, status, detail, TYPES["too_large"] if status == 413 else "about:blank", [])
            return
        wait = self.limiter.take(self.key(scope, headers))
        if wait > 0.0:
            retry = str(max(1, math.ceil(wait)))
            detail = "rate limit exceeded for this party (or client address)"
            await _reply(send, scope, 429, detail, TYPES["rate_limit"], [(b"retry-after", retry.encode())])
            return
        if length is not None and "transfer-encoding" not in headers:
            # the server reads exactly Content-Length bytes (checked above): nothing to count
            await self.app(scope, receive, send)
            return
        await self._call_counted(scope, receive, send)

    async def _call_counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a receive that raises 413 (an HTTPException the app renders) once the body is too long."""
        limit, seen, started = self.limits.max_body_bytes, 0, False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await _reply(send, scope, 413, f"request body over {limit} bytes", TYPES["too_large"], [])

    @staticmethod
    def key(scope: Scope, headers: Headers) -> str:
        """``party:<id>`` for a well-formed bearer token of a known party, else ``addr:<client address>``."""
        values = headers.getlist("authorization")
        token = parse_bearer(values[0]) if len(values) == 1 else None
        service = getattr(getattr(scope.get("app"), "state", None), "service", None)
        if token is not None and service is not None:
            party = service.cached_party(token)
            if party is not None:
                return f"party:{party.id}"
        client = scope.get("client")
        return f"addr:{client[0] if client else '-'}"


async def _reply(send: Send, scope: Scope, status: int, detail: str, type_: str, extra: list[tuple[bytes, bytes]]) -> None:
    data = render(problem_body(scope.get("path", ""), status, detail, type_=type_))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(data)).encode()),
                (b"connection", b"close") if status == 413 else (b"cache-control", b"no-store"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
