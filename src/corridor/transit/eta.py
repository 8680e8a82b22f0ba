"""Where a movement is and when it arrives: the last actual event on its itinerary and Corridor routing from there
(with p50/p90 arrivals from the operations simulation beside it); and arrival-to-release statistics against
Tez Customs, scoped to what the party may read."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import exists, func, select, true

from corridor.errors import CorridorError
from corridor.routing import Route, find_routes
from corridor.transit.access import declaration_scope, position_sources
from corridor.transit.config import TEZ_CUSTOMS_RELEASE_S, TEZ_CUSTOMS_SOURCE
from corridor.transit.db import Declaration, DeclarationRef, Party, TrackingEvent
from corridor.transit.eta_sim import arrival_spread
from corridor.transit.lifecycle import aware
from corridor.transit.store import Store

__all__ = ["eta", "stats"]


def _last_event(store: Store, decl: dict) -> TrackingEvent | None:
    it = decl["itinerary"]
    q = select(TrackingEvent).where(
        TrackingEvent.classifier == "ACT", TrackingEvent.retracted.is_(False), TrackingEvent.facility.in_(it)
    )
    q = q.where(position_sources(decl["carrier_id"]))
    if decl["train_number"]:
        q = q.where(TrackingEvent.train_number == decl["train_number"])
    elif decl["containers"]:
        q = q.where(
            exists().where(
                DeclarationRef.declaration_id == decl["id"],
                DeclarationRef.kind == "container",
                DeclarationRef.value == TrackingEvent.equipment_reference,
            )
        )
    with store.sessions() as s:
        events = list(s.scalars(q.order_by(TrackingEvent.event_datetime).limit(5000)))
    if not events:
        return None
    return max(events, key=lambda e: (it.index(e.facility), aware(e.event_datetime)))


def eta(store: Store, decl: dict) -> dict:
    """Last known position on the itinerary, the legs still ahead and an ETA from Corridor routing."""
    it, out = decl["itinerary"], {"declaration_id": decl["id"]}
    last = _last_event(store, decl)
    if last is None:
        return {**out, "position": None, "next_legs": it, "eta": None, "message": "no actual event on the itinerary yet"}
    at = aware(last.event_datetime)
    remaining = it[it.index(last.facility) :]
    if len(remaining) == 1:
        return {**out, "position": last.facility, "next_legs": [], "eta": at.isoformat(), "remaining_h": 0.0}
    out |= {"position": last.facility, "as_of": at.isoformat()}
    try:
        route = find_routes(store.net, remaining[0], remaining[-1], via=remaining[1:-1], year=at.year)[0]
    except (CorridorError, KeyError, ValueError, IndexError) as exc:
        return {**out, "next_legs": remaining[1:], "eta": None, "message": f"no route: {exc}"}
    when = _after(at, route.time_h)
    return {
        **out,
        "next_legs": [{"from": a, "to": b} for a, b in itertools.pairwise(remaining)],
        "remaining_h": round(route.time_h, 2),
        "remaining_km": round(route.length_km, 1),
        "eta": when,
        **({} if when else {"message": "the arrival falls beyond the last representable date"}),
        **(_simulated(store, route, at) if when else {}),
    }


def _after(at: datetime, hours: float) -> str | None:
    try:
        return (at + timedelta(hours=hours)).isoformat()
    except OverflowError:
        return None


def _simulated(store: Store, route: Route, at: datetime) -> dict:
    """p50 and p90 arrival times from the operations simulation, beside the deterministic ETA (none if unavailable)."""
    spread = arrival_spread(store.net, route, at)
    if spread is None:
        return {}
    p50, p90 = _after(at, spread.p50_h), _after(at, spread.p90_h)
    if p50 is None or p90 is None:
        return {}
    return {"eta_p50": p50, "eta_p90": p90, "eta_simulation": spread.basis}


def stats(store: Store, party: Party | None) -> dict:
    """Arrival-to-release times of automatically released movements and counts by status, over the declarations
    *party* may read (all of them for ``None``: the local command line)."""
    scope = declaration_scope(party) if party is not None else true()
    with store.sessions() as s:
        lat = np.array(
            list(s.scalars(select(Declaration.release_latency_s).where(scope, Declaration.release_latency_s.is_not(None)))),
            dtype=float,
        )
        counts = dict(s.execute(select(Declaration.status, func.count()).where(scope).group_by(Declaration.status)).all())
    out: dict[str, Any] = {"declarations_by_status": counts, "released_with_arrival": len(lat)}
    if len(lat):
        p50, p99 = float(np.percentile(lat, 50)), float(np.percentile(lat, 99))
        out |= {
            "arrival_to_release_p50_s": p50,
            "arrival_to_release_p99_s": p99,
            "arrival_to_release_max_s": float(lat.max()),
            "tez_customs_s": TEZ_CUSTOMS_RELEASE_S,
            "tez_customs_source": TEZ_CUSTOMS_SOURCE,
            "tez_customs_over_p99": TEZ_CUSTOMS_RELEASE_S / max(p99, 1e-9),
        }
    return out
