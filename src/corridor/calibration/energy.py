"""The energy side of the base year: solve the shipped allocation case of a year and compare its route split
with the published one."""

from __future__ import annotations

import pandas as pd

from corridor.assignment.allocation import AllocationResult, Contract, SupplyGroup, allocate_energy
from corridor.data.allocation_files import AllocationCase
from corridor.graph import compile_graph
from corridor.model import Network
from corridor.units import per_year

__all__ = ["EnergyBaseYear", "solve_allocation"]


class EnergyBaseYear:
    """An allocation result with its case: link flows for count sites and the split against published shares."""

    def __init__(self, case: AllocationCase, result: AllocationResult) -> None:
        self.case = case
        self.result = result

    def link_flow(self, link: str) -> float:
        """Flow on *link*, all groups."""
        return self.result.link_flow(link)

    def split(self) -> pd.DataFrame:
        """Route, modelled flow and share of the non-transit groups, published flow and share, difference (pp)."""
        own = self.result.groups[~self.result.groups["group"].isin(self.case.transit_groups)]
        by_link = own.groupby("link_id")[self.result.flow_column].sum()
        rows = [{"route": r, "modelled_t": float(by_link.get(links[0], 0.0))} for r, links in self.case.routes.items()]
        frame = pd.DataFrame(rows, columns=["route", "modelled_t"])
        total = frame["modelled_t"].sum()
        frame["modelled_share_fraction"] = frame["modelled_t"] / total if total else 0.0
        pub = pd.Series(self.case.published, dtype=float)
        frame["published_t"] = frame["route"].map(pub)
        ptotal = frame["published_t"].sum()
        frame["published_share_fraction"] = frame["published_t"] / ptotal if ptotal else float("nan")
        frame["difference_pp"] = 100.0 * (frame["modelled_share_fraction"] - frame["published_share_fraction"])
        return frame

    def to_dict(self) -> dict:
        return {
            "case": self.case.name,
            "unit": self.result.unit,
            per_year("stranded", self.result.unit): self.result.stranded,
            "split": self.split().to_dict(orient="records"),
            "published_source": self.case.published_source,
        }


def solve_allocation(view: Network, case: AllocationCase) -> EnergyBaseYear:
    """Solve *case* on the year view *view*."""
    g = compile_graph(view, case.cargo)
    groups = [
        SupplyGroup(name=x["name"], node=x["node"], amount=x["amount"], links=x["links"], deny=x["deny"], source=x["source"])
        for x in case.groups
    ]
    contracts = [
        Contract(link=c["link"], min_flow=c["min_flow"], max_flow=c["max_flow"], source=c["source"]) for c in case.contracts
    ]
    result = allocate_energy(g, groups=groups, sinks=case.sinks, contracts=contracts, tariffs=case.tariffs)
    return EnergyBaseYear(case, result)
