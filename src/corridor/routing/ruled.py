"""Routes a shipment may take under the rules: candidates are judged rule by rule, refused ones are reported with
the rule that refused them, and the search moves away from what those rules forbid until k allowed routes are found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import DataError, NoRouteError, Problem
from corridor.model import Mode, Network
from corridor.model.commodities import resolve_cargo
from corridor.model.seasons import LinkSeason, network_in_season
from corridor.routing.core import find_routes
from corridor.routing.route import Route, RouteSet
from corridor.rules import Assessment, Rule, RulePath, Shipment, avoid_for, evaluate
from corridor.schema.enums import Purpose
from corridor.units import is_country

__all__ = ["RuledRoutes", "commodity_avoid_modes", "find_routes_under_rules", "path_of", "shipment_for"]

_MAX_ROUNDS = 4


@dataclass
class RuledRoutes:
    """Allowed routes (best first) with each one's verdicts, and the candidates the rules refused."""

    shipment: Shipment
    routes: RouteSet
    assessments: list[Assessment]
    refused: list[tuple[Route, Assessment]] = field(default_factory=list)
    closed: dict[str, LinkSeason] = field(default_factory=dict)

    def to_dict(self, *, currency: str | None = None) -> dict[str, Any]:
        return {
            "shipment": {
                "cargo": self.shipment.cargo,
                "cargo_class": self.shipment.cargo_class,
                "origin_country": self.shipment.origin_country,
                "destination_country": self.shipment.destination_country,
                "owner_country": self.shipment.owner_country,
                "purpose": self.shipment.purpose.value,
                "date": self.shipment.date.isoformat(),
                "policies": sorted(self.shipment.policies),
            },
            "routes": [
                {**r.to_dict(currency=currency), "rules": a.to_dict(), "cost_with_duty_usd": round(r.cost_usd + a.duty_usd, 2)}
                for r, a in zip(self.routes, self.assessments, strict=True)
            ],
            "refused": [{"summary": r.summary(), "countries": r.countries, "rules": a.to_dict()} for r, a in self.refused],
            "closed_in_season": [
                {"link_id": k, "season": v.window, "navigation_days": v.navigation_days, "citation": v.citation}
                for k, v in self.closed.items()
            ],
        }


def _country(value: str | None, field_name: str) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if not is_country(code):
        raise DataError(Problem("(query)", None, field_name, value, "an ISO 3166-1 alpha-2 country code"))
    return code


def shipment_for(
    net: Network,
    origin: str,
    destination: str,
    *,
    cargo: str,
    date: dt.date,
    origin_country: str | None = None,
    owner_country: str | None = None,
    hs_code: str | None = None,
    value_usd: float | None = None,
    purpose: Purpose | str = Purpose.TRANSIT,
    policies: Iterable[str] = (),
    destination_country: str | None = None,
) -> Shipment:
    """A shipment from *origin* to *destination*: countries default to those of the two places (the destination
    country may be given when the goods go on beyond the network, e.g. to the United States)."""
    cargo_class, info = resolve_cargo(cargo)
    o, d = net.resolve(origin), net.resolve(destination)
    try:
        why = Purpose(str(purpose))
    except ValueError:
        raise DataError(Problem("(query)", None, "purpose", purpose, f"one of {', '.join(p.value for p in Purpose)}")) from None
    if hs_code is not None and not hs_code.isdigit():
        raise DataError(Problem("(query)", None, "hs_code", hs_code, "digits of an HS code (2 to 10)"))
    return Shipment(
        cargo=info.commodity.value if info else cargo_class.value,
        cargo_class=cargo_class.value,
        origin_country=_country(origin_country, "origin_country") or str(net.nodes.loc[o, "country"]),
        destination_country=_country(destination_country, "destination_country") or str(net.nodes.loc[d, "country"]),
        date=date,
        owner_country=_country(owner_country, "owner_country"),
        hs_code=hs_code or (info.hs_heading if info else None),
        value_usd=value_usd,
        purpose=why,
        policies=frozenset(policies),
    )


def commodity_avoid_modes(cargo: str) -> set[str]:
    """Link modes a commodity cannot travel on (none for a plain cargo class)."""
    _, info = resolve_cargo(cargo)
    if info is None:
        return set()
    return {m.value for m in Mode if m != Mode.TRANSFER and m not in info.modes}


def path_of(route: Route) -> RulePath:
    """Node ids and countries of a route, for the rules."""
    return RulePath(tuple(route.nodes), tuple(route.countries))


def _check_policies(rules: Sequence[Rule], policies: Iterable[str]) -> None:
    known = {r.rule_id for r in rules if r.kind == "policy"}
    for p in policies:
        if p not in known:
            raise DataError(Problem("(query)", None, "policy", p, f"one of {', '.join(sorted(known))}"))


def find_routes_under_rules(
    net: Network,
    origin: str,
    destination: str,
    *,
    rules: Sequence[Rule],
    shipment: Shipment,
    k: int = 1,
    avoid_countries: Iterable[str] = (),
    avoid_modes: Iterable[str] = (),
    avoid_nodes: Iterable[str] = (),
    seasons: Sequence[LinkSeason] = (),
    **options: Any,
) -> RuledRoutes:
    """Up to *k* routes the rules allow for *shipment*, best first, and the refused candidates with their verdicts.

    With *seasons*, links closed on the shipment's date (river navigation) are left out. Raises
    :class:`NoRouteError` naming the refusing rules and the closed links when no allowed route exists.
    """
    _check_policies(rules, shipment.policies)
    net, closed = network_in_season(net, seasons, shipment.date)
    modes = set(avoid_modes) | commodity_avoid_modes(shipment.cargo)
    nodes, countries = set(map(net.resolve, avoid_nodes)), {c.upper() for c in avoid_countries}
    allowed: list[tuple[Route, Assessment]] = []
    refused: list[tuple[Route, Assessment]] = []
    seen: set[tuple[str, ...]] = set()
    for _ in range(_MAX_ROUNDS):
        try:
            found = find_routes(
                net, origin, destination, cargo=shipment.cargo_class, k=k + 1, avoid_countries=countries,
                avoid_modes=modes, avoid_nodes=nodes, **options,
            )  # fmt: skip
        except NoRouteError:
            break
        grew = False
        for route in found:
            key = tuple(leg.ref for leg in route.legs)
            if key in seen:
                continue
            seen.add(key)
            verdict = evaluate(rules, shipment, path_of(route))
            (allowed if verdict.allowed else refused).append((route, verdict))
            more_nodes, more_countries = avoid_for(verdict, rules)
            grew |= bool(more_nodes - nodes or more_countries - countries)
            nodes |= more_nodes
            countries |= more_countries
        if len(allowed) >= k or not grew:
            break
    if not allowed:
        message = _refusal_message(net, origin, destination, shipment, refused)
        if closed:
            message += f"; closed on {shipment.date}: " + ", ".join(f"{k} (open {v.window})" for k, v in closed.items())
        raise NoRouteError(message)
    allowed.sort(key=lambda ra: ra[0].objective_value)
    allowed = allowed[:k]
    return RuledRoutes(shipment, RouteSet(r for r, _ in allowed), [a for _, a in allowed], refused, closed)


def _refusal_message(net: Network, origin: str, destination: str, s: Shipment, refused: list) -> str:
    names = net.nodes["name"]
    head = f"no {s.cargo} route from {names[net.resolve(origin)]} to {names[net.resolve(destination)]} that the rules allow"
    why = [f"{r.summary()} refused by {v.rule_id} ({v.reason})" for r, a in refused for v in a.refusals]
    return head + (": " + "; ".join(why) if why else " (no candidate route at all)")
