"""Run replications of a plan: in this process, or through a mapper that runs them elsewhere; same seed, same numbers.

Where replications run (local processes, Ray) is decided one layer up, in :mod:`corridor.scenarios.simulation`,
which passes :func:`corridor.scenarios.executors.run_tasks` as the mapper.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.model import Network
from corridor.simulation.engine import Replication, run_replication
from corridor.simulation.plan import Plan, TrafficRoute, build_plan
from corridor.simulation.result import SimulationResult, collect

__all__ = ["Mapper", "run_plan", "simulate"]

#: ``mapper(fn, shared, items, progress)`` returns ``[fn(*shared, item) for item in items]`` in item order.
Mapper = Callable[[Callable[..., Any], tuple, Sequence[Any], Callable[[int], None] | None], list]


def _in_process(fn: Callable[..., Any], shared: tuple, items: Sequence[Any], progress: Callable[[int], None] | None) -> list:
    out = []
    for i, item in enumerate(items):
        out.append(fn(*shared, item))
        if progress:
            progress(i)
    return out


def run_plan(
    plan: Plan,
    *,
    replications: int = 30,
    seed: int = 7,
    mapper: Mapper | None = None,
    executor: str = "local",
    progress: Callable[[int], None] | None = None,
    scenario: str = "",
) -> SimulationResult:
    """Run *replications* of *plan* in this process, or through *mapper* (named *executor* in the result)."""
    if not isinstance(replications, int) or replications < 1:
        raise DataError(Problem("simulation", None, "replications", replications, "a whole number, at least 1"))
    run = mapper or _in_process
    reps: list[Replication] = run(run_replication, (plan, seed), list(range(replications)), progress)
    return collect(plan, reps, scenario=scenario, seed=seed, executor=executor if mapper else "local")


def simulate(
    view: Network,
    routes: Sequence[TrafficRoute],
    operations: pd.DataFrame,
    *,
    days: float = 365.0,
    replications: int = 30,
    seed: int = 7,
    mapper: Mapper | None = None,
    executor: str = "local",
    customs: str = "auto",
    overrides: Mapping[str, float] | None = None,
    known_facilities: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
    scenario: str = "",
    trace: bool = False,
) -> SimulationResult:
    """Simulate *days* of traffic on *routes* over the year view *view* with the operating parameters given."""
    plan = build_plan(
        view, routes, operations, days=days, customs=customs, overrides=overrides, known_facilities=known_facilities, trace=trace
    )
    return run_plan(
        plan, replications=replications, seed=seed, mapper=mapper, executor=executor, progress=progress, scenario=scenario
    )
