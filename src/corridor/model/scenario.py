"""Scenarios: demand by origin-destination and year, projects and overrides, disruptions and policies.

A :class:`Scenario` is pure data; :meth:`Scenario.network_for` returns the Network a year of the scenario sees
(year view, overrides, closures, capacity cuts, digital customs) and :meth:`Scenario.demand_for` the freight
demand of that year. Reading scenario files lives in :mod:`corridor.data.scenarios`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.model.network import Network
from corridor.schema import MODEL_YEARS, schema
from corridor.schema.enums import CargoClass
from corridor.schema.scenario_keys import scenario_keys

__all__ = ["Demand", "Disruption", "EnergyCase", "Override", "Scenario"]

DISRUPTION_KINDS = ("capacity_factor", "close_link", "close_node")
_CAPACITY_COLUMNS = ("capacity_t_per_year", "capacity_teu_per_year", "capacity_bcm_per_year")


@dataclass(frozen=True)
class Demand:
    """Freight demand between two places, in tonnes per year, growing between anchor years."""

    id: str
    origin: str
    destination: str
    t_per_year: dict[int, float]  # anchor year -> tonnes per year (at least one)
    annual_growth: float = 0.0  # applied beyond the last anchor (and before the first)
    avoid_countries: tuple[str, ...] = ()
    source: str = ""
    quote: str = ""
    cargo_class: CargoClass = CargoClass.CONTAINER  # which links and lanes the cargo may use
    commodity: str = ""  # what the row carries (containers, grain, coal...), for reports

    def at(self, year: int) -> float:
        """Tonnes per year in *year*: geometric interpolation between anchors, growth beyond them."""
        years = sorted(self.t_per_year)
        if year in self.t_per_year:
            return self.t_per_year[year]
        if year < years[0]:
            return self.t_per_year[years[0]] / (1 + self.annual_growth) ** (years[0] - year)
        if year > years[-1]:
            return self.t_per_year[years[-1]] * (1 + self.annual_growth) ** (year - years[-1])
        lo = max(y for y in years if y < year)
        hi = min(y for y in years if y > year)
        a, b = self.t_per_year[lo], self.t_per_year[hi]
        frac = (year - lo) / (hi - lo)
        return a * (b / a) ** frac if a > 0 and b > 0 else a + (b - a) * frac


@dataclass(frozen=True)
class Override:
    """A value a project or assumption changes from a year on (``table.record.field = value``)."""

    table: str
    record: str
    field: str
    value: float
    from_year: int
    source: str = ""
    assumption: str = ""


@dataclass(frozen=True)
class Disruption:
    """A capacity cut or a closure during [from_year, to_year]."""

    kind: str  # capacity_factor | close_link | close_node
    target: str
    factor: float = 0.0
    from_year: int = 0
    to_year: int = 10**6

    def active(self, year: int) -> bool:
        return self.from_year <= year <= self.to_year


@dataclass(frozen=True)
class EnergyCase:
    """Energy exports to route: supplies, export terminals, quotas (least cost), or named allocation cases.

    With ``allocations`` (case names or files, e.g. ``kz_crude_2024``) the exports follow the cases' supply
    groups, contracts and tariffs instead of least cost; ``quotas`` then renegotiate contracted links.
    """

    cargo: CargoClass
    supplies: dict[str, float]
    sinks: dict[str, float | None]
    quotas: dict[str, float] = field(default_factory=dict)
    source: str = ""
    allocations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """One scenario: what is built, what is broken, what is demanded, year by year."""

    name: str
    description: str
    base_year: int
    include_planned: bool = True
    customs: str = "auto"
    objective: str = "generalised"
    demand: tuple[Demand, ...] = ()
    overrides: tuple[Override, ...] = ()
    disruptions: tuple[Disruption, ...] = ()
    digital_customs: dict[str, int] = field(default_factory=dict)  # node -> first year
    energy: EnergyCase | None = None
    file: str = ""

    def validate(self, net: Network, years: Iterable[int] = ()) -> None:
        """Raise :class:`DataError` naming every unknown node, link, column or bad value.

        With *years*, also refuse years outside :data:`~corridor.schema.MODEL_YEARS` and years in which a
        demand's growth takes it beyond the bound the scenario keys state (e.g. 14% a year until 3000).
        """
        where = self.file or f"scenario {self.name}"
        nodes, links = set(net.nodes.index), set(net.links["base_id"])
        problems = [p for d in self.demand for p in _demand_problems(d, net, where, tuple(years))]
        for o in self.overrides:
            ids = nodes if o.table == "nodes" else links if o.table == "links" else set(net.transfers["base_id"])
            if o.table not in ("nodes", "links", "transfers"):
                problems.append(Problem(where, None, "overrides.table", o.table, "nodes, links or transfers"))
                continue
            if o.record not in ids:
                problems.append(Problem(where, None, f"overrides.{o.table}.record", o.record, f"an id from {o.table}"))
            cols = [c.attribute for c in schema(o.table).columns if c.dtype in ("float", "int")]
            if o.field not in cols:
                problems.append(Problem(where, None, f"overrides.{o.record}.field", o.field, f"a numeric column of {o.table}"))
            if o.value < 0:
                problems.append(Problem(where, None, f"overrides.{o.record}.value", o.value, "a value >= 0"))
            if not (o.source or o.assumption):
                problems.append(Problem(where, None, f"overrides.{o.record}", "", "a source or an assumption"))
        for x in self.disruptions:
            if x.kind not in DISRUPTION_KINDS:
                problems.append(Problem(where, None, "disruptions.kind", x.kind, f"one of {', '.join(DISRUPTION_KINDS)}"))
            elif x.kind == "close_node" and x.target not in nodes:
                problems.append(Problem(where, None, "disruptions.node", x.target, "a node_id"))
            elif x.kind != "close_node" and x.target not in links:
                problems.append(Problem(where, None, "disruptions.link", x.target, "a link_id"))
            if not 0 <= x.factor <= 1:
                problems.append(Problem(where, None, f"disruptions.{x.target}.factor", x.factor, "a share between 0 and 1"))
        for node in self.digital_customs:
            if node not in nodes:
                problems.append(Problem(where, None, "policies.digital_customs", node, "a node_id"))
        if self.energy is not None:
            for node, q in self.energy.supplies.items():
                if node not in nodes:
                    problems.append(Problem(where, None, f"energy.supplies.{node}", node, "a node_id"))
                if not q >= 0:
                    problems.append(Problem(where, None, f"energy.supplies.{node}", q, "an amount >= 0"))
            for node, cap in self.energy.sinks.items():
                if node not in nodes:
                    problems.append(Problem(where, None, f"energy.sinks.{node}", node, "a node_id"))
                if cap is not None and not cap >= 0:
                    problems.append(Problem(where, None, f"energy.sinks.{node}", cap, "an intake >= 0"))
            for link, q in self.energy.quotas.items():
                if link not in links:
                    problems.append(Problem(where, None, f"energy.quotas.{link}", link, "a link_id"))
                if not q >= 0:
                    problems.append(Problem(where, None, f"energy.quotas.{link}", q, "a quota >= 0"))
        if problems:
            raise DataError(problems)

    def network_for(self, net: Network, year: int) -> Network:
        """The network of *year* under this scenario."""
        view = net.at_year(year, include_planned=self.include_planned)
        nodes, links, transfers = view.nodes.copy(), view.links.copy(), view.transfers.copy()
        tables = {"nodes": nodes, "links": links, "transfers": transfers}
        for o in sorted(self.overrides, key=lambda o: o.from_year):
            if o.from_year <= year:
                frame = tables[o.table]
                mask = frame["base_id"] == o.record if "base_id" in frame.columns else frame.index == o.record
                frame.loc[mask, o.field] = o.value
        for node, since in self.digital_customs.items():
            if node in nodes.index and since <= year:
                if pd.isna(nodes.loc[node, "customs_digital_h"]):
                    nodes.loc[node, "customs_digital_h"] = net.parameter("digital_customs_h")
                nodes.loc[node, "digital_customs_from_year"] = since
        closed_nodes = {x.target for x in self.disruptions if x.kind == "close_node" and x.active(year)}
        closed_links = {x.target for x in self.disruptions if x.kind == "close_link" and x.active(year)}
        for x in self.disruptions:
            if x.kind == "capacity_factor" and x.active(year):
                mask = links["base_id"] == x.target
                for col in _CAPACITY_COLUMNS:
                    links.loc[mask, col] = links.loc[mask, col] * x.factor
        nodes = nodes[~nodes.index.isin(closed_nodes)]
        links = links[~links["base_id"].isin(closed_links)]
        links = links[links["from_node"].isin(nodes.index) & links["to_node"].isin(nodes.index)]
        transfers = transfers[transfers["node_id"].isin(nodes.index)]
        return replace(view, nodes=nodes, links=links, transfers=transfers)

    def capacity_factors(self, year: int) -> dict[str, float]:
        """Active capacity cuts by link id (used by the energy LP, whose capacities come from the graph)."""
        return {x.target: x.factor for x in self.disruptions if x.kind == "capacity_factor" and x.active(year)}


def _demand_problems(d: Demand, net: Network, where: str, years: tuple[int, ...]) -> list[Problem]:
    """Unknown places, negative or non-finite tonnes, and demand beyond the bound in any of *years*."""
    out = []
    for label, place in (("origin", d.origin), ("destination", d.destination)):
        try:
            net.resolve(place)
        except KeyError as exc:
            out.append(Problem(where, None, f"demand.{d.id}.{label}", place, f"a known place ({exc})"))
    for y, v in d.t_per_year.items():
        if not 0 <= v < math.inf:
            out.append(Problem(where, None, f"demand.{d.id}.t_per_year.{y}", v, "tonnes per year >= 0 (finite)"))
    if not -1 < d.annual_growth < math.inf:
        out.append(Problem(where, None, f"demand.{d.id}.annual_growth", d.annual_growth, "a rate > -1"))
        return out
    bound = scenario_keys()["demand[].t_per_year.<year>"].range
    lo, hi = MODEL_YEARS
    for y in years:
        if not lo <= y <= hi:
            out.append(Problem("(query)", None, "year", y, f"a year between {lo} and {hi}"))
            continue
        try:
            v = d.at(y)
        except (OverflowError, ZeroDivisionError):
            v = math.inf
        if bound is not None and not bound.contains(v):
            growth = f"{d.annual_growth:.1%} a year from {max(d.t_per_year)}"
            expected = f"demand {bound.describe()} t/yr (growth of {growth}; use earlier years)"
            out.append(Problem(where, None, f"demand.{d.id}", f"{v:.3g} t/yr in {y}", expected))
    return out
