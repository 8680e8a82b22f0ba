"""The notebook-facing network: :class:`Corridor` adds routing, comparison and export to the model's Network.

It sits on top of the layers with the CLI and the API and only wires them: model data, the routing engine and
the file adapters. ``corridor.load()`` returns one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from corridor.assignment.tntp import TntpRun, run_tntp
from corridor.data import network_geojson, read_dataset, write_network
from corridor.data.tntp import read_tntp
from corridor.model import Network
from corridor.routing import CorridorResult, RouteSet, compare_corridors, find_routes
from corridor.routing.compare import comparison_frame
from corridor.scenarios.simulation import simulate_scenario
from corridor.simulation import SimulationResult

__all__ = ["Corridor", "load", "tntp"]


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

        Each demand row runs as trains on the paths the freight assignment gives its origin-destination pair; the
        corridor tables are for the ``origin``/``destination`` pair (``res.od_frame()`` has every pair) and
        ``res.not_simulated`` lists what is not a train, with its tonnes.

        Options: ``origin``/``destination`` (the pair probe trains run between), ``use_ray``, ``workers``,
        ``overrides`` (``{"ferry_kuryk_baku.fleet": 9}``), ``operations`` (a table like ``operations.csv``).
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


def load(path: str | Path | None = None) -> Corridor:
    """Load and validate a dataset folder (default: the dataset shipped with Corridor)."""
    net = read_dataset(path)
    held = _LOADED.get(id(net))
    if held is None or held[0] is not net:  # one read-only Corridor per loaded network, so derived results are shared
        held = (net, Corridor(**{f.name: getattr(net, f.name) for f in dataclasses.fields(net) if f.init}))
        _LOADED.clear()
        _LOADED[id(net)] = held
    return held[1]


_LOADED: dict[int, tuple[Network, Corridor]] = {}


def tntp(folder: str | Path, *, algorithm: str = "bfw", gap: float = 1e-4, max_iter: int = 2000) -> TntpRun:
    """Read a TNTP folder, equilibrate it and compare with its best-known flows (Beckmann objective, RMSE)."""
    return run_tntp(read_tntp(folder), algorithm=algorithm, gap=gap, max_iter=max_iter)
