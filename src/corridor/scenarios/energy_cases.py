"""Energy as shipped in a scenario year: the allocation cases a scenario names, solved on that year's network.

A scenario's ``[energy] allocation = ["kz_crude_2024", "ca_gas_2024"]`` names cases in ``corridor/data/energy``
(supply groups with route access, contracts, tariffs; see :mod:`corridor.assignment.allocation`). Each year the
case is fitted to the year's network before it is solved:

- export terminals and supply groups whose node (or entry layer) is closed that year drop out (a closed group's volume is
  reported as stranded);
- a contract on a link missing that year is dropped, and a contract's minimum is cut to the link's capacity
  (a CPC cut to zero cannot carry a nomination);
- a scenario quota on a link (``[energy.quotas]``) replaces the contract on that link by "at most the quota"
  (a renegotiated nomination) or, without a contract, caps the link.

The case's volumes are those of its year, held in later years (assumption, stated in the case files).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor.assignment.allocation import AllocationResult, Contract, SupplyGroup, allocate_energy, entry_vertex
from corridor.assignment.energy import EnergyFlowResult, _link_frame
from corridor.data.allocation_files import AllocationCase
from corridor.graph import ArcKind, CompiledGraph, year_graph
from corridor.model import Network
from corridor.units import per_year

__all__ = ["AllocatedEnergy", "solve_case"]


@dataclass
class AllocatedEnergy:
    """An allocation result with its case: flows by route and terminal, the split against the published one."""

    case: AllocationCase
    result: AllocationResult
    supply: float = 0.0
    closed_groups: tuple[str, ...] = ()

    def link_flow(self, link: str) -> float:
        """Flow on *link*, all groups."""
        return self.result.link_flow(link)

    def split(self) -> pd.DataFrame:
        """Route, modelled flow and share, published flow and share, difference (pp).

        A route's flow is the sum over its links (alternative lines, e.g. CAGP A–C and D), counting the groups
        ``route_groups`` names for it (default: every group but transit). Amounts are named in the case's unit:
        ``modelled_t_per_year`` and ``published_t_per_year`` for crude, ``..._bcm_per_year`` for gas; shares are
        ``modelled_share_fraction`` and ``published_share_fraction``, their difference ``difference_pp``.
        """
        groups, flow = self.result.groups, self.result.flow_column
        modelled, published = per_year("modelled", self.result.unit), per_year("published", self.result.unit)
        own = groups[~groups["group"].isin(self.case.transit_groups)]
        rows = []
        for route, links in self.case.routes.items():
            members = self.case.route_groups.get(route)
            counted = own if members is None else groups[groups["group"].isin(members)]
            rows.append({"route": route, modelled: float(counted.loc[counted["link_id"].isin(links), flow].sum())})
        frame = pd.DataFrame(rows, columns=["route", modelled])
        total = frame[modelled].sum()
        frame["modelled_share_fraction"] = frame[modelled] / total if total else 0.0
        pub = pd.Series(self.case.published, dtype=float)
        frame[published] = frame["route"].map(pub)
        ptotal = frame[published].sum()
        frame["published_share_fraction"] = frame[published] / ptotal if ptotal else float("nan")
        frame["difference_pp"] = 100.0 * (frame["modelled_share_fraction"] - frame["published_share_fraction"])
        return frame

    @property
    def shipped(self) -> float:
        return float(self.result.sinks[self.result.flow_column].sum())

    @property
    def stranded_total(self) -> float:
        return float(sum(self.result.stranded.values()))

    def to_dict(self) -> dict:
        split = self.split()
        return {
            "case": self.case.name,
            "cargo": self.case.cargo.value,
            "unit": self.result.unit,
            per_year("supply", self.result.unit): self.supply,
            per_year("shipped", self.result.unit): self.shipped,
            per_year("stranded", self.result.unit): self.result.stranded,
            per_year("contract_shortfall", self.result.unit): self.result.shortfall,
            "terminals": self.result.sinks.to_dict(orient="records"),
            "split": json_records(split),
            "published_source": self.case.published_source,
        }

    def as_flow_result(self, g: CompiledGraph) -> EnergyFlowResult:
        """The same flows as an :class:`EnergyFlowResult` (what ``YearResult.energy`` held before allocations)."""
        r = self.result
        flows = r.arc_flows if r.arc_flows is not None else np.zeros(g.n_arcs)
        cap = np.where(g.explicit, g.capacity, 0.0)
        return EnergyFlowResult(
            cargo=self.case.cargo,
            unit=r.unit,
            supply=self.supply,
            shipped=self.shipped,
            stranded=dict(r.stranded),
            sinks=r.sinks.sort_values(r.flow_column, ascending=False, ignore_index=True),
            links=_link_frame(g, flows, cap),
            cost_usd=float(np.dot(np.where(g.kind != ArcKind.GATE, g.cost_usd, 0.0), flows)),
        )


def json_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with NaN as None (JSON has no NaN)."""
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()} for row in frame.to_dict("records")]


def _contracts(g: CompiledGraph, case: AllocationCase, quotas: Mapping[str, float]) -> list[Contract]:
    """The case's contracts on the year's links (minimum cut to capacity), with the scenario's quotas applied."""
    bases = {str(b) for b in g.base if b}
    out = []
    for c in case.contracts:
        link = c["link"]
        if link not in bases or link in quotas:
            continue
        cap = np.where(g.explicit, g.capacity, 0.0)[g.ref == link]
        most = float(cap.max()) if len(cap) else 0.0
        out.append(Contract(link, min(c["min_flow"], most), c["max_flow"], c["source"]))
    out += [Contract(link, 0.0, float(q), "scenario quota") for link, q in quotas.items() if link in bases]
    return out


def solve_case(
    view: Network, case: AllocationCase, *, quotas: Mapping[str, float] | None = None, customs: str = "auto"
) -> AllocatedEnergy:
    """Solve *case* on the year view *view* (a scenario's network of one year), fitted as the module says."""
    g = year_graph(view, case.cargo, customs=customs)
    bases = {str(b) for b in g.base if b}
    groups, closed = [], []
    for x in case.groups:
        if entry_vertex(g, x["node"], x.get("entry_layer")) is None:  # node closed, or no way in on its layer
            closed.append(x["name"])
            continue
        links = None if x["links"] is None else frozenset(x["links"]) & bases
        deny = frozenset(x["deny"]) & bases
        groups.append(SupplyGroup(x["name"], x["node"], x["amount"], links, deny, x["source"], x.get("entry_layer")))
    sinks = {k: v for k, v in case.sinks.items() if k in g.dest_gate}
    result = allocate_energy(g, groups=groups, sinks=sinks, contracts=_contracts(g, case, quotas or {}), tariffs=case.tariffs)
    for x in case.groups:
        if x["name"] in closed:
            result.stranded[x["name"]] = x["amount"]
    supply = float(sum(x["amount"] for x in case.groups))
    return AllocatedEnergy(case, result, supply, tuple(closed))
