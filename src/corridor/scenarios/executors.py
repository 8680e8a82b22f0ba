"""Where independent tasks run: in this process, on local worker processes, or on Ray (local or a cluster).

Every executor maps one pure function over a list of items with the same shared arguments and returns the results
in item order, so the executor never changes the numbers.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from enum import StrEnum
from typing import Any, TypeVar

__all__ = ["Executor", "run_tasks"]

R = TypeVar("R")


class Executor(StrEnum):
    """Where a sweep's samples run."""

    LOCAL = "local"  # one after another in this process
    PROCESSES = "processes"  # local worker processes
    RAY = "ray"  # Ray tasks: a local Ray instance, or the cluster at the ``ray_address`` setting


def _call(args: tuple) -> Any:
    fn, shared, item = args
    return fn(*shared, item)


def _context(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """Spawn, not fork: numba's OpenMP threads cannot survive a fork. With *preload*, a fork server that has imported
    those modules once, so each worker starts in milliseconds (where the platform has one)."""
    if preload and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")


def _on_processes(
    fn: Callable[..., R], shared: tuple, items: Sequence[Any], workers: int, progress, preload: Sequence[str] = ()
) -> list[R]:
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context(preload)) as pool:
        out = []
        for i, result in enumerate(pool.map(_call, [(fn, shared, item) for item in items])):
            out.append(result)
            if progress:
                progress(i)
        return out


def _on_ray(fn: Callable[..., R], shared: tuple, items: Sequence[Any], workers: int, address: str, progress) -> list[R]:
    import ray

    started = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:  # "local": a fresh instance, never a cluster found through the environment
            ray.init(address="local", num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
        started = True
    try:
        task = ray.remote(fn)
        refs = [ray.put(x) for x in shared]
        futures = [task.remote(*refs, item) for item in items]
        out = []
        for i, f in enumerate(futures):
            out.append(ray.get(f))
            if progress:
                progress(i)
        return out
    finally:
        if started:
            ray.shutdown()


def run_tasks(
    fn: Callable[..., R],
    shared: tuple,
    items: Sequence[Any],
    *,
    executor: Executor,
    workers: int = 2,
    ray_address: str = "",
    progress: Callable[[int], None] | None = None,
    preload: Sequence[str] = (),
) -> list[R]:
    """``[fn(*shared, item) for item in items]`` on *executor*; *progress* gets each finished item's position.

    *preload* names modules local worker processes import once in a fork server before starting (e.g. an engine).
    """
    if executor == Executor.RAY:
        return _on_ray(fn, shared, items, workers, ray_address, progress)
    if executor == Executor.PROCESSES:
        return _on_processes(fn, shared, items, workers, progress, preload)
    out = []
    for i, item in enumerate(items):
        out.append(fn(*shared, item))
        if progress:
            progress(i)
    return out
