"""Authorization by ownership — the one place that decides who may see or change what.

- A holder reads and changes its own declarations; a carrier reads those that name it as carrier; a customs office
  reads those whose offices (departure, transit, destination, current) include its own; an operator reads all.
- Only the declared carrier's events (train, wagons, containers) move a declaration; a customs office posts events
  only at its own office and they move only declarations at that office; an operator's events move any.
- An event belongs to the party that posted it: only that party updates or retracts it.
- Errors never name another party's data (ids the caller gave, its own office, nothing else).
"""

from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from corridor.transit.db import Declaration, DeclarationRef, Party, TrackingEvent
from corridor.transit.domain import Action, Role
from corridor.transit.errors import TransitError, failure

__all__ = [
    "can_read",
    "competent_office",
    "declaration_scope",
    "event_movers",
    "event_scope",
    "position_sources",
    "require_event_owner",
    "require_holder",
    "require_poster",
    "require_role",
]


def require_role(party: Party, *roles: Role, action: str) -> None:
    """403 unless *party* has one of *roles*."""
    if party.role not in roles:
        raise TransitError(403, "forbidden", f"a {party.role} may not {action}")


def _offices(decl: Declaration) -> set[str]:
    return {decl.office_departure, decl.office_destination, *(decl.offices_transit or []), decl.current_office or ""}


def can_read(party: Party, decl: Declaration) -> bool:
    """True when *party* may read *decl*."""
    if party.role == Role.OPERATOR or decl.holder_id == party.id:
        return True
    if party.role == Role.CARRIER:
        return decl.carrier_id == party.id
    if party.role == Role.CUSTOMS:
        return bool(party.office_node) and party.office_node in _offices(decl)
    return False


def declaration_scope(party: Party) -> ColumnElement[bool]:
    """SQL condition selecting the declarations *party* may read (applied before any limit)."""
    if party.role == Role.OPERATOR:
        return true()
    if party.role == Role.HOLDER:
        return Declaration.holder_id == party.id
    if party.role == Role.CARRIER:
        return Declaration.carrier_id == party.id
    if party.role == Role.CUSTOMS and party.office_node:
        at_office = exists().where(
            DeclarationRef.declaration_id == Declaration.id,
            DeclarationRef.kind == "office",
            DeclarationRef.value == party.office_node,
        )
        return or_(at_office, Declaration.current_office == party.office_node)
    return false()


def require_holder(party: Party, decl: Declaration | None, decl_id: int) -> Declaration:
    """The declaration if *party* is its holder (or an operator); 404 otherwise (existence is not revealed)."""
    if decl is None or (party.role != Role.OPERATOR and decl.holder_id != party.id):
        raise TransitError(404, "not found", f"no declaration {decl_id} for this party")
    return decl


def competent_office(party: Party, decl: Declaration, action: Action) -> None:
    """403 unless *party* is the customs office competent for *action* (or an operator).

    The refusal names only the caller's own office, never the movement's.
    """
    require_role(party, Role.CUSTOMS, Role.OPERATOR, action="take customs decisions")
    office = decl.office_destination if action == Action.WRITE_OFF else decl.current_office
    if party.role == Role.CUSTOMS and party.office_node != office:
        raise TransitError(
            403,
            "forbidden",
            f"office {party.office_node} is not competent for this movement",
            [failure("A002", "office", party.office_node, "the office where the movement is")],
        )


def require_poster(party: Party, facility: str | None) -> None:
    """Carriers, customs offices (only at their own office) and operators post events."""
    require_role(party, Role.CARRIER, Role.CUSTOMS, Role.OPERATOR, action="post events")
    if party.role == Role.CUSTOMS and facility != party.office_node:
        raise TransitError(
            403,
            "forbidden",
            f"office {party.office_node} posts events only at its own office",
            [failure("A003", "transportCall", facility, f"the office {party.office_node}")],
        )


def require_event_owner(party: Party, ev: TrackingEvent | None, event_id: str) -> TrackingEvent:
    """The event if *party* posted it; 404 when it does not exist or belongs to another party."""
    if ev is None or ev.party_id != party.id:
        raise TransitError(404, "not found", f"no event {event_id} of this party")
    return ev


def event_movers(party: Party, ev: TrackingEvent) -> ColumnElement[bool]:
    """SQL condition on declarations that an actual event of *party* may move."""
    if party.role == Role.OPERATOR:
        return true()
    if party.role == Role.CARRIER:
        return Declaration.carrier_id == party.id
    if party.role == Role.CUSTOMS:
        return true() if ev.facility == party.office_node else false()
    return false()


def position_sources(carrier_id: int | None) -> ColumnElement[bool]:
    """SQL condition on the events that may place a movement: its declared carrier's, customs offices', operators'."""
    trusted = TrackingEvent.party_id.in_(select(Party.id).where(Party.role.in_([Role.CUSTOMS.value, Role.OPERATOR.value])))
    return or_(TrackingEvent.party_id == carrier_id, trusted) if carrier_id is not None else trusted


def event_scope(party: Party) -> ColumnElement[bool]:
    """SQL condition selecting the events *party* may see.

    Its own events; a customs office also those at its office; a holder also those its declared carrier posted
    about the train or containers of its declarations; an operator all.
    """
    own = TrackingEvent.party_id == party.id
    if party.role == Role.OPERATOR:
        return true()
    if party.role == Role.CUSTOMS and party.office_node:
        return or_(own, TrackingEvent.facility == party.office_node)
    if party.role == Role.HOLDER:
        container = exists().where(
            DeclarationRef.declaration_id == Declaration.id,
            DeclarationRef.kind == "container",
            DeclarationRef.value == TrackingEvent.equipment_reference,
        )
        linked = exists(
            select(Declaration.id).where(
                Declaration.holder_id == party.id,
                Declaration.carrier_id == TrackingEvent.party_id,
                or_(
                    and_(TrackingEvent.train_number.is_not(None), Declaration.train_number == TrackingEvent.train_number),
                    container,
                ),
            )
        )
        return or_(own, linked)
    return own
