"""Facilities of the operations model: monitored queues, ports with storms, yards, line slots and vessel lines.

Every facility keeps its own statistics (time-weighted queue length, waits, busy time), so utilisation and
queues come out of the run without patching SimPy resources. Time is in hours from 1 January of the year.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy

from corridor.simulation.params import Dist

__all__ = ["Lot", "Monitor", "Port", "SlotGate", "VesselLine", "Yard", "month_of", "union_hours"]

_MONTH_START_H = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]) * 24.0
YEAR_H = 8760.0


def month_of(t_h: float) -> int:
    """Calendar month (1-12) of simulation time *t_h* (hours since 1 January, repeating every 365 days)."""
    return int(np.searchsorted(_MONTH_START_H, t_h % YEAR_H, side="right"))


def _hours_to_month_end(t_h: float) -> float:
    m = month_of(t_h)
    return float(_MONTH_START_H[m] - t_h % YEAR_H)


class Monitor:
    """Queue and service statistics of one facility."""

    __slots__ = (
        "busy",
        "busy_area",
        "capacity",
        "env",
        "facility_id",
        "kind",
        "last_t",
        "node",
        "queue",
        "queue_area",
        "queue_max",
        "served",
        "units",
        "wait_max",
        "wait_sum",
    )

    def __init__(self, env: simpy.Environment, facility_id: str, kind: str, node: str, capacity: float) -> None:
        self.env, self.facility_id, self.kind, self.node, self.capacity = env, facility_id, kind, node, capacity
        self.queue = self.busy = 0
        self.queue_area = self.busy_area = self.last_t = 0.0
        self.queue_max = 0
        self.served = 0
        self.units = 0.0
        self.wait_sum = self.wait_max = 0.0

    def _advance(self) -> None:
        now = self.env.now
        dt = now - self.last_t
        if dt:
            self.queue_area += self.queue * dt
            self.busy_area += self.busy * dt
            self.last_t = now

    def join(self, n: int = 1) -> None:
        self._advance()
        self.queue += n
        if self.queue > self.queue_max:
            self.queue_max = self.queue

    def leave(self, wait_h: float, n: int = 1) -> None:
        self._advance()
        self.queue -= n
        self.served += n
        self.wait_sum += wait_h * n
        if wait_h > self.wait_max:
            self.wait_max = wait_h

    def set_busy(self, delta: int) -> None:
        self._advance()
        self.busy += delta

    def row(self, period_h: float) -> dict:
        """Statistics per hour of *period_h* (the traffic period; work done in the drain counts toward it)."""
        self._advance()
        span = period_h or 1.0
        cap = self.capacity if self.capacity and math.isfinite(self.capacity) else float("nan")
        return {
            "facility_id": self.facility_id,
            "kind": self.kind,
            "node": self.node,
            "served": self.served,
            "units": self.units,
            "mean_queue": self.queue_area / span,
            "max_queue": self.queue_max,
            "mean_wait_h": self.wait_sum / self.served if self.served else 0.0,
            "max_wait_h": self.wait_max,
            "utilisation": self.busy_area / (cap * span) if cap == cap else float("nan"),
        }


def union_hours(intervals: list[tuple[float, float]], t0: float, t1: float) -> float:
    """Hours of [t0, t1] covered by at least one of *intervals* (which may overlap)."""
    total, reach = 0.0, t0
    for a, b in sorted((max(a, t0), min(b, t1)) for a, b in intervals if b > t0 and a < t1):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


class Port:
    """A port whose storms close it to arrivals and departures: a seasonal alternating open/closed process.

    *share* gives the share of time closed in a month and *storm_days* the length of one closure. Open spells
    are exponential with the mean that makes closures take that share (memoryless, so a spell is re-drawn at
    each month boundary). *closure* (start day, days) adds one fixed closure, say a week-long storm.
    """

    def __init__(
        self,
        env: simpy.Environment,
        node: str,
        rng: np.random.Generator,
        share: Callable[[int], float] | None,
        storm_days: Dist | None,
        closure: tuple[float, float] | None = None,
    ) -> None:
        self.env, self.node, self.rng = env, node, rng
        self.open = True
        self.closed_by = 0
        self.reopened = env.event()
        self.closures: list[tuple[float, float]] = []
        self.monitor = Monitor(env, node, "weather", node, 1.0)
        if share is not None and storm_days is not None:
            env.process(self._storms(share, storm_days))
        if closure is not None and closure[1] > 0:
            env.process(self._fixed(float(closure[0] or 0.0) * 24.0, float(closure[1]) * 24.0))

    def _close(self, length_h: float) -> Generator:
        env = self.env
        self.closed_by += 1
        if self.closed_by == 1:
            self.monitor.set_busy(1)
        self.open = False
        self.closures.append((env.now, env.now + length_h))
        yield env.timeout(length_h)
        self.closed_by -= 1
        if self.closed_by == 0:
            self.monitor.set_busy(-1)
            self.open = True
            done, self.reopened = self.reopened, env.event()
            done.succeed()

    def _fixed(self, start_h: float, length_h: float) -> Generator:
        yield self.env.timeout(start_h)
        yield from self._close(length_h)

    def _storms(self, share: Callable[[int], float], storm_days: Dist) -> Generator:
        env = self.env
        while True:
            s = share(month_of(env.now))
            to_boundary = _hours_to_month_end(env.now) + 1e-6
            if s <= 0:
                yield env.timeout(to_boundary)
                continue
            mean_open = storm_days.mean * 24.0 * (1.0 - s) / s
            gap = float(self.rng.exponential(mean_open)) if mean_open > 0 else 0.0
            if gap > to_boundary:
                yield env.timeout(to_boundary)
                continue
            yield env.timeout(gap)
            yield from self._close(storm_days.draw(self.rng) * 24.0)

    def wait_open(self) -> Generator:
        """Wait while the port is closed."""
        while not self.open:
            yield self.reopened

    def closed_overlap(self, t0: float, t1: float) -> float:
        """Hours of [t0, t1] the port was closed."""
        return union_hours(self.closures, t0, t1)


class SlotGate:
    """A line, tunnel or yard entry that admits one train per slot: trains/day, tonnes/year or a time window.

    ``occupancy(train)`` gives the hours a train holds the slot (``changes``: another from a later hour on); with a
    window, a train may only enter between ``window[0]`` and ``window[1]`` o'clock."""

    def __init__(
        self,
        env: simpy.Environment,
        facility_id: str,
        kind: str,
        node: str,
        occupancy: Callable[[float, float], float],
        window: tuple[float, float] | None = None,
        capacity_per_day: float = float("nan"),
        changes: Sequence[tuple[float, Callable[[float, float], float]]] = (),
    ) -> None:
        self.env, self.occupancy, self.window = env, occupancy, window
        self.changes = list(changes)  # (hour, occupancy from then on), in time order
        self.next_free = 0.0
        self.monitor = Monitor(env, facility_id, kind, node, 1.0)
        self.capacity_per_day = capacity_per_day

    def _in_window(self, t: float) -> float:
        if self.window is None:
            return t
        start, end = self.window
        hod = t % 24.0
        if start <= hod < end:
            return t
        day = t - hod
        return day + start if hod < start else day + 24.0 + start

    def admit(self, tonnes: float, teu: float, at: float | None = None) -> float:
        """Book the first free slot for a train ready at *at* (default now); return the hours it waits for it."""
        now = self.env.now if at is None else at
        nf = self.next_free
        start = nf if nf > now else now  # max(now, next_free), with the same tie-break
        if self.window is not None:
            start = self._in_window(start)
        while self.changes and start >= self.changes[0][0]:
            self.occupancy = self.changes.pop(0)[1]
        occ = self.occupancy(tonnes, teu)
        self.next_free = start + occ
        m = self.monitor
        wait = start - now
        t = m.env.now  # Monitor._advance, inlined (once per train at each gate)
        dt = t - m.last_t
        if dt:
            m.queue_area += m.queue * dt
            m.busy_area += m.busy * dt
            m.last_t = t
        m.queue_area += wait  # Little's law: the queue's time integral grows by each train's wait
        m.busy_area += occ
        m.served += 1
        m.wait_sum += wait
        if wait > m.wait_max:
            m.wait_max = wait
        if occ > 0:
            q = math.ceil(wait / occ)
            if q > m.queue_max:
                m.queue_max = q
        return wait


class Yard:
    """A gauge-change yard: a number of tracks (trains at once), hours per train and a daily throughput gate.

    First come, first served on identical tracks: a train's track, start and end are known when it arrives,
    so the yard books them at once (a heap of the times each track comes free) and the train waits one timeout.
    """

    def __init__(
        self,
        env: simpy.Environment,
        node: str,
        tracks: int,
        processing: Dist,
        gate: SlotGate | None,
        rng: np.random.Generator,
        *,
        facility_id: str | None = None,
    ) -> None:
        self.env, self.node, self.processing, self.gate, self.rng = env, node, processing, gate, rng
        self.tracks = tracks
        self.free_at = [0.0] * tracks  # heap: when each track comes free
        self.pending: list[float] = []  # heap: start times of trains still waiting
        self.intervals: list[tuple[float, float]] = []  # (start, end) of every gauge change, for checks
        self.monitor = Monitor(env, facility_id or node, "gauge_change", node, float(tracks))
        self.busy_max = 0
        # the hours Dist.draw returns without drawing (fixed, or gamma without spread): no call per train
        drawn = processing.kind == "uniform" or (processing.kind == "gamma" and processing.cv > 0 and processing.low > 0)
        self.fixed_h: float | None = None if drawn else processing.low

    def process(self, tonnes: float, teu: float) -> Generator:
        """Queue for a track, wait for the daily gate, change gauge; returns the hours spent."""
        hours = self.book(tonnes, teu)
        yield self.env.timeout(hours)
        return hours

    def book(self, tonnes: float, teu: float) -> float:
        """Book a track (and the daily gate) for a train arriving now; return the hours until its gauge change ends.

        The caller waits those hours: :meth:`process` as a sub-process, or a train's own loop with one timeout.
        """
        m = self.monitor
        now = self.env.now
        free_at, pending = self.free_at, self.pending
        track_free = heapq.heappop(free_at)
        ready = track_free if track_free > now else now  # max(now, track_free), with the same tie-break
        start = ready + (self.gate.admit(tonnes, teu, at=ready) if self.gate is not None else 0.0)
        end = start + (self.fixed_h if self.fixed_h is not None else self.processing.draw(self.rng))
        heapq.heappush(free_at, end)
        self.intervals.append((start, end))
        in_use = 0
        for f in free_at:
            if f > start:
                in_use += 1
        if in_use > self.busy_max:
            self.busy_max = in_use
        while pending and pending[0] <= now:
            heapq.heappop(pending)
        if start > now:
            heapq.heappush(pending, start)
        wait = start - now
        dt = now - m.last_t  # Monitor._advance, inlined (once per train at each yard)
        if dt:
            m.queue_area += m.queue * dt
            m.busy_area += m.busy * dt
            m.last_t = now
        m.queue_area += wait
        m.busy_area += end - start
        m.served += 1
        m.wait_sum += wait
        if wait > m.wait_max:
            m.wait_max = wait
        if len(pending) > m.queue_max:
            m.queue_max = len(pending)
        return end - now


@dataclass(eq=False)
class Lot:
    """A train's cargo waiting for or aboard vessels: units (TEU or wagons) and the times of its last part."""

    units: int
    done: simpy.Event
    queued_at: float
    to_load: int = 0
    delivered: int = 0
    parts: dict = field(default_factory=dict)  # timings of the vessel that carried the last part


class VesselLine:
    """Ferries, feeders or ships between two ports: fleet, capacity, berths, crossing, departure policy.

    A vessel leaves when full (``leave_when_full``: it gathers cargo at anchor, one vessel of the line at a time,
    and takes a loading berth once full or after ``max_hold_h`` with whatever waits, never empty) or at its
    timetable slot (every ``headway_h``). Storms hold it in port or off the
    destination; berths are shared by every line calling at the port.
    """

    def __init__(
        self,
        env: simpy.Environment,
        line_id: str,
        *,
        origin: Port,
        dest: Port,
        berths_origin: simpy.Resource,
        berths_dest: simpy.Resource,
        capacity: int,
        fleet: int,
        berth: Dist,
        crossing: Dist,
        leave_when_full: bool,
        max_hold_h: float,
        headway_h: float,
        rng: np.random.Generator,
    ) -> None:
        self.env, self.line_id, self.origin, self.dest = env, line_id, origin, dest
        self.berths_origin, self.berths_dest = berths_origin, berths_dest
        self.capacity, self.berth, self.crossing = capacity, berth, crossing
        self.leave_when_full, self.max_hold_h, self.headway_h = leave_when_full, max_hold_h, headway_h
        self.rng = rng
        self.queue: deque[Lot] = deque()
        self.waiting_units = 0
        self.arrival = env.event()
        self.full = env.event()
        self.monitor = Monitor(env, line_id, "vessel_line", origin.node, float(fleet))
        self.sailings: list[tuple[float, int]] = []  # (departure time, units aboard)
        self.last_slot = -math.inf
        self.gathering = simpy.Resource(env, capacity=1)
        cycle = 2 * (berth.mean + crossing.mean)
        for i in range(fleet):
            env.process(self._vessel(i * cycle / fleet if leave_when_full else i * headway_h))

    def ship(self, units: int) -> Generator:
        """Hand *units* of one train to the line and wait until the last of them is unloaded; returns the Lot."""
        lot = Lot(units, self.env.event(), self.env.now, to_load=units)
        self.queue.append(lot)
        self.waiting_units += units
        self.monitor.join(units)
        if not self.arrival.triggered:
            self.arrival.succeed()
        if self.waiting_units >= self.capacity and not self.full.triggered:
            self.full.succeed()
        yield lot.done
        return lot

    def _wait_for_slot(self) -> Generator:
        """Timetabled lines: wait (at anchor, off the berth) for the line's next slot no other vessel took."""
        env = self.env
        slot = max(math.ceil(env.now / self.headway_h - 1e-9) * self.headway_h, self.last_slot + self.headway_h)
        self.last_slot = slot
        if slot > env.now:
            yield env.timeout(slot - env.now)

    def _wait_until_full(self) -> Generator:
        """Lines that leave when full: wait at the berth for cargo, then until full or the longest hold."""
        env = self.env
        while self.waiting_units == 0:
            yield self._next_arrival()
        deadline = env.now + self.max_hold_h
        timer = None
        while self.waiting_units < self.capacity and env.now < deadline:
            timer = timer or env.timeout(deadline - env.now)
            yield self._next_full() | timer

    def _next_full(self) -> simpy.Event:
        """The event triggered once a full load is waiting (shared by every vessel waiting for cargo)."""
        if self.full.triggered:
            self.full = self.env.event()
        return self.full

    def _next_arrival(self) -> simpy.Event:
        """The event the next handed-over train triggers (shared by every vessel waiting for cargo)."""
        if self.arrival.triggered:
            self.arrival = self.env.event()
        return self.arrival

    def _load(self) -> list[tuple[Lot, int]]:
        free, aboard = self.capacity, []
        while self.queue and free > 0:
            lot = self.queue[0]
            n = min(free, lot.to_load)
            lot.to_load -= n
            free -= n
            aboard.append((lot, n))
            self.monitor.leave(self.env.now - lot.queued_at, n)
            if lot.to_load == 0:
                self.queue.popleft()
        self.waiting_units -= self.capacity - free
        return aboard

    def _vessel(self, offset_h: float) -> Generator:
        env, rng, m = self.env, self.rng, self.monitor
        if offset_h:
            yield env.timeout(offset_h)
        while True:
            if self.leave_when_full:
                # one vessel of the line gathers cargo at a time, at anchor: it takes a berth (shared with the
                # port's other lines) only once it has a load, so a ferry waiting for wagons blocks no berth
                turn = self.gathering.request()
                yield turn
                yield from self._wait_until_full()
            else:
                turn = None
                yield from self._wait_for_slot()
            yield from self.origin.wait_open()
            with self.berths_origin.request() as req:
                yield req
                load_start = env.now
                aboard = self._load()
                if turn is not None:
                    self.gathering.release(turn)
                units = sum(n for _, n in aboard)
                self.sailings.append((env.now, units))
                m.units += units
                m.set_busy(1)
                berth_o = self.berth.draw(rng)
                yield env.timeout(berth_o)
            t_ready = env.now
            yield from self.origin.wait_open()
            hold_o = env.now - t_ready
            sail = self.crossing.draw(rng)
            yield env.timeout(sail)
            t_off = env.now
            yield from self.dest.wait_open()
            hold_d = env.now - t_off
            t_b = env.now
            with self.berths_dest.request() as req:
                yield req
                yield env.timeout(self.berth.draw(rng))
            timings = {
                "load_start": load_start,
                "berth_h": berth_o + env.now - t_b,
                "weather_h": hold_o + hold_d,
                "crossing_h": sail,
            }
            for lot, n in aboard:
                lot.delivered += n
                if lot.delivered == lot.units:
                    lot.parts = timings
                    lot.done.succeed()
            m.set_busy(-1)
            yield env.timeout(self.crossing.draw(rng))  # return voyage
