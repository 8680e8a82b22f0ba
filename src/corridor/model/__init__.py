"""The network model: plain tables of nodes, links, transfers, parameters, projects and provenance."""

from corridor.model.network import (
    CARGO_MODES,
    CARGO_UNIT,
    Network,
    layer_of,
    normalize_name,
)
from corridor.schema.enums import CargoClass, Layer, Mode, NodeKind, Status, TransferKind

__all__ = [
    "CARGO_MODES",
    "CARGO_UNIT",
    "CargoClass",
    "Layer",
    "Mode",
    "Network",
    "NodeKind",
    "Status",
    "TransferKind",
    "layer_of",
    "normalize_name",
]
