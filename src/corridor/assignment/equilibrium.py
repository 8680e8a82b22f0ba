"""Static traffic assignment on plain arrays: user equilibrium and system optimum, multi-class,
Frank-Wolfe, conjugate (CFW) and bi-conjugate (BFW) Frank-Wolfe, with the relative gap per iteration.

Build -> solve -> results: :func:`assign` takes link arrays and demand matrices and returns an
:class:`AssignmentResult` with link flows (total and per class), costs, the convergence log and, when asked,
the route shares per origin-destination pair. It never reads files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numba
import numpy as np
import pandas as pd

from corridor.assignment._aon import aon_load, shortest_trees
from corridor.assignment.vdf import line_search, vdf_cost, vdf_derivative, vdf_integral, vdf_second
from corridor.assignment.vdf import over_capacity_cost as _over
from corridor.errors import DataError, NotConvergedError, Problem

__all__ = ["ALGORITHMS", "AssignmentClass", "AssignmentResult", "assign"]

ALGORITHMS = ("fw", "cfw", "bfw")
_MAX_TRACKED_PAIRS = 20_000
_MAX_STEP = 1.0 - 1e-6  # a full step would make the conjugate directions degenerate


@dataclass
class AssignmentClass:
    """One demand class: an OD matrix over the zones, its weight in shared capacity and the links it may use."""

    name: str
    demand: np.ndarray
    pce: float = 1.0
    allowed: np.ndarray | None = None  # bool per link (input order); None = all links
    fixed_cost: np.ndarray | None = None  # extra flow-independent cost per link for this class


@dataclass
class AssignmentResult:
    """Flows, costs and the convergence log of one assignment (link arrays in input order)."""

    flows: np.ndarray
    class_flows: dict[str, np.ndarray]
    costs: np.ndarray
    iterations: pd.DataFrame
    converged: bool
    relative_gap: float
    objective: float
    wall_s: float
    algorithm: str
    system_optimum: bool
    unassigned_demand: float
    route_shares: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)

    def link_frame(self) -> pd.DataFrame:
        """One row per link: total flow, cost and flow per class."""
        frame = pd.DataFrame({"flow": self.flows, "cost": self.costs})
        for name, f in self.class_flows.items():
            frame[f"flow_{name}"] = f
        return frame


def _validate(n_nodes: int, tails: np.ndarray, heads: np.ndarray, arrays: dict[str, np.ndarray]) -> list[Problem]:
    out = []
    m = len(tails)
    if len(heads) != m:
        out.append(Problem("(arrays)", None, "heads", len(heads), f"{m} entries like tails"))
    for name, arr in arrays.items():
        if len(arr) != m:
            out.append(Problem("(arrays)", None, name, len(arr), f"{m} entries, one per link"))
        elif not np.all(np.isfinite(arr)) or np.any(arr < 0):
            bad = int(np.flatnonzero(~np.isfinite(arr) | (arr < 0))[0])
            out.append(Problem("(arrays)", None, f"{name}[{bad}]", float(arr[bad]), "a finite number >= 0"))
    if m and (tails.min() < 0 or heads.min() < 0 or max(tails.max(), heads.max()) >= n_nodes):
        out.append(Problem("(arrays)", None, "tails/heads", "out of range", f"node numbers 0..{n_nodes - 1}"))
    return out


@dataclass
class _Problem:
    """An assignment problem in CSR link order: the cost functions, the demand classes and the AON loader."""

    indptr: np.ndarray
    tails: np.ndarray
    heads: np.ndarray
    t0: np.ndarray
    cap: np.ndarray
    a: np.ndarray
    b: np.ndarray
    kind: np.ndarray
    fixed: np.ndarray
    zones: np.ndarray
    cls: list[dict]
    first_thru_node: int
    system_optimum: bool
    over: np.ndarray  # extra cost per unit of volume/capacity beyond capacity (0: none)

    @property
    def m(self) -> int:
        return len(self.tails)

    def costs_at(self, total: np.ndarray) -> np.ndarray:
        """Link costs (marginal costs for a system optimum) at total flows *total*."""
        cost = vdf_cost(total, self.t0, self.cap, self.a, self.b, self.kind, self.fixed, np.empty(self.m))
        over, over_der, _ = _over(total, self.cap, self.over)
        cost = cost + over
        if self.system_optimum:
            der = vdf_derivative(total, self.t0, self.cap, self.a, self.b, self.kind, np.empty(self.m)) + over_der
            cost = cost + total * der
        return cost

    def hessian(self, total: np.ndarray) -> np.ndarray:
        """Diagonal of the objective's Hessian at *total*."""
        der = vdf_derivative(total, self.t0, self.cap, self.a, self.b, self.kind, np.empty(self.m))
        der = der + _over(total, self.cap, self.over)[1]
        if self.system_optimum:
            der = 2.0 * der + total * vdf_second(total, self.t0, self.cap, self.a, self.b, self.kind, np.empty(self.m))
        return der

    def all_or_nothing(self, cost: np.ndarray) -> tuple[list[np.ndarray], float, float]:
        """Per-class AON flows at *cost*, the shortest-path total travel cost and the demand no path serves."""
        ys, sptt, lost = [], 0.0, 0.0
        threads = numba.get_num_threads()
        for c in self.cls:
            y, s, lo = aon_load(
                self.indptr, self.heads, self.tails, cost + c["extra"], self.zones, c["origins"], c["demand"],
                self.first_thru_node, threads,
            )  # fmt: skip
            ys.append(y)
            sptt += s * c["pce"]
            lost += lo
        return ys, sptt, lost

    def total_of(self, per_class: list[np.ndarray]) -> np.ndarray:
        """Total flow in passenger-car (or capacity) equivalents."""
        out = np.zeros(self.m)
        for c, f in zip(self.cls, per_class, strict=True):
            out += c["pce"] * f
        return out

    def objective(self, X: np.ndarray) -> float:
        over_cost, _, over_integral = _over(X, self.cap, self.over)
        if self.system_optimum:  # total cost
            return _objective(X, self.t0, self.cap, self.a, self.b, self.kind, self.fixed, True) + float(np.sum(X * over_cost))
        return _objective(X, self.t0, self.cap, self.a, self.b, self.kind, self.fixed, False) + over_integral


def _check(
    n_nodes: int,
    tails: np.ndarray,
    heads: np.ndarray,
    arrays: dict[str, np.ndarray],
    classes: Sequence[AssignmentClass],
    zones: np.ndarray,
    algorithm: str,
    rgap: float,
) -> None:
    """Raise :class:`DataError` naming every bad array, demand matrix or option."""
    if algorithm not in ALGORITHMS:
        raise DataError(Problem("(assignment)", None, "algorithm", algorithm, f"one of {', '.join(ALGORITHMS)}"))
    problems = _validate(n_nodes, tails, heads, arrays)
    for c in classes:
        d = np.asarray(c.demand, dtype=float)
        if d.shape != (len(zones), len(zones)):
            problems.append(Problem("(demand)", None, c.name, d.shape, f"a {len(zones)}x{len(zones)} matrix"))
        elif not np.all(np.isfinite(d)) or np.any(d < 0):
            i, j = np.argwhere(~np.isfinite(d) | (d < 0))[0]
            problems.append(Problem("(demand)", None, f"{c.name}[{i},{j}]", float(d[i, j]), "a demand >= 0"))
    if problems:
        raise DataError(problems)
    if not (0 < rgap < 1):
        raise DataError(Problem("(assignment)", None, "rgap", rgap, "a relative gap between 0 and 1"))


def _csr_problem(
    n_nodes: int, tails: np.ndarray, heads: np.ndarray, arrays: dict[str, np.ndarray], classes, zones, ftn, system_optimum
) -> tuple[_Problem, np.ndarray]:
    """The problem in CSR order, and the order (CSR position -> input position)."""
    m = len(tails)
    order = np.argsort(tails, kind="stable")
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n_nodes), out=indptr[1:])
    cls = []
    for c in classes:
        d = np.asarray(c.demand, dtype=float)
        origins = np.flatnonzero(d.sum(axis=1) > 0)
        extra = np.zeros(m) if c.fixed_cost is None else np.asarray(c.fixed_cost, dtype=float)[order]
        if c.allowed is not None:
            extra = extra + np.where(np.asarray(c.allowed, dtype=bool)[order], 0.0, np.inf)
        cls.append(
            {"name": c.name, "pce": float(c.pce), "origins": origins, "demand": np.ascontiguousarray(d[origins]), "extra": extra}
        )
    arr = {k: v[order] for k, v in arrays.items()}
    problem = _Problem(
        indptr, tails[order], heads[order], arr["free_flow_cost"], arr["capacity"], arr["alpha"], arr["beta"], arr["kind"],
        arr["fixed_cost"], zones, cls, int(ftn), system_optimum, arr["over_capacity_cost"],
    )  # fmt: skip
    return problem, order


def _direction(
    p: _Problem, algorithm: str, X: np.ndarray, Y: np.ndarray, s1: list | None, s2: list | None, tau_prev: float
) -> tuple[tuple[float, float, float], str]:
    """Weights of (AON, previous, before-previous) directions: bi-conjugate, conjugate, or plain Frank-Wolfe."""
    direction = "fw"
    betas = (1.0, 0.0, 0.0)
    if algorithm not in ("cfw", "bfw") or s1 is None:
        return betas, direction
    H = p.hessian(X)
    S1 = p.total_of(s1)
    aa = S1 - X
    if algorithm == "bfw" and s2 is not None:
        S2 = p.total_of(s2)
        bb = tau_prev * S1 + (1.0 - tau_prev) * S2 - X
        M = np.array([[aa @ (H * (S1 - X)), aa @ (H * (S2 - X))], [bb @ (H * (S1 - X)), bb @ (H * (S2 - X))]])
        rhs = -np.array([aa @ (H * (Y - X)), bb @ (H * (Y - X))])
        try:
            r1, r2 = np.linalg.solve(M, rhs) if abs(np.linalg.det(M)) > 1e-300 else (-1.0, -1.0)
        except np.linalg.LinAlgError:
            r1, r2 = -1.0, -1.0
        if r1 >= 0 and r2 >= 0 and np.isfinite(r1) and np.isfinite(r2):
            beta0 = 1.0 / (1.0 + r1 + r2)
            return (beta0, r1 * beta0, r2 * beta0), "bfw"
    den = aa @ (H * aa)
    if den > 0:
        r1 = -(aa @ (H * (Y - X))) / den
        if r1 > 0 and np.isfinite(r1):
            beta0 = max(1.0 / (1.0 + r1), 1e-5)
            betas = (beta0, 1.0 - beta0, 0.0)
            direction = "cfw"
    return betas, direction


def _combine(betas: tuple[float, float, float], y: list, s1: list | None, s2: list | None) -> list[np.ndarray]:
    """Per-class target flows: the direction weights applied to the AON and previous targets."""
    sbar = []
    for k in range(len(y)):
        s = betas[0] * y[k]
        if betas[1]:
            s = s + betas[1] * s1[k]  # type: ignore[index]
        if betas[2]:
            s = s + betas[2] * s2[k]  # type: ignore[index]
        sbar.append(s)
    return sbar


def _gap(X: np.ndarray, cost: np.ndarray, sptt: float) -> float:
    """Relative gap (TSTT - SPTT) / TSTT; links closed to all (infinite cost) are left out of TSTT."""
    if not np.isinf(cost).any():
        tstt = float(np.dot(X, cost))
    else:
        finite = np.isfinite(cost)
        tstt = float(np.dot(X[finite], cost[finite]))
    return (tstt - sptt) / tstt if tstt > 0 else 0.0


@dataclass
class _Run:
    """Where the iterations ended: per-class flows, the log and the last gap."""

    x: list[np.ndarray]
    log: list[dict]
    gap: float
    converged: bool
    iterations: int
    lost: float


def _iterate(p: _Problem, algorithm: str, rgap: float, max_iter: int, tracker: _RouteTracker | None, callback) -> _Run:
    """Frank-Wolfe iterations (conjugate or bi-conjugate directions) until the gap is below *rgap* or *max_iter*."""
    cost = p.costs_at(np.zeros(p.m))
    x, _, lost = p.all_or_nothing(cost)
    if tracker:
        tracker.start(cost)
    s1: list[np.ndarray] | None = None
    s2: list[np.ndarray] | None = None
    tau_prev, log, gap, it = 0.0, [], np.inf, 0
    for it in range(1, max_iter + 1):
        X = p.total_of(x)
        cost = p.costs_at(X)
        y, sptt, lost = p.all_or_nothing(cost)
        gap = _gap(X, cost, sptt)
        obj = p.objective(X)
        if callback:
            callback(it, gap)
        if gap < rgap:
            log.append({"iteration": it, "relative_gap": gap, "objective": obj, "step": 0.0, "direction": "-"})
            return _Run(x, log, gap, True, it, lost)
        betas, direction = _direction(p, algorithm, X, p.total_of(y), s1, s2, tau_prev)
        sbar = _combine(betas, y, s1, s2)
        tau = line_search(X, p.total_of(sbar) - X, p.t0, p.cap, p.a, p.b, p.kind, p.fixed, p.over, p.system_optimum, _MAX_STEP)
        x = [xk + tau * (sk - xk) for xk, sk in zip(x, sbar, strict=True)]
        if tracker:
            tracker.step(cost, betas, tau)
        log.append({"iteration": it, "relative_gap": gap, "objective": obj, "step": tau, "direction": direction})
        s2, s1, tau_prev = s1, sbar, tau
        if tau >= 1.0 - 1e-12:
            s1 = s2 = None  # a full step makes the previous directions degenerate
    return _Run(x, log, gap, False, it, lost)


def assign(
    n_nodes: int,
    tails: Sequence[int] | np.ndarray,
    heads: Sequence[int] | np.ndarray,
    free_flow_cost: np.ndarray,
    capacity: np.ndarray,
    classes: Sequence[AssignmentClass],
    *,
    alpha: np.ndarray | float = 0.15,
    beta: np.ndarray | float = 4.0,
    vdf_kind: np.ndarray | None = None,
    fixed_cost: np.ndarray | None = None,
    over_capacity_cost: np.ndarray | None = None,
    zone_nodes: np.ndarray | None = None,
    first_thru_node: int = 0,
    algorithm: str = "bfw",
    rgap: float = 1e-4,
    max_iter: int = 1000,
    system_optimum: bool = False,
    track_routes: bool = False,
    raise_if_not_converged: bool = False,
    callback: Callable[[int, float], None] | None = None,
) -> AssignmentResult:
    """Equilibrate *classes* on the network given by link arrays; stop at relative gap *rgap* or *max_iter*.

    Costs: ``free_flow_cost * (1 + alpha (x/c)^beta)`` for BPR links, Davidson's queue form for ``vdf_kind == 1``
    (then ``beta`` is the linearisation point mu), plus ``fixed_cost``, plus ``over_capacity_cost * (x/c - 1)``
    beyond capacity (a queue lasting the whole period). With ``system_optimum`` the AON costs
    are marginal costs. The relative gap is ``(sum x c - sum y c) / sum x c`` with y the all-or-nothing flows.
    """
    t_start = time.perf_counter()
    tails, heads = np.asarray(tails, dtype=np.int64), np.asarray(heads, dtype=np.int64)
    m = len(tails)
    arrays = {
        "free_flow_cost": np.asarray(free_flow_cost, dtype=float),
        "capacity": np.asarray(capacity, dtype=float),
        "alpha": np.broadcast_to(np.asarray(alpha, dtype=float), (m,)).copy(),
        "beta": np.broadcast_to(np.asarray(beta, dtype=float), (m,)).copy(),
        "fixed_cost": np.zeros(m) if fixed_cost is None else np.asarray(fixed_cost, dtype=float),
        "over_capacity_cost": np.zeros(m) if over_capacity_cost is None else np.asarray(over_capacity_cost, dtype=float),
    }
    zones = np.arange(classes[0].demand.shape[0]) if zone_nodes is None else np.asarray(zone_nodes, dtype=np.int64)
    _check(n_nodes, tails, heads, arrays, classes, zones, algorithm, rgap)
    arrays["kind"] = np.zeros(m, dtype=np.int64) if vdf_kind is None else np.asarray(vdf_kind, dtype=np.int64)
    p, order = _csr_problem(n_nodes, tails, heads, arrays, classes, zones, first_thru_node, system_optimum)
    inv = np.empty(m, dtype=np.int64)
    inv[order] = np.arange(m)

    tracker = _RouteTracker(p.indptr, p.heads, p.tails, zones, p.cls, p.first_thru_node) if track_routes else None
    run = _iterate(p, algorithm, rgap, max_iter, tracker, callback)
    X = p.total_of(run.x)
    cost_final = vdf_cost(X, p.t0, p.cap, p.a, p.b, p.kind, p.fixed, np.empty(m)) + _over(X, p.cap, p.over)[0]
    wall = time.perf_counter() - t_start
    if not run.converged and raise_if_not_converged:
        raise NotConvergedError(f"relative gap {run.gap:.3g} after {run.iterations} iterations (wanted {rgap:g})")
    return AssignmentResult(
        flows=X[inv],
        class_flows={c["name"]: f[inv] for c, f in zip(p.cls, run.x, strict=True)},
        costs=cost_final[inv],
        iterations=pd.DataFrame(run.log),
        converged=run.converged,
        relative_gap=float(run.gap),
        objective=p.objective(X),
        wall_s=wall,
        algorithm=algorithm,
        system_optimum=system_optimum,
        unassigned_demand=float(run.lost),
        route_shares=tracker.frame(order) if tracker else None,
    )


def _objective(X, t0, cap, a, b, kind, fixed, system_optimum: bool) -> float:
    if system_optimum:
        cost = vdf_cost(X, t0, cap, a, b, kind, fixed, np.empty(len(X)))
        return float(np.dot(X, cost))
    return float(vdf_integral(X, t0, cap, a, b, kind, fixed))


class _RouteTracker:
    """Path flows per OD pair, updated with the same convex combinations as the link flows (small networks)."""

    def __init__(self, indptr, heads, tails, zones, cls, ftn) -> None:
        n_pairs = sum(int((c["demand"] > 0).sum()) for c in cls)
        if n_pairs > _MAX_TRACKED_PAIRS:
            raise DataError(
                Problem("(assignment)", None, "track_routes", n_pairs, f"at most {_MAX_TRACKED_PAIRS} OD pairs for route shares")
            )
        self.indptr, self.heads, self.tails, self.zones, self.cls, self.ftn = indptr, heads, tails, zones, cls, ftn
        self.x: list[dict] = []
        self.s1: list[dict] | None = None
        self.s2: list[dict] | None = None

    def _aon(self, cost) -> list[dict]:
        out = []
        for c in self.cls:
            sources = self.zones[c["origins"]]
            preds, dists = shortest_trees(self.indptr, self.heads, cost + c["extra"], sources, self.ftn)
            flows: dict = {}
            for j, o in enumerate(c["origins"]):
                for z in np.flatnonzero(c["demand"][j] > 0):
                    node = self.zones[z]
                    if not np.isfinite(dists[j, node]):
                        continue
                    path = []
                    v = node
                    while preds[j, v] >= 0:
                        arc = int(preds[j, v])
                        path.append(arc)
                        v = int(self.tails[arc])
                    flows[(int(o), int(z), tuple(reversed(path)))] = float(c["demand"][j, z])
            out.append(flows)
        return out

    @staticmethod
    def _mix(parts: list[tuple[float, dict]]) -> dict:
        out: dict = {}
        for w, d in parts:
            if w == 0:
                continue
            for k, v in d.items():
                out[k] = out.get(k, 0.0) + w * v
        return out

    def start(self, cost) -> None:
        self.x = self._aon(cost)

    def step(self, cost, betas, tau) -> None:
        y = self._aon(cost)
        sbar = []
        for k in range(len(self.cls)):
            parts = [(betas[0], y[k])]
            if betas[1] and self.s1:
                parts.append((betas[1], self.s1[k]))
            if betas[2] and self.s2:
                parts.append((betas[2], self.s2[k]))
            sbar.append(self._mix(parts))
        self.x = [self._mix([(1 - tau, xk), (tau, sk)]) for xk, sk in zip(self.x, sbar, strict=True)]
        self.s2, self.s1 = self.s1, sbar
        if tau >= 1.0 - 1e-12:
            self.s1 = self.s2 = None

    def frame(self, order: np.ndarray) -> pd.DataFrame:
        rows = []
        for c, flows in zip(self.cls, self.x, strict=True):
            totals: dict = {}
            for (o, z, _), v in flows.items():
                totals[(o, z)] = totals.get((o, z), 0.0) + v
            for (o, z, path), v in flows.items():
                if v <= 1e-12 * max(1.0, totals[(o, z)]):
                    continue
                rows.append(
                    {
                        "class": c["name"],
                        "origin": o,
                        "destination": z,
                        "links": tuple(int(order[a]) for a in path),
                        "flow": v,
                        "share": v / totals[(o, z)],
                    }
                )
        return pd.DataFrame(rows, columns=["class", "origin", "destination", "links", "flow", "share"])
