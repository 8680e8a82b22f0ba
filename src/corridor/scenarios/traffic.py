"""A scenario year as trains: each demand row on its own routes, as the freight equilibrium routed it.

The flow engine (:func:`corridor.assignment.freight.assign_freight`) gives, per demand class and origin-destination
pair, the paths it uses and their flows. Each demand row's tonnes of the year are split over its pair's paths
by those shares and converted into trains: container rows into container trains (TEU per train from
``operations.csv``), dry and liquid bulk (oil products in tank wagons) into bulk trains (wagons x t per wagon).
What is not a train is left out and listed with its tonnes (:data:`NOT_SIMULATED_COLUMNS`): paths by pipeline, by
sea only or by road only, and the scenario's energy cases (crude, gas: pipelines and tankers). Sea legs at either
end of a path (ocean or short-sea shipping to or from the port where the train starts or ends) are not simulated
either: the train runs from or to that port, and the trimmed tonnes are listed. Each train route is tagged with
the corridor the assignment classifies its path as (ids as in ``corridors.csv``), else ``other``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor.assignment.freight import FreightResult, assign_freight, class_key, freight_graph
from corridor.graph import CompiledGraph
from corridor.model import CargoClass, Network
from corridor.model.scenario import Demand, Scenario
from corridor.routing.legs import build_route
from corridor.simulation import Hop, Operations, TrafficRoute

__all__ = [
    "ENERGY_COMMODITIES",
    "MIN_PATH_SHARE",
    "NOT_SIMULATED_COLUMNS",
    "SIM_RGAP",
    "DemandTrains",
    "demand_trains",
    "hops_of",
    "tonnes_per_train",
    "train_kind",
]

#: Paths carrying less than this share of their pair's flow are dropped and the pair's other paths scaled up
#: (assumption: keeps equilibrium dust, a few tonnes on a near-tie path, from becoming routes with no train).
MIN_PATH_SHARE = 0.01
#: Relative gap the simulation's assignment stops at: path flows by corridor agree with the 1e-6 run to about 0.2% of
#: a row (measured on ``base`` 2025: at most 1,100 t of 1.26 Mt moves between two paths) at a third of the time.
SIM_RGAP = 1e-4
NOT_SIMULATED_COLUMNS = ["demand_id", "cargo", "origin", "destination", "corridor_id", "reason", "t_per_year"]
_WATER = ("sea", "river")
#: Commodities that travel by pipeline or tanker, never as trains here (oil products do: tank wagons).
ENERGY_COMMODITIES = frozenset({"crude", "crude_oil", "condensate", "gas", "natural_gas", "lng"})


@dataclass
class DemandTrains:
    """Train routes of a scenario year and the flows that are not trains (with their tonnes)."""

    routes: list[TrafficRoute]
    not_simulated: pd.DataFrame
    paths: pd.DataFrame  # the assignment's path flows used (for reports)


def hops_of(route: object) -> tuple[Hop, ...]:
    """The simulation's view of a routed path (:class:`corridor.routing.Route`): one hop per leg."""
    return tuple(
        Hop(leg.kind, leg.ref, leg.mode, leg.from_node, leg.to_node, tuple(leg.countries), float(leg.moving_h))
        for leg in route.legs  # type: ignore[attr-defined]
    )


def tonnes_per_train(view: Network, ops: Operations) -> dict[str, float]:
    """Tonnes one train carries: container (TEU per train x t per TEU) and bulk (wagons x t per wagon, mean)."""
    wagons = ops.dist("bulk_train", "wagons_per_train")
    return {
        "container": (ops.value("container_train", "teu_per_train") or 1.0) * view.parameter("t_per_teu"),
        "bulk": (wagons.mean if wagons else 1.0) * (ops.value("bulk_train", "t_per_wagon") or 1.0),
    }


def _why_not_a_train(g: CompiledGraph, arcs: Sequence[int]) -> str | None:
    """Why the path is not a train (pipeline, sea only, road only), or None for a path with rail legs."""
    modes = {str(g.mode[a]) for a in arcs} - {"gate", "transfer"}
    if any(m.endswith("pipeline") for m in modes):  # oil_pipeline, gas_pipeline
        return "pipeline"
    if "rail" in modes:
        return None
    return "sea only" if modes <= {"ferry", *_WATER} else "road only (trucks are not simulated)"


def _trim(g: CompiledGraph, arcs: Sequence[int]) -> tuple[list[int], bool]:
    """*arcs* without gates and without the sea legs before the first or after the last land or ferry link (the
    port transfers between them stay with the train); whether any sea leg was cut."""
    legs = [a for a in arcs if str(g.mode[a]) != "gate"]
    modes = [str(g.mode[a]) for a in legs]
    land = [i for i, m in enumerate(modes) if m not in (*_WATER, "transfer")]
    first, last = land[0], land[-1]
    start = max((i + 1 for i in range(first) if modes[i] in _WATER), default=0)
    end = min((i for i in range(last + 1, len(modes)) if modes[i] in _WATER), default=len(modes))
    return legs[start:end], start > 0 or end < len(modes)


def _cargo(d: Demand) -> str:
    return "container" if d.cargo_class == CargoClass.CONTAINER else d.cargo_class.value


def train_kind(d: Demand) -> str | None:
    """The train a demand row rides: ``container`` or ``bulk`` (any other freight class); None for energy, which
    goes by pipeline or tanker."""
    if d.cargo_class == CargoClass.GAS or d.commodity.lower() in ENERGY_COMMODITIES:
        return None
    return "container" if d.cargo_class == CargoClass.CONTAINER else "bulk"


def _row(d: Demand, cargo: str, o: str, dst: str, cid: str, reason: str, tonnes: float) -> dict:
    return dict(zip(NOT_SIMULATED_COLUMNS, (d.id, cargo, o, dst, cid, reason, tonnes), strict=True))


def _row_trains(
    view: Network, g: CompiledGraph, d: Demand, year: int, paths: pd.DataFrame, ids: dict[str, str], per_train: dict
) -> tuple[list[TrafficRoute], list[dict]]:
    """One demand row's train routes (one per path it uses) and what of it is not a train."""
    o, dst, tonnes, cargo = view.resolve(d.origin), view.resolve(d.destination), d.at(year), _cargo(d)
    if tonnes <= 0:
        return [], []
    kind = train_kind(d)
    if kind is None:
        return [], [_row(d, cargo, o, dst, "", "pipeline or tanker (energy, not trains)", tonnes)]
    mine = paths[
        (paths["class"] == class_key(d.cargo_class, d.avoid_countries)) & (paths["origin"] == o) & (paths["destination"] == dst)
    ]
    mine = mine[mine["share_fraction"] >= MIN_PATH_SHARE]
    if mine.empty:
        return [], [_row(d, cargo, o, dst, "", "no route in the assignment (unmet demand)", tonnes)]
    total_share = float(mine["share_fraction"].sum())
    routes, left = [], []
    zero = np.zeros(g.n_arcs)
    for k, (arcs, label, share) in enumerate(zip(mine["arcs"], mine["corridor"], mine["share_fraction"], strict=True)):
        t = tonnes * float(share) / total_share
        cid = ids.get(str(label), "other")
        why = _why_not_a_train(g, arcs)
        if why:
            left.append(_row(d, cargo, o, dst, cid, why, t))
            continue
        legs, trimmed = _trim(g, arcs)
        route = build_route(view, g, legs, zero, origin=o, destination=dst, objective="time")
        hops = hops_of(route)
        if trimmed:
            left.append(_row(d, cargo, o, dst, cid, "sea leg at the end of the path (the train runs to or from the port)", t))
        unit = per_train[kind]
        rid = f"{d.id}:{cid}:{k}"
        routes.append(TrafficRoute(rid, cid, hops[0].from_node, hops[-1].to_node, cargo, hops, t / unit, "scenario"))
    return routes, left


def _energy_rows(scenario: Scenario) -> list[dict]:
    """The scenario's energy cases: pipelines and tankers, not simulated (tonnes where the scenario states supplies)."""
    e = scenario.energy
    if e is None:
        return []
    rows = [
        dict(
            zip(
                NOT_SIMULATED_COLUMNS,
                (f"energy:{n}", e.cargo.value, "", "", "", "energy case (pipelines, tankers)", np.nan),
                strict=True,
            )
        )
        for n in e.allocations
    ]
    rows += [
        dict(
            zip(
                NOT_SIMULATED_COLUMNS,
                (f"energy:{n}", e.cargo.value, n, "", "", "energy supply (pipelines, tankers)", float(t)),
                strict=True,
            )
        )
        for n, t in e.supplies.items()
    ]
    return rows


def demand_trains(
    view: Network, scenario: Scenario, year: int, ops: Operations, freight: FreightResult | None = None
) -> DemandTrains:
    """Train routes of every demand row of *scenario* in *year* on the year view *view*, as the assignment routes it."""
    if not scenario.demand:
        return DemandTrains([], pd.DataFrame(_energy_rows(scenario), columns=NOT_SIMULATED_COLUMNS), pd.DataFrame())
    fr = freight or assign_freight(view, scenario.demand, year, customs=scenario.customs, rgap=SIM_RGAP)
    g = freight_graph(view, customs=scenario.customs).graph
    ids = {str(r["name"]): str(cid) for cid, r in view.corridors.iterrows()}
    per_train = tonnes_per_train(view, ops)
    routes, left = [], []
    for d in scenario.demand:
        r, lo = _row_trains(view, g, d, year, fr.paths, ids, per_train)
        routes += r
        left += lo
    left += _energy_rows(scenario)
    return DemandTrains(routes, pd.DataFrame(left, columns=NOT_SIMULATED_COLUMNS), fr.paths)
