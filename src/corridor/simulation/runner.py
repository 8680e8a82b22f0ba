"""Run replications of a plan on this process, on local worker processes or on Ray; same seed, same numbers."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from corridor import settings
from corridor.errors import DataError, Problem
from corridor.model import Network
from corridor.simulation.engine import Replication, run_replication
from corridor.simulation.plan import Plan, TrafficRoute, build_plan
from corridor.simulation.result import SimulationResult, collect

__all__ = ["run_plan", "simulate"]


def _one(args: tuple[Plan, int, int]) -> Replication:
    return run_replication(*args)


def run_plan(
    plan: Plan,
    *,
    replications: int = 30,
    seed: int = 7,
    use_ray: bool | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    scenario: str = "",
) -> SimulationResult:
    """Run *replications* of *plan*: in this process (workers=1), on local processes, or on Ray."""
    if replications < 1:
        raise DataError(Problem("simulation", None, "replications", replications, "at least 1"))
    if workers < 1:
        raise DataError(Problem("simulation", None, "workers", workers, "at least 1"))
    ray_wanted = bool(_ray_address()) if use_ray is None else use_ray
    jobs = [(plan, seed, i) for i in range(replications)]
    if ray_wanted:
        reps, executor = _run_ray(jobs, workers, progress), "ray"
    elif workers == 1:
        reps = []
        for job in jobs:
            reps.append(_one(job))
            if progress:
                progress(job[2])
        executor = "local"
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            reps = []
            for i, rep in enumerate(pool.map(_one, jobs, chunksize=max(1, len(jobs) // (4 * workers)))):
                reps.append(rep)
                if progress:
                    progress(i)
        executor = "processes"
    return collect(plan, reps, scenario=scenario, seed=seed, executor=executor)


def _context() -> multiprocessing.context.BaseContext:
    """A fork server that has imported the engine once (workers start in milliseconds); spawn where there is none.

    Not plain fork: numba's threads, started by other engines in this process, cannot survive a fork.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["corridor.simulation.engine"])
        return ctx
    return multiprocessing.get_context("spawn")


def _ray_address() -> str | None:
    return settings.get("ray_address") or None


def _run_ray(jobs: list[tuple], workers: int, progress: Callable[[int], None] | None) -> list[Replication]:
    import ray

    started = False
    if not ray.is_initialized():
        address = _ray_address()
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
        started = True
    try:
        task = ray.remote(run_replication)
        plan_ref = ray.put(jobs[0][0])
        futures = [task.remote(plan_ref, seed, i) for _, seed, i in jobs]
        reps = []
        for i, f in enumerate(futures):
            reps.append(ray.get(f))
            if progress:
                progress(i)
        return reps
    finally:
        if started:
            ray.shutdown()


def simulate(
    view: Network,
    routes: Sequence[TrafficRoute],
    operations: pd.DataFrame,
    *,
    days: float = 365.0,
    replications: int = 30,
    seed: int = 7,
    use_ray: bool | None = None,
    workers: int = 1,
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
        plan, replications=replications, seed=seed, use_ray=use_ray, workers=workers, progress=progress, scenario=scenario
    )
