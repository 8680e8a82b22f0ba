"""The digital layer: data links (fibre cables) and, per crossing and year, the digital border procedures in use.

``--customs auto`` counts a crossing as digital from the first year an electronic transit declaration is in use
there (:func:`apply_digital_layer` writes that year into the nodes table the graph reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from corridor.model.network import Network
from corridor.schema.enums import Status

__all__ = ["PROCEDURES", "DataLink", "DigitalLayer", "DigitalProcedure", "apply_digital_layer"]

#: Digital procedures a crossing may offer.
PROCEDURES = ("electronic_transit_declaration", "paperless_consignment_note", "pre_arrival_information")


@dataclass(frozen=True)
class DigitalProcedure:
    """One digital procedure at one crossing, from a year, with where that comes from."""

    node_id: str
    procedure: str
    status: Status
    year: int
    from_date: str | None
    citation: str


@dataclass(frozen=True)
class DataLink:
    """A data link (fibre cable) between two nodes of the transport network."""

    data_link_id: str
    name: str
    from_node: str
    to_node: str
    kind: str
    status: Status
    open_year: int | None
    length_km: float | None
    capacity_tbps: float | None
    latency_ms: float | None
    citation: str

    def in_service(self, year: int) -> bool:
        """Whether the link carries data in *year* (planned links count from their opening year)."""
        return self.open_year is None or self.open_year <= year


@dataclass(frozen=True)
class DigitalLayer:
    """Data links and digital procedures of a dataset."""

    links: tuple[DataLink, ...]
    procedures: tuple[DigitalProcedure, ...]

    def procedures_at(self, node_id: str, year: int, *, include_planned: bool = False) -> list[DigitalProcedure]:
        """Procedures in use at *node_id* in *year* (planned ones too with *include_planned*)."""
        return [
            p
            for p in self.procedures
            if p.node_id == node_id and p.year <= year and (p.status == Status.OPERATING or include_planned)
        ]

    def digital_from(self, procedures: Iterable[DigitalProcedure] | None = None) -> dict[str, int]:
        """First year of an operating electronic transit declaration at each crossing."""
        out: dict[str, int] = {}
        for p in procedures if procedures is not None else self.procedures:
            if p.procedure == "electronic_transit_declaration" and p.status == Status.OPERATING:
                out[p.node_id] = min(p.year, out.get(p.node_id, p.year))
        return out


def apply_digital_layer(net: Network, layer: DigitalLayer) -> Network:
    """*net* whose crossings are digital from the first year of an electronic transit declaration there.

    Crossings without a procedure lose their digital year (the table, not a flag, says where declarations are
    digital); a crossing gaining one without its own digital wait gets the ``digital_customs_h`` parameter.
    """
    since = layer.digital_from()
    nodes = net.nodes.copy()
    years = pd.Series(since, dtype="float64").reindex(nodes.index)
    nodes["digital_customs_from_year"] = years.to_numpy()
    gained = years.notna() & nodes["customs_digital_h"].isna()
    if gained.any():
        nodes.loc[gained, "customs_digital_h"] = net.parameter("digital_customs_h")
    return net.replace(nodes=nodes)
