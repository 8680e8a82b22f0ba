"""Idempotency keys: one answer per (party, key), claimed atomically before the work and replayed after it.

``begin`` inserts the claim (one statement, ``ON CONFLICT DO NOTHING``): exactly one concurrent request with a key
does the work; the others wait briefly for its answer and replay it, or get a retryable 409 while it is still in
flight. A different request under the same key is refused (422). Write methods take the claim and store the answer
in the same transaction as the work (``complete_in``), so a request that committed but was never answered (crash)
replays its answer. A 409 or 5xx is never stored as a key's answer, and secrets are stored redacted.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from corridor.transit.db import IdempotencyKey, utcnow
from corridor.transit.errors import TransitError, failure
from corridor.transit.schemas import bad_text
from corridor.transit.sqlutil import dialect_insert
from corridor.transit.store import Store

__all__ = ["REDACTED", "SECRET_FIELDS", "Claim", "Idempotency", "Replay", "redact", "request_hash"]

SECRET_FIELDS = frozenset({"token", "secret"})
REDACTED = "[redacted: shown once]"


@dataclass(frozen=True)
class Claim:
    """This request holds the key: do the work, then complete (or release) the claim."""

    id: int
    party_id: int
    key: str


@dataclass(frozen=True)
class Replay:
    """The stored answer of an earlier request with the same key and body."""

    status: int
    body: Any


def request_hash(method: str, path: str, body: Any) -> str:
    """SHA-256 of the method, the path and the canonical JSON of *body*."""
    text = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def redact(body: Any) -> Any:
    """*body* with every secret field replaced."""
    if isinstance(body, dict):
        return {k: (REDACTED if k in SECRET_FIELDS and v is not None else redact(v)) for k, v in body.items()}
    if isinstance(body, list):
        return [redact(v) for v in body]
    return body


def _mismatch(key: str) -> TransitError:
    return TransitError(
        422,
        "idempotency key reused",
        "Idempotency-Key reused with a different request",
        [failure("I001", "Idempotency-Key", key, "a new key for a different request")],
    )


class Idempotency:
    """The ``idempotency_keys`` table of a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def begin(self, party_id: int, key: str, method: str, path: str, request_hash: str) -> Replay | Claim:
        """Claim *key* for this request, or the stored answer to replay; 422 for another body, 409 in flight."""
        if not key or len(key) > 200 or bad_text(key) or len(path) > 300 or bad_text(path):
            raise TransitError(
                422, "invalid idempotency key", "Idempotency-Key must be 1-200 printable characters",
                [failure("I003", "Idempotency-Key", key[:200], "1-200 characters without control characters")],
            )  # fmt: skip
        deadline = time.monotonic() + self.store.settings.idempotency_wait_s
        while True:
            claim = self._insert(party_id, key, method, path, request_hash)
            if claim is not None:
                return claim
            with self.store.sessions() as s:
                row = s.scalar(select(IdempotencyKey).where(IdempotencyKey.party_id == party_id, IdempotencyKey.key == key))
            if row is None:
                continue  # released meanwhile: claim it
            if (row.request_hash, row.method, row.path) != (request_hash, method.upper(), path):
                raise _mismatch(key)
            if row.state == "done":
                return Replay(row.status_code or 200, row.response)
            taken = self._take_over_stale(row)
            if taken is not None:
                return taken
            if time.monotonic() >= deadline:
                raise TransitError(
                    409,
                    "request in flight",
                    "a request with this Idempotency-Key is still being processed; retry",
                    [failure("I002", "Idempotency-Key", key, "to retry once the first request finished")],
                    headers={"Retry-After": "1"},
                )
            time.sleep(0.02)

    def _insert(self, party_id: int, key: str, method: str, path: str, digest: str) -> Claim | None:
        with self.store.tx() as s:
            table = IdempotencyKey.__table__
            ins = dialect_insert(s.bind.dialect.name, table).on_conflict_do_nothing(index_elements=["party_id", "key"])
            row = {
                "party_id": party_id,
                "key": key,
                "method": method.upper(),
                "path": path,
                "request_hash": digest,
                "state": "in_flight",
                "claimed_at": utcnow(),
            }
            got = s.execute(ins.returning(table.c.id), [row]).scalar()
        return Claim(got, party_id, key) if got is not None else None

    def _take_over_stale(self, row: IdempotencyKey) -> Claim | None:
        """A claim unfinished for longer than the lease (its request died before committing) is taken over."""
        if row.claimed_at > utcnow() - timedelta(seconds=self.store.settings.idempotency_lease_s):
            return None
        with self.store.tx() as s:
            done = s.execute(
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.id == row.id, IdempotencyKey.state == "in_flight", IdempotencyKey.claimed_at == row.claimed_at
                )
                .values(claimed_at=utcnow())
            )
        return Claim(row.id, row.party_id, row.key) if done.rowcount == 1 else None

    def complete_in(self, s: Session, claim: Claim | None, status: int, body: Any) -> None:
        """Store *status* and *body* as the claim's answer inside the caller's transaction *s*."""
        if claim is None:
            return
        if status == 409 or status >= 500:
            s.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim.id, IdempotencyKey.state == "in_flight"))
            return
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == claim.id, IdempotencyKey.state == "in_flight")
            .values(state="done", status_code=status, response=redact(body), completed_at=utcnow())
        )

    def complete(self, claim: Claim, status: int, body: Any) -> None:
        """Store the answer (no-op when the work already stored it in its own transaction)."""
        with self.store.tx() as s:
            self.complete_in(s, claim, status, body)

    def release(self, claim: Claim) -> None:
        """Give the key up without an answer (the request failed): a retry does the work again."""
        with self.store.tx() as s:
            s.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim.id, IdempotencyKey.state == "in_flight"))
