"""Unit conversion for claims: a pint registry with Corridor's unit file (metric tonnes, bcm, TEU, wagons, trains).

Claims keep the unit they were stated in (``Mt``, ``bcm``, ``TEU``); comparisons go through :func:`to_base`, which
converts mass to tonnes, gas volume to bcm and durations to hours. Money never goes through pint: it carries an
ISO 4217 currency and is converted with the model's dated FX table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pint

__all__ = ["BASE_UNIT", "PINT_NAME", "dimension", "registry", "to_base"]

#: Canonical claim unit → pint expression.
PINT_NAME: dict[str, str] = {
    "t": "tonne",
    "kt": "kilotonne",
    "Mt": "megatonne",
    "Gt": "gigatonne",
    "bcm": "bcm",
    "mcm": "mcm",
    "TEU": "TEU",
    "FEU": "FEU",
    "wagons": "wagon",
    "trains": "train",
    "km": "kilometer",
    "m": "meter",
    "mi": "mile",
    "min": "minute",
    "h": "hour",
    "days": "day",
    "weeks": "week",
    "months": "month",
    "years": "year",
}

#: The unit each dimension is compared in.
BASE_UNIT: dict[str, str] = {
    "t": "t", "kt": "t", "Mt": "t", "Gt": "t",
    "bcm": "bcm", "mcm": "bcm",
    "TEU": "TEU", "FEU": "TEU",
    "wagons": "wagons", "trains": "trains",
    "km": "km", "m": "km", "mi": "km",
    "min": "h", "h": "h", "days": "h", "weeks": "h", "months": "h", "years": "h",
}  # fmt: skip


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """pint's default registry plus ``units.txt`` (metric tonnes, bcm, TEU, wagons, trains)."""
    ureg = pint.UnitRegistry()
    ureg.load_definitions(str(Path(__file__).with_name("units.txt")))
    return ureg


def dimension(unit: str | None) -> str | None:
    """The base unit *unit* is compared in (``"t"`` for ``Mt``), the unit itself for %/count/money, None if none."""
    if not unit:
        return None
    return BASE_UNIT.get(unit, unit)


def to_base(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    """*value* in *unit* converted to its base unit (``1.4 Mt`` → ``1_400_000 t``); others pass through."""
    if value is None or not unit or unit not in PINT_NAME:
        return value, unit
    base = BASE_UNIT[unit]
    if base == unit:
        return float(value), unit
    ureg = registry()
    q = ureg.Quantity(float(value), PINT_NAME[unit]).to(PINT_NAME[base])
    return float(q.magnitude), base
