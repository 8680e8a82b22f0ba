"""Read scenario TOML files: the ones shipped in ``corridor/data/scenarios`` (by name) or a user's file (by path)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from corridor.errors import DataError, Problem
from corridor.model.scenario import Demand, Disruption, EnergyCase, Override, Scenario
from corridor.schema.enums import CargoClass

__all__ = ["SCENARIO_DIR", "list_scenarios", "read_scenario"]

SCENARIO_DIR = Path(__file__).parent / "scenarios"
_TOP = {
    "name",
    "description",
    "base_year",
    "include_planned",
    "customs",
    "objective",
    "demand",
    "overrides",
    "disruptions",
    "policies",
    "energy",
    "extends",
}


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with Corridor."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        return p
    shipped = SCENARIO_DIR / f"{name_or_path}.toml"
    if shipped.exists():
        return shipped
    raise DataError(
        Problem("(scenario)", None, "name", str(name_or_path), f"a scenario file or one of {', '.join(list_scenarios())}")
    )


def _load(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if not path.exists():
        raise DataError(Problem(str(path), None, "(file)", str(path), "an existing TOML file"))
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(Problem(path.name, None, "(toml)", str(exc), "valid TOML")) from None
    if "extends" in doc:
        parent = _path(doc["extends"])
        if parent.resolve() in seen:
            raise DataError(Problem(path.name, None, "extends", doc["extends"], "no cycle of extends"))
        base = _load(parent, (*seen, path.resolve()))
        for key, value in doc.items():
            if key in ("demand", "overrides", "disruptions") and doc.get(f"replace_{key}") is not True:
                base[key] = [*base.get(key, []), *value]
            elif key in ("policies", "energy") and isinstance(value, dict):
                merged = dict(base.get(key, {}))
                for k, v in value.items():
                    merged[k] = {**merged.get(k, {}), **v} if isinstance(v, dict) and isinstance(merged.get(k), dict) else v
                base[key] = merged
            elif key != "extends":
                base[key] = value
        return base
    return doc


def _num(where: str, key: str, value: Any, problems: list[Problem]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(where, None, key, value, "a number"))
        return 0.0
    return float(value)


def read_scenario(name_or_path: str | Path) -> Scenario:
    """Parse a scenario; every problem (unknown key, wrong type, negative demand) is reported at once."""
    path = _path(name_or_path)
    doc = _load(path)
    where = path.name
    problems: list[Problem] = []
    for key in doc:
        if key not in _TOP:
            problems.append(Problem(where, None, key, key, f"a known key ({', '.join(sorted(_TOP))})"))
    for key in ("name", "description", "base_year"):
        if key not in doc:
            problems.append(Problem(where, None, key, None, "this key"))
    demand = []
    for i, d in enumerate(doc.get("demand", [])):
        tag = f"demand[{i}]"
        missing = [k for k in ("id", "origin", "destination", "t_per_year") if k not in d]
        if missing:
            problems.append(Problem(where, None, tag, ", ".join(missing), "id, origin, destination and t_per_year"))
            continue
        anchors = {}
        for y, v in dict(d["t_per_year"]).items():
            val = _num(where, f"{tag}.t_per_year.{y}", v, problems)
            if val < 0:
                problems.append(Problem(where, None, f"{tag}.t_per_year.{y}", v, "tonnes per year >= 0"))
            try:
                anchors[int(y)] = val
            except ValueError:
                problems.append(Problem(where, None, f"{tag}.t_per_year", y, "a year"))
        if not (d.get("source") or d.get("assumption")):
            problems.append(Problem(where, None, f"{tag}.source", "", "a source (with quote) or an assumption"))
        demand.append(
            Demand(
                id=str(d["id"]),
                origin=str(d["origin"]),
                destination=str(d["destination"]),
                t_per_year=anchors,
                annual_growth=_num(where, f"{tag}.annual_growth", d.get("annual_growth", 0.0), problems),
                avoid_countries=tuple(d.get("avoid_countries", ())),
                source=str(d.get("source", "")),
                quote=str(d.get("quote", d.get("assumption", ""))),
            )
        )
    overrides = []
    for i, o in enumerate(doc.get("overrides", [])):
        try:
            overrides.append(
                Override(
                    table=str(o["table"]),
                    record=str(o["record"]),
                    field=str(o["field"]),
                    value=_num(where, f"overrides[{i}].value", o["value"], problems),
                    from_year=int(o["from_year"]),
                    source=str(o.get("source", "")),
                    assumption=str(o.get("assumption", "")),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            problems.append(Problem(where, None, f"overrides[{i}]", str(exc), "table, record, field, value, from_year"))
    disruptions = []
    for i, x in enumerate(doc.get("disruptions", [])):
        target = x.get("link", x.get("node"))
        if "kind" not in x or target is None:
            problems.append(Problem(where, None, f"disruptions[{i}]", x, "kind and a link or node"))
            continue
        disruptions.append(
            Disruption(
                kind=str(x["kind"]),
                target=str(target),
                factor=_num(where, f"disruptions[{i}].factor", x.get("factor", 0.0), problems),
                from_year=int(x.get("from_year", 0)),
                to_year=int(x.get("to_year", 10**6)),
            )
        )
    energy = None
    if "energy" in doc:
        e = doc["energy"]
        try:
            cargo = CargoClass(e.get("cargo", "liquid_bulk"))
        except ValueError:
            problems.append(Problem(where, None, "energy.cargo", e.get("cargo"), "liquid_bulk or gas"))
            cargo = CargoClass.LIQUID_BULK
        sinks = {}
        for k, v in dict(e.get("sinks", {})).items():
            sinks[k] = None if v in ("unlimited", None) else _num(where, f"energy.sinks.{k}", v, problems)
        energy = EnergyCase(
            cargo=cargo,
            supplies={k: _num(where, f"energy.supplies.{k}", v, problems) for k, v in dict(e.get("supplies", {})).items()},
            sinks=sinks,
            quotas={k: _num(where, f"energy.quotas.{k}", v, problems) for k, v in dict(e.get("quotas", {})).items()},
            source=str(e.get("source", "")),
        )
    policies = doc.get("policies", {})
    digital = {str(k): int(v) for k, v in dict(policies.get("digital_customs", {})).items()}
    if problems:
        raise DataError(problems)
    return Scenario(
        name=str(doc["name"]),
        description=str(doc["description"]),
        base_year=int(doc["base_year"]),
        include_planned=bool(doc.get("include_planned", True)),
        customs=str(doc.get("customs", "auto")),
        objective=str(doc.get("objective", "generalised")),
        demand=tuple(demand),
        overrides=tuple(overrides),
        disruptions=tuple(disruptions),
        digital_customs=digital,
        energy=energy,
        file=where,
    )
