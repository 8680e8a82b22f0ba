"""Read energy allocation inputs (supply groups, contracts, published splits) from TOML files.

The shipped files live in ``corridor/data/energy`` (``crude_2024.toml``); a user may pass a path. Every
problem — a missing key, an unknown key in a group (a typo would silently change what the group may do), a
negative amount, an unknown entry layer, a group or contract with neither source nor assumption — is reported
with the file and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.errors import DataError, Problem
from corridor.schema.enums import CargoClass, Layer

__all__ = ["ENERGY_DIR", "AllocationCase", "allocation_path", "find_allocation", "read_allocation"]

ENERGY_DIR = Path(__file__).parent / "energy"


@dataclass(frozen=True)
class AllocationCase:
    """Inputs of one allocation: groups, sinks, contracts, tariffs, routes to report, a published split."""

    name: str
    year: int
    cargo: CargoClass
    groups: tuple[dict, ...]  # name, node, amount, links (None = all), deny, source, entry_layer (None = any)
    sinks: dict[str, float | None]
    contracts: tuple[dict, ...] = ()  # link, min_flow, max_flow, source
    tariffs: dict[str, float] = field(default_factory=dict)
    routes: dict[str, list[str]] = field(default_factory=dict)
    transit_groups: frozenset[str] = frozenset()
    published: dict[str, float] = field(default_factory=dict)
    published_source: str = ""
    file: str = ""
    route_groups: dict[str, list[str]] = field(default_factory=dict)  # route -> the groups it counts (default: all own)
    published_unit: str = ""


_GROUP_KEYS = frozenset({"name", "node", "amount", "links", "deny", "entry_layer", "transit", "source", "quote", "assumption"})


def _amount(where: str, key: str, value: Any, problems: list[Problem]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(Problem(where, None, key, value, "a number >= 0"))
        return 0.0
    return float(value)


def _layer(where: str, key: str, value: Any, problems: list[Problem]) -> Layer | None:
    """A group's optional entry layer: one of the network's layers, or None (the node's gate, any layer)."""
    if value is None:
        return None
    try:
        return Layer(str(value))
    except ValueError:
        problems.append(Problem(where, None, key, value, "one of " + ", ".join(x.value for x in Layer)))
        return None


def _cited(where: str, key: str, item: dict, problems: list[Problem]) -> None:
    if not ((item.get("source") and item.get("quote")) or item.get("assumption")):
        problems.append(Problem(where, None, f"{key}.source", item.get("source", ""), "a source with quote, or an assumption"))


def _contracts(doc: dict, where: str, problems: list[Problem]) -> list[dict]:
    """The file's contracted or nominated volumes per link (lower and upper bounds), each cited."""
    contracts = []
    for i, c in enumerate(doc.get("contracts", [])):
        tag = f"contracts[{i}]"
        if "link" not in c:
            problems.append(Problem(where, None, tag, c, "a link"))
            continue
        _cited(where, tag, c, problems)
        hi = c.get("max")
        contracts.append(
            {
                "link": str(c["link"]),
                "min_flow": _amount(where, f"{tag}.min", c.get("min", 0), problems),
                "max_flow": float("inf") if hi is None else _amount(where, f"{tag}.max", hi, problems),
                "source": str(c.get("source", "")),
            }
        )
    return contracts


def read_allocation(path: str | Path) -> AllocationCase:
    """Parse an allocation file; all problems are raised together as one :class:`DataError`."""
    p = Path(path)
    if not p.exists():
        raise DataError(Problem(str(p), None, "(file)", str(p), "an existing TOML file"))
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(Problem(p.name, None, "(toml)", str(exc), "valid TOML")) from None
    where, problems = p.name, []
    for key in ("name", "year", "groups", "sinks"):
        if key not in doc:
            problems.append(Problem(where, None, key, None, "this key"))
    groups, transit = [], set()
    for i, g in enumerate(doc.get("groups", [])):
        tag = f"groups[{i}]"
        if "name" not in g or "node" not in g:
            problems.append(Problem(where, None, tag, g, "name, node and amount"))
            continue
        _cited(where, tag, g, problems)
        for key in sorted(set(g) - _GROUP_KEYS):
            problems.append(Problem(where, None, f"{tag}.{key}", g[key], "one of the keys " + ", ".join(sorted(_GROUP_KEYS))))
        links = g.get("links")
        groups.append(
            {
                "name": str(g["name"]),
                "node": str(g["node"]),
                "amount": _amount(where, f"{tag}.amount", g.get("amount"), problems),
                "links": frozenset(links) if links is not None else None,
                "deny": frozenset(g.get("deny", ())),
                "source": str(g.get("source", "")),
                "entry_layer": _layer(where, f"{tag}.entry_layer", g.get("entry_layer"), problems),
            }
        )
        if g.get("transit"):
            transit.add(str(g["name"]))
    contracts = _contracts(doc, where, problems)
    sinks = {
        str(k): None if v in ("unlimited", None) else _amount(where, f"sinks.{k}", v, problems)
        for k, v in dict(doc.get("sinks", {})).items()
    }
    tariffs = {str(k): _amount(where, f"tariffs.{k}", v, problems) for k, v in dict(doc.get("tariffs", {})).items()}
    pub = dict(doc.get("published", {}))
    try:
        cargo = CargoClass(doc.get("cargo", "liquid_bulk"))
    except ValueError:
        problems.append(Problem(where, None, "cargo", doc.get("cargo"), "liquid_bulk or gas"))
        cargo = CargoClass.LIQUID_BULK
    names = {g["name"] for g in groups}
    for route, members in dict(doc.get("route_groups", {})).items():
        for m in members:
            if m not in names:
                problems.append(Problem(where, None, f"route_groups.{route}", m, "the name of a group in this file"))
    if problems:
        raise DataError(problems)
    return AllocationCase(
        name=str(doc["name"]),
        year=int(doc["year"]),
        cargo=cargo,
        groups=tuple(groups),
        sinks=sinks,
        contracts=tuple(contracts),
        tariffs=tariffs,
        routes={str(k): list(v) for k, v in dict(doc.get("routes", {})).items()},
        transit_groups=frozenset(transit),
        published={str(k): float(v) for k, v in dict(pub.get("t", pub.get("amount", {}))).items()},
        published_source=str(pub.get("source", "")),
        route_groups={str(k): [str(g) for g in v] for k, v in dict(doc.get("route_groups", {})).items()},
        published_unit=str(pub.get("unit", "t" if "t" in pub else "")),
        file=where,
    )


def allocation_path(name_or_path: str | Path) -> Path | None:
    """The file of a shipped case (``kz_crude_2024``) or an existing TOML path; None when neither exists."""
    shipped = ENERGY_DIR / f"{name_or_path}.toml"
    if shipped.is_file():
        return shipped
    p = Path(name_or_path)
    return p if p.suffix == ".toml" and p.is_file() else None


def find_allocation(
    year: int, cargo: CargoClass = CargoClass.LIQUID_BULK, folder: str | Path | None = None
) -> AllocationCase | None:
    """The allocation file for *year* and *cargo* in *folder* (default: the shipped ones), or None."""
    for p in sorted(Path(folder or ENERGY_DIR).glob("*.toml")):
        case = read_allocation(p)
        if case.year == year and case.cargo == cargo:
            return case
    return None
