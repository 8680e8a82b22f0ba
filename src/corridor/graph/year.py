"""The compiled graph of a network in a year, built once per network, year, cargo class and customs regime."""

from __future__ import annotations

from corridor.graph.compiled import CompiledGraph, compile_graph
from corridor.model import CargoClass, Network

__all__ = ["year_graph"]


def year_graph(
    net: Network,
    cargo: CargoClass | str,
    *,
    year: int | None = None,
    include_planned: bool = False,
    customs: str = "auto",
) -> CompiledGraph:
    """The graph routing and assignment search: *net* in *year* compiled for *cargo*.

    With ``year=None`` *net* is compiled as it is (pass a year view, e.g. a scenario's network of one year).
    The result is cached on the (immutable) network, so repeated queries compile once.
    """
    cargo = CargoClass(cargo)
    view = net if year is None else net.at_year(year, include_planned=include_planned)
    return view.derived(("graph", cargo, customs), lambda: compile_graph(view, cargo, customs=customs))
