"""TEMPORARY: the old TransitService behind the new interface, until corridor.transit's split lands. Delete then."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import sessionmaker

from corridor.transit import TransitError
from corridor.transit.db import IdempotencyRecord


@dataclass
class Claim:
    party_id: int
    key: str
    request_hash: str


@dataclass
class Replay:
    status: int
    body: Any


class _Idem:
    def __init__(self, svc: Any) -> None:
        self.svc = svc

    def begin(self, party_id: int, key: str, method: str, path: str, request_hash: str) -> Claim | Replay:
        with self.svc.sessions() as s:
            rec = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.party_id == party_id, IdempotencyRecord.key == key))
            if rec is not None:
                if rec.request_hash != request_hash:
                    raise TransitError(
                        422,
                        "Idempotency-Key reused with a different request",
                        [{"rule": "I001", "path": "Idempotency-Key", "value": key, "message": "a new key"}],
                    )
                return Replay(rec.status_code, rec.response)
        return Claim(party_id, key, request_hash)

    def complete(self, claim: Claim, status: int, body: Any) -> None:
        if status == 409 or status >= 500:
            return
        try:
            with self.svc._tx() as s:
                s.add(
                    IdempotencyRecord(
                        party_id=claim.party_id, key=claim.key, request_hash=claim.request_hash, status_code=status, response=body
                    )
                )
        except IntegrityError:
            pass

    def release(self, claim: Claim) -> None:
        pass


def request_hash(method: str, path: str, body: Any) -> str:
    return hashlib.sha256(json.dumps([method, path, body], sort_keys=True, default=str).encode()).hexdigest()


class LegacyService:
    """The old service with start/close, idempotency, party-scoped reads (as far as the old one scopes them)."""

    def __init__(self, net: Any, engine: Any) -> None:
        from corridor.transit.service import TransitService

        self.inner = TransitService(sessionmaker(engine, expire_on_commit=False), net)
        self.idempotency = _Idem(self.inner)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if callable(attr) and name not in ("cached_party", "authenticate", "sessions"):

            def call(*a: Any, claim: Any = None, **kw: Any) -> Any:
                return attr(*a, **kw)

            return call
        return attr

    def stats(self, party: Any) -> dict:
        return self.inner.stats()

    def subscriptions(self, party: Any) -> list:
        return []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._deliver, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()

    def _deliver(self) -> None:
        import hmac

        client = httpx.Client(timeout=5.0)
        while not self._stop.is_set():
            try:
                due = self.inner.due_deliveries()
            except OperationalError:
                due = []
            for delivery_id, url, secret, payload, _ in due:
                body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
                sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                try:
                    r = client.post(url, content=body, headers={"Content-Type": "application/json", "Corridor-Signature": sig})
                    ok, err = r.status_code < 300, None
                except httpx.HTTPError as exc:
                    ok, err = False, str(exc)[:300]
                self.inner.record_delivery(delivery_id, ok, err)
            self._stop.wait(0.1)
