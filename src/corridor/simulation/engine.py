"""One replication of the operations model: build SimPy facilities from a plan, run the trains, collect records.

Each facility and each route draws from its own random stream (seeded from the replication seed and the
facility's name), so two scenarios run with the same seed share their storms and arrivals where they agree
(common random numbers) and the same seed gives the same numbers on any executor.
"""

from __future__ import annotations

import gc
import math
import zlib
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from corridor.simulation.facilities import Port, SlotGate, VesselLine, Yard, union_hours
from corridor.simulation.load import line_occupancy, yard_occupancy
from corridor.simulation.params import Dist
from corridor.simulation.plan import COMPONENTS, Plan, Stage

__all__ = ["Replication", "run_replication"]

#: stage codes of a train's program (ints: the train loop compares them once per stage)
_OP_RUN, _OP_BORDER, _OP_GATE, _OP_PORT, _OP_VESSEL, _OP_TRANS = range(6)
#: the order the train loop writes its component hours in
_ORDER = ("running", "line_wait", "border", "gauge_change", "slot_wait", "weather", "port_dwell", "transshipment")
assert _ORDER == COMPONENTS, "the train loop writes components in COMPONENTS order"


@dataclass
class Replication:
    """Raw output of one replication."""

    index: int
    trains: list[tuple]  # (train, route index, created_h, delivered_h | nan, teu, *component hours)
    facilities: list[dict]
    events: int
    created: int
    in_flight: list[int]  # trains generated but not delivered when the run ended
    borders: dict[int, list[str]] = field(default_factory=dict)  # train -> border nodes passed (plan.trace)


class _Model:
    def __init__(self, plan: Plan, seed: int, index: int) -> None:
        self.plan, self.seed, self.index = plan, seed, index
        self.env = env = simpy.Environment()
        self.ports = {n: self._port(n, spec) for n, spec in plan.ports.items()}
        self.berths = {
            (n, k): simpy.Resource(env, capacity=c) for n, spec in plan.ports.items() for k, c in spec["berths"].items()
        }
        self.gates = {k: self._gate(spec) for k, spec in plan.gates.items()}
        self.yards = {k: self._yard(k, spec) for k, spec in plan.yards.items()}
        self.lines = {k: self._line(k, spec) for k, spec in plan.lines.items()}
        self.programs = [self._program(r) for r in range(len(plan.routes))]
        self.trains: list[tuple] = []
        self.borders_seen: dict[int, list[str]] = {}
        self.created = 0
        self.in_flight: set[int] = set()

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.index, zlib.crc32(name.encode())])

    # ------------------------------------------------------------ facilities
    def _port(self, node: str, spec: dict) -> Port:
        shares = spec["shares"]

        def share(month: int) -> float:
            key = "nov_dec" if month >= 11 else "jan_mar" if month <= 3 else "apr_oct"
            return float(shares.get(key) or 0.0)

        return Port(
            self.env,
            node,
            self.rng(f"storm:{node}"),
            share if spec["storm_days"] else None,
            spec["storm_days"],
            spec.get("closure"),
        )

    def _gate(self, spec: dict) -> SlotGate:
        changes = [(t_h, line_occupancy({**spec, **delta})) for t_h, delta in spec.get("changes", ())]
        kind = "window" if spec["window"] else "line"
        tpd = spec["trains_per_day"]
        return SlotGate(
            self.env, spec["facility_id"], kind, spec["node"], line_occupancy(spec), spec["window"], tpd or math.nan, changes
        )

    def _yard(self, key: str, spec: dict) -> Yard:
        node = spec.get("node", key)
        gate = None
        changes = [(t_h, yard_occupancy({**spec, **delta})) for t_h, delta in spec.get("changes", ())]
        if spec["trains_per_day"] or spec["teu_per_day"] or spec.get("t_per_year") or changes:
            gate = SlotGate(self.env, key, "yard_gate", node, yard_occupancy(spec), changes=changes)
        return Yard(self.env, node, spec["tracks"], spec["processing"], gate, self.rng(f"yard:{key}"), facility_id=key)

    def _line(self, key: str, spec: dict) -> VesselLine:
        kind = spec["berth_kind"]
        return VesselLine(
            self.env,
            spec["facility_id"],
            origin=self.ports[spec["origin"]],
            dest=self.ports[spec["dest"]],
            berths_origin=self.berths[(spec["origin"], kind)],
            berths_dest=self.berths[(spec["dest"], kind)],
            capacity=spec["capacity"],
            fleet=spec["fleet"],
            berth=spec["berth"],
            crossing=spec["crossing"],
            leave_when_full=spec["leave_when_full"],
            max_hold_h=spec["max_hold_h"],
            headway_h=spec["headway_h"],
            rng=self.rng(f"line:{key}"),
        )

    # ---------------------------------------------------------------- trains
    def _route_draws(self, r: int) -> tuple[list[Dist], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The per-train random values of route *r*: wagons, then each border and port-yard dwell, in stage order."""
        spec = self.plan.trains["container" if self.plan.routes[r].cargo == "container" else "dry_bulk"]
        dists = [spec["wagons"]]
        for st in self.plan.stages[r]:
            if st.kind == "border" and st.facility:
                dists.append(self.plan.borders[st.facility]["dwell"])
            elif st.kind == "port":
                dists.append(self.plan.ports[st.facility]["yard_dwell"] or Dist("fixed", 0.0))
        kind = np.array([{"uniform": 1, "gamma": 2}.get(d.kind, 0) for d in dists])
        low = np.array([d.low for d in dists])
        high = np.array([d.high if d.kind == "uniform" else d.low for d in dists])
        cv = np.array([d.cv if d.kind == "gamma" and d.cv > 0 else 1.0 for d in dists])
        return dists, kind, low, high, cv

    def _arrivals(self, r: int) -> tuple[np.ndarray, list[list[float]]]:
        """Arrival times and per-train draws of route *r*, drawn up front from the route's own stream."""
        route = self.plan.routes[r]
        rng = self.rng(f"arrivals:{route.route_id}")
        mean_gap, horizon = 8760.0 / route.trains_per_year, self.plan.horizon_h
        times = np.cumsum(rng.exponential(mean_gap, size=int(horizon / mean_gap * 1.5) + 20))
        while times[-1] < horizon:  # rare: more arrivals than the first batch held
            times = np.concatenate([times, times[-1] + np.cumsum(rng.exponential(mean_gap, size=len(times)))])
        times = times[times < horizon]
        _, kind, low, high, cv = self._route_draws(r)
        n, m = len(times), len(kind)
        values = np.tile(low, (n, 1))
        uni, gam = kind == 1, kind == 2
        if uni.any():
            values[:, uni] = low[uni] + (high[uni] - low[uni]) * rng.random((n, int(uni.sum())))
        if gam.any():
            shape = 1.0 / (cv[gam] * cv[gam])
            values[:, gam] = rng.gamma(shape, low[gam] / shape, size=(n, int(gam.sum())))
        return times, values.reshape(n, m).tolist()

    def source(self, r: int) -> Generator:
        route = self.plan.routes[r]
        if route.trains_per_year <= 0:
            return
        env = self.env
        # one stream per route, drawn in train order: a train's dwells do not depend on other routes' timing
        times, draws = self._arrivals(r)
        spec = self.plan.trains["container" if route.cargo == "container" else "dry_bulk"]
        teu, t_per_wagon = float(spec["teu"]), float(spec.get("t_per_wagon") or 0.0)
        for t, values in zip(times.tolist(), draws, strict=True):
            yield env.timeout(t - env.now)
            wagons = max(1, round(values[0]))
            tonnes = teu * self.plan.t_per_teu if teu else wagons * t_per_wagon
            self.created += 1
            self.in_flight.add(self.created)
            env.process(self.train(self.created, r, wagons, teu, tonnes, values))

    def _program(self, r: int) -> tuple[tuple, ...]:
        """Route *r*'s stages as (code, a, b, c) with facility methods and flags resolved once, for the train loop."""
        out: list[tuple] = []
        for st in self.plan.stages[r]:
            k = st.kind
            if k == "run":
                out.append((_OP_RUN, st.hours, None, None))
            elif k == "border":  # (yard booking or None, border facility or "", digital declarations)
                digital = bool(st.facility) and bool(self.plan.borders[st.facility]["digital"])
                out.append((_OP_BORDER, self.yards[st.yard].book if st.yard else None, st.facility, digital))
            elif k == "gate":
                out.append((_OP_GATE, self.gates[st.facility].admit, None, None))
            elif k == "port":
                out.append((_OP_PORT, None, None, None))
            elif k == "vessel":
                out.append((_OP_VESSEL, st, None, None))
            else:  # transship
                out.append((_OP_TRANS, st.hours, None, None))
        return tuple(out)

    def train(self, tid: int, r: int, wagons: int, teu: float, tonnes: float, draws: list[float]) -> Generator:
        """One train along its route: one timeout per stage that takes time; its hours go to local sums."""
        env = self.env
        timeout, t0 = env.timeout, env.now
        running = line_wait = border = gauge = slot = weather = port = trans = 0.0
        seen: list[str] | None = [] if self.plan.trace else None
        d = 1  # next per-train draw (0 is the wagon count)
        for k, a, facility, digital in self.programs[r]:
            if k == _OP_RUN:
                yield timeout(a)
                running += a
            elif k == _OP_BORDER:
                yard_h = 0.0
                if a is not None:
                    yard_h = a(tonnes, teu)  # the yard's booking
                    yield timeout(yard_h)
                    gauge += yard_h
                if facility:
                    total = draws[d]
                    d += 1
                    if seen is not None:
                        seen.append(facility)
                    # a cited crossing time (CPMM) covers the gauge change; digital declarations come on top of it
                    if digital or a is None:
                        rest = total
                    else:
                        rest = total - yard_h
                        if rest < 0.0:  # max(total - yard_h, 0.0)
                            rest = 0.0
                    if rest > 0:
                        yield timeout(rest)
                    border += rest
            elif k == _OP_GATE:
                wait = a(tonnes, teu)  # the gate's admission
                if wait > 0:
                    yield timeout(wait)
                line_wait += wait
            elif k == _OP_PORT:
                h = draws[d]
                d += 1
                yield timeout(h)
                port += h
            elif k == _OP_VESSEL:
                b, c, w, sl = yield from self._ship(a, wagons, teu, tonnes)
                trans += b
                running += c
                weather += w
                slot += sl
            else:  # transship
                yield timeout(a)
                trans += a
        self.in_flight.discard(tid)
        # in COMPONENTS order
        self.trains.append((tid, r, t0, env.now, teu, running, line_wait, border, gauge, slot, weather, port, trans))
        if seen is not None:
            self.borders_seen[tid] = seen

    def _ship(self, st: Stage, wagons: int, teu: float, tonnes: float) -> Generator:
        """Ship the train on its vessel line; returns its (transshipment, running, weather, slot wait) hours."""
        env, line = self.env, self.lines[st.facility]
        spec = self.plan.lines[st.facility]
        units = wagons if spec["unit"] == "wagons" else math.ceil(teu if teu else tonnes / self.plan.t_per_teu)
        t0 = env.now
        lot = yield from line.ship(int(units))
        p = lot.parts
        weather = p["weather_h"] + line.origin.closed_overlap(t0, p["load_start"])
        berth, crossing = p["berth_h"], p["crossing_h"]
        return berth, crossing, weather, max(env.now - t0 - berth - crossing - weather, 0.0)

    # ------------------------------------------------------------------- run
    def run(self) -> Replication:
        env = self.env
        for r in range(len(self.plan.routes)):
            env.process(self.source(r))
        until = self.plan.horizon_h + self.plan.drain_h
        events = 0
        step, peek = env.step, env.peek
        # the run keeps every train's record and facility history (objects that only grow), so the cyclic garbage
        # collector, triggered by allocations, would walk them again and again (about a tenth of the run): paused
        # for the run and back on after it, when it frees what the run left; no finalizers, so no effect on results
        collecting = gc.isenabled()
        gc.disable()
        try:
            while peek() < until:
                step()
                events += 1
        finally:
            if collecting:
                gc.enable()
        return Replication(
            self.index, self.trains, self._facility_rows(), events, self.created, sorted(self.in_flight), self.borders_seen
        )

    def _facility_rows(self) -> list[dict]:
        span = self.plan.horizon_h  # per hour of the traffic period: utilisation is the year's load / capacity
        rows = []
        for g in self.gates.values():
            rows.append(g.monitor.row(span))
        for y in self.yards.values():
            rows.append({**y.monitor.row(span), "tracks_max_in_use": y.busy_max, "tracks": y.tracks})
            if y.gate is not None:
                rows.append(y.gate.monitor.row(span))
        for key, line in self.lines.items():
            spec = self.plan.lines[key]
            sailings = [n for _, n in line.sailings]
            load = sum(sailings) / (len(sailings) * spec["capacity"]) if sailings else 0.0
            rows.append({**line.monitor.row(span), "sailings": len(sailings), "load_factor": load, "unit": spec["unit"]})
        for port in self.ports.values():
            row = port.monitor.row(span)
            closed = union_hours(port.closures, 0.0, span)
            rows.append({**row, "storms": len(port.closures), "closed_h": closed, "utilisation": float("nan")})
        for row in rows:
            row["replication"] = self.index
        return rows


def run_replication(plan: Plan, seed: int, index: int) -> Replication:
    """Run replication *index* of *plan* with the random streams of *seed*."""
    return _Model(plan, seed, index).run()
