"""Tracking events (DCSA Track & Trace 2.2): upsert by owner, retraction, party-scoped listing, and their effect on
declarations (registration and release on arrival, departure, arrival at destination)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corridor.transit.access import event_movers, event_scope, require_event_owner, require_poster
from corridor.transit.db import Declaration, DeclarationRef, Party, TrackingEvent, utcnow
from corridor.transit.dcsa import event_code, event_failures, event_view, normalized_body, resolve_node
from corridor.transit.domain import OPEN, Action, Status
from corridor.transit.errors import TransitError, failure
from corridor.transit.guards import check_text
from corridor.transit.idempotency import Claim, Idempotency
from corridor.transit.lifecycle import move, register_and_release
from corridor.transit.rules import RiskRule
from corridor.transit.schemas import EventIn
from corridor.transit.store import Store
from corridor.transit.webhooks import Webhooks

__all__ = ["Events", "movable_declarations"]

_ARRIVALS = frozenset({("TRANSPORT", "ARRI"), ("EQUIPMENT", "GTIN")})
_MOVING = frozenset({("TRANSPORT", "DEPA"), ("EQUIPMENT", "GTOT")})


def _utc(dt: datetime, path: str = "eventDateTime") -> datetime:
    """*dt* in UTC (no offset: taken as UTC); 422 when UTC falls outside the years 1-9999."""
    try:
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except OverflowError:
        raise TransitError(
            422,
            "invalid date-time",
            "date-time out of range",
            [failure("E005", path, dt.isoformat(), "a date-time in the years 1-9999 UTC")],
        ) from None


def movable_declarations(party: Party, ev: TrackingEvent) -> Select | None:
    """Open declarations *ev* may move: by train number, else through the indexed container or wagon references."""
    q = select(Declaration).where(Declaration.status.in_([str(x) for x in OPEN]), event_movers(party, ev))
    if ev.train_number:
        return q.where(Declaration.train_number == ev.train_number)
    if ev.equipment_reference or ev.rail_car:
        kind, value = ("container", ev.equipment_reference) if ev.equipment_reference else ("wagon", ev.rail_car)
        ids = select(DeclarationRef.declaration_id).where(DeclarationRef.kind == kind, DeclarationRef.value == value)
        return q.where(Declaration.id.in_(ids))
    return None


class Events:
    """Event use cases over a :class:`Store`."""

    def __init__(self, store: Store, idem: Idempotency, hooks: Webhooks, risk_rules: list[RiskRule]) -> None:
        self.store, self.idem, self.hooks, self.risk_rules = store, idem, hooks, risk_rules

    def _validated(self, party: Party, e: EventIn) -> tuple[str, str | None, dict]:
        failures = event_failures(e)
        node, bad = resolve_node(self.store, e)
        failures += bad
        if failures:
            raise TransitError(422, "invalid event", "event failed validation", failures)
        require_poster(party, node)
        return str(event_code(e)), node, normalized_body(self.store, e, node)

    def upsert(self, party: Party, e: EventIn, claim: Claim | None = None) -> tuple[dict, bool]:
        """Store an event of *party* (a later ``eventCreatedDateTime`` updates it); (event, created_or_updated).

        An ``eventID`` belongs to the party that first posted it: another party reusing it gets 409.
        """
        code, node, body = self._validated(party, e)
        updated, when = _utc(e.eventCreatedDateTime, "eventCreatedDateTime"), _utc(e.eventDateTime)
        fields = {
            "event_type": e.eventType, "event_code": code, "classifier": e.eventClassifierCode, "event_datetime": when,
            "updated_at": updated, "un_location_code": (e.transportCall.UNLocationCode if e.transportCall else None),
            "facility": node, "equipment_reference": e.equipmentReference, "train_number": e.trainNumber,
            "rail_car": e.railCar, "body": body, "retracted": False,
        }  # fmt: skip
        with self.store.tx() as s:
            ev = s.scalar(select(TrackingEvent).where(TrackingEvent.event_id == e.eventID).with_for_update())
            changed = False
            if ev is None:
                ev = TrackingEvent(event_id=e.eventID, party_id=party.id, **fields)
                s.add(ev)
                try:
                    s.flush()
                except IntegrityError:
                    raise TransitError(409, "conflict", "event id raced with another writer; retry") from None
                changed = True
            elif ev.party_id != party.id:
                raise TransitError(
                    409,
                    "conflict",
                    f"eventID {e.eventID} is already used by another party",
                    [failure("E004", "eventID", e.eventID, "an eventID of your own")],
                )
            elif _utc(ev.updated_at) < updated:
                for k, v in fields.items():
                    setattr(ev, k, v)
                changed = True
            if changed:
                s.flush()
                self.hooks.queue(s, ev)
                if ev.classifier == "ACT":
                    self._apply(s, party, ev)
            view = event_view(ev)
            self.idem.complete_in(s, claim, 201 if changed else 200, view)
            return view, changed

    def retract(self, party: Party, event_id: str, claim: Claim | None = None) -> dict:
        """Retract an event of *party* (404 for another party's event: its existence is not revealed)."""
        check_text("eventID", event_id, 100)
        with self.store.tx() as s:
            q = select(TrackingEvent).where(TrackingEvent.event_id == event_id).with_for_update()
            ev = require_event_owner(party, s.scalar(q), event_id)
            ev.retracted = True
            ev.updated_at = utcnow()
            s.flush()
            self.hooks.queue(s, ev)
            view = event_view(ev)
            self.idem.complete_in(s, claim, 200, view)
            return view

    def list(
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
        """Events *party* may see, oldest first from *cursor*; (events, next cursor or None)."""
        limit = max(1, min(limit, 500))
        for path, value in (
            ("equipmentReference", equipment),
            ("trainNumber", train),
            ("facility", facility),
            ("eventTypeCode", code),
        ):
            check_text(path, value, 100)
        q = select(TrackingEvent).where(TrackingEvent.seq > min(max(cursor, 0), 2**62), event_scope(party))
        for column, value in (
            (TrackingEvent.equipment_reference, equipment),
            (TrackingEvent.train_number, train),
            (TrackingEvent.facility, facility),
            (TrackingEvent.event_code, code),
        ):
            if value:
                q = q.where(column == value)
        if since:
            q = q.where(TrackingEvent.event_datetime >= _utc(since, "since"))
        if not include_retracted:
            q = q.where(TrackingEvent.retracted.is_(False))
        with self.store.sessions() as s:
            rows = list(s.scalars(q.order_by(TrackingEvent.seq).limit(limit + 1)))
            nxt = rows[limit - 1].seq if len(rows) > limit else None
            return [event_view(r) for r in rows[:limit]], nxt

    def _apply(self, s: Session, party: Party, ev: TrackingEvent) -> None:
        """Registration and release on arrival; departure and arrival at destination move released movements.

        Only declarations the posting party may move (its own as declared carrier, its office) are touched.
        """
        kind = (ev.event_type, ev.event_code)
        arrival, moving = kind in _ARRIVALS, kind in _MOVING
        if not (arrival or moving) or ev.facility is None:
            return
        q = movable_declarations(party, ev)
        if q is None:
            return
        for decl in s.scalars(q.order_by(Declaration.id).with_for_update()):
            self._move_one(s, decl, ev, arrival, moving)

    def _move_one(self, s: Session, decl: Declaration, ev: TrackingEvent, arrival: bool, moving: bool) -> None:
        if decl.status == Status.SUBMITTED and arrival and ev.facility in (decl.office_departure, *decl.offices_transit):
            register_and_release(self.store, s, decl, ev, self.risk_rules)
        elif decl.status in (Status.RELEASED, Status.IN_TRANSIT) and arrival and ev.facility == decl.office_destination:
            move(s, None, decl, Action.ARRIVE, {"event_id": ev.event_id})
            decl.current_office = ev.facility
        elif decl.status == Status.RELEASED and moving:
            move(s, None, decl, Action.DEPART, {"event_id": ev.event_id})
