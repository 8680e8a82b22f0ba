"""Offered load of a plan: what its trains ask of each line slot, yard and vessel line in a year, over what the
facility can serve. A ratio above 1 means the queue grows for as long as the traffic lasts (no steady state), so
a result's door-to-door times there depend on the simulated length; this table says so before anyone reads them.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from corridor.simulation.plan import Plan

__all__ = ["LOAD_COLUMNS", "line_occupancy", "offered_load", "over_capacity_by_route", "yard_occupancy"]

LOAD_COLUMNS = ["facility_id", "kind", "node", "demand_per_year", "unit", "capacity_per_year", "load_ratio"]
_YEAR_H = 8760.0


def _train(plan: Plan, cargo: str) -> tuple[float, float, float]:
    """(TEU, tonnes, wagons) of a mean train of *cargo*."""
    if cargo == "container":
        spec = plan.trains["container"]
        teu = float(spec["teu"] or 0.0)
        return teu, teu * plan.t_per_teu, spec["wagons"].mean if spec["wagons"] else 1.0
    spec = plan.trains["dry_bulk"]
    wagons = spec["wagons"].mean if spec["wagons"] else 1.0
    return 0.0, wagons * float(spec.get("t_per_wagon") or 0.0), wagons


def line_occupancy(spec: dict) -> Callable[[float, float], float]:
    """Hours a train holds a line's slot: the longest of the headway, 24 h / trains a day and its tonnes at the
    line's tonnes an hour (the constant parts worked out once; same arithmetic as per train)."""
    tpd, tpy, headway = spec["trains_per_day"], spec["t_per_year"], spec["headway_h"]
    base_h = headway or 0.0
    if tpd:
        base_h = max(base_h, 24.0 / tpd)
    t_per_h = tpy / 8760.0 if tpy else 0.0

    def occupancy(tonnes: float, teu: float) -> float:
        if t_per_h:
            h = tonnes / t_per_h
            return h if h > base_h else base_h
        return base_h

    return occupancy


def yard_occupancy(spec: dict) -> Callable[[float, float], float]:
    """Hours a train holds a yard's daily gate: max(per train, per TEU, per tonne) of its daily figures."""
    tpd, teu_day, tpy = spec["trains_per_day"], spec["teu_per_day"], spec.get("t_per_year")
    per_train_h = 24.0 / tpd if tpd else 0.0

    def occupancy(tonnes: float, teu: float) -> float:
        # max(per train, per TEU, per tonne), with max's tie-break (the first of equals)
        h = per_train_h
        if teu_day:
            x = teu * 24.0 / teu_day
            if x > h:
                h = x
        if tpy:
            x = tonnes * 8760.0 / tpy
            if x > h:
                h = x
        return h

    return occupancy


def _line_capacity(spec: dict) -> float:
    """Units a vessel line carries in a year: its fleet's round trips (leave when full) or its timetable."""
    cycle = 2.0 * ((spec["berth"].mean if spec["berth"] else 0.0) + spec["crossing"].mean)
    by_fleet = spec["fleet"] * spec["capacity"] * _YEAR_H / max(cycle, 1e-9)
    return by_fleet if spec["leave_when_full"] else min(by_fleet, spec["capacity"] * _YEAR_H / spec["headway_h"])


def _periods(spec: dict) -> list[tuple[float, dict]]:
    """(share of the year, spec in force) for a facility whose capacity changes during the year (``changes``)."""
    changes = [(t, d) for t, d in spec.get("changes", ()) if 0 < t < _YEAR_H]
    starts = [0.0] + [t for t, _ in changes] + [_YEAR_H]
    specs = [spec] + [{**spec, **d} for _, d in changes]
    return [((b - a) / _YEAR_H, s) for a, b, s in zip(starts[:-1], starts[1:], specs, strict=True)]


def _loads(plan: Plan) -> tuple[dict[tuple[str, str, str, str], list[float]], list[list[tuple[str, str, str, str]]]]:
    """Yearly demand and capacity per facility key, and the facility keys each route passes."""
    acc: dict[tuple[str, str, str, str], list[float]] = {}
    passed: list[list[tuple[str, str, str, str]]] = []

    def add(key: tuple[str, str, str, str], demand: float, capacity: float) -> None:
        acc.setdefault(key, [0.0, capacity])[0] += demand
        passed[-1].append(key)

    for route, stages in zip(plan.routes, plan.stages, strict=True):
        passed.append([])
        n = route.trains_per_year
        teu, tonnes, wagons = _train(plan, route.cargo)
        for st in stages:
            if st.kind == "gate":
                g = plan.gates[st.facility]
                window = g["window"]
                open_h = (window[1] - window[0]) % 24.0 or 24.0 if window else 24.0
                key = (g["facility_id"], "line" if not window else "window", g["node"], "slot h")
                add(key, n * sum(share * line_occupancy(s)(tonnes, teu) for share, s in _periods(g)), 365.0 * open_h)
            elif st.kind == "border" and st.yard:
                y = plan.yards[st.yard]
                node = y.get("node", st.yard)
                add((st.yard, "gauge_change", node, "track h"), n * y["processing"].mean, y["tracks"] * _YEAR_H)
                if y["trains_per_day"] or y["teu_per_day"] or y.get("t_per_year") or y.get("changes"):
                    hours = sum(share * yard_occupancy(s)(tonnes, teu) for share, s in _periods(y))
                    add((st.yard, "yard_gate", node, "slot h"), n * hours, _YEAR_H)
            elif st.kind == "vessel":
                s = plan.lines[st.facility]
                units = wagons if s["unit"] == "wagons" else teu or tonnes / plan.t_per_teu
                add((s["facility_id"], "vessel_line", s["origin"], s["unit"]), n * units, _line_capacity(s))
    return acc, passed


def offered_load(plan: Plan) -> pd.DataFrame:
    """Per line slot, yard (tracks and daily gate) and vessel line: yearly demand of the plan's trains, capacity, ratio."""
    acc, _ = _loads(plan)
    rows = [
        {
            "facility_id": k[0],
            "kind": k[1],
            "node": k[2],
            "demand_per_year": d,
            "unit": k[3],
            "capacity_per_year": c,
            "load_ratio": d / c if c > 0 else float("inf"),
        }
        for k, (d, c) in acc.items()
    ]
    return pd.DataFrame(rows, columns=LOAD_COLUMNS).sort_values("load_ratio", ascending=False, ignore_index=True)


def over_capacity_by_route(plan: Plan) -> list[str]:
    """Per route of *plan*: the over-capacity facilities it passes (load ratio > 1), joined by ``;`` ('' if none)."""
    acc, passed = _loads(plan)
    over = {k for k, (d, c) in acc.items() if c <= 0 or d / c > 1.0}
    return [";".join(dict.fromkeys(k[0] for k in keys if k in over)) for keys in passed]
