"""Business rules of a declaration (second validation stage) and risk rules, both as data with ids.

Each :class:`BusinessRule` has an id, a title, what it expects and a check that yields ``(path, value)`` for every
place the declaration breaks it (optionally with a more specific expectation). :func:`check_declaration` runs them
all and returns the failures (rule, path, value, message). Risk rules are shipped as ``risk_rules.csv``.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pycountry

from corridor.schema.enums import NodeKind
from corridor.transit.codes import is_container_number, is_hs6, is_un_number
from corridor.transit.errors import failure
from corridor.transit.schemas import DeclarationIn

__all__ = ["BUSINESS_RULES", "BusinessRule", "RiskRule", "RuleContext", "check_declaration", "load_risk_rules"]

Hit = tuple[str, Any] | tuple[str, Any, str]


@dataclass(frozen=True)
class RuleContext:
    """What the rules look up: network nodes and kinds, linked node pairs, currencies, and carrier parties."""

    node_kind: dict[str, str]
    pairs: frozenset[tuple[str, str]]
    currencies: frozenset[str]
    is_active_carrier: Callable[[int], bool] = field(default=lambda _pid: False)


@dataclass(frozen=True)
class BusinessRule:
    """One rule: id, title, the expectation shown to the declarant, and its check."""

    rule_id: str
    title: str
    expected: str
    check: Callable[[DeclarationIn, RuleContext], Iterator[Hit]]


def _r001(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    for i, c in enumerate(d.containers):
        if not is_container_number(c.number):
            yield f"containers[{i}].number", c.number


def _r002(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    counts = Counter(s for c in d.containers for s in c.seals)
    dup = sorted(s for s, n in counts.items() if n > 1)
    if dup:
        yield "containers[].seals", dup


def _r003(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    listed = sum(len(c.seals) for c in d.containers)
    if d.seals_count != listed:
        yield "seals_count", d.seals_count, f"the number of seals listed ({listed})"


def _r004(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    for i, g in enumerate(d.goods):
        if not is_hs6(g.hs_code):
            yield f"goods[{i}].hs_code", g.hs_code


def _r005(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    for i, g in enumerate(d.goods):
        if g.net_mass_kg > g.gross_mass_kg:
            yield f"goods[{i}].net_mass_kg", g.net_mass_kg, f"at most the gross mass ({g.gross_mass_kg})"


def _r006(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    for i, g in enumerate(d.goods):
        if g.un_number is not None and not is_un_number(g.un_number):
            yield f"goods[{i}].un_number", g.un_number


@cache
def _iso_currencies() -> frozenset[str]:
    """ISO 4217 alphabetic codes (pycountry's table, read once: a lookup per field costs more than the rule)."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def _r007(d: DeclarationIn, c: RuleContext) -> Iterator[Hit]:
    iso = _iso_currencies()
    for path, cur in [
        *((f"goods[{i}].currency", g.currency) for i, g in enumerate(d.goods)),
        ("guarantee.currency", d.guarantee.currency),
    ]:
        if cur not in iso or cur not in c.currencies:
            yield path, cur


def _offices(d: DeclarationIn) -> list[tuple[str, str]]:
    out = [("office_departure", d.office_departure), ("office_destination", d.office_destination)]
    return out + [(f"offices_transit[{i}]", o) for i, o in enumerate(d.offices_transit)]


def _r008(d: DeclarationIn, c: RuleContext) -> Iterator[Hit]:
    for path, node in _offices(d):
        if node not in c.node_kind:
            yield path, node


def _r009(d: DeclarationIn, c: RuleContext) -> Iterator[Hit]:
    for i, o in enumerate(d.offices_transit):
        if o in c.node_kind and c.node_kind[o] != NodeKind.BORDER_CROSSING:
            yield f"offices_transit[{i}]", o


def _r010(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    if d.transport.train_number and not any(doc.type in ("CIM", "SMGS", "CIM/SMGS") for doc in d.documents):
        yield "documents", [doc.type for doc in d.documents]


def _r011(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    if not d.containers and not d.transport.train_number:
        yield "transport", None


def _r012(d: DeclarationIn, c: RuleContext) -> Iterator[Hit]:
    it = d.itinerary
    unknown = [n for n in it if n not in c.node_kind]
    if unknown:
        yield "itinerary", unknown
    elif it[0] != d.office_departure or it[-1] != d.office_destination:
        yield "itinerary", [it[0], it[-1]], "to start at the office of departure and end at the office of destination"


def _r013(d: DeclarationIn, c: RuleContext) -> Iterator[Hit]:
    it = d.itinerary
    if any(n not in c.node_kind for n in it):
        return
    for i in range(len(it) - 1):
        if it[i] != it[i + 1] and (it[i], it[i + 1]) not in c.pairs:
            yield f"itinerary[{i + 1}]", f"{it[i]}->{it[i + 1]}"


def _r014(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    it, pos = d.itinerary, 0
    for j, o in enumerate(d.offices_transit):
        if o not in it[pos:]:
            yield f"offices_transit[{j}]", o
        else:
            pos = it.index(o, pos)


def _r015(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    seen: set[str] = set()
    for i, c in enumerate(d.containers):
        if c.number in seen:
            yield f"containers[{i}].number", c.number
        seen.add(c.number)


@cache
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def _r016(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    for i, g in enumerate(d.goods):
        if g.origin_country not in _countries():
            yield f"goods[{i}].origin_country", g.origin_country
    if d.owner_country is not None and d.owner_country not in _countries():
        yield "owner_country", d.owner_country


def _r017(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    seen: set[str] = set()
    for i, n in enumerate(d.itinerary):
        if n in seen:
            yield f"itinerary[{i}]", n
        seen.add(n)


def _r018(d: DeclarationIn, c: RuleContext) -> Iterator[Hit]:
    if d.transport.carrier_id is not None and not c.is_active_carrier(d.transport.carrier_id):
        yield "transport.carrier_id", d.transport.carrier_id


def _r019(d: DeclarationIn, _c: RuleContext) -> Iterator[Hit]:
    seen: set[str] = set()
    for i, w in enumerate(d.transport.wagons):
        if w in seen:
            yield f"transport.wagons[{i}]", w
        seen.add(w)


_R = BusinessRule
#: The business rules, in the order they are checked and reported
BUSINESS_RULES: tuple[BusinessRule, ...] = (
    _R("R001", "container check digit", "an ISO 6346 container number with a valid check digit", _r001),
    _R("R002", "unique seals", "seal identifiers unique within the declaration", _r002),
    _R("R003", "seal count", "the number of seals listed", _r003),
    _R("R004", "HS code", "a 6-digit HS subheading with chapter 01-97", _r004),
    _R("R005", "net within gross mass", "at most the gross mass", _r005),
    _R("R006", "UN number", "a UN number 0004-3550", _r006),
    _R("R007", "known currency", "a currency of the FX table (or USD)", _r007),
    _R("R008", "known office", "a node id of the Corridor network", _r008),
    _R("R009", "transit office at a border", "a border crossing", _r009),
    _R("R010", "rail consignment note", "a CIM or SMGS consignment note for rail transit", _r010),
    _R("R011", "something to match arrivals with", "a train number or at least one container", _r011),
    _R("R012", "itinerary ends at the offices", "node ids of the Corridor network", _r012),
    _R("R013", "itinerary follows links", "consecutive nodes joined by a link of the network", _r013),
    _R("R014", "transit offices on the itinerary", "an office on the itinerary, in itinerary order", _r014),
    _R("R015", "unique containers", "each container listed once", _r015),
    _R("R016", "origin and owner country", "an ISO 3166-1 alpha-2 country code", _r016),
    _R("R017", "no repeated itinerary node", "each node of the itinerary once", _r017),
    _R("R018", "declared carrier", "the party id of an active carrier", _r018),
    _R("R019", "unique wagons", "each wagon listed once", _r019),
)


def check_declaration(d: DeclarationIn, ctx: RuleContext) -> list[dict]:
    """Every failed business rule of *d*: rule id, field path, value and the expectation."""
    out = []
    for rule in BUSINESS_RULES:
        for hit in rule.check(d, ctx):
            out.append(failure(rule.rule_id, hit[0], hit[1], hit[2] if len(hit) > 2 else rule.expected))
    return out


@dataclass(frozen=True)
class RiskRule:
    """A risk rule (from ``risk_rules.csv``): selects a movement for control when its fact matches."""

    rule_id: str
    description: str
    field: str
    operator: str
    value: str

    def selects(self, facts: dict[str, Any]) -> bool:
        """True when *facts* match this rule."""
        v = facts.get(self.field)
        if self.operator == "in":
            wanted = {x.strip() for x in self.value.split(";")}
            return any(str(x) in wanted for x in (v if isinstance(v, list | set | tuple) else [v]))
        if self.operator == "gt":
            return v is not None and float(v) > float(self.value)
        if self.operator == "between":
            lo, hi = (int(x) for x in self.value.split("-"))
            return any(lo <= int(x) <= hi for x in (v or []))
        raise ValueError(f"risk rule {self.rule_id}: unknown operator {self.operator!r}")


def load_risk_rules() -> list[RiskRule]:
    """The risk rules shipped as data (risk_rules.csv)."""
    text = resources.files(__package__).joinpath("risk_rules.csv").read_text(encoding="utf-8")
    return [RiskRule(**row) for row in csv.DictReader(text.splitlines())]
