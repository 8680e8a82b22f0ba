"""Enumerations shared by the schema, the model and the engines (modes, cargo classes, statuses, ...)."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CargoClass",
    "Commodity",
    "Confidence",
    "Layer",
    "Mode",
    "NodeKind",
    "ProjectStage",
    "Purpose",
    "RuleEffect",
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


class ProjectStage(StrEnum):
    """How far a project has got, in order (``stage_rank``); suspended and stalled rank below every live stage."""

    SUSPENDED = "suspended"
    STALLED = "stalled"
    IDEA = "idea"
    MEMORANDUM = "memorandum"
    FEASIBILITY = "feasibility"
    FINANCED = "financed"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATING = "operating"

    @property
    def rank(self) -> int:
        """Position in the life cycle: idea 1 ... operating 6; suspended and stalled 0."""
        return max(0, list(ProjectStage).index(self) - 1)


class Commodity(StrEnum):
    """A commodity carried in bulk; each maps to a cargo class and a narrower set of modes (see model.commodities)."""

    COAL = "coal"
    GRAIN = "grain"
    ORES_MINERALS = "ores_minerals"
    AMMONIA = "ammonia"
    OIL_PRODUCTS = "oil_products"


class RuleEffect(StrEnum):
    """What a rule does to a shipment it applies to."""

    FORBID = "forbid"
    REQUIRE = "require"
    DUTY = "duty"
    PERMIT = "permit"


class Purpose(StrEnum):
    """Why cargo passes a place: through in transit, loaded and dispatched at a port, or sold/stored there."""

    TRANSIT = "transit"
    LOADING_DISPATCH = "loading_dispatch"
    STORAGE = "storage"
    SALE = "sale"


ENUMS: dict[str, type[StrEnum]] = {
    e.__name__: e
    for e in (
        Mode,
        Layer,
        CargoClass,
        NodeKind,
        Status,
        TransferKind,
        Confidence,
        Table,
        ProjectStage,
        Commodity,
        RuleEffect,
        Purpose,
    )
}
