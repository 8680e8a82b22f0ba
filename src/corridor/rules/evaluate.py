"""Evaluate rules on a shipment and its route: which apply, which refuse, which permits lift them, what duty is due.

Conditions of a rule all have to hold for it to apply (cargo, HS code, origin, destination, owner, purpose, dates in
force, and the route's countries or nodes). A ``permit`` that applies lifts the rules it ``overrides``; a
``require`` rule refuses a shipment in its scope whose owner or purpose fails its conditions; a ``duty`` adds a share
of the declared value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from corridor.rules.model import Rule, RulePath, Shipment, Verdict, expand_countries
from corridor.schema.enums import RuleEffect

__all__ = ["Assessment", "avoid_for", "evaluate"]


@dataclass(frozen=True)
class Assessment:
    """Every rule's verdict on one shipment and route; ``allowed`` unless some rule refused it."""

    verdicts: tuple[Verdict, ...]
    path: RulePath = field(default_factory=RulePath)

    @property
    def refusals(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == "refused"]

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def applying(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.applies]

    @property
    def duty_usd(self) -> float:
        return float(sum(v.duty_usd or 0.0 for v in self.verdicts if v.outcome == "duty"))

    def refusal_message(self) -> str:
        """One line per refusing rule: rule id, reason, path and citation ('' when allowed)."""
        path = " → ".join(self.path.nodes)
        return "; ".join(f"refused by rule {v.rule_id}: {v.reason} (path {path}; {v.citation})" for v in self.refusals)

    def to_dict(self) -> dict[str, object]:
        return {
            "allowed": self.allowed,
            "duty_usd": round(self.duty_usd, 2),
            "path": list(self.path.nodes),
            "countries": list(self.path.countries),
            "verdicts": [v.to_dict() for v in self.verdicts],
        }


def _names(values: Iterable[str]) -> str:
    """Sorted, comma-separated; a group is followed by its members: EU_SANCTIONED (BY, RU)."""
    from corridor.rules.model import COUNTRY_GROUPS

    parts = []
    for v in sorted(values):
        group = COUNTRY_GROUPS.get(v)
        parts.append(f"{v} ({', '.join(sorted(group))})" if group and len(group) <= 4 else v)
    return ", ".join(parts)


#: why a rule does not apply (or what it decided), worded only when read: see :class:`Verdict`
Why = Callable[[], str]


def _in_force(rule: Rule, s: Shipment) -> Why | None:
    if rule.kind == "policy" and rule.rule_id not in s.policies:
        return lambda: "a policy that was not chosen for this query"
    if rule.in_force_from and s.date < rule.in_force_from:
        return lambda: f"not yet in force on {s.date} (from {rule.in_force_from})"
    if rule.in_force_to and s.date > rule.in_force_to:
        return lambda: f"no longer in force on {s.date} (until {rule.in_force_to})"
    return None


def _goods(rule: Rule, s: Shipment) -> Why | None:
    if rule.cargo and not rule.cargo & {s.cargo, s.cargo_class}:
        return lambda: f"cargo {s.cargo} is not among {_names(rule.cargo)}"
    hs = s.hs_code or ""
    if rule.hs_prefixes and not any(hs.startswith(p) for p in rule.hs_prefixes):
        return lambda: f"HS code {hs or '(none given)'} is not under {_names(rule.hs_prefixes)}"
    exempt = next((p for p in rule.except_hs_prefixes if hs and hs.startswith(p)), None)
    if exempt:
        return lambda: f"HS code {hs} is exempt (heading {exempt})"
    return None


def _places(rule: Rule, s: Shipment) -> Why | None:
    if rule.origin_countries and s.origin_country not in expand_countries(rule.origin_countries):
        return lambda: f"origin {s.origin_country} is not among {_names(rule.origin_countries)}"
    if rule.destination_countries and s.destination_country not in expand_countries(rule.destination_countries):
        return lambda: f"destination {s.destination_country} is not among {_names(rule.destination_countries)}"
    return None


def _owner_purpose(rule: Rule, s: Shipment) -> Why | None:
    owner = s.owner_country
    if rule.owner_countries and owner not in expand_countries(rule.owner_countries):
        return lambda: f"owner {owner or '(not stated)'} is not among {_names(rule.owner_countries)}"
    if rule.owner_not_countries and (owner is None or owner in expand_countries(rule.owner_not_countries)):
        if owner is None:
            return lambda: f"the owner's country is not stated (it must be none of {_names(rule.owner_not_countries)})"
        return lambda: f"owner {owner} is from {_names(rule.owner_not_countries)}"
    if rule.purposes and s.purpose not in rule.purposes:
        return lambda: f"purpose {s.purpose.value} is not among {_names(p.value for p in rule.purposes)}"
    return None


def _nowhere() -> str:
    return ""


def _on_route(rule: Rule, path: RulePath) -> tuple[bool, Why]:
    if not rule.route_countries and not rule.route_nodes:
        return True, _nowhere
    nodes = [n for n in path.nodes if n in rule.route_nodes]
    countries = [c for c in dict.fromkeys(path.countries) if c in expand_countries(rule.route_countries)]
    if nodes or countries:
        return True, lambda: "route uses " + ", ".join(nodes + countries)
    return False, lambda: "route avoids " + _names([*rule.route_nodes, *rule.route_countries])


def _scope(rule: Rule, s: Shipment, path: RulePath) -> tuple[Why | None, Why]:
    """(why the rule does not apply or None, where on the route it applies)."""
    for check in (_in_force, _goods, _places):
        reason = check(rule, s)
        if reason:
            return reason, _nowhere
    if rule.effect != RuleEffect.REQUIRE:
        reason = _owner_purpose(rule, s)
        if reason:
            return reason, _nowhere
    hit, where = _on_route(rule, path)
    return (None, where) if hit else (where, _nowhere)


def _verdict(rule: Rule, outcome: str, reason: str | Why, **extra: object) -> Verdict:
    applies = outcome != "not_applicable"
    return Verdict(rule.rule_id, rule.title, rule.effect, applies, outcome, reason, _citation(rule), **extra)  # type: ignore[arg-type]


def _citation(rule: Rule) -> Why:
    return lambda: rule.citation


def evaluate(rules: Sequence[Rule], shipment: Shipment, path: RulePath | None = None) -> Assessment:
    """Every rule's verdict on *shipment* along *path* (node ids and countries)."""
    path = path or RulePath()
    scopes = {r.rule_id: _scope(r, shipment, path) for r in rules}
    lifting: dict[str, list[str]] = {}
    for r in rules:
        if r.effect == RuleEffect.PERMIT and scopes[r.rule_id][0] is None:
            for target in r.overrides:
                lifting.setdefault(target, []).append(r.rule_id)
    out = []
    for r in rules:
        reason, where = scopes[r.rule_id]
        if reason is not None:
            out.append(_verdict(r, "not_applicable", reason))
        elif r.effect == RuleEffect.PERMIT:
            out.append(_verdict(r, "permits", _permits(r, where)))
        elif r.effect == RuleEffect.FORBID:
            out.append(_forbid(r, rules, scopes, lifting, where))
        elif r.effect == RuleEffect.REQUIRE:
            failed = _owner_purpose(r, shipment)
            out.append(_verdict(r, "refused" if failed else "satisfied", failed or "conditions met"))
        else:
            out.append(_duty(r, shipment))
    return Assessment(tuple(out), path)


def _permits(rule: Rule, where: Why) -> Why:
    def why() -> str:
        w = where()
        return f"lifts {', '.join(rule.overrides)}" + (f"; {w}" if w else "")

    return why


def _forbid(rule: Rule, rules: Sequence[Rule], scopes: dict, lifting: dict[str, list[str]], where: Why) -> Verdict:
    if rule.rule_id in lifting:
        lifted_by = tuple(lifting[rule.rule_id])
        return _verdict(rule, "lifted", lambda: f"{where()}; lifted by {', '.join(lifted_by)}", lifted_by=lifted_by)
    exemptions = [(p.rule_id, scopes[p.rule_id][0]) for p in rules if rule.rule_id in p.overrides]

    def why() -> str:
        unmet = [f"exemption {rule_id} does not apply: {_text(reason)}" for rule_id, reason in exemptions]
        return "; ".join([where() or "forbidden", *unmet])

    return _verdict(rule, "refused", why)


def _text(reason: Why | None) -> str | None:
    return None if reason is None else reason()


def _duty(rule: Rule, s: Shipment) -> Verdict:
    pct = float(rule.duty_pct or 0.0)
    if s.value_usd is None:
        return _verdict(rule, "duty", f"{pct:g}% of the declared value (no value given)")
    return _verdict(rule, "duty", lambda: f"{pct:g}% of USD {s.value_usd:,.0f}", duty_usd=s.value_usd * pct / 100.0)


def avoid_for(assessment: Assessment, rules: Sequence[Rule]) -> tuple[frozenset[str], frozenset[str]]:
    """(nodes, countries) the refusing rules name: what a route must avoid to escape them."""
    by_id = {r.rule_id: r for r in rules}
    nodes: set[str] = set()
    countries: set[str] = set()
    for v in assessment.refusals:
        r = by_id[v.rule_id]
        nodes |= r.route_nodes
        countries |= expand_countries(r.route_countries)
    return frozenset(nodes), frozenset(countries)
