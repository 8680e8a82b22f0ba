"""Enumerations shared by the schema, the model and the engines (modes, cargo classes, statuses, ...)."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CargoClass",
    "Confidence",
    "Layer",
    "Mode",
    "NodeKind",
    "Status",
    "Table",
    "TransferKind",
]


class Mode(StrEnum):
    """How a link moves cargo; ``transfer`` marks moves between layers inside one node."""

    RAIL = "rail"
    ROAD = "road"
    SEA = "sea"
    FERRY = "ferry"
    RIVER = "river"
    OIL_PIPELINE = "oil_pipeline"
    GAS_PIPELINE = "gas_pipeline"
    TRANSFER = "transfer"


class Layer(StrEnum):
    """A network layer: cargo changes layer only through a transfer (transshipment, gauge change, ...)."""

    RAIL_1520 = "rail_1520"
    RAIL_1435 = "rail_1435"
    ROAD = "road"
    SEA = "sea"
    FERRY = "ferry"
    RIVER = "river"
    OIL_PIPELINE = "oil_pipeline"
    GAS_PIPELINE = "gas_pipeline"


class CargoClass(StrEnum):
    """What is carried; each class has its own unit (see :data:`CARGO_UNIT`)."""

    CONTAINER = "container"
    DRY_BULK = "dry_bulk"
    LIQUID_BULK = "liquid_bulk"
    GAS = "gas"


class NodeKind(StrEnum):
    """What a node is."""

    CITY = "city"
    RAIL_STATION = "rail_station"
    BORDER_CROSSING = "border_crossing"
    SEAPORT = "seaport"
    DRY_PORT = "dry_port"
    PIPELINE_TERMINAL = "pipeline_terminal"
    FIELD = "field"
    WAYPOINT = "waypoint"


class Status(StrEnum):
    """Operating status of a node, link, transfer or project."""

    OPERATING = "operating"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"
    CLOSED = "closed"


class TransferKind(StrEnum):
    """What happens in a transfer."""

    TRANSSHIPMENT = "transshipment"
    GAUGE_CHANGE = "gauge_change"
    FERRY_LOADING = "ferry_loading"
    PORT_HANDLING = "port_handling"
    PIPELINE_INJECTION = "pipeline_injection"


class Confidence(StrEnum):
    """How far a source can be trusted."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Table(StrEnum):
    """Tables of the dataset that hold numbers with provenance."""

    NODES = "nodes"
    LINKS = "links"
    TRANSFERS = "transfers"
    MODES = "modes"
    PARAMETERS = "parameters"
    PROJECTS = "projects"
    FX_RATES = "fx_rates"


ENUMS: dict[str, type[StrEnum]] = {
    e.__name__: e for e in (Mode, Layer, CargoClass, NodeKind, Status, TransferKind, Confidence, Table)
}
