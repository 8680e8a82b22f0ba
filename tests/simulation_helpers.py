"""Helpers for the simulation's process-level tests (import them; never import from a conftest)."""

from __future__ import annotations

import numpy as np
import simpy

from corridor.simulation.facilities import SlotGate, Yard
from corridor.simulation.params import Dist

__all__ = ["yard_starts"]


def yard_starts(env: simpy.Environment, gate: SlotGate, tracks: int, processing_h: float, trains: int) -> list[float]:
    """Hours at which *trains* trains, all ready at hour 0, start their gauge change in a yard of *tracks* tracks
    behind *gate* (the run goes to hour 100)."""
    yard = Yard(env, gate.monitor.facility_id, tracks, Dist("fixed", processing_h), gate, np.random.default_rng(0))

    def train():
        yield from yard.process(1000.0, 100.0)

    for _ in range(trains):
        env.process(train())
    env.run(until=100)
    return sorted(a for a, _ in yard.intervals)
