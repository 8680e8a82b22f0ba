"""Every number in the commands' JSON carries its unit in its name (``flow_t_per_year``, ``cost_usd``, ``vc_ratio``).

The walk fails on any numeric field whose name ends in no unit suffix from :data:`SUFFIXES` (or a currency code) and
is not one of the few unitless names in :data:`PLAIN`. A number in a list takes the list's name (``years``); a number
in a mapping from ids to amounts may take the mapping's name (``stranded_t_per_year: {"atyrau": 0.0}``).
"""

from __future__ import annotations

from typing import Any

import pytest
from cli_helpers import ok_json

from corridor.units import is_currency

SUFFIXES = (
    "_km",
    "_h",
    "_days",
    "_usd",
    "_t",
    "_teu",
    "_bcm",
    "_per_year",
    "_pct",
    "_pp",
    "_fraction",
    "_ratio",
    "_kg",
    "_count",
    "_year",
)
#: Names that are their own unit (a calendar year, a rank, a day count) or a dimensionless convergence measure.
PLAIN = {"year", "years", "rank", "id", "days", "relative_gap"}


def has_unit(name: str) -> bool:
    """Whether *name* says its unit: a known suffix, a currency code (``cost_kzt``) or a plain name."""
    if name in PLAIN or name.endswith(SUFFIXES):
        return True
    head, _, code = name.rpartition("_")
    return bool(head) and len(code) == 3 and is_currency(code.upper())


def unitless(doc: Any, name: str = "", parent: str = "", path: str = "$") -> list[str]:
    """Paths of the numbers in *doc* whose name (or, for a mapping's entries, the mapping's name) has no unit."""
    if isinstance(doc, bool) or doc is None or isinstance(doc, str):
        return []
    if isinstance(doc, int | float):
        return [] if has_unit(name) or has_unit(parent) else [f"{path} ({name or '?'})"]
    if isinstance(doc, dict):
        return [bad for k, v in doc.items() for bad in unitless(v, str(k), name, f"{path}.{k}")]
    if isinstance(doc, list):
        return [bad for i, v in enumerate(doc) for bad in unitless(v, name, parent, f"{path}[{i}]")]
    return [f"{path} ({type(doc).__name__})"]


def test_the_walk_catches_bare_names():
    assert unitless({"flow": 1.0, "legs": [{"cost": 2}], "ok_km": 3, "years": [2030]}) == [
        "$.flow (flow)",
        "$.legs[0].cost (cost)",
    ]
    assert unitless({"stranded_t_per_year": {"atyrau": 0.0}, "cost_local": {"cost_kzt": 1.0, "amount": 2.0}}) == [
        "$.cost_local.amount (amount)"
    ]
    assert has_unit("cost_try") and not has_unit("cost_xyz") and not has_unit("share") and not has_unit("vc")


COMMANDS = [
    ("route", "xian", "duisburg", "--k", "2"),
    ("route", "Tengiz", "Ceyhan", "--cargo", "liquid_bulk", "--avoid", "RU", "--objective", "cost", "--currency", "TRY"),
    ("compare", "--currency", "KZT"),
    ("assign", "--scenario", "cpc_disruption", "--year", "2030"),
    ("scenario", "run", "cpc_disruption", "--years", "2030,2032"),
    ("scenario", "diff", "cpc_disruption", "btc_quota_raised", "--years", "2030"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
def test_json_numbers_carry_units(args: tuple[str, ...]):
    doc = ok_json(*args)
    numbers = _count_numbers(doc)
    assert numbers > 3, "the walk saw the command's numbers"
    assert unitless(doc) == []


def _count_numbers(doc: Any) -> int:
    if isinstance(doc, bool) or doc is None or isinstance(doc, str):
        return 0
    if isinstance(doc, int | float):
        return 1
    values = doc.values() if isinstance(doc, dict) else doc
    return sum(_count_numbers(v) for v in values)


def test_energy_names_follow_the_commodity():
    doc = ok_json("assign", "--scenario", "cpc_disruption", "--year", "2030")
    energy = doc["energy"]
    assert energy["unit"] == "t" and energy["shipped_t_per_year"] > 0
    assert energy["sinks"] and all({"flow_t_per_year", "share_fraction"} <= set(s) for s in energy["sinks"])
    assert {"flow_t_per_year", "capacity_t_per_year", "utilisation_fraction"} <= set(energy["links"][0])
