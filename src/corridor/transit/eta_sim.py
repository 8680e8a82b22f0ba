"""Simulated arrival percentiles for a movement's remaining itinerary (issue 9 item 4).

The deterministic ETA adds the router's expected hours. Beside it the service gives the p50 and p90 of the same
remaining route run as probe trains through a year of the base scenario's traffic in the operations simulation
(queues for BTK, gauge-change yards, ferry slots, storms), using trains that depart within
:data:`WINDOW_DAYS` of the movement's day of the year. The scenario's trains of a year are worked out once per
network and year, and each remaining route is simulated once: later requests read the cache.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from corridor import settings
from corridor.data.operations import read_operations
from corridor.data.scenario_files import read_scenario
from corridor.errors import CorridorError
from corridor.model import Network
from corridor.routing import Route
from corridor.scenarios.simulation import hops_of, scenario_trains
from corridor.simulation import TrafficRoute, build_plan, network_ids, run_plan

__all__ = ["PROBES_PER_YEAR", "REPLICATIONS", "WINDOW_DAYS", "ArrivalSpread", "arrival_spread"]

SCENARIO = "base"
REPLICATIONS = 3  # replications of the year per remaining route
PROBES_PER_YEAR = 52.0  # one probe train a week: few enough not to load the corridor
WINDOW_DAYS = 45.0  # probe trains departing this close to the movement's day of the year count
SEED = 7


@dataclass(frozen=True)
class ArrivalSpread:
    """Remaining hours to arrival at the 50th and 90th percentile, from *samples* simulated trains."""

    p50_h: float
    p90_h: float
    samples: int
    basis: str


class _Cache:
    """Per network: the scenario's traffic by year and the simulated remaining hours by (route legs, year)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.traffic: dict[int, list[TrafficRoute]] = {}
        self.runs: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


_CACHES: weakref.WeakKeyDictionary[Network, _Cache] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def _cache(net: Network) -> _Cache:
    with _GUARD:
        c = _CACHES.get(net)
        if c is None:
            c = _CACHES[net] = _Cache()
        return c


def _simulated(net: Network, route: Route, year: int) -> tuple[np.ndarray, np.ndarray]:
    """(departure day of the year, door-to-door hours) of the probe trains on *route* through *year*'s traffic."""
    cache = _cache(net)
    key = (tuple((leg.kind, leg.ref) for leg in route.legs), year)
    hit = cache.runs.get(key)  # cached routes do not wait for another route being simulated
    if hit is not None:
        return hit
    with cache.lock:
        if key in cache.runs:
            return cache.runs[key]
        sc = read_scenario(SCENARIO)
        ops = read_operations()
        if year not in cache.traffic:
            cache.traffic[year] = scenario_trains(net, sc, year, probes=False, operations=ops).routes
        traffic = cache.traffic[year]
        probe = TrafficRoute("eta", "eta", route.origin, route.destination, "container", hops_of(route), PROBES_PER_YEAR, "probe")
        plan = build_plan(
            sc.network_for(net, year), [*traffic, probe], ops, customs=sc.customs, known_facilities=network_ids(net)
        )
        trains = run_plan(plan, replications=REPLICATIONS, seed=SEED).trains
        mine = trains[(trains["route"] == len(traffic)) & trains["door_to_door_h"].notna()]
        cache.runs[key] = (mine["created_h"].to_numpy() / 24.0, mine["door_to_door_h"].to_numpy())
        return cache.runs[key]


def arrival_spread(net: Network, route: Route, at: datetime) -> ArrivalSpread | None:
    """p50/p90 remaining hours of *route* for a train there at *at*; None when switched off or not simulable."""
    if not settings.get("transit_eta_simulation"):
        return None
    try:
        departed, hours = _simulated(net, route, at.year)
    except (CorridorError, KeyError, ValueError, LookupError):
        return None  # a year the scenario or the operating parameters do not cover: the deterministic ETA stands
    day = at.timetuple().tm_yday - 1 + at.hour / 24.0
    gap = np.abs(departed - day)
    near = hours[np.minimum(gap, 365.0 - gap) <= WINDOW_DAYS]
    if len(near) < 5:
        return None
    basis = (
        f"{len(near)} simulated trains on this route departing within {WINDOW_DAYS:g} days of the day of the year, "
        f"{SCENARIO} scenario {at.year}, {REPLICATIONS} replications"
    )
    return ArrivalSpread(float(np.percentile(near, 50)), float(np.percentile(near, 90)), len(near), basis)
