"""The keys a scenario TOML file may hold, as data (``scenario_keys.csv``), and the check of a parsed file.

Each row names a key path (``demand[].t_per_year.<year>``: ``[]`` marks an array of tables, ``<year>``,
``<node>`` and ``<link>`` any key of that kind), its type, whether it is required, its range or allowed
values. :func:`check_scenario_doc` reports every unknown key, wrong type, value outside its range or not
among the allowed ones, with the file, the key path and what was expected.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from corridor.errors import Problem
from corridor.schema.columns import CONTROL_CHARS
from corridor.schema.ranges import MODEL_YEARS, Range, parse_range
from corridor.units import is_country

__all__ = ["ScenarioKey", "check_scenario_doc", "missing_top_keys", "scenario_keys"]

_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_YEARS = Range(*MODEL_YEARS)


@dataclass(frozen=True)
class ScenarioKey:
    """One key a scenario file may hold."""

    key: str
    type: str
    required: bool
    range: Range | None
    allowed: tuple[str, ...]
    description: str

    @property
    def name(self) -> str:
        """The last part of the path (``<year>`` for a placeholder)."""
        return self.key.rsplit(".", 1)[-1].removesuffix("[]")


@cache
def scenario_keys() -> dict[str, ScenarioKey]:
    """Every scenario key by path, read from ``scenario_keys.csv``."""
    text = resources.files(__package__).joinpath("scenario_keys.csv").read_text(encoding="utf-8")
    out = {}
    for row in csv.DictReader(text.splitlines()):
        rng = _YEARS if row["type"] == "year" else parse_range(row["range"])
        allowed = tuple(a for a in row["allowed"].split(";") if a)
        out[row["key"]] = ScenarioKey(row["key"], row["type"], row["required"] == "yes", rng, allowed, row["description"])
    return out


def _children(parent: str) -> dict[str, ScenarioKey]:
    prefix = f"{parent}." if parent else ""
    return {
        k.key.removeprefix(prefix): k
        for k in scenario_keys().values()
        if k.key.startswith(prefix) and "." not in k.key.removeprefix(prefix)
    }


def _placeholder(name: str, spec: ScenarioKey) -> str | None:
    """Why *name* cannot stand for the placeholder key *spec*, or None."""
    if spec.name == "<year>":
        year = int(name) if re.fullmatch(r"-?[0-9]+", name) else None
        return None if year is not None and _YEARS.contains(year) else f"a year {_YEARS.describe()}"
    return None if _ID.fullmatch(name) else "an id of lower-case letters, digits, '_', '-' or '.'"


def _number(spec: ScenarioKey, value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "a whole number" if spec.type in ("int", "year") else "a number"
    if spec.type in ("int", "year") and not isinstance(value, int):
        return "a whole number"
    if not math.isfinite(value):
        return "a finite number"
    if spec.range is not None and not spec.range.contains(value):
        return f"a {'year' if spec.type == 'year' else 'number'} {spec.range.describe()}"
    return None


def _leaf(spec: ScenarioKey, value: object) -> str | None:
    """Why *value* does not fit *spec*, or None."""
    t = spec.type
    if t in ("int", "year", "float"):
        return _number(spec, value)
    if t == "float_or_unlimited":
        why = None if value == "unlimited" else _number(spec, value)
        return why and f'{why} or "unlimited"'
    if t == "bool":
        return None if isinstance(value, bool) else "true or false"
    if t == "list:country":
        ok = isinstance(value, list) and all(isinstance(v, str) and is_country(v) for v in value)
        return None if ok else "a list of ISO 3166-1 alpha-2 country codes"
    if t == "list:id":
        ok = isinstance(value, list) and all(isinstance(v, str) and not CONTROL_CHARS.search(v) for v in value)
        return None if ok else "a list of names"
    if not isinstance(value, str):
        return "a string"
    if CONTROL_CHARS.search(value.replace("\n", "") if t == "text" else value):
        return "text without control characters" + (" other than line breaks" if t == "text" else "")
    if t == "id" and not _ID.fullmatch(value):
        return "an id of lower-case letters, digits, '_', '-' or '.'"
    if t == "enum" and value not in spec.allowed:
        return f"one of {', '.join(spec.allowed)}"
    return None


def _table(doc: dict, pattern: str, shown: str, where: str, required: bool, out: list[Problem]) -> None:
    children = _children(pattern)
    named = {k: s for k, s in children.items() if not k.startswith("<")}
    wild = next((s for k, s in children.items() if k.startswith("<")), None)
    for key, value in doc.items():
        path = f"{shown}.{key}" if shown else str(key)
        spec = named.get(key)
        if spec is None and wild is not None:
            why = _placeholder(str(key), wild)
            if why:
                out.append(Problem(where, None, path, key, f"a key that is {why}"))
                continue
            spec = wild
        if spec is None:
            known = ", ".join(sorted(named)) or "none"
            out.append(Problem(where, None, path, key, f"a known key ({known})"))
            continue
        _value(spec, value, path, where, out)
    if required:
        for key, spec in named.items():
            if spec.required and key not in doc:
                out.append(Problem(where, None, f"{shown}.{key}" if shown else key, None, f"this key ({spec.description})"))


def _value(spec: ScenarioKey, value: object, path: str, where: str, out: list[Problem]) -> None:
    pattern = spec.key
    if spec.type == "table":
        if not isinstance(value, dict):
            out.append(Problem(where, None, path, value, "a table"))
        else:
            _table(value, pattern, path, where, True, out)
    elif spec.type == "list":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            out.append(Problem(where, None, path, value, f"an array of tables ([[{path}]])"))
            return
        for i, item in enumerate(value):
            _table(item, f"{pattern}[]", f"{path}[{i}]", where, True, out)
    else:
        why = _leaf(spec, value)
        if why:
            out.append(Problem(where, None, path, value, why))


def check_scenario_doc(doc: dict, where: str, *, top_required: bool = True) -> list[Problem]:
    """Every problem of one parsed scenario file *doc*; *top_required* also checks the required top keys."""
    out: list[Problem] = []
    _table(doc, "", "", where, False, out)
    if top_required:
        out += missing_top_keys(doc, where)
    return out


def missing_top_keys(doc: dict, where: str) -> list[Problem]:
    """The required top-level keys *doc* lacks (checked on a file merged with what it extends)."""
    return [
        Problem(where, None, k, None, f"this key ({s.description})")
        for k, s in _children("").items()
        if s.required and k not in doc
    ]
