"""The simulation's route choice sees the capacities the simulation runs on.

The flow engine limits links and crossings by the network's yearly tonnes and TEU (``links.csv``,
``nodes.csv``); the operations simulation limits line slots and gauge-change yards by the cited trains a day of
``operations.csv``. Without the second set, route choice sends trains to a line or yard that cannot take them
and the simulated queue grows all year. :func:`operating_view` writes the operating capacities into a copy of
the year view, so the equilibrium routes within them:

- each direction of a line with ``line_trains_per_day`` (or ``line_t_per_year``) gets ``capacity_t_per_year`` =
  the lowest value in force during the year (a track that opens in October cannot carry January's trains) x 365
  x the mean tonnes of a train in that direction (container trains are lighter than ore trains; the first pass
  uses the year's mean over all rail demand, each later pass the mix the pass before put on that direction,
  until the mixes stop moving), and is marked ``slot_limited`` so the equilibrium treats it as a queue, as the
  simulation does;
- a crossing or yard with ``trains_per_day`` or ``teu_per_day``, or a gauge-change yard, gets
  ``capacity_teu_per_year`` = the lowest of trains a day x TEU per container train x 365, TEU a day x 365 and
  its tracks x 24 h / hours per train; where it also has a tonnage figure, that moves with it so its bulk lane
  (tonnes less the container terminal) stays the one the simulation uses;
- a ferry or feeder line with its own fleet gets the wagons or TEU its round trips (or timetable) carry, in
  tonnes by the direction's own train mix, like a line (a deck of container wagons carries about a third of
  the tonnes of a deck of ore wagons), never above the network's own figure (ports and berths limit it too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from corridor.assignment.freight import freight_graph
from corridor.model import Network
from corridor.simulation.params import Operations, optional_float

__all__ = ["SLOT_LIMITED", "lowest_in_year", "mean_train_t", "operating_view", "train_tonnes_by_link"]

#: links column marking a line whose capacity is its slots (a queue in the equilibrium, as in the simulation)
SLOT_LIMITED = "slot_limited"
_DAYS = 365.0


def lowest_in_year(ops: Operations, facility: str, parameter: str) -> float | None:
    """The lowest value of *parameter* at *facility* in force at any time of the simulated year (None if no row)."""
    values = [v for _, v in ops.changes(facility, parameter)]
    row = ops.row(facility, parameter)
    base = ops.value(facility, parameter) if row is not None and row.get("facility") == facility else None
    if base is not None:
        values.append(base)
    return min(values) if values else None


def _num(value: object) -> float:
    """A capacity cell as a float: no value means no limit (inf)."""
    out = optional_float(value)
    return math.inf if out is None else out


def _line_capacity_t(ops: Operations, link: str, train_t: float) -> float:
    tpd = lowest_in_year(ops, link, "line_trains_per_day")
    tpy = lowest_in_year(ops, link, "line_t_per_year")
    return min(tpd * _DAYS * train_t if tpd else math.inf, tpy if tpy else math.inf)


def _yard_capacity_teu(ops: Operations, node: str, teu_per_train: float) -> float:
    tpd = lowest_in_year(ops, node, "trains_per_day")
    teu_day = lowest_in_year(ops, node, "teu_per_day")
    return min(tpd * _DAYS * teu_per_train if tpd else math.inf, teu_day * _DAYS if teu_day else math.inf)


def _vessel_units_per_year(ops: Operations, link: str, row: Mapping, speed_kmh: float) -> tuple[float, str] | None:
    """Wagons or TEU a vessel line with its own fleet carries a year in one direction (as the simulation's load
    table counts it: the fleet's round trips when ships leave full, else no more than its timetable), or None."""
    own_fleet = ops.row(link, "fleet")
    if own_fleet is None or own_fleet.get("facility") != link:  # the * default row is no fleet of this line
        return None
    unit = "wagons" if ops.value(link, "vessel_capacity_wagons") is not None and str(row["mode"]) == "ferry" else "teu"
    capacity, fleet = ops.value(link, f"vessel_capacity_{unit}"), ops.value(link, "fleet")
    if not capacity or not fleet:
        return None
    moving = _num(row.get("transit_time_h"))
    if not math.isfinite(moving):
        moving = _num(row.get("length_km")) / speed_kmh if speed_kmh > 0 else math.inf
    crossing = ops.value(link, "crossing_h", moving if math.isfinite(moving) else None)
    if crossing is None:
        return None
    cycle_h = 2.0 * ((ops.value(link, "berth_h") or 0.0) + crossing)
    by_fleet = fleet * capacity * 8760.0 / max(cycle_h, 1e-9)
    headway = ops.value(link, "headway_h")
    timetable = capacity * 8760.0 / headway if headway and not ops.value(link, "leave_when_full") else math.inf
    return min(by_fleet, timetable), unit


def _gauge_change_trains_per_day(ops: Operations, node: str, dwell_h: float | None) -> float:
    """Trains a day a gauge-change yard's tracks turn round: tracks x 24 h / hours per train."""
    tracks = ops.value(node, "yard_tracks")
    processing = ops.value(node, "processing_h", dwell_h if dwell_h is not None else 6.0)
    return (tracks or 1.0) * 24.0 / processing if processing else math.inf


def operating_view(
    view: Network,
    ops: Operations,
    train_t: float,
    teu_per_train: float,
    direction_t: Mapping[str, float] | None = None,
    wagons_per_train: float = 50.0,
) -> Network:
    """*view* with the line and yard capacities of *ops* (see the module), for trains of *train_t* tonnes on
    average (or, per directed link row, *direction_t*) and container trains of *teu_per_train* TEU."""
    links = view.links.copy()
    limited = np.zeros(len(links), dtype=bool)
    column = links.columns.get_loc("capacity_t_per_year")
    for i, (ref, base) in enumerate(zip(links.index, links["base_id"], strict=True)):
        cap = _line_capacity_t(ops, str(base), (direction_t or {}).get(str(ref), train_t))
        if math.isfinite(cap):
            limited[i] = True
            links.iloc[i, column] = cap
    links[SLOT_LIMITED] = limited
    t_per_teu = view.parameter("t_per_teu")
    speeds = {str(m): _num(v) for m, v in zip(view.modes.index, view.modes["speed_kmh"], strict=True)}
    for ref, row in links.iterrows():
        units = _vessel_units_per_year(ops, str(row["base_id"]), row, speeds.get(str(row["mode"]), math.nan))
        if units is None:
            continue
        per_unit = t_per_teu if units[1] == "teu" else (direction_t or {}).get(str(ref), train_t) / wagons_per_train
        cap_t = units[0] * per_unit
        if cap_t < _num(row["capacity_t_per_year"]):  # never above the network's own figure (port side limits)
            links.loc[ref, "capacity_t_per_year"] = cap_t
            if units[1] == "teu" or math.isfinite(_num(row["capacity_teu_per_year"])):
                links.loc[ref, "capacity_teu_per_year"] = min(_num(row["capacity_teu_per_year"]), cap_t / t_per_teu)
    nodes = view.nodes.copy()
    gauge = {
        str(n): _num(h)
        for n, k, h in zip(view.transfers["node_id"], view.transfers["kind"], view.transfers["dwell_h"], strict=True)
        if str(k) == "gauge_change"
    }
    for node, teu, t in zip(nodes.index, nodes["capacity_teu_per_year"], nodes["capacity_t_per_year"], strict=True):
        cap = _yard_capacity_teu(ops, str(node), teu_per_train)
        if str(node) in gauge:
            dwell = gauge[str(node)]
            tracks_tpd = _gauge_change_trains_per_day(ops, str(node), dwell if math.isfinite(dwell) else None)
            cap = min(cap, tracks_tpd * _DAYS * teu_per_train)
        if not math.isfinite(cap):
            continue
        nodes.loc[node, "capacity_teu_per_year"] = cap
        if math.isfinite(_num(t)) and math.isfinite(_num(teu)):
            # the bulk lane (tonnes less the container terminal's) stays what the simulation runs on
            nodes.loc[node, "capacity_t_per_year"] = _num(t) + (cap - _num(teu)) * t_per_teu
    return view.replace(links=links, nodes=nodes)


def train_tonnes_by_link(view: Network, paths: pd.DataFrame, t_per_train: Mapping[str, float]) -> dict[str, float]:
    """Mean tonnes of a train on each directed link the equilibrium's *paths* use (container classes run
    container trains, the others bulk trains): what a line slot or a ferry's wagon deck carries there."""
    g = freight_graph(view).graph
    tonnes: dict[str, float] = {}
    trains: dict[str, float] = {}
    for cls, arcs, flow in zip(paths["class"], paths["arcs"], paths["flow_t_per_year"], strict=True):
        per = t_per_train["container" if str(cls).startswith("container") else "bulk"]
        for a in arcs:
            ref = str(g.ref[a])
            if ref and flow > 0:
                tonnes[ref] = tonnes.get(ref, 0.0) + float(flow)
                trains[ref] = trains.get(ref, 0.0) + float(flow) / per
    return {ref: tonnes[ref] / trains[ref] for ref in tonnes if trains[ref] > 0}


def mean_train_t(tonnes_by_cargo: Mapping[str, float], t_per_train: Mapping[str, float]) -> float:
    """Mean tonnes of a train over the rail demand: its tonnes over the trains they make (container or bulk)."""
    trains = sum(t / t_per_train["container" if c == "container" else "bulk"] for c, t in tonnes_by_cargo.items() if t > 0)
    total = sum(t for t in tonnes_by_cargo.values() if t > 0)
    return total / trains if trains > 0 else t_per_train["bulk"]
