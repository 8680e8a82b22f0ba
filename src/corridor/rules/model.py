"""Rules as data (sanctions, transit conditions, tariffs and routing policies), shipments and verdicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from corridor.schema.enums import Purpose, RuleEffect

__all__ = ["COUNTRY_GROUPS", "Rule", "RulePath", "Shipment", "Verdict", "expand_countries"]

#: Named groups a rule may use in place of country codes.
COUNTRY_GROUPS: dict[str, frozenset[str]] = {
    "EU": frozenset(
        [
            "AT",
            "BE",
            "BG",
            "HR",
            "CY",
            "CZ",
            "DK",
            "EE",
            "FI",
            "FR",
            "DE",
            "GR",
            "HU",
            "IE",
            "IT",
            "LV",
            "LT",
            "LU",
            "MT",
            "NL",
            "PL",
            "PT",
            "RO",
            "SK",
            "SI",
            "ES",
            "SE",
        ]
    ),
    "EU_SANCTIONED": frozenset({"RU", "BY"}),
}


def expand_countries(values: tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """Country codes with the named groups (EU, EU_SANCTIONED) expanded."""
    out: set[str] = set()
    for v in values:
        out |= COUNTRY_GROUPS.get(str(v).upper(), {str(v).upper()})
    return frozenset(out)


@dataclass(frozen=True)
class Rule:
    """One rule of the rules table: what it covers (conditions), what it does (effect) and where it comes from."""

    rule_id: str
    title: str
    effect: RuleEffect
    legal_source: str
    kind: str = "law"
    article: str | None = None
    quote: str | None = None
    source_id: str | None = None
    source_title: str | None = None
    assumption: str | None = None
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None
    cargo: frozenset[str] = frozenset()
    hs_prefixes: tuple[str, ...] = ()
    except_hs_prefixes: tuple[str, ...] = ()
    origin_countries: frozenset[str] = frozenset()
    destination_countries: frozenset[str] = frozenset()
    owner_countries: frozenset[str] = frozenset()
    owner_not_countries: frozenset[str] = frozenset()
    route_countries: frozenset[str] = frozenset()
    route_nodes: frozenset[str] = frozenset()
    purposes: frozenset[Purpose] = frozenset()
    overrides: tuple[str, ...] = ()
    duty_pct: float | None = None
    line: int | None = None

    @property
    def citation(self) -> str:
        """Instrument, article and the words that state the rule (or the assumption behind it)."""
        where = self.legal_source + (f", {self.article}" if self.article else "")
        if self.source_id:
            return f"{where} — {self.source_title or self.source_id}: “{self.quote}”"
        return f"{where} — assumption: {self.assumption}"


@dataclass(frozen=True)
class Shipment:
    """What is shipped, by whom, from where to where, why it passes the route's places, and when."""

    cargo: str
    cargo_class: str
    origin_country: str
    destination_country: str
    date: dt.date
    owner_country: str | None = None
    hs_code: str | None = None
    value_usd: float | None = None
    purpose: Purpose = Purpose.TRANSIT
    policies: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "purpose", Purpose(self.purpose))  # a plain string is accepted, an unknown one refused


@dataclass(frozen=True)
class RulePath:
    """The parts of a route rules look at: node ids and countries, in order."""

    nodes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


#: a text, or what words it when first read
Text = str | Callable[[], str]


@dataclass(frozen=True, eq=False)
class Verdict:
    """How one rule judged one shipment on one route.

    ``reason`` and ``citation`` are worded when first read (*why* and *cites* may be callables): most verdicts of a
    lodgement are "not applicable" and nobody reads why. Equal verdicts have equal fields, texts included.
    """

    rule_id: str
    title: str
    effect: RuleEffect
    applies: bool
    outcome: str  # refused | lifted | permits | satisfied | duty | not_applicable
    why: Text = field(repr=False)
    cites: Text = field(repr=False)
    duty_usd: float | None = None
    lifted_by: tuple[str, ...] = field(default=())

    @cached_property
    def reason(self) -> str:
        """Why the rule applies or not, and what it decided."""
        return self.why if isinstance(self.why, str) else self.why()

    @cached_property
    def citation(self) -> str:
        """Instrument, article and the words that state the rule (or the assumption behind it)."""
        return self.cites if isinstance(self.cites, str) else self.cites()

    def _key(self) -> tuple:
        return (self.rule_id, self.title, self.effect, self.applies, self.outcome, self.reason, self.citation,
                self.duty_usd, self.lifted_by)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Verdict) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        names = ("rule_id", "title", "effect", "applies", "outcome", "reason", "citation", "duty_usd", "lifted_by")
        return "Verdict(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._key(), strict=True)) + ")"

    def to_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "effect": self.effect.value,
            "applies": self.applies,
            "outcome": self.outcome,
            "reason": self.reason,
            "citation": self.citation,
            "duty_usd": self.duty_usd,
            "lifted_by": list(self.lifted_by),
        }
