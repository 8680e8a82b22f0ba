"""Lifecycle moves with their audit entries, and automatic registration, guarantee check, risk and release."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from corridor.errors import CorridorError
from corridor.transit.codes import new_mrn
from corridor.transit.db import AuditEntry, Declaration, Party, TrackingEvent, utcnow
from corridor.transit.domain import HOLDS_GUARANTEE, TRANSITIONS, Action
from corridor.transit.errors import TransitError, failure
from corridor.transit.guarantee import discharge, reserve
from corridor.transit.rules import RiskRule
from corridor.transit.schemas import DeclarationIn
from corridor.transit.store import Store

__all__ = ["amount_at_risk_usd", "audit", "aware", "move", "register_and_release", "risk_facts", "stamp_release"]


def aware(dt: datetime) -> datetime:
    """*dt* with UTC attached when it has no offset."""
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def audit(
    s: Session, party: Party | None, decl: Declaration, action: str, from_state: str | None, detail: dict | None = None
) -> None:
    """Append an audit entry for *decl* in the caller's transaction."""
    s.add(
        AuditEntry(
            party_id=party.id if party else None,
            declaration_id=decl.id,
            action=str(action),
            from_state=from_state,
            to_state=decl.status,
            detail=detail or {},
        )
    )


def move(s: Session, party: Party | None, decl: Declaration, action: Action, detail: dict | None = None) -> None:
    """Apply lifecycle *action* to *decl* (409 when its state does not allow it), audited, guarantee kept in step."""
    allowed, to_state = TRANSITIONS[action]
    if decl.status not in allowed:
        raise TransitError(
            409,
            "conflict",
            f"cannot {action.replace('_', ' ')} a declaration that is {decl.status}",
            [failure("L001", "status", decl.status, f"one of {', '.join(sorted(allowed))}")],
        )
    before = decl.status
    decl.status = str(to_state)
    decl.updated_at = utcnow()
    if before in HOLDS_GUARANTEE and to_state not in HOLDS_GUARANTEE:
        discharge(s, decl)
    audit(s, party, decl, action, before, detail)


def stamp_release(decl: Declaration) -> None:
    """Record the release time and the arrival-to-release latency."""
    decl.released_at = utcnow()
    if decl.arrival_at is not None:
        decl.release_latency_s = (aware(decl.released_at) - aware(decl.arrival_at)).total_seconds()


def amount_at_risk_usd(store: Store, d: DeclarationIn) -> float:
    """Duties and taxes at risk (USD): declared value x the duty-rate setting; 0 when a currency is unknown."""
    try:
        total = sum(g.value / store.usd_rate(g.currency) for g in d.goods)
    except (CorridorError, ValueError, KeyError, ZeroDivisionError):
        return 0.0
    return total * store.settings.duty_rate


def risk_facts(store: Store, decl: Declaration) -> dict:
    """The facts the risk rules look at."""
    goods = decl.body.get("goods", [])
    value = 0.0
    for g in goods:
        try:
            value += g["value"] / store.usd_rate(g["currency"])
        except (CorridorError, ValueError, KeyError, ZeroDivisionError):
            continue
    return {
        "hs_chapter": {g["hs_code"][:2] for g in goods},
        "value_usd": value,
        "origin_country": {g["origin_country"] for g in goods},
        "un_number": [g["un_number"] for g in goods if g.get("un_number")],
    }


def register_and_release(store: Store, s: Session, decl: Declaration, ev: TrackingEvent, rules: list[RiskRule]) -> None:
    """On arrival at the office of departure (or transit): accept, allocate an MRN, check the guarantee, assess risk,
    then release automatically or select for control."""
    received = aware(ev.received_at or utcnow())
    decl.arrival_at = received
    decl.current_office = ev.facility
    move(s, None, decl, Action.ACCEPT, {"event_id": ev.event_id, "office": ev.facility})
    country = str(store.net.nodes.loc[decl.office_departure, "country"])
    decl.mrn = new_mrn(received.year, country)
    move(s, None, decl, Action.ALLOCATE_MRN, {"mrn": decl.mrn})
    held = reserve(store, s, decl)
    if not held.ok:
        detail = {"balance_usd": round(held.balance_usd, 2), "amount_at_risk_usd": round(decl.amount_at_risk, 2)}
        move(s, None, decl, Action.GUARANTEE_INVALID, detail)
        return
    hits = [r for r in rules if r.selects(risk_facts(store, decl))]
    s.add(
        AuditEntry(
            declaration_id=decl.id,
            action="risk_assessment",
            from_state=decl.status,
            to_state=decl.status,
            detail={"rules": [r.rule_id for r in rules], "selected_by": [r.rule_id for r in hits]},
        )
    )
    if hits:
        decl.control_reason = "; ".join(f"{r.rule_id}: {r.description}" for r in hits)
        move(s, None, decl, Action.SELECT_FOR_CONTROL, {"rules": [r.rule_id for r in hits]})
        return
    move(s, None, decl, Action.RELEASE, {"automatic": True})
    stamp_release(decl)
