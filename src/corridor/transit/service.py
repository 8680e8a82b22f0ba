"""The transit service: parties and access, declarations and their lifecycle, automatic registration and
release on arrival, tracking events, subscriptions, audit, stats and ETA.

Every state change is written with its audit entry in the same transaction, committed before the caller
answers. Errors users can cause are :class:`TransitError` with an HTTP status, a rule and field paths.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import queue
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from corridor.errors import CorridorError, NoRouteError
from corridor.model import Network, NodeKind
from corridor.routing import find_routes
from corridor.transit.codes import is_container_number, is_hs6, is_un_number, new_mrn
from corridor.transit.db import AuditEntry, Declaration, Delivery, Party, Subscription, TrackingEvent, utcnow
from corridor.transit.schemas import DeclarationIn, EventIn, PartyIn, SubscriptionIn
from corridor.units import is_currency

__all__ = ["TRANSITIONS", "TransitError", "TransitService", "hash_token"]

TEZ_CUSTOMS_RELEASE_S = 30 * 60  # Tez Customs releases within 30 minutes of arrival (seed 002)

#: Allowed lifecycle moves: action -> (from states, to state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft"}), "submitted"),
    "reject": (frozenset({"draft", "submitted"}), "rejected"),
    "accept": (frozenset({"submitted"}), "accepted"),
    "allocate_mrn": (frozenset({"accepted"}), "mrn_allocated"),
    "guarantee_invalid": (frozenset({"mrn_allocated"}), "guarantee_invalid"),
    "select_for_control": (frozenset({"mrn_allocated"}), "under_control"),
    "release": (frozenset({"mrn_allocated", "under_control"}), "released"),
    "refuse_release": (frozenset({"under_control"}), "not_released"),
    "depart": (frozenset({"released"}), "in_transit"),
    "arrive": (frozenset({"released", "in_transit"}), "arrived"),
    "write_off": (frozenset({"arrived"}), "written_off"),
    "cancel": (frozenset({"draft", "submitted", "accepted", "mrn_allocated", "guarantee_invalid"}), "cancelled"),
}
FINAL = frozenset({"written_off", "cancelled", "rejected", "not_released"})


class TransitError(CorridorError):
    """A refused request: HTTP status, rule id and the failures (rule, path, value, message)."""

    def __init__(self, status: int, message: str, failures: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.failures = failures or []


def hash_token(token: str) -> str:
    """SHA-256 of an API token; only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RiskRule:
    rule_id: str
    description: str
    field: str
    operator: str
    value: str

    def selects(self, facts: dict[str, Any]) -> bool:
        v = facts.get(self.field)
        if self.operator == "in":
            wanted = {x.strip() for x in self.value.split(";")}
            return any(str(x) in wanted for x in (v if isinstance(v, list | set | tuple) else [v]))
        if self.operator == "gt":
            return v is not None and float(v) > float(self.value)
        if self.operator == "between":
            lo, hi = (int(x) for x in self.value.split("-"))
            return any(lo <= int(x) <= hi for x in (v or []))
        raise ValueError(f"risk rule {self.rule_id}: unknown operator {self.operator!r}")


def load_risk_rules() -> list[RiskRule]:
    """The risk rules shipped as data (risk_rules.csv)."""
    text = resources.files(__package__).joinpath("risk_rules.csv").read_text(encoding="utf-8")
    return [RiskRule(**row) for row in csv.DictReader(text.splitlines())]


@dataclass
class TransitService:
    """Transit domain over a SQLAlchemy session factory and the Corridor network."""

    sessions: sessionmaker
    net: Network
    risk_rules: list[RiskRule] = field(default_factory=load_risk_rules)
    duty_rate: float = 0.2  # share of declared value at risk (duties and taxes) that the guarantee must cover
    _parties: dict[str, Party] = field(default_factory=dict, repr=False)
    _pairs: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        bind = self.sessions.kw.get("bind")
        # SQLite has one writer at a time: queue writers here instead of in SQLite's sleeping busy handler
        self._write_lock = threading.Lock() if bind is not None and bind.dialect.name == "sqlite" else None
        self._committer = _GroupCommitter(self._tx)

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """A write transaction, committed (durably) when the block ends."""
        if self._write_lock is None:
            with self.sessions.begin() as s:
                yield s
            return
        with self._write_lock, self.sessions.begin() as s:
            yield s

    # ------------------------------------------------------------------ parties
    def create_party(self, data: PartyIn, *, by: Party | None) -> tuple[Party, str]:
        """Create a party and return it with its API token (shown once, stored hashed)."""
        if by is not None and by.role != "operator":
            raise TransitError(403, "only an operator may create parties")
        if data.role == "customs" and (not data.office_node or data.office_node not in self.net.nodes.index):
            raise TransitError(
                422,
                "a customs office needs a known office node",
                [
                    {
                        "rule": "P001",
                        "path": "office_node",
                        "value": data.office_node,
                        "message": "a node id of the Corridor network",
                    }
                ],
            )
        token = secrets.token_urlsafe(32)
        with self._tx() as s:
            party = Party(name=data.name, role=data.role, office_node=data.office_node, token_hash=hash_token(token))
            s.add(party)
            s.flush()
            s.add(
                AuditEntry(
                    party_id=by.id if by else None, action="create_party", detail={"party_id": party.id, "role": data.role}
                )
            )
            s.expunge(party)
        return party, token

    def authenticate(self, token: str | None) -> Party:
        """The party owning *token*; parties never change, so a hit is cached by token hash."""
        if not token:
            raise TransitError(401, "missing bearer token")
        digest = hash_token(token)
        cached = self._parties.get(digest)
        if cached is not None:
            return cached
        with self.sessions() as s:
            party = s.scalar(select(Party).where(Party.token_hash == digest))
            if party is None:
                raise TransitError(401, "unknown token")
            s.expunge(party)
        self._parties[digest] = party
        return party

    # ------------------------------------------------------------- validation
    def business_rules(self, d: DeclarationIn) -> list[dict]:
        """Second validation stage: every failed rule with its field path and value."""
        f: list[dict] = []
        nodes = self.net.nodes

        def fail(rule: str, path: str, value: Any, message: str) -> None:
            f.append({"rule": rule, "path": path, "value": value, "message": message})

        for i, c in enumerate(d.containers):
            if not is_container_number(c.number):
                fail("R001", f"containers[{i}].number", c.number, "an ISO 6346 container number with a valid check digit")
        seals = [s for c in d.containers for s in c.seals]
        if len(seals) != len(set(seals)):
            dup = sorted({s for s in seals if seals.count(s) > 1})
            fail("R002", "containers[].seals", dup, "seal identifiers unique within the declaration")
        if d.seals_count != len(seals):
            fail("R003", "seals_count", d.seals_count, f"the number of seals listed ({len(seals)})")
        for i, g in enumerate(d.goods):
            if not is_hs6(g.hs_code):
                fail("R004", f"goods[{i}].hs_code", g.hs_code, "a 6-digit HS subheading with chapter 01-97")
            if g.net_mass_kg > g.gross_mass_kg:
                fail("R005", f"goods[{i}].net_mass_kg", g.net_mass_kg, f"at most the gross mass ({g.gross_mass_kg})")
            if g.un_number is not None and not is_un_number(g.un_number):
                fail("R006", f"goods[{i}].un_number", g.un_number, "a UN number 0004-3550")
            if not is_currency(g.currency) or (g.currency != "USD" and g.currency not in self.net.fx_rates.index):
                fail("R007", f"goods[{i}].currency", g.currency, "a currency of the FX table")
        if not is_currency(d.guarantee.currency) or (
            d.guarantee.currency != "USD" and d.guarantee.currency not in self.net.fx_rates.index
        ):
            fail("R007", "guarantee.currency", d.guarantee.currency, "a currency of the FX table")
        offices = [("office_departure", d.office_departure), ("office_destination", d.office_destination)]
        offices += [(f"offices_transit[{i}]", o) for i, o in enumerate(d.offices_transit)]
        for path, node in offices:
            if node not in nodes.index:
                fail("R008", path, node, "a node id of the Corridor network")
        for i, o in enumerate(d.offices_transit):
            if o in nodes.index and nodes.loc[o, "kind"] != NodeKind.BORDER_CROSSING:
                fail("R009", f"offices_transit[{i}]", o, "a border crossing")
        f.extend(self._itinerary_failures(d))
        if not any(doc.type in ("CIM", "SMGS", "CIM/SMGS") for doc in d.documents) and d.transport.train_number:
            fail("R010", "documents", [doc.type for doc in d.documents], "a CIM or SMGS consignment note for rail transit")
        if not d.containers and not d.transport.train_number:
            fail("R011", "transport", None, "a train number or at least one container to match arrivals with")
        return f

    def _itinerary_failures(self, d: DeclarationIn) -> list[dict]:
        it = d.itinerary
        out = []
        unknown = [n for n in it if n not in self.net.nodes.index]
        if unknown:
            return [{"rule": "R012", "path": "itinerary", "value": unknown, "message": "node ids of the Corridor network"}]
        if it[0] != d.office_departure or it[-1] != d.office_destination:
            out.append(
                {
                    "rule": "R012",
                    "path": "itinerary",
                    "value": [it[0], it[-1]],
                    "message": "to start at the office of departure and end at the office of destination",
                }
            )
        if not self._pairs:
            self._pairs.update(zip(self.net.links["from_node"], self.net.links["to_node"], strict=True))
        pairs = self._pairs
        for i in range(len(it) - 1):
            if it[i] != it[i + 1] and (it[i], it[i + 1]) not in pairs:
                out.append(
                    {
                        "rule": "R013",
                        "path": f"itinerary[{i + 1}]",
                        "value": f"{it[i]}->{it[i + 1]}",
                        "message": "consecutive nodes joined by a link of the network",
                    }
                )
        pos = 0
        for j, o in enumerate(d.offices_transit):
            if o not in it[pos:]:
                out.append(
                    {
                        "rule": "R014",
                        "path": f"offices_transit[{j}]",
                        "value": o,
                        "message": "an office on the itinerary, in itinerary order",
                    }
                )
            else:
                pos = it.index(o, pos)
        return out

    def amount_at_risk_usd(self, d: DeclarationIn) -> float:
        total = 0.0
        for g in d.goods:
            rate = 1.0 if g.currency == "USD" else self.net.fx_rate(g.currency)[0]
            total += g.value / rate
        return total * self.duty_rate

    # ----------------------------------------------------------- declarations
    def _audit(
        self, s: Session, party: Party | None, decl: Declaration, action: str, from_state: str | None, detail: dict | None = None
    ) -> None:
        s.add(
            AuditEntry(
                party_id=party.id if party else None,
                declaration_id=decl.id,
                action=action,
                from_state=from_state,
                to_state=decl.status,
                detail=detail or {},
            )
        )

    def _move(self, s: Session, party: Party | None, decl: Declaration, action: str, detail: dict | None = None) -> None:
        allowed, to_state = TRANSITIONS[action]
        if decl.status not in allowed:
            raise TransitError(
                409,
                f"cannot {action.replace('_', ' ')} a declaration that is {decl.status}",
                [{"rule": "L001", "path": "status", "value": decl.status, "message": f"one of {', '.join(sorted(allowed))}"}],
            )
        before = decl.status
        decl.status = to_state
        decl.updated_at = utcnow()
        self._audit(s, party, decl, action, before, detail)

    def create_declaration(self, party: Party, data: DeclarationIn) -> dict:
        """Store a declaration (draft) and, unless ``submit`` is false, pre-lodge it after the business rules."""
        row, trail = self._prepare_lodge(party, data)
        return self._finish_lodge(row, self._committer.lodge(row, trail, party.id))

    async def create_declaration_async(self, party: Party, data: DeclarationIn) -> dict:
        """As :meth:`create_declaration`, awaiting the group commit instead of blocking a thread."""
        row, trail = self._prepare_lodge(party, data)
        return self._finish_lodge(row, await self._committer.lodge_async(row, trail, party.id))

    def cached_party(self, token: str | None) -> Party | None:
        """The party of *token* if it was authenticated before (no database access)."""
        return self._parties.get(hash_token(token)) if token else None

    def _prepare_lodge(self, party: Party, data: DeclarationIn) -> tuple[dict, list[tuple]]:
        if party.role not in ("holder", "operator"):
            raise TransitError(403, "only a holder may lodge declarations")
        body = data.model_dump(mode="json")
        failures = self.business_rules(data) if data.submit else []
        # the hot path of pre-lodging: Core inserts (one declaration row, its audit rows) in one transaction
        status, trail = "draft", [("create", None, "draft", {})]
        if data.submit:
            action = "reject" if failures else "submit"
            allowed, to_state = TRANSITIONS[action]
            assert status in allowed
            trail.append((action, status, to_state, {"failures": failures} if failures else {}))
            status = to_state
        now = utcnow()
        row = {
            "holder_id": party.id,
            "lrn": data.lrn,
            "status": status,
            "declaration_type": data.declaration_type,
            "office_departure": data.office_departure,
            "office_destination": data.office_destination,
            "offices_transit": list(data.offices_transit),
            "itinerary": list(data.itinerary),
            "train_number": data.transport.train_number,
            "containers": [c.number for c in data.containers],
            "guarantee_reference": data.guarantee.reference,
            "guarantee_amount": data.guarantee.amount,
            "guarantee_currency": data.guarantee.currency,
            "amount_at_risk": self._safe_risk(data),
            "body": body,
            "errors": failures,
            "created_at": now,
            "updated_at": now,
        }

        return row, trail

    def _finish_lodge(self, row: dict, decl_id: int | None) -> dict:
        if decl_id is None:
            raise TransitError(
                409,
                f"LRN {row['lrn']} is already used by this holder",
                [{"rule": "R000", "path": "lrn", "value": row["lrn"], "message": "an LRN unique per holder"}],
            )
        return self._view(
            Declaration(
                id=decl_id, mrn=None, current_office=None, control_reason=None, released_at=None, release_latency_s=None, **row
            )
        )

    def _safe_risk(self, data: DeclarationIn) -> float:
        try:
            return self.amount_at_risk_usd(data)
        except (CorridorError, ValueError, KeyError):
            return 0.0

    def submit(self, party: Party, decl_id: int) -> dict:
        with self._tx() as s:
            decl = self._get_for_holder(s, party, decl_id)
            failures = self.business_rules(DeclarationIn.model_validate({**decl.body, "submit": True}))
            if failures:
                decl.errors = failures
                self._move(s, party, decl, "reject", {"failures": failures})
            else:
                self._move(s, party, decl, "submit")
            return self._view(decl)

    def cancel(self, party: Party, decl_id: int) -> dict:
        with self._tx() as s:
            decl = self._get_for_holder(s, party, decl_id)
            self._move(s, party, decl, "cancel")
            return self._view(decl)

    def customs_decision(self, party: Party, decl_id: int, decision: str, reason: str = "") -> dict:
        """release / refuse_release (after control) or write_off (at destination), by the competent office."""
        if decision not in ("release", "refuse_release", "write_off"):
            raise TransitError(
                422,
                "unknown decision",
                [{"rule": "C000", "path": "decision", "value": decision, "message": "release, refuse_release or write_off"}],
            )
        if party.role not in ("customs", "operator"):
            raise TransitError(403, "only a customs office may decide")
        with self._tx() as s:
            decl = s.get(Declaration, decl_id, with_for_update=True)
            if decl is None:
                raise TransitError(404, f"no declaration {decl_id}")
            office = decl.office_destination if decision == "write_off" else decl.current_office
            if party.role == "customs" and party.office_node != office:
                raise TransitError(
                    403,
                    f"office {party.office_node} is not competent for this movement (office {office})",
                    [{"rule": "A002", "path": "office", "value": party.office_node, "message": f"office {office}"}],
                )
            self._move(s, party, decl, decision, {"reason": reason})
            if decision == "release":
                self._stamp_release(decl)
            return self._view(decl)

    def _get_for_holder(self, s: Session, party: Party, decl_id: int) -> Declaration:
        decl = s.get(Declaration, decl_id, with_for_update=True)
        if decl is None or (party.role != "operator" and decl.holder_id != party.id):
            raise TransitError(404, f"no declaration {decl_id} for this party")
        return decl

    def get(self, party: Party, decl_id: int) -> dict:
        with self.sessions() as s:
            decl = s.get(Declaration, decl_id)
            if decl is None or not self._can_read(party, decl):
                raise TransitError(404, f"no declaration {decl_id} for this party")
            return self._view(decl)

    def _can_read(self, party: Party, decl: Declaration) -> bool:
        if party.role == "operator" or decl.holder_id == party.id:
            return True
        if party.role == "customs":
            return party.office_node in {decl.office_departure, decl.office_destination, *decl.offices_transit}
        return False

    def list(self, party: Party, *, status: str | None = None, limit: int = 100, after_id: int = 0) -> list[dict]:
        with self.sessions() as s:
            q = select(Declaration).where(Declaration.id > after_id).order_by(Declaration.id).limit(min(limit, 500))
            if status:
                q = q.where(Declaration.status == status)
            if party.role == "holder":
                q = q.where(Declaration.holder_id == party.id)
            rows = [d for d in s.scalars(q) if self._can_read(party, d)]
            return [self._view(d) for d in rows]

    def audit(self, party: Party, decl_id: int) -> list[dict]:
        with self.sessions() as s:
            decl = s.get(Declaration, decl_id)
            if decl is None or not self._can_read(party, decl):
                raise TransitError(404, f"no declaration {decl_id} for this party")
            rows = s.scalars(select(AuditEntry).where(AuditEntry.declaration_id == decl_id).order_by(AuditEntry.id))
            return [
                {
                    "id": a.id,
                    "at": a.at.isoformat(),
                    "party_id": a.party_id,
                    "action": a.action,
                    "from_state": a.from_state,
                    "to_state": a.to_state,
                    "detail": a.detail,
                }
                for a in rows
            ]

    @staticmethod
    def _view(d: Declaration) -> dict:
        return {
            "id": d.id,
            "lrn": d.lrn,
            "mrn": d.mrn,
            "status": d.status,
            "declaration_type": d.declaration_type,
            "holder_id": d.holder_id,
            "office_departure": d.office_departure,
            "offices_transit": d.offices_transit,
            "office_destination": d.office_destination,
            "itinerary": d.itinerary,
            "train_number": d.train_number,
            "containers": d.containers,
            "guarantee": {"reference": d.guarantee_reference, "amount": d.guarantee_amount, "currency": d.guarantee_currency},
            "amount_at_risk_usd": round(d.amount_at_risk, 2),
            "current_office": d.current_office,
            "control_reason": d.control_reason,
            "errors": d.errors,
            "created_at": d.created_at.isoformat() if d.created_at else None,
            "released_at": d.released_at.isoformat() if d.released_at else None,
            "arrival_to_release_s": d.release_latency_s,
        }

    # ----------------------------------------------------------------- events
    def upsert_event(self, party: Party, e: EventIn) -> tuple[dict, bool]:
        """Store an event (idempotent by event id and updated time); returns (event, created_or_updated)."""
        if party.role not in ("carrier", "customs", "operator"):
            raise TransitError(403, "only carriers, customs offices and operators post events")
        failures = []
        code = e.equipmentEventTypeCode if e.eventType == "EQUIPMENT" else e.transportEventTypeCode
        if code is None:
            failures.append(
                {
                    "rule": "E001",
                    "path": "equipmentEventTypeCode" if e.eventType == "EQUIPMENT" else "transportEventTypeCode",
                    "value": None,
                    "message": f"an event code for a {e.eventType} event",
                }
            )
        if e.equipmentReference and not is_container_number(e.equipmentReference):
            failures.append(
                {
                    "rule": "E002",
                    "path": "equipmentReference",
                    "value": e.equipmentReference,
                    "message": "an ISO 6346 container number with a valid check digit",
                }
            )
        node = e.transportCall.facilityCode
        if node is None and e.transportCall.UNLocationCode:
            try:
                node = self.net.resolve(e.transportCall.UNLocationCode)
            except KeyError:
                node = None
        if node is not None and node not in self.net.nodes.index:
            failures.append(
                {"rule": "E003", "path": "transportCall.facilityCode", "value": node, "message": "a Corridor node id"}
            )
        if node is None:
            failures.append(
                {"rule": "E003", "path": "transportCall", "value": None, "message": "a facilityCode or a known UN/LOCODE"}
            )
        if failures:
            raise TransitError(422, "event failed validation", failures)
        updated = e.eventCreatedDateTime if e.eventCreatedDateTime.tzinfo else e.eventCreatedDateTime.replace(tzinfo=UTC)
        when = e.eventDateTime if e.eventDateTime.tzinfo else e.eventDateTime.replace(tzinfo=UTC)
        body = e.model_dump(mode="json")
        with self._tx() as s:
            ev = s.scalar(select(TrackingEvent).where(TrackingEvent.event_id == e.eventID).with_for_update())
            changed = False
            if ev is None:
                ev = TrackingEvent(
                    event_id=e.eventID,
                    event_type=e.eventType,
                    event_code=code,
                    classifier=e.eventClassifierCode,
                    event_datetime=when,
                    updated_at=updated,
                    un_location_code=e.transportCall.UNLocationCode,
                    facility=node,
                    equipment_reference=e.equipmentReference,
                    train_number=e.trainNumber,
                    rail_car=e.railCar,
                    party_id=party.id,
                    body=body,
                )
                s.add(ev)
                try:
                    s.flush()
                except IntegrityError:
                    raise TransitError(409, "event id raced with another writer; retry") from None
                changed = True
            elif _aware(ev.updated_at) < updated:
                ev.event_code, ev.classifier, ev.event_datetime, ev.updated_at = code, e.eventClassifierCode, when, updated
                ev.facility, ev.un_location_code, ev.body, ev.retracted = node, e.transportCall.UNLocationCode, body, False
                ev.equipment_reference, ev.train_number, ev.rail_car = e.equipmentReference, e.trainNumber, e.railCar
                changed = True
            if changed:
                self._queue_deliveries(s, ev)
                if ev.classifier == "ACT":
                    self._apply_event(s, party, ev)
            return self._event_view(ev), changed

    def retract_event(self, party: Party, event_id: str) -> dict:
        with self._tx() as s:
            ev = s.scalar(select(TrackingEvent).where(TrackingEvent.event_id == event_id))
            if ev is None:
                raise TransitError(404, f"no event {event_id}")
            if party.role != "operator" and ev.party_id != party.id:
                raise TransitError(403, "only the party that posted an event may retract it")
            ev.retracted = True
            ev.updated_at = utcnow()
            self._queue_deliveries(s, ev)
            return self._event_view(ev)

    def list_events(
        self,
        party: Party,
        *,
        equipment: str | None = None,
        train: str | None = None,
        facility: str | None = None,
        code: str | None = None,
        since: datetime | None = None,
        cursor: int = 0,
        limit: int = 100,
        include_retracted: bool = False,
    ) -> tuple[list[dict], int | None]:
        limit = max(1, min(limit, 500))
        with self.sessions() as s:
            q = select(TrackingEvent).where(TrackingEvent.seq > cursor).order_by(TrackingEvent.seq).limit(limit + 1)
            if equipment:
                q = q.where(TrackingEvent.equipment_reference == equipment)
            if train:
                q = q.where(TrackingEvent.train_number == train)
            if facility:
                q = q.where(TrackingEvent.facility == facility)
            if code:
                q = q.where(TrackingEvent.event_code == code)
            if since:
                q = q.where(TrackingEvent.event_datetime >= since)
            if not include_retracted:
                q = q.where(TrackingEvent.retracted.is_(False))
            rows = list(s.scalars(q))
            nxt = rows[limit - 1].seq if len(rows) > limit else None
            return [self._event_view(r) for r in rows[:limit]], nxt

    @staticmethod
    def _event_view(ev: TrackingEvent) -> dict:
        return {
            **ev.body,
            "facility": ev.facility,
            "retracted": ev.retracted,
            "receivedAt": ev.received_at.isoformat() if ev.received_at else None,
        }

    def _apply_event(self, s: Session, party: Party, ev: TrackingEvent) -> None:
        """Registration and release on arrival; departure, crossing and arrival update released movements."""
        arrival = (ev.event_type == "TRANSPORT" and ev.event_code == "ARRI") or ev.event_code == "GTIN"
        moving = ev.event_code in ("DEPA", "CROS", "GTOT")
        q = select(Declaration).where(Declaration.status.in_(["submitted", "released", "in_transit"]))
        if ev.train_number:
            q = q.where(Declaration.train_number == ev.train_number)
        elif not ev.equipment_reference:
            return
        for decl in s.scalars(q.with_for_update()):
            if ev.equipment_reference and not ev.train_number and ev.equipment_reference not in decl.containers:
                continue
            if decl.status == "submitted" and arrival and ev.facility in (decl.office_departure, *decl.offices_transit):
                self._register_and_release(s, decl, ev)
            elif decl.status in ("released", "in_transit") and arrival and ev.facility == decl.office_destination:
                self._move(s, None, decl, "arrive", {"event_id": ev.event_id})
                decl.current_office = ev.facility
            elif decl.status == "released" and moving:
                self._move(s, None, decl, "depart", {"event_id": ev.event_id})

    def _register_and_release(self, s: Session, decl: Declaration, ev: TrackingEvent) -> None:
        received = _aware(ev.received_at or utcnow())
        decl.arrival_at = received
        decl.current_office = ev.facility
        self._move(s, None, decl, "accept", {"event_id": ev.event_id, "office": ev.facility})
        country = str(self.net.nodes.loc[decl.office_departure, "country"])
        decl.mrn = new_mrn(received.year, country)
        self._move(s, None, decl, "allocate_mrn", {"mrn": decl.mrn})
        # guarantee: its amount, less what other open movements on the same reference hold at risk
        held = s.scalars(
            select(Declaration.amount_at_risk).where(
                Declaration.guarantee_reference == decl.guarantee_reference,
                Declaration.id != decl.id,
                Declaration.status.in_(["released", "in_transit", "arrived", "under_control"]),
            )
        )
        rate = 1.0 if decl.guarantee_currency == "USD" else self.net.fx_rate(decl.guarantee_currency)[0]
        balance_usd = decl.guarantee_amount / rate - float(sum(held))
        if balance_usd < decl.amount_at_risk:
            self._move(
                s,
                None,
                decl,
                "guarantee_invalid",
                {"balance_usd": round(balance_usd, 2), "amount_at_risk_usd": round(decl.amount_at_risk, 2)},
            )
            return
        facts = self._risk_facts(decl)
        hits = [r for r in self.risk_rules if r.selects(facts)]
        s.add(
            AuditEntry(
                declaration_id=decl.id,
                action="risk_assessment",
                from_state=decl.status,
                to_state=decl.status,
                detail={"rules": [r.rule_id for r in self.risk_rules], "selected_by": [r.rule_id for r in hits]},
            )
        )
        if hits:
            decl.control_reason = "; ".join(f"{r.rule_id}: {r.description}" for r in hits)
            self._move(s, None, decl, "select_for_control", {"rules": [r.rule_id for r in hits]})
            return
        self._move(s, None, decl, "release", {"automatic": True})
        self._stamp_release(decl)

    def _stamp_release(self, decl: Declaration) -> None:
        decl.released_at = utcnow()
        if decl.arrival_at is not None:
            decl.release_latency_s = (_aware(decl.released_at) - _aware(decl.arrival_at)).total_seconds()

    def _risk_facts(self, decl: Declaration) -> dict:
        goods = decl.body.get("goods", [])
        value = 0.0
        for g in goods:
            rate = 1.0 if g["currency"] == "USD" else self.net.fx_rate(g["currency"])[0]
            value += g["value"] / rate
        return {
            "hs_chapter": {g["hs_code"][:2] for g in goods},
            "value_usd": value,
            "origin_country": {g["origin_country"] for g in goods},
            "un_number": [g["un_number"] for g in goods if g.get("un_number")],
        }

    # ----------------------------------------------------------- subscriptions
    def subscribe(self, party: Party, data: SubscriptionIn) -> dict:
        with self._tx() as s:
            sub = Subscription(
                party_id=party.id,
                callback_url=data.callbackUrl,
                secret=data.secret,
                equipment_reference=data.equipmentReference,
                event_codes=list(data.eventCodes),
            )
            s.add(sub)
            s.flush()
            return {
                "id": sub.id,
                "callbackUrl": sub.callback_url,
                "equipmentReference": sub.equipment_reference,
                "eventCodes": sub.event_codes,
            }

    def _queue_deliveries(self, s: Session, ev: TrackingEvent) -> None:
        for sub in s.scalars(select(Subscription)):
            if sub.equipment_reference and sub.equipment_reference != ev.equipment_reference:
                continue
            if sub.event_codes and ev.event_code not in sub.event_codes:
                continue
            s.add(Delivery(subscription_id=sub.id, event_id=ev.event_id, payload=self._event_view(ev)))

    def due_deliveries(self, limit: int = 50) -> list[tuple[int, str, str, dict, int]]:
        """(delivery id, url, secret, payload, attempts) of deliveries due now."""
        with self.sessions() as s:
            q = (
                select(Delivery, Subscription)
                .join(Subscription, Delivery.subscription_id == Subscription.id)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= utcnow())
                .order_by(Delivery.id)
                .limit(limit)
            )
            return [(d.id, sub.callback_url, sub.secret, d.payload, d.attempts) for d, sub in s.execute(q)]

    def record_delivery(self, delivery_id: int, ok: bool, error: str | None = None, max_attempts: int = 8) -> None:
        with self._tx() as s:
            d = s.get(Delivery, delivery_id)
            if d is None:
                return
            d.attempts += 1
            if ok:
                d.status = "delivered"
            elif d.attempts >= max_attempts:
                d.status, d.last_error = "failed", error
            else:
                d.last_error = error
                d.next_attempt_at = utcnow() + timedelta(seconds=min(60.0, 0.25 * 2 ** (d.attempts - 1)))

    def deliveries(self, party: Party) -> list[dict]:
        with self.sessions() as s:
            q = (
                select(Delivery)
                .join(Subscription, Delivery.subscription_id == Subscription.id)
                .where(Subscription.party_id == party.id)
                .order_by(Delivery.id)
            )
            return [
                {"id": d.id, "event_id": d.event_id, "status": d.status, "attempts": d.attempts, "last_error": d.last_error}
                for d in s.scalars(q)
            ]

    # ------------------------------------------------------------ stats, ETA
    def stats(self) -> dict:
        """Arrival-to-release times of automatically released movements, and counts by status."""
        with self.sessions() as s:
            lat = np.array(
                [x for x in s.scalars(select(Declaration.release_latency_s).where(Declaration.release_latency_s.is_not(None)))],
                dtype=float,
            )
            counts: dict[str, int] = {}
            for st in s.scalars(select(Declaration.status)):
                counts[st] = counts.get(st, 0) + 1
        out: dict[str, Any] = {"declarations_by_status": counts, "released_with_arrival": len(lat)}
        if len(lat):
            p50, p99 = float(np.percentile(lat, 50)), float(np.percentile(lat, 99))
            out.update(
                {
                    "arrival_to_release_p50_s": p50,
                    "arrival_to_release_p99_s": p99,
                    "arrival_to_release_max_s": float(lat.max()),
                    "tez_customs_s": TEZ_CUSTOMS_RELEASE_S,
                    "tez_customs_over_p99": TEZ_CUSTOMS_RELEASE_S / max(p99, 1e-9),
                }
            )
        return out

    def eta(self, party: Party, decl_id: int) -> dict:
        """Last known position on the itinerary, the legs still ahead and an ETA from Corridor routing."""
        decl = self.get(party, decl_id)
        it = decl["itinerary"]
        with self.sessions() as s:
            q = select(TrackingEvent).where(TrackingEvent.classifier == "ACT", TrackingEvent.retracted.is_(False))
            if decl["train_number"]:
                q = q.where(TrackingEvent.train_number == decl["train_number"])
            elif decl["containers"]:
                q = q.where(TrackingEvent.equipment_reference.in_(decl["containers"]))
            events = [e for e in s.scalars(q.order_by(TrackingEvent.event_datetime)) if e.facility in it]
        if not events:
            return {
                "declaration_id": decl_id,
                "position": None,
                "next_legs": it,
                "eta": None,
                "message": "no actual event on the itinerary yet",
            }
        last = max(events, key=lambda e: (it.index(e.facility), _aware(e.event_datetime)))
        remaining = it[it.index(last.facility) :]
        if len(remaining) == 1:
            return {
                "declaration_id": decl_id,
                "position": last.facility,
                "next_legs": [],
                "eta": _aware(last.event_datetime).isoformat(),
                "remaining_h": 0.0,
            }
        try:
            route = find_routes(
                self.net, remaining[0], remaining[-1], via=remaining[1:-1], year=_aware(last.event_datetime).year
            )[0]
        except (NoRouteError, KeyError) as exc:
            return {
                "declaration_id": decl_id,
                "position": last.facility,
                "next_legs": remaining[1:],
                "eta": None,
                "message": str(exc),
            }
        eta = _aware(last.event_datetime) + timedelta(hours=route.time_h)
        return {
            "declaration_id": decl_id,
            "position": last.facility,
            "as_of": _aware(last.event_datetime).isoformat(),
            "next_legs": [{"from": a, "to": b} for a, b in itertools.pairwise(remaining)],
            "remaining_h": round(route.time_h, 2),
            "remaining_km": round(route.length_km, 1),
            "eta": eta.isoformat(),
        }


@dataclass
class _Lodge:
    row: dict
    trail: list[tuple]
    party_id: int
    done: threading.Event = field(default_factory=threading.Event)
    future: Any = None  # asyncio.Future when the caller awaits instead of blocking
    decl_id: int | None = None
    error: BaseException | None = None

    def finish(self) -> None:
        if self.future is None:
            self.done.set()
            return
        loop = self.future.get_loop()
        loop.call_soon_threadsafe(_settle, self.future, self.decl_id, self.error)


def _settle(future: Any, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _GroupCommitter:
    """Group commit for pre-lodged declarations: concurrent lodgements share two statements and one durable commit.

    Declarations of a batch go in with one multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, their audit
    entries with one more; a duplicate LRN comes back without an id and is refused alone. Every caller is answered
    only after the shared commit returned, so an acknowledged declaration is on disk.
    """

    def __init__(self, tx: Callable[[], Any], max_batch: int = 256) -> None:
        self.tx, self.max_batch = tx, max_batch
        self.jobs: queue.Queue[_Lodge] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def _ensure_thread(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, daemon=True, name="corridor-group-commit")
                self.thread.start()

    def lodge(self, row: dict, trail: list[tuple], party_id: int) -> int | None:
        """Insert one declaration and its audit trail; its id, or None when the LRN is taken."""
        self._ensure_thread()
        job = _Lodge(row, trail, party_id)
        self.jobs.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.decl_id

    async def lodge_async(self, row: dict, trail: list[tuple], party_id: int) -> int | None:
        """:meth:`lodge` for coroutines: the event loop keeps serving while the batch commits."""
        import asyncio

        self._ensure_thread()
        job = _Lodge(row, trail, party_id, future=asyncio.get_running_loop().create_future())
        self.jobs.put(job)
        return await job.future

    def _loop(self) -> None:
        while True:
            batch = [self.jobs.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.jobs.get_nowait())
                except queue.Empty:
                    break
            # one batch never holds the same (holder, LRN) twice: later duplicates wait for the next batch
            seen: set[tuple] = set()
            now_batch, later = [], []
            for job in batch:
                key = (job.row["holder_id"], job.row["lrn"])
                (later if key in seen else now_batch).append(job)
                seen.add(key)
            for job in later:
                self.jobs.put(job)
            try:
                with self.tx() as s:
                    conn = s.connection()  # Core statements: the ORM's bulk machinery costs more than the inserts
                    decl_table, audit_table = Declaration.__table__, AuditEntry.__table__
                    ins = _dialect_insert(conn.dialect.name, decl_table).on_conflict_do_nothing(
                        index_elements=["holder_id", "lrn"]
                    )
                    got = conn.execute(
                        ins.returning(decl_table.c.id, decl_table.c.holder_id, decl_table.c.lrn), [j.row for j in now_batch]
                    ).all()
                    ids = {(h, lrn): i for i, h, lrn in got}
                    audit = []
                    for job in now_batch:
                        job.decl_id = ids.get((job.row["holder_id"], job.row["lrn"]))
                        if job.decl_id is not None:
                            audit += [
                                {
                                    "at": job.row["created_at"],
                                    "party_id": job.party_id,
                                    "declaration_id": job.decl_id,
                                    "action": a,
                                    "from_state": f,
                                    "to_state": t,
                                    "detail": d,
                                }
                                for a, f, t, d in job.trail
                            ]
                    if audit:
                        conn.execute(audit_table.insert(), audit)
            except Exception as exc:  # the commit failed: no write of this batch is acknowledged
                for job in now_batch:
                    job.decl_id, job.error = None, exc
            for job in now_batch:
                job.finish()


def _dialect_insert(dialect: str, table: Any) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
