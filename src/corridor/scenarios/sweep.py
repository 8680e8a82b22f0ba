"""Scenario sweeps: a grid or a Monte Carlo sample of scenario parameters, run on any :class:`Executor`.

Parameters: a demand multiplier, a delay in years for the scenario's project overrides, and the probability
that each of the scenario's disruptions happens. Samples are drawn up front from one seeded generator and
evaluated as pure functions, so the same seed gives the same numbers in this process, on local processes and on Ray.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from corridor import settings
from corridor.errors import DataError, Problem
from corridor.model import Network
from corridor.model.scenario import Scenario
from corridor.scenarios.executors import Executor, run_tasks
from corridor.scenarios.run import run_year
from corridor.units import per_year

__all__ = ["SweepResult", "SweepSpec", "evaluate", "run_sweep", "sample_parameters"]


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
        """Raise :class:`DataError` naming every bad field."""
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
    """Metrics of one sample, per year; each metric's name carries the unit of its values: ``share_fraction`` by
    corridor, ``vc_ratio`` by bottleneck, ``stranded_<unit>_per_year`` of energy, ``unmet_t_per_year`` of freight."""
    sc = _apply(scenario, params)
    rows = []
    for y in years:
        r = run_year(net, sc, y)
        base = {"sample": params["sample"], "year": y}
        for _, s in r.shares.iterrows():
            rows.append({**base, "metric": "share_fraction", "item": s["corridor"], "value": float(s["share_fraction"])})
        for _, b in r.bottlenecks.iterrows():
            rows.append({**base, "metric": "vc_ratio", "item": b["id"], "value": float(b["vc_ratio"])})
        if r.energy is not None:
            stranded = per_year("stranded", r.energy.unit)
            rows.append({**base, "metric": stranded, "item": r.energy.cargo.value, "value": r.energy.stranded_total})
        rows.append({**base, "metric": "unmet_t_per_year", "item": "freight", "value": r.unmet_t})
    return rows


@dataclass
class SweepResult:
    """Every sample's metrics and their percentile summary."""

    parameters: pd.DataFrame
    samples: pd.DataFrame  # sample, year, metric, item, value
    executor: Executor

    def summary(self, percentiles: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Percentiles of each metric across samples (rows: metric, item, year)."""
        grp = self.samples.groupby(["metric", "item", "year"])["value"]
        out = pd.DataFrame({f"p{int(p)}": grp.quantile(p / 100.0) for p in percentiles})
        out["mean"] = grp.mean()
        out["samples"] = grp.count()
        return out.reset_index()


def _executor(use_ray: bool | None, workers: int, ray_address: str) -> Executor:
    """Ray when asked, or when not told and a Ray address is configured; else processes (one worker: this process)."""
    if use_ray or (use_ray is None and ray_address):
        return Executor.RAY
    return Executor.PROCESSES if workers > 1 else Executor.LOCAL


def run_sweep(
    net: Network,
    scenario: Scenario,
    spec: SweepSpec,
    *,
    use_ray: bool | None = None,
    workers: int = 2,
    executor: Executor | str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Run every sample of *spec* on *executor*.

    Without an explicit *executor*: on Ray when *use_ray*, or when *use_ray* is None and the ``ray_address``
    setting (``CORRIDOR_RAY_ADDRESS``) names a cluster; otherwise on *workers* local processes.
    """
    scenario.validate(net, list(spec.years))
    params = sample_parameters(spec, len(scenario.disruptions))
    address = str(settings.get("ray_address"))
    chosen = Executor(executor) if executor is not None else _executor(use_ray, workers, address)
    years = list(spec.years)
    results = run_tasks(
        evaluate, (net, scenario, years), params, executor=chosen, workers=workers, ray_address=address, progress=progress
    )
    frame = pd.DataFrame([row for rows in results for row in rows], columns=["sample", "year", "metric", "item", "value"])
    par = pd.DataFrame([{**p, "disruptions": ";".join(str(int(x)) for x in p["disruptions"])} for p in params])
    return SweepResult(par, frame.sort_values(["sample", "year", "metric", "item"], ignore_index=True), chosen)
