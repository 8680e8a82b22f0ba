"""The :class:`Network` data holder and the pure functions that read it (year views, places, provenance, money).

A Network holds one pandas table per kind. Links and transfers are directed rows (a two-way link is two rows,
``<id>`` and ``<id>~r``). No files, HTTP, databases or solvers here: loading lives in :mod:`corridor.data`,
engines in :mod:`corridor.routing` and :mod:`corridor.assignment`.

A Network is immutable: its tables are read-only (see :mod:`corridor.model.frozen`), so the year views, graphs
and lookups the engines cache on it (:meth:`Network.derived`) cannot go stale. Derive an edited network with
:meth:`Network.replace`.
"""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from corridor.errors import DataError, Problem, UnknownPlaceError
from corridor.model.frozen import freeze, parts
from corridor.schema.enums import CargoClass, Layer, Mode, Status

__all__ = ["CARGO_MODES", "CARGO_UNIT", "TABLES", "Network", "layer_of", "normalize_name"]

T = TypeVar("T")

_MAX_DERIVED = 64  # cached views, graphs and lookups per network before the cache starts over

#: The tables of a Network, in field order.
TABLES = ("nodes", "links", "transfers", "modes", "parameters", "projects", "fx_rates", "sources", "provenance", "corridors")

#: The unit each cargo class is counted in.
CARGO_UNIT: dict[CargoClass, str] = {
    CargoClass.CONTAINER: "TEU",
    CargoClass.DRY_BULK: "t",
    CargoClass.LIQUID_BULK: "t",
    CargoClass.GAS: "bcm",
}

#: Which link modes can carry which cargo class (a link may narrow this with its ``cargo_classes``).
CARGO_MODES: dict[CargoClass, frozenset[Mode]] = {
    CargoClass.CONTAINER: frozenset({Mode.RAIL, Mode.ROAD, Mode.SEA, Mode.FERRY, Mode.RIVER, Mode.TRANSFER}),
    CargoClass.DRY_BULK: frozenset({Mode.RAIL, Mode.ROAD, Mode.SEA, Mode.FERRY, Mode.RIVER, Mode.TRANSFER}),
    CargoClass.LIQUID_BULK: frozenset({Mode.RAIL, Mode.ROAD, Mode.SEA, Mode.FERRY, Mode.RIVER, Mode.OIL_PIPELINE, Mode.TRANSFER}),
    CargoClass.GAS: frozenset({Mode.GAS_PIPELINE, Mode.TRANSFER}),
}

_MODE_LAYER = {
    Mode.ROAD: Layer.ROAD,
    Mode.SEA: Layer.SEA,
    Mode.FERRY: Layer.FERRY,
    Mode.RIVER: Layer.RIVER,
    Mode.OIL_PIPELINE: Layer.OIL_PIPELINE,
    Mode.GAS_PIPELINE: Layer.GAS_PIPELINE,
}


def layer_of(mode: Mode, gauge_mm: float | None) -> Layer:
    """Layer a link of *mode* (and gauge, for rail) belongs to."""
    if mode == Mode.RAIL:
        return Layer.RAIL_1435 if gauge_mm == 1435 else Layer.RAIL_1520
    return _MODE_LAYER[mode]


def normalize_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a place name ("Xi'an" == "xian" == "XIAN")."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("ı", "i").replace("ł", "l").replace("Ł", "l")
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def _years(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A year column as floats, NaN where missing."""
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


#: parameters.csv row: the first year planned rows without an expected opening year count as open
UNDATED_PARAMETER = "undated_projects_from_year"


def _active(frame: pd.DataFrame, year: int, include_planned: bool, undated_from: float = -np.inf) -> np.ndarray:
    """Rows operating in *year*; planned and under-construction rows count only when asked for, those without an
    expected opening year only from *undated_from* (the years before it are observed: nothing undated ran then).

    Plain numpy over the columns: year views are built on every first query of a process, so this is start-up time.
    """
    status = np.array([str(s) for s in frame["status"]], dtype=object)
    open_year, close_year = _years(frame, "open_year"), _years(frame, "close_year")
    opened = np.isnan(open_year) | (open_year <= year)
    not_closed = np.isnan(close_year) | (close_year > year)
    operating = (status == Status.OPERATING.value) & opened & not_closed
    if not include_planned:
        return operating
    # planned rows without a firm date count as open whenever planned projects are asked for, after the observed years
    future = (status == Status.PLANNED.value) | (status == Status.UNDER_CONSTRUCTION.value)
    dated = ~np.isnan(open_year) | (year >= undated_from)
    return operating | (future & opened & not_closed & dated)


@dataclass(frozen=True, eq=False)
class Network:
    """One model of the network: a table per kind, plus sea-lane geometry.

    ``year`` is set on a year view (see :meth:`at_year`): rows not operating that year are dropped and the
    projects open by then are applied.

    The tables are read-only copies of the frames passed in: ``net.links.loc["x", "length_km"] = 1`` raises
    ``ValueError: assignment destination is read-only``. Edit a copy and derive a new network instead::

        links = net.links.copy()
        links.loc["x", "length_km"] = 1
        edited = net.replace(links=links)

    A column or row replaced in place (``net.links["length_km"] = ...``) is locked on the next engine call and
    every cached view and graph is rebuilt, so engines never see stale tables.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    transfers: pd.DataFrame
    modes: pd.DataFrame
    parameters: pd.DataFrame
    projects: pd.DataFrame
    fx_rates: pd.DataFrame
    sources: pd.DataFrame
    provenance: pd.DataFrame
    corridors: pd.DataFrame
    geometry: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    year: int | None = None
    include_planned: bool = False
    _derived: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in TABLES:
            object.__setattr__(self, name, freeze(getattr(self, name)))

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_derived"}  # caches are rebuilt, not shipped

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__["_derived"] = {}
        for name in TABLES:  # unpickled buffers are writable again
            self.__dict__[name] = freeze(state[name], copy=False)

    # ---------------------------------------------------------------- edits
    def replace(self, **changes: Any) -> Network:
        """A new network with some tables (or ``geometry``) replaced; this one is left as it is."""
        allowed = {*TABLES, "geometry"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise DataError(Problem("(network)", None, "replace", ", ".join(unknown), f"one of {', '.join(sorted(allowed))}"))
        return dataclasses.replace(self, **changes)

    def derived(self, key: Any, build: Callable[[], T]) -> T:
        """A value computed from this network's tables, built once per *key* and kept while the tables stay as they are.

        Engines cache year views, compiled graphs and lookups here. A table changed in place since the last call
        (a replaced column or row) is locked again and everything derived is dropped.
        """
        cache = self._derived
        signature = tuple(p for name in TABLES for p in parts(getattr(self, name)))
        seen = cache.get("__signature__")
        if seen is None or len(seen) != len(signature) or any(a is not b for a, b in zip(seen, signature, strict=True)):
            for name in TABLES:
                freeze(getattr(self, name), copy=False)
            cache.clear()
            cache["__signature__"] = tuple(p for name in TABLES for p in parts(getattr(self, name)))
        value = cache.get(key)
        if value is None:
            value = build()
            if len(cache) > _MAX_DERIVED:  # years come from queries: keep the cache bounded
                signature = cache["__signature__"]
                cache.clear()
                cache["__signature__"] = signature
            cache[key] = value
        return value

    # ----------------------------------------------------------------- views
    def at_year(self, year: int, *, include_planned: bool = False) -> Network:
        """The network as it stands in *year*: projects open by then applied, inactive rows dropped.

        With ``include_planned`` the planned and under-construction nodes, links, transfers and projects whose
        expected opening year is at most *year* count as open. Views are built once per network and kept.
        """
        year = int(year)
        return self.derived(("at_year", year, bool(include_planned)), lambda: self._at_year(year, bool(include_planned)))

    def _at_year(self, year: int, include_planned: bool) -> Network:
        nodes, links, transfers = self.nodes.copy(), self.links.copy(), self.transfers.copy()
        tables = {"nodes": nodes, "links": links, "transfers": transfers}
        projects = self.projects
        if len(projects):
            live = (np.array([str(s) for s in projects["status"]], dtype=object) == Status.OPERATING.value) | include_planned
            for _, p in projects[live & (projects["open_year"] <= year)].sort_values("open_year").iterrows():
                frame = tables[str(p["table"])]
                mask = frame["base_id"] == p["record_id"] if "base_id" in frame.columns else frame.index == p["record_id"]
                frame.loc[mask, str(p["field"])] = p["value"]
        # a dataset without the row (older or hand-made ones) keeps undated planned rows open in every year
        undated_from = self.parameter(UNDATED_PARAMETER) if UNDATED_PARAMETER in self.parameters.index else -np.inf
        nodes = nodes[_active(nodes, year, include_planned)]  # places stay; the rule dates the lines into them
        links = links[_active(links, year, include_planned, undated_from)]
        links = links[links["from_node"].isin(nodes.index) & links["to_node"].isin(nodes.index)]
        transfers = transfers[_active(transfers, year, include_planned, undated_from) & transfers["node_id"].isin(nodes.index)]
        return dataclasses.replace(
            self, nodes=nodes, links=links, transfers=transfers, year=year, include_planned=include_planned
        )

    # ---------------------------------------------------------------- places
    def resolve(self, query: str) -> str:
        """node_id for a node id, UN/LOCODE, name or alias (case- and accent-insensitive).

        Raises :class:`UnknownPlaceError` with the closest names when nothing matches.
        """
        q = str(query).strip()
        if q in self.nodes.index:
            return q
        key = normalize_name(q)
        index = self.derived("name_index", self._name_index)
        if key in index:
            return index[key]
        names = {normalize_name(n): n for n in self.nodes["name"]}
        for name, aliases in zip(self.nodes["name"], self.nodes["aliases"], strict=True):
            for a in aliases:
                names.setdefault(normalize_name(a), name)
        close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
        if not close:  # substring matches help with partial names ("Duis")
            close = [k for k in names if key and key in k][:5]
        raise UnknownPlaceError(q, list(dict.fromkeys(names[c] for c in close)))

    def _name_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for node_id, row in self.nodes.iterrows():
            for label in (node_id, row["name"], row["locode"], *row["aliases"]):
                if isinstance(label, str) and label:
                    index.setdefault(normalize_name(label), str(node_id))
        return index

    # ------------------------------------------------------------ provenance
    def provenance_of(self, table: str, record_id: str, field_name: str) -> dict[str, object] | None:
        """Provenance of one value: kind (sourced, computed or assumption), source, quote or reason, year."""
        key = (table, record_id.removesuffix("~r"), field_name)
        if key not in self.provenance.index:
            return None
        return self.provenance.loc[key].to_dict()

    def link_coordinates(self, link_id: str) -> list[tuple[float, float]]:
        """(lon, lat) vertices of a directed link: its sea lane where one is stored, else a straight segment."""
        row = self.links.loc[link_id]
        coords = self.geometry.get(str(row["base_id"]))
        if coords:
            return list(coords) if not link_id.endswith("~r") else list(reversed(coords))
        a, b = self.nodes.loc[row["from_node"]], self.nodes.loc[row["to_node"]]
        return [(float(a["lon"]), float(a["lat"])), (float(b["lon"]), float(b["lat"]))]

    # ----------------------------------------------------------------- money
    def parameter(self, name: str) -> float:
        """Value of a parameter from the parameters table (in the unit that table states)."""
        if name not in self.parameters.index:
            raise DataError(Problem("parameters.csv", None, "parameter", name, "a row with this parameter"))
        return float(self.parameters.loc[name, "value"])

    def fx_rate(self, currency: str) -> tuple[float, str, str]:
        """(units of *currency* per USD, date, source title) from the dated exchange-rate table."""
        code = currency.upper()
        if code == "USD":
            return 1.0, "", "identity"
        if code not in self.fx_rates.index:
            known = ", ".join(["USD", *sorted(self.fx_rates.index)])
            raise DataError(Problem("fx_rates.csv", None, "currency", currency, f"one of {known}"))
        row = self.fx_rates.loc[code]
        title = str(self.sources.loc[row["source_id"], "title"]) if row["source_id"] in self.sources.index else ""
        return float(row["units_per_usd"]), str(row["as_of"]), title

    def usd_to(self, amount_usd: float, currency: str) -> float:
        """Convert a USD amount into *currency* at the table's rate."""
        return amount_usd * self.fx_rate(currency)[0]

    # --------------------------------------------------------------- summary
    def provenance_counts(self) -> dict[str, int]:
        """How many values are sourced, computed from sourced inputs, or assumed."""
        counts = self.provenance["kind"].value_counts()
        return {k: int(counts.get(k, 0)) for k in ("sourced", "computed", "assumption")}

    def summary(self) -> dict[str, object]:
        """Counts of nodes, links by mode, transfers, projects, sources and provenance kinds."""
        base_links = self.links.drop_duplicates("base_id")
        return {
            "year": self.year,
            "nodes": len(self.nodes),
            "countries": int(self.nodes["country"].nunique()),
            "links": len(base_links),
            "directed_links": len(self.links),
            "links_by_mode": {str(k): int(v) for k, v in base_links["mode"].astype(str).value_counts().items()},
            "transfers": len(self.transfers.drop_duplicates("base_id")),
            "projects": int(self.projects["project_id"].nunique()) if len(self.projects) else 0,
            "sources": len(self.sources),
            "values": self.provenance_counts(),
        }
