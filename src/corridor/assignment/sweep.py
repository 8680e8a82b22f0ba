"""Scenario sweeps: a grid or a Monte Carlo sample of scenario parameters, run on local processes or Ray.

Parameters: a demand multiplier, a delay in years for the scenario's project overrides, and the probability
that each of the scenario's disruptions happens. Samples are drawn up front from one seeded generator and
evaluated as pure functions, so the same seed gives the same numbers on local processes and on Ray.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from corridor.assignment.scenarios import run_year
from corridor.errors import DataError, Problem
from corridor.model import Network
from corridor.model.scenario import Scenario

__all__ = ["SweepResult", "SweepSpec", "run_sweep", "sample_parameters"]


@dataclass(frozen=True)
class SweepSpec:
    """What to vary and how many samples to draw."""

    years: tuple[int, ...]
    samples: int = 20
    seed: int = 0
    demand_scale: tuple[float, float] = (1.0, 1.0)
    delay_years: tuple[int, int] = (0, 0)
    disruption_probability: float = 1.0
    grid: bool = False  # grid: every combination of the range ends (and midpoint) instead of random draws

    def check(self) -> None:
        problems = []
        if self.samples < 1:
            problems.append(Problem("(sweep)", None, "samples", self.samples, "at least 1"))
        lo, hi = self.demand_scale
        if not 0 <= lo <= hi:
            problems.append(Problem("(sweep)", None, "demand_scale", f"{lo}:{hi}", "0 <= low <= high"))
        a, b = self.delay_years
        if not 0 <= a <= b:
            problems.append(Problem("(sweep)", None, "delay_years", f"{a}:{b}", "0 <= low <= high whole years"))
        if not 0 <= self.disruption_probability <= 1:
            problems.append(Problem("(sweep)", None, "disruption_probability", self.disruption_probability, "0..1"))
        if not self.years:
            problems.append(Problem("(sweep)", None, "years", "", "at least one year"))
        if problems:
            raise DataError(problems)


def sample_parameters(spec: SweepSpec, n_disruptions: int) -> list[dict]:
    """The parameter sets of a sweep, in sample order (deterministic for a seed)."""
    spec.check()
    if spec.grid:
        scales = sorted({spec.demand_scale[0], (spec.demand_scale[0] + spec.demand_scale[1]) / 2, spec.demand_scale[1]})
        delays = sorted(set(range(spec.delay_years[0], spec.delay_years[1] + 1)))
        combos = list(itertools.product(scales, delays, itertools.product([True, False], repeat=n_disruptions)))
        return [
            {"sample": i, "demand_scale": s, "delay_years": d, "disruptions": list(on)} for i, (s, d, on) in enumerate(combos)
        ]
    rng = np.random.default_rng(spec.seed)
    out = []
    for i in range(spec.samples):
        s = float(rng.uniform(*spec.demand_scale))
        d = int(rng.integers(spec.delay_years[0], spec.delay_years[1] + 1))
        on = [bool(x) for x in rng.random(n_disruptions) < spec.disruption_probability]
        out.append({"sample": i, "demand_scale": s, "delay_years": d, "disruptions": on})
    return out


def _apply(scenario: Scenario, params: dict) -> Scenario:
    demand = tuple(
        replace(d, t_per_year={y: v * params["demand_scale"] for y, v in d.t_per_year.items()}) for d in scenario.demand
    )
    overrides = tuple(replace(o, from_year=o.from_year + params["delay_years"]) for o in scenario.overrides)
    disruptions = tuple(x for x, on in zip(scenario.disruptions, params["disruptions"], strict=True) if on)
    return replace(scenario, demand=demand, overrides=overrides, disruptions=disruptions)


def evaluate(net: Network, scenario: Scenario, years: Sequence[int], params: dict) -> list[dict]:
    """Metrics of one sample: corridor shares, worst v/c per bottleneck, stranded energy, per year."""
    sc = _apply(scenario, params)
    rows = []
    for y in years:
        r = run_year(net, sc, y)
        base = {"sample": params["sample"], "year": y}
        for _, s in r.shares.iterrows():
            rows.append({**base, "metric": "share", "item": s["corridor"], "value": float(s["share"])})
        for _, b in r.bottlenecks.iterrows():
            rows.append({**base, "metric": "vc", "item": b["id"], "value": float(b["vc"])})
        if r.energy is not None:
            rows.append({**base, "metric": "stranded", "item": r.energy.cargo.value, "value": r.energy.stranded_total})
        rows.append({**base, "metric": "unmet_t", "item": "freight", "value": r.unmet_t})
    return rows


def _evaluate_star(args: tuple) -> list[dict]:
    return evaluate(*args)


@dataclass
class SweepResult:
    """Every sample's metrics and their percentile summary."""

    parameters: pd.DataFrame
    samples: pd.DataFrame  # sample, year, metric, item, value
    executor: str

    def summary(self, percentiles: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Percentiles of each metric across samples (rows: metric, item, year)."""
        grp = self.samples.groupby(["metric", "item", "year"])["value"]
        out = pd.DataFrame({f"p{int(p)}": grp.quantile(p / 100.0) for p in percentiles})
        out["mean"] = grp.mean()
        out["samples"] = grp.count()
        return out.reset_index()


def run_sweep(
    net: Network,
    scenario: Scenario,
    spec: SweepSpec,
    *,
    use_ray: bool | None = None,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Run every sample of *spec*; on Ray when *use_ray* (or ``RAY_ADDRESS`` is set), else on local processes."""
    scenario.validate(net)
    params = sample_parameters(spec, len(scenario.disruptions))
    ray_wanted = bool(os.environ.get("RAY_ADDRESS")) if use_ray is None else use_ray
    years = list(spec.years)
    if ray_wanted:
        results = _run_ray(net, scenario, years, params, workers, progress)
        executor = "ray"
    elif workers <= 1:
        results = []
        for p in params:
            results.append(evaluate(net, scenario, years, p))
            if progress:
                progress(p["sample"])
        executor = "local"
    else:
        # spawn, not fork: numba's OpenMP threads cannot survive a fork
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = []
            for i, rows in enumerate(pool.map(_evaluate_star, [(net, scenario, years, p) for p in params])):
                results.append(rows)
                if progress:
                    progress(i)
        executor = "processes"
    frame = pd.DataFrame([row for rows in results for row in rows], columns=["sample", "year", "metric", "item", "value"])
    par = pd.DataFrame([{**p, "disruptions": ";".join(str(int(x)) for x in p["disruptions"])} for p in params])
    return SweepResult(par, frame.sort_values(["sample", "year", "metric", "item"], ignore_index=True), executor)


def _run_ray(net, scenario, years, params, workers, progress) -> list[list[dict]]:
    import ray

    started = False
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
        started = True
    try:
        task = ray.remote(evaluate)
        net_ref, sc_ref = ray.put(net), ray.put(scenario)
        futures = [task.remote(net_ref, sc_ref, years, p) for p in params]
        results = []
        for i, f in enumerate(futures):
            results.append(ray.get(f))
            if progress:
                progress(i)
        return results
    finally:
        if started:
            ray.shutdown()
