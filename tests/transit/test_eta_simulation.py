"""The ETA's p50 and p90 arrivals from the operations simulation, beside the deterministic one (issue 9 item 4)."""

from __future__ import annotations

from datetime import datetime

import pytest
from transit_payloads import decl_in, event

from corridor import settings
from corridor.routing import find_routes
from corridor.transit import eta_sim


@pytest.fixture
def backend() -> str:
    """SQLite only: the simulated percentiles do not depend on the database."""
    return "sqlite"


def _at_altynkol(svc, cast, lrn: str, when: str, declaration: dict | None = None) -> dict:
    d = svc.create_declaration(cast.holder, decl_in(lrn, train=f"T-{lrn}", carrier_id=cast.carrier.id))
    svc.upsert_event(cast.carrier, event(f"ev-{lrn}", "altynkol", train=f"T-{lrn}", when=when))
    if declaration is not None:
        declaration.update(d)
    return svc.eta(cast.holder, d["id"])


def test_eta_has_simulated_p50_and_p90_beside_the_deterministic_one(svc, cast):
    d: dict = {}
    eta = _at_altynkol(svc, cast, "SIM-1", "2026-03-02T06:00:00Z", d)
    assert eta["position"] == "altynkol" and eta["eta"]
    as_of = datetime.fromisoformat(eta["as_of"])
    p50, p90 = datetime.fromisoformat(eta["eta_p50"]), datetime.fromisoformat(eta["eta_p90"])
    assert as_of < p50 <= p90
    # simulated trains run the router's legs at its moving times, then queue: never faster than the moving hours
    it = d["itinerary"]
    route = find_routes(svc.store.net, it[0], it[-1], via=it[1:-1], year=2026)[0]
    moving_h = sum(leg.moving_h for leg in route.legs)
    assert (p50 - as_of).total_seconds() / 3600 >= 0.99 * moving_h
    assert "base scenario 2026" in eta["eta_simulation"] and "simulated trains" in eta["eta_simulation"]


def test_simulated_spread_is_computed_once_per_route_and_year(svc, cast):
    first = _at_altynkol(svc, cast, "SIM-2", "2026-05-10T00:00:00Z")
    runs = len(eta_sim._cache(svc.store.net).runs)
    again = _at_altynkol(svc, cast, "SIM-3", "2026-05-10T00:00:00Z")
    assert len(eta_sim._cache(svc.store.net).runs) == runs
    assert (first["eta_p50"], first["eta_p90"]) == (again["eta_p50"], again["eta_p90"])


def test_eta_without_the_simulation_keeps_the_deterministic_one(svc, cast):
    with settings.option_context(transit_eta_simulation=False):
        eta = _at_altynkol(svc, cast, "SIM-4", "2026-03-02T06:00:00Z")
    assert eta["eta"] and "eta_p50" not in eta and "eta_p90" not in eta
