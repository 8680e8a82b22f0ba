"""Volume-delay functions: cost, derivative, second derivative and integral, per link, compiled with numba.

Two families:

* ``BPR`` (code 0): ``t = t0 (1 + alpha (x/c)^beta)`` — roads and rail lines.
* ``QUEUE`` (code 1): Davidson's queueing form ``t = t0 (1 + J rho / (1 - rho))`` with ``rho = x/c``, extended
  linearly beyond ``rho = mu`` so it stays finite over capacity — ports, ferry lines and border crossings,
  where delay grows sharply as volume nears capacity.

Arrays: ``t0`` free-flow cost, ``cap`` capacity, ``alpha`` (BPR alpha or Davidson J), ``beta`` (BPR power or
the queue's linearisation point mu), ``kind`` (0 or 1), ``fixed`` a flow-independent cost added to every link
(tolls, distance, waiting). Links with capacity 0 and ``alpha`` 0 have constant cost.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["BPR", "QUEUE", "line_search", "over_capacity_cost", "vdf_cost", "vdf_derivative", "vdf_integral", "vdf_second"]

BPR = 0
QUEUE = 1


@njit(cache=True, inline="always")
def _cost1(x, t0, cap, a, b, kind):
    if a == 0.0 or cap <= 0.0:
        return t0
    rho = x / cap
    if kind == BPR:
        if rho <= 0.0:
            return t0
        return t0 * (1.0 + a * rho**b)
    mu = b
    if rho < mu:
        return t0 * (1.0 + a * rho / (1.0 - rho))
    return t0 * (1.0 + a * (mu / (1.0 - mu) + (rho - mu) / ((1.0 - mu) * (1.0 - mu))))


@njit(cache=True, inline="always")
def _der1(x, t0, cap, a, b, kind):
    if a == 0.0 or cap <= 0.0:
        return 0.0
    rho = x / cap
    if kind == BPR:
        if rho <= 0.0:
            return 0.0 if b > 1.0 else (t0 * a / cap if b == 1.0 else 0.0)
        return t0 * a * b * rho ** (b - 1.0) / cap
    mu = b
    if rho < mu:
        return t0 * a / (cap * (1.0 - rho) * (1.0 - rho))
    return t0 * a / (cap * (1.0 - mu) * (1.0 - mu))


@njit(cache=True, inline="always")
def _sec1(x, t0, cap, a, b, kind):
    if a == 0.0 or cap <= 0.0:
        return 0.0
    rho = x / cap
    if kind == BPR:
        if rho <= 0.0 or b <= 1.0:
            return 0.0
        return t0 * a * b * (b - 1.0) * rho ** (b - 2.0) / (cap * cap)
    mu = b
    if rho < mu:
        return 2.0 * t0 * a / (cap * cap * (1.0 - rho) ** 3)
    return 0.0


@njit(cache=True, inline="always")
def _int1(x, t0, cap, a, b, kind):
    if a == 0.0 or cap <= 0.0:
        return t0 * x
    if kind == BPR:
        if x <= 0.0:
            return 0.0
        return t0 * (x + a * cap / (b + 1.0) * (x / cap) ** (b + 1.0))
    mu = b
    xm = mu * cap
    if x < xm:
        return t0 * (x + a * (-x - cap * math.log(1.0 - x / cap)))
    base = t0 * (xm + a * (-xm - cap * math.log(1.0 - mu)))
    # linear part: t0 (1 + a (mu/(1-mu) + (rho-mu)/(1-mu)^2)) integrated from xm to x
    k0 = 1.0 + a * mu / (1.0 - mu)
    k1 = a / ((1.0 - mu) * (1.0 - mu) * cap)
    dx = x - xm
    return base + t0 * (k0 * dx + 0.5 * k1 * dx * dx)


@njit(cache=True)
def vdf_cost(x, t0, cap, a, b, kind, fixed, out):
    """Link costs at flows *x* into *out*."""
    for i in range(x.shape[0]):
        out[i] = _cost1(x[i], t0[i], cap[i], a[i], b[i], kind[i]) + fixed[i]
    return out


@njit(cache=True)
def vdf_derivative(x, t0, cap, a, b, kind, out):
    """d cost / d flow at *x* into *out*."""
    for i in range(x.shape[0]):
        out[i] = _der1(x[i], t0[i], cap[i], a[i], b[i], kind[i])
    return out


@njit(cache=True)
def vdf_second(x, t0, cap, a, b, kind, out):
    """Second derivative of cost at *x* into *out* (used by system-optimum marginal costs)."""
    for i in range(x.shape[0]):
        out[i] = _sec1(x[i], t0[i], cap[i], a[i], b[i], kind[i])
    return out


@njit(cache=True)
def vdf_integral(x, t0, cap, a, b, kind, fixed):
    """Beckmann objective: sum over links of the integral of cost from 0 to *x* (fixed costs times flow)."""
    total = 0.0
    for i in range(x.shape[0]):
        total += _int1(x[i], t0[i], cap[i], a[i], b[i], kind[i]) + fixed[i] * x[i]
    return total


@njit(cache=True)
def line_search(x, d, t0, cap, a, b, kind, fixed, over, system_optimum, max_step):
    """Step tau in [0, max_step] minimising the objective along x + tau d (bisection on the directional derivative);
    *over* adds ``over * (x/cap - 1)`` beyond capacity (:func:`over_capacity_cost`)."""
    lo, hi = 0.0, max_step

    def slope(tau):
        s = 0.0
        for i in range(x.shape[0]):
            if d[i] == 0.0:
                continue
            y = x[i] + tau * d[i]
            c = _cost1(y, t0[i], cap[i], a[i], b[i], kind[i]) + fixed[i]
            if system_optimum:
                c += y * _der1(y, t0[i], cap[i], a[i], b[i], kind[i])
            if over[i] > 0.0 and cap[i] > 0.0 and y > cap[i]:
                c += over[i] * (y / cap[i] - 1.0)
                if system_optimum:
                    c += y * over[i] / cap[i]
            s += c * d[i]
        return s

    if slope(hi) <= 0.0:
        return hi
    if slope(lo) >= 0.0:
        return 0.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0.0:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)


def over_capacity_cost(x: np.ndarray, cap: np.ndarray, over: np.ndarray) -> tuple[np.ndarray | float, np.ndarray | float, float]:
    """An extra cost ``over * (x/cap - 1)`` beyond capacity (0 below it), as a queue that lasts the whole period adds:
    (cost per link, its derivative per link, its integral summed over links); scalar zeros when *over* is all 0."""
    if not over.any():
        return 0.0, 0.0, 0.0
    excess = np.where((over > 0) & (cap > 0), np.maximum(np.divide(x, cap, out=np.zeros_like(x), where=cap > 0) - 1.0, 0.0), 0.0)
    der = np.where(excess > 0, np.divide(over, cap, out=np.zeros_like(x), where=cap > 0), 0.0)
    return over * excess, der, float(np.sum(over * cap * excess * excess / 2.0))
