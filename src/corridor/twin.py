"""The notebook-facing network: :class:`Corridor` adds routing, comparison and export to the model's Network.

It lives outside the layered packages because it joins them: model data, the routing engine and the
file adapters. ``corridor.load()`` returns one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from corridor.assignment import AssignmentClass, AssignmentResult, assign
from corridor.assignment.vdf import vdf_integral
from corridor.data import network_geojson, read_dataset, write_network
from corridor.data.tntp import read_tntp
from corridor.model import Network
from corridor.routing import CorridorResult, RouteSet, compare_corridors, find_routes
from corridor.routing.compare import comparison_frame
from corridor.scenario_simulation import simulate_scenario
from corridor.simulation import SimulationResult

__all__ = ["Corridor", "TntpRun", "load", "run_tntp"]


@dataclass(frozen=True, eq=False)
class Corridor(Network):
    """A :class:`~corridor.model.Network` with ``route``, ``compare`` and export methods."""

    def route(self, origin: str, destination: str, **options: Any) -> RouteSet:
        """Best routes from *origin* to *destination*; see :func:`corridor.routing.find_routes` for options."""
        return find_routes(self, origin, destination, **options)

    def compare(self, origin: str = "xian", destination: str = "duisburg", **options: Any) -> list[CorridorResult]:
        """Best route of each named corridor; see :func:`corridor.routing.compare_corridors`."""
        return compare_corridors(self, origin, destination, **options)

    def compare_frame(
        self, origin: str = "xian", destination: str = "duisburg", *, currency: str | None = None, **options: Any
    ) -> pd.DataFrame:
        """:meth:`compare` as a table, with costs also in *currency* if given."""
        return comparison_frame(self.compare(origin, destination, **options), currency=currency)

    def simulate(
        self,
        scenario: str = "base",
        year: int = 2025,
        *,
        replications: int = 30,
        seed: int = 7,
        days: float = 365.0,
        **options: Any,
    ) -> SimulationResult:
        """Simulate operations of *scenario* in *year* (trains, yards, borders, ferries, storms); same seed, same result.

        Options: ``origin``/``destination`` (the pair probe trains run between), ``use_ray``, ``workers``,
        ``overrides`` (``{"ferry_kuryk_baku.fleet": 6}``), ``operations`` (a table like ``operations.csv``).
        """
        return simulate_scenario(self, scenario, year, days=days, replications=replications, seed=seed, **options)

    def to_networkx(self, *, year: int | None = None, include_planned: bool = False) -> nx.MultiDiGraph:
        """A networkx MultiDiGraph: nodes with their attributes, one edge per directed link keyed by link id."""
        view = self.at_year(year, include_planned=include_planned) if year is not None else self
        g = nx.MultiDiGraph()
        for node_id, r in view.nodes.iterrows():
            g.add_node(node_id, **{k: v for k, v in r.items() if not isinstance(v, float) or v == v})
        for link_id, r in view.links.iterrows():
            attrs = {k: v for k, v in r.items() if k not in ("from_node", "to_node") and (not isinstance(v, float) or v == v)}
            g.add_edge(r["from_node"], r["to_node"], key=link_id, **attrs)
        return g

    def to_geojson(self) -> dict:
        """Nodes and links as a GeoJSON FeatureCollection (sea links follow their searoute lane)."""
        return network_geojson(self)

    def export(self, path: str | Path, *, format: str = "geojson") -> list[Path]:
        """Write the network as geojson, gpkg or a csv folder."""
        return write_network(self, path, format=format)

    def sources_frame(self, **filters: Iterable[str] | str) -> pd.DataFrame:
        """The provenance of every value, one row each; filter by column value, e.g. ``table='links'``."""
        frame = self.provenance.reset_index()
        for col, want in filters.items():
            values = [want] if isinstance(want, str) else list(want)
            frame = frame[frame[col].astype(str).isin(values)]
        return frame


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


def run_tntp(
    folder: str | Path, *, algorithm: str = "bfw", gap: float = 1e-4, max_iter: int = 2000, callback: Any = None
) -> TntpRun:
    """Read a TNTP folder, equilibrate it and compare with the best-known flows (Beckmann objective, RMSE)."""
    net = read_tntp(folder)
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
        kind = np.zeros(len(net.tails), dtype=np.int64)
        best = float(vdf_integral(net.best_flow, net.free_flow_time, net.capacity, net.b, net.power, kind, net.fixed_cost))
        rmse = float(np.sqrt(np.mean((result.flows - net.best_flow) ** 2)))
        corr = float(np.corrcoef(result.flows, net.best_flow)[0, 1])
    return TntpRun(net.name, algorithm, gap, result, best, rmse, corr)


def load(path: str | Path | None = None) -> Corridor:
    """Load and validate a dataset folder (default: the dataset shipped with Corridor)."""
    net = read_dataset(path)
    return Corridor(**{f: getattr(net, f) for f in net.__dataclass_fields__})
