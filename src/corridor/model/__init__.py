"""The network model: plain tables of nodes, links, transfers, parameters, projects and provenance."""

from corridor.model.network import (
    CARGO_MODES,
    CARGO_UNIT,
    Network,
    layer_of,
    normalize_name,
)
from corridor.model.provenance import PROVENANCE_KINDS, search_provenance
from corridor.model.summary import network_overview
from corridor.schema.enums import CargoClass, Layer, Mode, NodeKind, Status, TransferKind

__all__ = [
    "CARGO_MODES",
    "CARGO_UNIT",
    "PROVENANCE_KINDS",
    "CargoClass",
    "Layer",
    "Mode",
    "Network",
    "NodeKind",
    "Status",
    "TransferKind",
    "layer_of",
    "network_overview",
    "normalize_name",
    "search_provenance",
]
