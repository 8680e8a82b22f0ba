"""Parties and their credentials: creation by an operator, authentication, deactivation and token rotation.

Only the SHA-256 of a token is stored; a new token is returned once. Authentication caches a party for a few
seconds (per process), so deactivation and rotation take effect everywhere within that time.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from sqlalchemy import select

from corridor.transit.db import AuditEntry, Party, utcnow
from corridor.transit.domain import Role
from corridor.transit.errors import TransitError, failure
from corridor.transit.guards import MAX_ID, check_id
from corridor.transit.idempotency import Claim, Idempotency
from corridor.transit.schemas import PartyIn
from corridor.transit.store import Store

__all__ = ["CACHE_TTL_S", "Parties", "hash_token", "party_view"]

#: How long an authenticated party is trusted without asking the database again
CACHE_TTL_S = 2.0


def hash_token(token: str) -> str:
    """SHA-256 of an API token; only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def party_view(p: Party) -> dict:
    """A party as the API shows it (never its token hash)."""
    return {"id": p.id, "name": p.name, "role": p.role, "office_node": p.office_node, "active": p.active is not False}


class Parties:
    """Party administration and authentication over a :class:`Store`."""

    def __init__(self, store: Store, idem: Idempotency) -> None:
        self.store, self.idem = store, idem
        self._cache: dict[str, tuple[Party, float]] = {}
        self._carriers: dict[int, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def create(self, data: PartyIn, by: Party | None, claim: Claim | None = None) -> tuple[Party, str]:
        """A new party and its token (shown once). *by* must be an operator (None: local bootstrap)."""
        if by is not None and by.role != Role.OPERATOR:
            raise TransitError(403, "forbidden", "only an operator may create parties")
        if data.role == Role.CUSTOMS and (not data.office_node or data.office_node not in self.store.net.nodes.index):
            raise TransitError(
                422,
                "invalid party",
                "a customs office needs a known office node",
                [failure("P001", "office_node", data.office_node, "a node id of the Corridor network")],
            )
        if data.role != Role.CUSTOMS and data.office_node:
            raise TransitError(
                422,
                "invalid party",
                "only a customs office has an office node",
                [failure("P002", "office_node", data.office_node, "no office node for this role")],
            )
        token = secrets.token_urlsafe(32)
        with self.store.tx() as s:
            party = Party(name=data.name, role=str(data.role), office_node=data.office_node, token_hash=hash_token(token))
            s.add(party)
            s.flush()
            s.add(
                AuditEntry(
                    party_id=by.id if by else None, action="create_party", detail={"party_id": party.id, "role": party.role}
                )
            )
            self.idem.complete_in(s, claim, 201, {**party_view(party), "token": token})
            s.expunge(party)
        return party, token

    def authenticate(self, token: str | None) -> Party:
        """The active party owning *token*; 401 otherwise."""
        if not token:
            raise TransitError(401, "unauthorized", "missing bearer token")
        digest = hash_token(token)
        hit = self._cache.get(digest)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        with self.store.sessions() as s:
            party = s.scalar(select(Party).where(Party.token_hash == digest))
            if party is None or party.active is False:
                self._cache.pop(digest, None)
                raise TransitError(401, "unauthorized", "unknown or deactivated token")
            s.expunge(party)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (party, time.monotonic() + CACHE_TTL_S)
        return party

    def cached(self, token: str | None) -> Party | None:
        """The party of *token* if authenticated within the cache time (no database access)."""
        hit = self._cache.get(hash_token(token)) if token else None
        return hit[0] if hit is not None and hit[1] > time.monotonic() else None

    def deactivate(self, by: Party, party_id: int, claim: Claim | None = None) -> dict:
        """Deactivate a party (operator only): its token stops working; its data stays."""
        if by.role != Role.OPERATOR:
            raise TransitError(403, "forbidden", "only an operator may deactivate parties")
        check_id(party_id, "party")
        with self.store.tx() as s:
            party = s.get(Party, party_id, with_for_update=True)
            if party is None:
                raise TransitError(404, "not found", f"no party {party_id}")
            if party.id == by.id:
                raise TransitError(409, "conflict", "an operator cannot deactivate itself")
            party.active, party.deactivated_at = False, utcnow()
            s.add(AuditEntry(party_id=by.id, action="deactivate_party", detail={"party_id": party_id}))
            view = party_view(party)
            self.idem.complete_in(s, claim, 200, view)
        self._forget(party_id)
        return view

    def rotate(self, party: Party, claim: Claim | None = None) -> tuple[Party, str]:
        """A new token for *party*; the old one stops working at once in this process (within the cache time elsewhere)."""
        token = secrets.token_urlsafe(32)
        with self.store.tx() as s:
            row = s.get(Party, party.id, with_for_update=True)
            if row is None or row.active is False:
                raise TransitError(401, "unauthorized", "unknown or deactivated token")
            row.token_hash = hash_token(token)
            s.add(AuditEntry(party_id=party.id, action="rotate_token", detail={"party_id": party.id}))
            s.flush()
            self.idem.complete_in(s, claim, 200, {**party_view(row), "token": token})
            s.expunge(row)
        self._forget(party.id)
        return row, token

    def _forget(self, party_id: int) -> None:
        with self._lock:
            self._carriers.pop(party_id, None)
            for digest in [d for d, (p, _t) in self._cache.items() if p.id == party_id]:
                del self._cache[digest]

    def is_active_carrier(self, party_id: int) -> bool:
        """True when *party_id* is an active carrier (cached for the cache time, like authentication)."""
        if not 1 <= party_id <= MAX_ID:
            return False
        hit = self._carriers.get(party_id)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        with self.store.sessions() as s:
            p = s.get(Party, party_id)
            ok = p is not None and p.role == Role.CARRIER and p.active is not False
        with self._lock:
            if len(self._carriers) > 10_000:
                self._carriers.clear()
            self._carriers[party_id] = (ok, time.monotonic() + CACHE_TTL_S)
        return ok
