"""Commodities carried in bulk (coal, grain, ores and critical minerals, ammonia, oil products).

Each commodity travels as one of the model's cargo classes, on a narrower set of modes (ammonia by rail tank
wagon, tanker and train ferry; coal and grain by open wagon and bulk ship), and has a typical HS heading the rules
use when a shipment names none.
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor.errors import DataError, Problem
from corridor.schema.enums import CargoClass, Commodity, Mode

__all__ = ["COMMODITIES", "CommodityInfo", "resolve_cargo"]


@dataclass(frozen=True)
class CommodityInfo:
    """How a commodity travels: its cargo class, unit, modes and default HS heading."""

    commodity: Commodity
    cargo_class: CargoClass
    unit: str
    modes: frozenset[Mode]
    hs_heading: str
    carried_as: str


_WATER = {Mode.SEA, Mode.RIVER, Mode.FERRY, Mode.TRANSFER}
_LAND_WATER = frozenset({Mode.RAIL, Mode.ROAD, *_WATER})
COMMODITIES: dict[Commodity, CommodityInfo] = {
    Commodity.COAL: CommodityInfo(
        Commodity.COAL, CargoClass.DRY_BULK, "t", frozenset({Mode.RAIL, *_WATER}), "2701", "open wagon, bulk carrier, barge"
    ),
    Commodity.GRAIN: CommodityInfo(
        Commodity.GRAIN, CargoClass.DRY_BULK, "t", _LAND_WATER, "1001", "hopper wagon, bulk carrier"
    ),
    Commodity.ORES_MINERALS: CommodityInfo(
        Commodity.ORES_MINERALS, CargoClass.DRY_BULK, "t", _LAND_WATER, "26", "open wagon, bulk carrier"
    ),
    Commodity.AMMONIA: CommodityInfo(
        Commodity.AMMONIA, CargoClass.LIQUID_BULK, "t", frozenset({Mode.RAIL, Mode.SEA, Mode.FERRY, Mode.TRANSFER}), "2814",
        "rail tank wagon, gas tanker, tank wagons on train ferries",
    ),
    Commodity.OIL_PRODUCTS: CommodityInfo(
        Commodity.OIL_PRODUCTS, CargoClass.LIQUID_BULK, "t",
        frozenset({Mode.RAIL, Mode.ROAD, Mode.OIL_PIPELINE, *_WATER}), "2710", "tank wagon, product tanker, pipeline",
    ),
}  # fmt: skip


def resolve_cargo(cargo: str) -> tuple[CargoClass, CommodityInfo | None]:
    """(cargo class, commodity or None) for a cargo class name or a commodity name; names both lists otherwise."""
    value = str(cargo).strip().lower()
    try:
        return CargoClass(value), None
    except ValueError:
        pass
    try:
        info = COMMODITIES[Commodity(value)]
    except ValueError:
        allowed = [c.value for c in CargoClass] + [c.value for c in Commodity]
        raise DataError(Problem("(query)", None, "cargo", cargo, f"one of {', '.join(allowed)}")) from None
    return info.cargo_class, info
