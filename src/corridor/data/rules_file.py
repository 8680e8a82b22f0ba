"""Load the rules table (``rules.csv``) into :class:`~corridor.rules.Rule` objects, checking every row.

Beyond the schema's types, each row must cite a source with a quote or state an assumption; name known countries
(or a group), nodes and rules; give a duty with ``duty``, overridden rules with ``permit``, and dates in order.
Every problem is reported with file, line, field, value and expectation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from corridor.data.side_tables import check_cited, raise_if, read_side_table, side_folder
from corridor.errors import Problem
from corridor.model import Network
from corridor.rules import COUNTRY_GROUPS, Rule
from corridor.schema.enums import RuleEffect
from corridor.units import is_country

__all__ = ["RULES_FILE", "read_rules"]

RULES_FILE = "rules.csv"
_COUNTRY_FIELDS = ("origin_countries", "destination_countries", "owner_countries", "owner_not_countries", "route_countries")


def read_rules(path: str | Path | None = None, *, net: Network | None = None, file: Path | None = None) -> list[Rule]:
    """The rules of the dataset folder at *path* (or of the rules *file*), checked against *net* when given.

    Raises :class:`~corridor.errors.DataError` listing every problem.
    """
    folder = side_folder(path)
    target = file or folder / RULES_FILE
    problems: list[Problem] = []
    frame = read_side_table(folder, "rules", problems, file=file)
    sources = {} if net is None else {str(k): str(v) for k, v in net.sources["title"].items()}
    if net is not None:
        check_cited(frame, target.name, set(sources), problems)
    known_rules = set(frame["rule_id"].dropna())
    for _, row in frame.iterrows():
        _check_row(row, target.name, net, known_rules, problems)
    raise_if(problems)
    return [_rule(row, sources) for _, row in frame.iterrows()]


def _check_row(row: pd.Series, file: str, net: Network | None, known: set[str], problems: list[Problem]) -> None:
    line = int(row["_line"])
    add = problems.append
    if row["kind"] not in ("law", "policy"):
        add(Problem(file, line, "kind", row["kind"], "law or policy"))
    for name in _COUNTRY_FIELDS:
        for code in row[name] or ():
            if code.upper() not in COUNTRY_GROUPS and not is_country(code.upper()):
                add(Problem(file, line, name, code, f"ISO 3166-1 alpha-2 codes or a group ({', '.join(COUNTRY_GROUPS)})"))
    if net is not None:
        for node in row["route_nodes"] or ():
            if node not in net.nodes.index:
                add(Problem(file, line, "route_nodes", node, "a node_id of nodes.csv"))
    for target in row["overrides"] or ():
        if target not in known:
            add(Problem(file, line, "overrides", target, "a rule_id of this file"))
    if row["effect"] == RuleEffect.DUTY and (row["duty_pct"] != row["duty_pct"] or row["duty_pct"] is None):
        add(Problem(file, line, "duty_pct", "", "a percentage for a duty rule"))
    if row["effect"] == RuleEffect.PERMIT and not row["overrides"]:
        add(Problem(file, line, "overrides", "", "the rule_ids a permit lifts"))
    if row["in_force_from"] and row["in_force_to"] and row["in_force_to"] < row["in_force_from"]:
        add(Problem(file, line, "in_force_to", row["in_force_to"], f"a date on or after in_force_from ({row['in_force_from']})"))


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _codes(values: object) -> frozenset[str]:
    return frozenset(str(v).upper() for v in values or ())  # type: ignore[union-attr]


def _rule(row: pd.Series, sources: dict[str, str]) -> Rule:
    duty = row["duty_pct"]
    return Rule(
        rule_id=row["rule_id"],
        title=row["title"],
        effect=row["effect"],
        legal_source=row["legal_source"],
        kind=row["kind"],
        article=row["article"],
        quote=row["quote"],
        source_id=row["source_id"],
        source_title=sources.get(row["source_id"]) if row["source_id"] else None,
        assumption=row["assumption"],
        in_force_from=_date(row["in_force_from"]),
        in_force_to=_date(row["in_force_to"]),
        cargo=frozenset(str(c).lower() for c in row["cargo"] or ()),
        hs_prefixes=tuple(row["hs_prefixes"] or ()),
        except_hs_prefixes=tuple(row["except_hs_prefixes"] or ()),
        origin_countries=_codes(row["origin_countries"]),
        destination_countries=_codes(row["destination_countries"]),
        owner_countries=_codes(row["owner_countries"]),
        owner_not_countries=_codes(row["owner_not_countries"]),
        route_countries=_codes(row["route_countries"]),
        route_nodes=frozenset(row["route_nodes"] or ()),
        purposes=frozenset(row["purposes"] or ()),
        overrides=tuple(row["overrides"] or ()),
        duty_pct=None if duty != duty else float(duty),
        line=int(row["_line"]),
    )
