"""OD-matrix estimation from counts: Spiess' gradient method with a penalty keeping the matrix near its prior.

For fixed route proportions ``P`` (sites x OD cells: the share of each cell's flow passing each site) the
modelled count of site *s* is ``P[s] @ g + offset[s]`` (offsets: volumes the matrix does not control, such as
energy flows at a port). :func:`spiess_odme` minimises

    Z(g) = 1/2 sum_s w_s (P[s] @ g + offset_s - observed_s)^2 + mu/2 sum_i (g_i - prior_i)^2 / prior_i

by Spiess' (1990) multiplicative gradient steps ``g_i <- g_i (1 - lambda dZ/dg_i)``, which keep cells
non-negative and zero cells at zero, with the exact step length of the quadratic along the direction, capped
so that no cell turns negative. Weights ``w_s = 1 / observed_s`` make the fit relative (a chi-square), so a
32 Mt border crossing does not drown a 0.5 Mt feeder line. :func:`estimate_od` wraps it in the bi-level loop:
assign the current matrix, read the route proportions, estimate, repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from corridor.errors import DataError, Problem

__all__ = ["OdmeResult", "estimate_od", "spiess_odme"]


@dataclass
class OdmeResult:
    """Estimated matrix (flattened OD cells), modelled counts and the objective per iteration."""

    demand: np.ndarray
    modelled: np.ndarray
    objective: list[float] = field(default_factory=list)
    proportions: np.ndarray | None = None
    outer_iterations: int = 0


def _check(prior: np.ndarray, proportions: np.ndarray, observed: np.ndarray, offsets: np.ndarray) -> None:
    problems = []
    if prior.ndim != 1:
        problems.append(Problem("(odme)", None, "prior", prior.shape, "a vector of OD cells"))
    elif proportions.shape != (len(observed), len(prior)):
        problems.append(Problem("(odme)", None, "proportions", proportions.shape, f"a {len(observed)}x{len(prior)} matrix"))
    for name, arr in (("prior", prior), ("observed", observed), ("offsets", offsets)):
        bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
        if len(bad):
            problems.append(Problem("(odme)", None, f"{name}[{int(bad[0])}]", float(arr[bad[0]]), "a finite value >= 0"))
    if problems:
        raise DataError(problems)


def _objective(g, prior, P, observed, offsets, w, mu, has_prior) -> float:
    r = P @ g + offsets - observed
    pen = np.where(has_prior, (g - prior) ** 2 / np.where(has_prior, prior, 1.0), 0.0)
    return float(0.5 * np.sum(w * r * r) + 0.5 * mu * np.sum(pen))


def spiess_odme(
    prior: np.ndarray,
    proportions: np.ndarray,
    observed: np.ndarray,
    *,
    offsets: np.ndarray | None = None,
    start: np.ndarray | None = None,
    prior_weight: float = 0.05,
    max_iter: int = 500,
    tol: float = 1e-10,
) -> OdmeResult:
    """Estimate OD cells from *observed* counts with fixed *proportions* (sites x cells), starting at *start*."""
    prior = np.asarray(prior, dtype=float)
    P = np.asarray(proportions, dtype=float)
    obs = np.asarray(observed, dtype=float)
    off = np.zeros(len(obs)) if offsets is None else np.asarray(offsets, dtype=float)
    _check(prior, P, obs, off)
    g = (prior if start is None else np.asarray(start, dtype=float)).copy()
    w = 1.0 / np.maximum(obs, 1e-9 * max(1.0, float(obs.max(initial=0.0))))
    w = np.where(obs > 0, w, 0.0) if len(obs) else w
    has_prior = prior > 0
    inv_prior = np.where(has_prior, 1.0 / np.where(has_prior, prior, 1.0), 0.0)
    mu = float(prior_weight)
    log = [_objective(g, prior, P, obs, off, w, mu, has_prior)]
    for _ in range(max_iter):
        r = P @ g + off - obs
        grad = P.T @ (w * r) + mu * (g - prior) * inv_prior
        d = -g * grad
        if not np.any(d):
            break
        Pd = P @ d
        a = float(np.sum(w * Pd * Pd) + mu * np.sum(d * d * inv_prior))
        b = float(np.sum(w * r * Pd) + mu * np.sum((g - prior) * d * inv_prior))
        if a <= 0:
            break
        step = -b / a
        pos = grad > 0
        if np.any(pos):
            step = min(step, 1.0 / float(grad[pos].max()))
        if step <= 0:
            break
        g = np.maximum(g + step * d, 0.0)
        log.append(_objective(g, prior, P, obs, off, w, mu, has_prior))
        if log[-2] - log[-1] <= tol * max(1.0, log[0]):
            break
    return OdmeResult(demand=g, modelled=P @ g + off, objective=log, proportions=P)


def estimate_od(
    prior: np.ndarray,
    observed: np.ndarray,
    proportions_of: Callable[[np.ndarray], np.ndarray],
    *,
    offsets: np.ndarray | None = None,
    prior_weight: float = 0.05,
    outer: int = 3,
    max_iter: int = 500,
) -> OdmeResult:
    """Bi-level estimation: *proportions_of(g)* assigns matrix *g* and returns its route proportions."""
    g = np.asarray(prior, dtype=float).copy()
    objective: list[float] = []
    result = None
    done = 0
    for k in range(1, outer + 1):
        done = k
        P = proportions_of(g)
        result = spiess_odme(prior, P, observed, offsets=offsets, start=g, prior_weight=prior_weight, max_iter=max_iter)
        objective += result.objective
        change = float(np.abs(result.demand - g).sum() / max(g.sum(), 1e-12))
        g = result.demand
        if change < 1e-4:
            break
    assert result is not None
    P = proportions_of(g)
    off = np.zeros(len(observed)) if offsets is None else np.asarray(offsets, dtype=float)
    return OdmeResult(demand=g, modelled=P @ g + off, objective=objective, proportions=P, outer_iterations=done)
