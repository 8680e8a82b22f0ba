"""Read scenario TOML files: the ones shipped in ``corridor/data/scenarios`` (by name) or a user's file (by path).

Every file (and every file it ``extends``) is checked against the scenario keys of
:mod:`corridor.schema.scenario_keys` before it is used: unknown keys, wrong types, values outside their
range or not among the allowed ones are all reported at once, with the file and the key path.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from corridor.data.allocation_files import ENERGY_DIR, allocation_path
from corridor.data.csvfile import decode_utf8, read_bytes
from corridor.errors import DataError, Problem
from corridor.model.scenario import Demand, Disruption, EnergyCase, Override, Scenario
from corridor.schema.enums import CargoClass
from corridor.schema.scenario_keys import check_scenario_doc, missing_top_keys

__all__ = ["SCENARIO_DIR", "list_scenarios", "read_scenario"]

SCENARIO_DIR = Path(__file__).parent / "scenarios"
_LISTS = ("demand", "overrides", "disruptions")


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with Corridor."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _path(name_or_path: str | Path, near: Path | None = None) -> Path:
    """The file of a shipped scenario name or a path (relative paths also tried beside *near*)."""
    p = Path(name_or_path)
    if near is not None and not p.is_absolute() and (near.parent / p).exists():
        p = near.parent / p
    if p.is_dir():
        raise DataError(Problem(str(p), None, "(file)", str(p), "a scenario file (.toml), not a folder"))
    if p.suffix == ".toml" or p.exists():
        return p
    shipped = SCENARIO_DIR / f"{name_or_path}.toml"
    if shipped.exists():
        return shipped
    raise DataError(
        Problem("(scenario)", None, "name", str(name_or_path), f"a scenario file or one of {', '.join(list_scenarios())}")
    )


def _parse(path: Path) -> dict[str, Any]:
    problems: list[Problem] = []
    data = read_bytes(path, problems)
    text = decode_utf8(data, path.name, problems) if data is not None else ""
    if problems:
        raise DataError(problems)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        raise DataError(Problem(path.name, int(m.group(1)) if m else None, "(toml)", str(exc), "valid TOML")) from None


def _merge(base: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """*doc* on top of its parent *base*: lists extended (unless ``replace_<list>``), tables merged."""
    for key, value in doc.items():
        if key in _LISTS and doc.get(f"replace_{key}") is not True:
            base[key] = [*base.get(key, []), *value]
        elif key in ("policies", "energy") and isinstance(value, dict):
            merged = dict(base.get(key, {}))
            for k, v in value.items():
                merged[k] = {**merged.get(k, {}), **v} if isinstance(v, dict) and isinstance(merged.get(k), dict) else v
            base[key] = merged
        elif key != "extends":
            base[key] = value
    return base


def _load(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The checked document of *path*, merged onto the documents it extends."""
    doc = _parse(path)
    problems = check_scenario_doc(doc, path.name, top_required=False)
    if problems:
        raise DataError(problems)
    if "extends" not in doc:
        return doc
    parent = _path(doc["extends"], near=path)
    if not parent.is_file():
        known = ", ".join(list_scenarios())
        raise DataError(Problem(path.name, None, "extends", doc["extends"], f"an existing scenario file or one of {known}"))
    if parent.resolve() in (*seen, path.resolve()):
        raise DataError(Problem(path.name, None, "extends", doc["extends"], "no cycle of extends"))
    return _merge(_load(parent, (*seen, path.resolve())), doc)


_FREIGHT_CLASSES = (CargoClass.CONTAINER, CargoClass.DRY_BULK, CargoClass.LIQUID_BULK)


def _cargo_class(d: dict[str, Any], key: str, where: str, problems: list[Problem]) -> CargoClass:
    """A demand row's cargo class (containers when not given); a freight class, else a problem naming the row."""
    value = d.get("cargo_class", CargoClass.CONTAINER.value)
    try:
        cargo = CargoClass(value)
    except ValueError:
        cargo = None
    if cargo not in _FREIGHT_CLASSES:
        problems.append(Problem(where, None, key, value, ", ".join(c.value for c in _FREIGHT_CLASSES)))
        return CargoClass.CONTAINER
    return cargo


def _demand(doc: dict[str, Any], where: str, problems: list[Problem]) -> tuple[Demand, ...]:
    out = []
    for i, d in enumerate(doc.get("demand", [])):
        if not (d.get("source") or d.get("assumption")):
            problems.append(Problem(where, None, f"demand[{i}].source", "", "a source (with quote) or an assumption"))
        out.append(
            Demand(
                id=d["id"],
                origin=d["origin"],
                destination=d["destination"],
                t_per_year={int(y): float(v) for y, v in d["t_per_year"].items()},
                annual_growth=float(d.get("annual_growth", 0.0)),
                avoid_countries=tuple(d.get("avoid_countries", ())),
                source=str(d.get("source", "")),
                quote=str(d.get("quote", d.get("assumption", ""))),
                cargo_class=_cargo_class(d, f"demand[{i}].cargo_class", where, problems),
                commodity=str(d.get("commodity", "")),
            )
        )
        if not d["t_per_year"]:
            problems.append(Problem(where, None, f"demand[{i}].t_per_year", {}, "at least one year = tonnes per year"))
    return tuple(out)


def _disruptions(doc: dict[str, Any], where: str, problems: list[Problem]) -> tuple[Disruption, ...]:
    out = []
    for i, x in enumerate(doc.get("disruptions", [])):
        want = "node" if x["kind"] == "close_node" else "link"
        if want not in x or ("link" if want == "node" else "node") in x:
            problems.append(Problem(where, None, f"disruptions[{i}]", x, f"{x['kind']} with a {want} (and no other target)"))
            continue
        if x.get("to_year", 10**6) < x.get("from_year", 0):
            problems.append(Problem(where, None, f"disruptions[{i}].to_year", x["to_year"], "a year >= from_year"))
        out.append(
            Disruption(
                kind=x["kind"],
                target=x[want],
                factor=float(x.get("factor", 0.0)),
                from_year=int(x.get("from_year", 0)),
                to_year=int(x.get("to_year", 10**6)),
            )
        )
    return tuple(out)


def _allocations(e: dict[str, Any], where: str, problems: list[Problem]) -> tuple[str, ...]:
    """The allocation cases an ``[energy]`` table names; each must be a shipped case or an existing file."""
    names = e.get("allocation", [])
    names = [names] if isinstance(names, str) else list(names)
    for name in names:
        if allocation_path(str(name)) is None:
            problems.append(Problem(where, None, "energy.allocation", name, f"a case in {ENERGY_DIR} or a TOML file"))
    return tuple(str(n) for n in names)


def _energy(doc: dict[str, Any], where: str, problems: list[Problem]) -> EnergyCase | None:
    if "energy" not in doc:
        return None
    e = doc["energy"]
    return EnergyCase(
        allocations=_allocations(e, where, problems),
        cargo=CargoClass(e.get("cargo", "liquid_bulk")),
        supplies={k: float(v) for k, v in e.get("supplies", {}).items()},
        sinks={k: None if v == "unlimited" else float(v) for k, v in e.get("sinks", {}).items()},
        quotas={k: float(v) for k, v in e.get("quotas", {}).items()},
        source=str(e.get("source", "")),
    )


def read_scenario(name_or_path: str | Path) -> Scenario:
    """Parse a scenario; every problem (unknown key, wrong type, value out of range) is reported at once.

    Place, link and column names are checked against a network by :meth:`Scenario.validate`.
    """
    path = _path(name_or_path)
    doc = _load(path)
    where = path.name
    problems = missing_top_keys(doc, where)
    if problems:
        raise DataError(problems)
    demand = _demand(doc, where, problems)
    disruptions = _disruptions(doc, where, problems)
    energy = _energy(doc, where, problems)
    overrides = tuple(
        Override(
            table=o["table"],
            record=o["record"],
            field=o["field"],
            value=float(o["value"]),
            from_year=o["from_year"],
            source=str(o.get("source", "")),
            assumption=str(o.get("assumption", "")),
        )
        for o in doc.get("overrides", [])
    )
    if problems:
        raise DataError(problems)
    return Scenario(
        name=doc["name"],
        description=doc["description"],
        base_year=doc["base_year"],
        include_planned=doc.get("include_planned", True),
        customs=doc.get("customs", "auto"),
        objective=doc.get("objective", "generalised"),
        demand=demand,
        overrides=overrides,
        disruptions=disruptions,
        digital_customs=dict(doc.get("policies", {}).get("digital_customs", {})),
        energy=energy,
        file=where,
    )
