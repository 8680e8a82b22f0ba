"""A scenario year as trains: the flow engine's corridor split, each corridor's best routes, then the simulation.

Glue between the engines (so it sits above them, in ``corridor.scenarios``): the scenario's
tonnes of the year are split over corridors as the freight assignment splits them, into container and bulk
trains, and put on each corridor's best container and bulk route; every compared corridor also gets a few
probe container trains between the asked origin and destination, so each has a door-to-door distribution.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from corridor import settings
from corridor.data.operations import read_operations
from corridor.data.scenario_files import read_scenario
from corridor.errors import DataError, NoRouteError, Problem
from corridor.model import Network
from corridor.model.scenario import Scenario
from corridor.routing import Route, compare_corridors, find_routes
from corridor.scenarios.executors import Executor, run_tasks
from corridor.scenarios.run import run_year
from corridor.schema import MODEL_YEARS
from corridor.simulation import Hop, Mapper, Plan, SimulationResult, TrafficRoute, build_plan, network_ids, run_plan
from corridor.simulation.params import Operations

__all__ = ["hops_of", "replication_mapper", "run_replications", "scenario_traffic", "simulate_scenario"]

_PRELOAD = ("corridor.simulation.engine",)


def hops_of(route: Route) -> tuple[Hop, ...]:
    """The simulation's view of a routed path: one hop per leg."""
    return tuple(
        Hop(leg.kind, leg.ref, leg.mode, leg.from_node, leg.to_node, tuple(leg.countries), float(leg.moving_h))
        for leg in route.legs
    )


def _best(
    view: Network,
    scenario: Scenario,
    year: int,
    origin: str,
    destination: str,
    cargo: str,
    corridors: list[str] | None,
    avoid: tuple[str, ...] = (),
) -> dict[str, Route]:
    results = compare_corridors(
        view,
        origin,
        destination,
        cargo=cargo,
        objective="time",
        year=year,
        include_planned=scenario.include_planned,
        customs=scenario.customs,
        corridors=corridors,
        avoid_countries=avoid,
    )
    return {r.corridor_id: r.route for r in results if r.route is not None}


def _groups(row: pd.Series) -> list[list[str]]:
    return [[n.strip() for n in g.split(";") if n.strip()] for g in (row["via_any"] or "").split("|") if g.strip()]


def _splits(view: Network, links: pd.DataFrame, groups: list[list[str]], share: float) -> tuple[list[tuple], list[tuple]]:
    """The flow engine's split at the corridor's first choice of nodes (its water crossings) and at gauge entries.

    Returns ([(via node, water link id, cargo, tonnes)], [(gauge node, tonnes)]).
    """
    loaded = links[links["flow_t_per_year"] > 1e-6]
    choice = set(groups[0]) if groups else set()
    water = []
    for _, r in loaded[loaded["mode"].isin(["ferry", "sea"])].iterrows():
        if r["from_node"] in choice:
            classes = view.links.loc[r["arc"], "cargo_classes"] if r["arc"] in view.links.index else ()
            node, link, flow = str(r["from_node"]), str(r["id"]), float(r["flow_t_per_year"])
            if tuple(classes or ()) == ("container",):
                water.append((node, link, "container", flow))
            elif r["mode"] == "ferry":  # rail ferries carry wagons: bulk trains
                water.append((node, link, "dry_bulk", flow))
            else:  # a ship for any cargo: the cited container share, the rest bulk
                water += [(node, link, "container", flow * share), (node, link, "dry_bulk", flow * (1 - share))]
    gauges = []
    tr = view.transfers
    for _, r in loaded[loaded["mode"] == "transfer"].iterrows():
        if r["arc"] in tr.index and str(tr.loc[r["arc"], "kind"]) == "gauge_change":
            node = str(tr.loc[r["arc"], "node_id"])
            if str(view.nodes.loc[node, "kind"]) == "border_crossing":
                gauges.append((node, float(r["flow_t_per_year"])))
    return water, gauges


def _scenario_routes(net: Network, view: Network, scenario: Scenario, year: int, ops: Operations) -> list[TrafficRoute]:
    """Each demand's tonnes over corridors, Caspian crossings and gauge entries as the flow engine splits them."""
    t_per_teu = view.parameter("t_per_teu")
    share = ops.value("traffic", "container_share") or 0.0
    per_train = {
        "container": (ops.value("container_train", "teu_per_train") or 1.0) * t_per_teu,
        "dry_bulk": (ops.value("bulk_train", "wagons_per_train") or 1.0) * (ops.value("bulk_train", "t_per_wagon") or 1.0),
    }
    result = run_year(net, scenario, year)
    names = {str(r["name"]): str(cid) for cid, r in view.corridors.iterrows()}
    out: list[TrafficRoute] = []
    for d in scenario.demand:
        total = d.at(year)
        for _, s in result.shares.iterrows():
            cid = names.get(str(s["corridor"]))
            if cid is None or s["share_fraction"] <= 0:
                continue
            row = view.corridors.loc[cid]
            groups = _groups(row)
            water, gauges = _splits(view, result.links, groups, share)
            plain = _best(view, scenario, year, d.origin, d.destination, "container", [cid], tuple(d.avoid_countries)).get(cid)
            entry = {leg.to_node for leg in plain.legs if leg.kind == "transfer"} if plain is not None else set()
            gauges = [
                g for g in gauges if g[0] in entry
            ] and gauges  # split at gauge entries only where the corridor changes gauge
            if not water:  # no crossing to split at: the cited container share, the rest bulk
                water = [("", "", "container", share), ("", "", "dry_bulk", 1 - share)]
            gauges = gauges or [("", 1.0)]
            w_sum, g_sum = sum(w[3] for w in water), sum(g[1] for g in gauges)
            for port, link, cargo, wt in water:
                for gate, gt in gauges:
                    via = [[gate]] if gate else []
                    via += [[port] if port and port in grp else grp for grp in groups]
                    try:
                        route = find_routes(
                            view,
                            d.origin,
                            d.destination,
                            cargo=cargo,
                            objective="time",
                            year=year,
                            include_planned=scenario.include_planned,
                            customs=scenario.customs,
                            via=via,
                            avoid_countries=[*row["avoid_countries"], *d.avoid_countries],
                            avoid_nodes=row["avoid_nodes"],
                            avoid_modes=row["avoid_modes"],
                            corridor=cid,
                        )[0]
                    except NoRouteError:
                        continue
                    if link and link not in {leg.ref.removesuffix("~r") for leg in route.legs}:
                        continue
                    tonnes = total * float(s["share_fraction"]) * wt / w_sum * gt / g_sum
                    rid = ":".join(x for x in (d.id, cid, gate, link, cargo) if x)
                    out.append(
                        TrafficRoute(
                            rid,
                            cid,
                            route.origin,
                            route.destination,
                            cargo,
                            hops_of(route),
                            tonnes / per_train[cargo],
                            "scenario",
                        )
                    )
    return out


def scenario_traffic(
    net: Network,
    scenario: Scenario,
    year: int,
    *,
    origin: str = "xian",
    destination: str = "duisburg",
    probes: bool = True,
    operations: pd.DataFrame | None = None,
) -> list[TrafficRoute]:
    """Trains per year by route: the scenario's assigned tonnes (container and bulk) plus probe trains."""
    ops = Operations(read_operations() if operations is None else operations, year)
    view = scenario.network_for(net, year)
    out = _scenario_routes(net, view, scenario, year, ops) if scenario.demand else []
    if probes:
        rate = (ops.value("traffic", "probe_trains_per_week") or 0.0) * 52.0
        o, dst = view.resolve(origin), view.resolve(destination)
        for cid, route in _best(view, scenario, year, o, dst, "container", None).items():
            out.append(TrafficRoute(f"probe:{o}-{dst}:{cid}", cid, o, dst, "container", hops_of(route), rate, "probe"))
    return out


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
    """Simulate *days* of the scenario's *year*: trains from its demand and route choice, probe trains per corridor."""
    sc = read_scenario(scenario) if isinstance(scenario, str) else scenario
    if not isinstance(year, int) or not MODEL_YEARS[0] <= year <= MODEL_YEARS[1]:
        raise DataError(Problem("simulation", None, "year", year, f"a year from {MODEL_YEARS[0]} to {MODEL_YEARS[1]}"))
    sc.validate(net, [year])
    mapper, chosen = replication_mapper(use_ray, workers)
    table = read_operations() if operations is None else operations
    traffic = scenario_traffic(net, sc, year, origin=origin, destination=destination, operations=table)
    plan = build_plan(
        sc.network_for(net, year),
        traffic,
        table,
        days=days,
        customs=sc.customs,
        overrides=overrides,
        known_facilities=network_ids(net),
    )
    return run_plan(
        plan, replications=replications, seed=seed, mapper=mapper, executor=str(chosen), progress=progress, scenario=sc.name
    )
