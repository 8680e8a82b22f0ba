"""A scenario year simulated: its demand as trains on their own routes, probe trains per corridor, replications.

Glue between the engines (so it sits above them, in ``corridor.scenarios``): :mod:`corridor.scenarios.traffic`
turns each demand row into trains on the paths the freight equilibrium gives its origin-destination pair; every
compared corridor also gets a few probe container trains between the asked origin and destination, so each has
a door-to-door distribution for that pair. Replications run here, on local processes or on Ray.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from corridor import settings
from corridor.assignment.freight import FreightResult, assign_freight
from corridor.data.operations import read_operations
from corridor.data.scenario_files import read_scenario
from corridor.errors import DataError, Problem
from corridor.model import Network
from corridor.model.scenario import Scenario
from corridor.routing import compare_corridors
from corridor.scenarios.executors import Executor, run_tasks
from corridor.scenarios.operating_capacity import mean_train_t, operating_view, train_tonnes_by_link
from corridor.scenarios.run import scenario_key
from corridor.scenarios.traffic import SIM_RGAP, DemandTrains, demand_trains, hops_of, tonnes_per_train, train_kind
from corridor.schema import MODEL_YEARS
from corridor.simulation import Mapper, Plan, SimulationResult, TrafficRoute, build_plan, network_ids, run_plan
from corridor.simulation.params import Operations
from corridor.simulation.plan import check_overrides

__all__ = ["hops_of", "replication_mapper", "run_replications", "scenario_trains", "simulate_scenario"]

_PRELOAD = ("corridor.simulation.engine",)


def _probes(view: Network, scenario: Scenario, year: int, origin: str, destination: str, ops: Operations) -> list[TrafficRoute]:
    """Probe container trains between *origin* and *destination* on each compared corridor's best route."""
    rate = (ops.value("traffic", "probe_trains_per_week") or 0.0) * 52.0
    o, dst = view.resolve(origin), view.resolve(destination)
    results = compare_corridors(
        view,
        o,
        dst,
        cargo="container",
        objective="time",
        year=year,
        include_planned=scenario.include_planned,
        customs=scenario.customs,
    )
    return [
        TrafficRoute(f"probe:{o}-{dst}:{r.corridor_id}", r.corridor_id, o, dst, "container", hops_of(r.route), rate, "probe")
        for r in results
        if r.route is not None
    ]


def scenario_trains(
    net: Network,
    scenario: Scenario,
    year: int,
    *,
    origin: str = "xian",
    destination: str = "duisburg",
    probes: bool = True,
    operations: pd.DataFrame | None = None,
) -> DemandTrains:
    """Train routes of the scenario year (each demand row on its own paths, plus probe trains) and what is not a train."""
    table = read_operations() if operations is None else operations
    ops = Operations(table, year)
    view = scenario.network_for(net, year)
    if scenario.demand:
        # the assignment is the slow part and depends only on the scenario, year and operations: kept with the network
        key = ("simulation_freight", scenario_key(scenario), year, _table_key(table))
        routed, freight = net.derived(key, lambda: _assign_within_capacity(view, scenario, year, ops))
        out = demand_trains(routed, scenario, year, ops, freight)
    else:
        out = demand_trains(view, scenario, year, ops)
    if probes:
        out.routes += _probes(view, scenario, year, origin, destination, ops)
    return out


def _table_key(table: pd.DataFrame) -> int:
    """A digest of an operations table (the simulation's route choice depends on its capacities)."""
    return int(pd.util.hash_pandas_object(table.astype(str), index=False).sum())


_MIX_PASSES = 4  # at most this many route-choice passes after the first, each with the last pass's train mixes
_MIX_TOLERANCE = 0.05  # ... until no link direction's mean train changes by more than this share


def _assign_within_capacity(view: Network, scenario: Scenario, year: int, ops: Operations) -> tuple[Network, FreightResult]:
    """The year's freight equilibrium on the year view with the simulation's line, yard and vessel capacities
    (:mod:`corridor.scenarios.operating_capacity`): a first pass with the year's mean train, then passes with each
    line or vessel direction's own train mix until the mixes settle."""
    per_train = tonnes_per_train(view, ops)
    tonnes: dict[str, float] = {}
    for d in scenario.demand:
        kind = train_kind(d)
        if kind is not None:
            tonnes[kind] = tonnes.get(kind, 0.0) + d.at(year)
    mean_t, teu = mean_train_t(tonnes, per_train), ops.value("container_train", "teu_per_train") or 1.0
    wagons = {k: ops.dist(f"{k}_train", "wagons_per_train") for k in ("container", "bulk")}
    trains = {k: t / per_train[k] for k, t in tonnes.items() if t > 0}
    mean_wagons = sum(n * (wagons[k].mean if wagons[k] else 1.0) for k, n in trains.items()) / max(sum(trains.values()), 1e-9)

    def assign(routed: Network) -> FreightResult:
        # the simulation runs the year: an over-full facility's queue grows all year, and route choice prices it so
        return assign_freight(routed, scenario.demand, year, customs=scenario.customs, rgap=SIM_RGAP, queue_period_h=8760.0)

    routed = operating_view(view, ops, mean_t, teu, wagons_per_train=mean_wagons)
    result = assign(routed)
    masses: dict[str, float] = {}
    for _ in range(_MIX_PASSES):
        # each link direction's train mix sets its capacity in tonnes (slots, ferry wagons); the mix follows the
        # flows, so route choice is run again until the mixes it was given are the mixes it produced
        new = train_tonnes_by_link(routed, result.paths, per_train)
        if masses and all(abs(t - masses.get(ref, t)) <= _MIX_TOLERANCE * t for ref, t in new.items()):
            break
        masses = new
        routed = operating_view(view, ops, mean_t, teu, masses, wagons_per_train=mean_wagons)
        result = assign(routed)
    return routed, result


def replication_mapper(use_ray: bool | None = None, workers: int = 1) -> tuple[Mapper | None, Executor]:
    """Where replications run: Ray when asked (or, not told, when ``ray_address`` is set), local processes for
    *workers* > 1, else this process (no mapper). Worker processes start from a fork server holding the engine."""
    if not isinstance(workers, int) or workers < 1:
        raise DataError(Problem("simulation", None, "workers", workers, "a whole number, at least 1"))
    address = str(settings.get("ray_address") or "")
    ray = use_ray or (use_ray is None and bool(address))
    chosen = Executor.RAY if ray else Executor.PROCESSES if workers > 1 else Executor.LOCAL
    if chosen == Executor.LOCAL:
        return None, chosen

    def mapper(fn: Callable[..., Any], shared: tuple, items: Sequence[Any], progress: Callable[[int], None] | None) -> list:
        return run_tasks(
            fn, shared, items, executor=chosen, workers=workers, ray_address=address, progress=progress, preload=_PRELOAD
        )

    return mapper, chosen


def run_replications(
    plan: Plan,
    *,
    replications: int = 30,
    seed: int = 7,
    use_ray: bool | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    scenario: str = "",
) -> SimulationResult:
    """:func:`corridor.simulation.run_plan` on this process, local worker processes or Ray (same seed, same numbers)."""
    mapper, chosen = replication_mapper(use_ray, workers)
    return run_plan(
        plan, replications=replications, seed=seed, mapper=mapper, executor=str(chosen), progress=progress, scenario=scenario
    )


def simulate_scenario(
    net: Network,
    scenario: Scenario | str = "base",
    year: int = 2025,
    *,
    days: float = 365.0,
    replications: int = 30,
    seed: int = 7,
    origin: str = "xian",
    destination: str = "duisburg",
    use_ray: bool | None = None,
    workers: int = 1,
    overrides: Mapping[str, float] | None = None,
    operations: pd.DataFrame | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate *days* of the scenario's *year*: trains from its demand and route choice, probe trains per corridor.

    The result's corridor tables are for the *origin*-*destination* pair (``res.pair``); ``od_frame`` has every
    pair; ``res.not_simulated`` lists the flows that are not trains, with their tonnes.
    """
    sc = read_scenario(scenario) if isinstance(scenario, str) else scenario
    if not isinstance(year, int) or not MODEL_YEARS[0] <= year <= MODEL_YEARS[1]:
        raise DataError(Problem("simulation", None, "year", year, f"a year from {MODEL_YEARS[0]} to {MODEL_YEARS[1]}"))
    sc.validate(net, [year])
    check_overrides(overrides or {}, network_ids(net) | set(net.links.index))  # before the slow part
    mapper, chosen = replication_mapper(use_ray, workers)
    table = read_operations() if operations is None else operations
    trains = scenario_trains(net, sc, year, origin=origin, destination=destination, operations=table)
    view = sc.network_for(net, year)
    plan = build_plan(
        view,
        trains.routes,
        table,
        days=days,
        customs=sc.customs,
        overrides=overrides,
        known_facilities=network_ids(net),
    )
    res = run_plan(
        plan, replications=replications, seed=seed, mapper=mapper, executor=str(chosen), progress=progress, scenario=sc.name
    )
    res.not_simulated = trains.not_simulated
    res.pair = (view.resolve(origin), view.resolve(destination))
    return res
