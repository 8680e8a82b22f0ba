"""Equilibrate a TNTP benchmark network and score it against the best-known solution.

The network comes as plain arrays (read by :func:`corridor.data.tntp.read_tntp`); the scores are the Beckmann
objective of the best-known flows, and the RMSE and correlation of our link flows against them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from corridor.assignment.equilibrium import AssignmentClass, AssignmentResult, assign
from corridor.assignment.vdf import vdf_integral

__all__ = ["TntpArrays", "TntpRun", "beckmann_objective", "flow_correlation", "flow_rmse", "run_tntp"]


class TntpArrays(Protocol):
    """What a TNTP run needs of a network (:class:`corridor.data.tntp.TntpNetwork` has it)."""

    name: str
    n_nodes: int
    first_thru_node: int
    tails: np.ndarray
    heads: np.ndarray
    capacity: np.ndarray
    free_flow_time: np.ndarray
    b: np.ndarray
    power: np.ndarray
    demand: np.ndarray
    best_flow: np.ndarray | None

    @property
    def fixed_cost(self) -> np.ndarray: ...


@dataclass
class TntpRun:
    """Result of equilibrating a TNTP network, compared with its best-known solution when one ships."""

    network: str
    algorithm: str
    target_gap: float
    result: AssignmentResult
    best_objective: float | None
    flow_rmse: float | None
    flow_correlation: float | None

    @property
    def objective_rel_diff(self) -> float | None:
        """(objective - best-known objective) / best-known objective."""
        if self.best_objective is None:
            return None
        return (self.result.objective - self.best_objective) / self.best_objective

    def to_dict(self) -> dict:
        r = self.result
        return {
            "network": self.network,
            "algorithm": self.algorithm,
            "target_gap": self.target_gap,
            "iterations": len(r.iterations),
            "converged": r.converged,
            "relative_gap": r.relative_gap,
            "objective": r.objective,
            "best_known_objective": self.best_objective,
            "objective_rel_diff": self.objective_rel_diff,
            "flow_rmse": self.flow_rmse,
            "flow_correlation": self.flow_correlation,
            "wall_s": r.wall_s,
            "unassigned_demand": r.unassigned_demand,
            "log": r.iterations.to_dict(orient="records"),
        }


def beckmann_objective(net: TntpArrays, flows: np.ndarray) -> float:
    """Beckmann objective of *flows*: the BPR integral plus the fixed generalised-cost terms, summed over links."""
    kind = np.zeros(len(net.tails), dtype=np.int64)
    return float(vdf_integral(flows, net.free_flow_time, net.capacity, net.b, net.power, kind, net.fixed_cost))


def flow_rmse(flows: np.ndarray, reference: np.ndarray) -> float:
    """Root-mean-square difference of link flows."""
    return float(np.sqrt(np.mean((np.asarray(flows) - np.asarray(reference)) ** 2)))


def flow_correlation(flows: np.ndarray, reference: np.ndarray) -> float:
    """Pearson correlation of link flows."""
    return float(np.corrcoef(flows, reference)[0, 1])


def run_tntp(
    net: TntpArrays,
    *,
    algorithm: str = "bfw",
    gap: float = 1e-4,
    max_iter: int = 2000,
    callback: Callable[[int, float], None] | None = None,
) -> TntpRun:
    """Equilibrate *net* (user equilibrium, BPR) and compare with its best-known flows when they ship."""
    result = assign(
        net.n_nodes,
        net.tails,
        net.heads,
        net.free_flow_time,
        net.capacity,
        [AssignmentClass("all", net.demand)],
        alpha=net.b,
        beta=net.power,
        fixed_cost=net.fixed_cost,
        first_thru_node=net.first_thru_node,
        algorithm=algorithm,
        rgap=gap,
        max_iter=max_iter,
        callback=callback,
    )
    best = rmse = corr = None
    if net.best_flow is not None and np.isfinite(net.best_flow).all():
        best = beckmann_objective(net, net.best_flow)
        rmse = flow_rmse(result.flows, net.best_flow)
        corr = flow_correlation(result.flows, net.best_flow)
    return TntpRun(net.name, algorithm, gap, result, best, rmse, corr)
