"""Trade rules (sanctions, transit conditions, tariffs) on a transit declaration, through :mod:`corridor.rules`.

Each goods item is one shipment along the declaration's itinerary (node ids, and their countries from the
network), judged by :func:`corridor.rules.evaluate_declaration`; the service and ``corridor check --declaration``
both use :func:`assess_declaration`, so they agree. A refusal becomes a failure naming the rule, the path
(``itinerary``, ``goods[i].origin_country``, ``goods[i].hs_code`` or ``owner_country``), the value, the reason and
the citation. Duties (such as the US tariff on Kazakh goods) are import duties of the country of destination, not
duties at risk during transit, so they are reported (audit trail, ``corridor check``) and not added to the amount
at risk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.errors import CorridorError
from corridor.model.commodities import COMMODITIES
from corridor.rules import Assessment, Rule, evaluate_declaration, expand_countries
from corridor.schema.enums import CargoClass, RuleEffect
from corridor.transit.errors import failure
from corridor.transit.schemas import DeclarationIn

__all__ = ["ItemAssessment", "assess_declaration", "cargo_of", "itinerary_countries", "trade_failures", "trade_report"]


@dataclass(frozen=True)
class ItemAssessment:
    """Every rule's verdict on one goods item (by its index in ``goods``) of a declaration."""

    index: int
    hs_code: str
    cargo: str
    assessment: Assessment


def cargo_of(hs_code: str, containerised: bool) -> tuple[str, str]:
    """(cargo, cargo class) of an HS code: a commodity when the code is under its heading (2701 coal, 1001 grain,
    26 ores, 2814 ammonia, 2710 oil products), else containers when the declaration lists containers and dry bulk
    otherwise (assumption: a rail declaration without containers carries wagon loads)."""
    for info in COMMODITIES.values():
        if hs_code.startswith(info.hs_heading):
            return info.commodity.value, info.cargo_class.value
    cls = CargoClass.CONTAINER if containerised else CargoClass.DRY_BULK
    return cls.value, cls.value


def itinerary_countries(node_country: Mapping[str, str], nodes: Sequence[str]) -> list[str]:
    """The countries of the itinerary's nodes (*node_country*: node id -> country), in order, each once per stretch
    (unknown nodes are skipped)."""
    out: list[str] = []
    for n in nodes:
        c = node_country.get(n, "")
        if c and (not out or out[-1] != c):
            out.append(c)
    return out


def _value_usd(value: float, currency: str, usd_rate: Callable[[str], float]) -> float | None:
    try:
        return value / usd_rate(currency)
    except (CorridorError, ValueError, KeyError, ZeroDivisionError):
        return None


def assess_declaration(
    d: DeclarationIn,
    rules: Sequence[Rule],
    node_country: Mapping[str, str],
    usd_rate: Callable[[str], float],
    date: dt.date,
) -> list[ItemAssessment]:
    """Every rule's verdict on each goods item of *d* on *date* (origin, owner, HS code, value, itinerary)."""
    countries = itinerary_countries(node_country, d.itinerary)
    destination = node_country.get(d.office_destination, "") or (countries[-1] if countries else "")
    out = []
    for i, g in enumerate(d.goods):
        cargo, cargo_class = cargo_of(g.hs_code, bool(d.containers))
        assessment = evaluate_declaration(
            rules, cargo=cargo, cargo_class=cargo_class, origin_country=g.origin_country,
            destination_country=destination, route_nodes=d.itinerary, route_countries=countries, date=date,
            owner_country=d.owner_country, hs_code=g.hs_code, value_usd=_value_usd(g.value, g.currency, usd_rate),
        )  # fmt: skip
        out.append(ItemAssessment(i, g.hs_code, cargo, assessment))
    return out


def _where(rule: Rule, item: ItemAssessment, d: DeclarationIn, node_country: Mapping[str, str]) -> tuple[str, Any]:
    """The field a refusal points at, and its value."""
    if rule.effect == RuleEffect.REQUIRE:
        return "owner_country", d.owner_country
    if rule.route_nodes or rule.route_countries:
        banned = expand_countries(rule.route_countries)
        return "itinerary", [n for n in d.itinerary if n in rule.route_nodes or node_country.get(n, "") in banned]
    if rule.origin_countries:
        return f"goods[{item.index}].origin_country", d.goods[item.index].origin_country
    return f"goods[{item.index}].hs_code", item.hs_code


def trade_failures(
    d: DeclarationIn, items: Sequence[ItemAssessment], rules: Sequence[Rule], node_country: Mapping[str, str]
) -> list[dict]:
    """One failure per refusing rule and field (rule, path, value, message, citation); empty when all are allowed."""
    by_id = {r.rule_id: r for r in rules}
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        for v in item.assessment.refusals:
            path, value = _where(by_id[v.rule_id], item, d, node_country)
            if (v.rule_id, path) in seen:
                continue
            seen.add((v.rule_id, path))
            goods = f"goods[{item.index}] ({item.cargo}, HS {item.hs_code})"
            out.append({**failure(v.rule_id, path, value, f"{v.title} refuses {goods}: {v.reason}"), "citation": v.citation})
    return out


def trade_report(items: Sequence[ItemAssessment]) -> list[dict]:
    """The rules that apply to some goods item (permits, lifted bans, duties): for the audit trail."""
    return [
        {"goods": item.index, "rule": v.rule_id, "outcome": v.outcome, "reason": v.reason, "duty_usd": v.duty_usd}
        for item in items
        for v in item.assessment.applying
    ]
