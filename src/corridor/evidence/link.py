"""Link claims to the model: each claim with a subject and a property becomes a query for the dataset value it
speaks about (with that value's provenance) and gets a verdict with the tolerance used.

Capacities and quotas are limits, so a flow compared with one is reported as utilisation (1.4 Mt through a
1.5 Mt quota is 93 %), and only a flow above the limit by more than the tolerance contradicts it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from corridor.evidence.quantities import to_base
from corridor.model import Network

__all__ = [
    "DEFAULT_TOLERANCE",
    "Link",
    "ModelValue",
    "Verdict",
    "claim_interval",
    "link_claim",
    "model_values",
    "route_facts",
    "route_values",
]

#: Relative tolerance for figures stated exactly; "about" figures get twice as much.
DEFAULT_TOLERANCE = 0.05

#: Parameters of the dataset that state a fact about a subject: name → (subject, property, modality, year, unit).
PARAMETER_FACTS: dict[str, tuple[str, str, str, int | None, str]] = {
    "kz_btc_quota_t_per_year": ("link:btc", "flow", "quota", None, "t"),
    "titr_volume_2024_t": ("corridor:middle", "flow", "actual", 2024, "t"),
    "titr_target_2030_t": ("corridor:middle", "flow", "projected", 2030, "t"),
    "digital_customs_h": ("*", "customs_time", "actual", None, "h"),
}
_LINK_FIELDS = {
    "capacity_t_per_year": ("capacity", "t"),
    "capacity_teu_per_year": ("capacity", "TEU"),
    "capacity_bcm_per_year": ("capacity", "bcm"),
    "length_km": ("length", "km"),
    "transit_time_h": ("transit_time", "h"),
}
_NODE_FIELDS = {
    "capacity_t_per_year": ("capacity", "t"),
    "capacity_teu_per_year": ("capacity", "TEU"),
    "customs_digital_h": ("customs_time", "h"),
}
_LIMITS = ("capacity", "quota")
_FORWARD = ("projected", "target")
_PER_YEAR = {"year": 1.0, "day": 365.0, "month": 12.0, "week": 52.0}


class Verdict(StrEnum):
    """What a claim says about the model value it was compared with."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    UTILISATION = "utilisation"
    NOT_COMPARABLE = "not_comparable"


@dataclass(frozen=True)
class ModelValue:
    """One value the model holds, in a base unit, with where it lives and its provenance."""

    subject_id: str
    property: str
    modality: str
    year: int | None
    value: float
    unit: str
    table: str
    record_id: str
    field: str
    source: str
    quote: str


@dataclass(frozen=True)
class Link:
    """A claim's verdict against a model value (or why there is none)."""

    verdict: Verdict
    model: ModelValue | None
    tolerance: float
    ratio: float | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """Plain fields for JSON and tables."""
        m = self.model
        return {
            "verdict": str(self.verdict),
            "tolerance": self.tolerance,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "detail": self.detail,
            "model_value": m.value if m else None,
            "model_unit": m.unit if m else None,
            "model_ref": f"{m.table}/{m.record_id}/{m.field}" if m else None,
            "model_source": m.source if m else None,
            "model_quote": m.quote if m else None,
        }


def _prov(net: Network, table: str, record: str, field: str) -> tuple[str, str, int | None]:
    p = net.provenance_of(table, record, field) or {}
    year = p.get("year")
    year_ok = isinstance(year, int | float) and not math.isnan(year)
    quote = p.get("quote") if isinstance(p.get("quote"), str) else (p.get("note") or p.get("kind") or "")
    return str(p.get("source_title") or p.get("source_id") or ""), str(quote), int(year) if year_ok else None


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not math.isnan(float(x))


def model_values(net: Network) -> list[ModelValue]:
    """Every value of *net* a claim can be compared with: link and node capacities, lengths and times, the
    parameters in :data:`PARAMETER_FACTS` and the FX table (USD per unit of each currency)."""
    out: list[ModelValue] = []
    for _, row in net.links.drop_duplicates("base_id").iterrows():
        rid = str(row["base_id"])
        for field, (prop, unit) in _LINK_FIELDS.items():
            if field in row and _finite(row[field]):
                src, quote, year = _prov(net, "links", rid, field)
                modality = "capacity" if prop == "capacity" else "actual"
                out.append(
                    ModelValue(f"link:{rid}", prop, modality, None, float(row[field]), unit, "links", rid, field, src, quote)
                )
    for rid, row in net.nodes.iterrows():
        for field, (prop, unit) in _NODE_FIELDS.items():
            if field in row and _finite(row[field]):
                src, quote, _ = _prov(net, "nodes", str(rid), field)
                modality = "capacity" if prop == "capacity" else "actual"
                out.append(
                    ModelValue(f"node:{rid}", prop, modality, None, float(row[field]), unit, "nodes", str(rid), field, src, quote)
                )
    for name, (sid, prop, modality, year, unit) in PARAMETER_FACTS.items():
        if name in net.parameters.index:
            src, quote, _ = _prov(net, "parameters", name, "value")
            out.append(ModelValue(sid, prop, modality, year, net.parameter(name), unit, "parameters", name, "value", src, quote))
    for code, row in net.fx_rates.iterrows():
        src, quote, _ = _prov(net, "fx_rates", str(code), "units_per_usd")
        year = int(str(row["as_of"])[:4]) if str(row["as_of"])[:4].isdigit() else None
        usd_per = 1.0 / float(row["units_per_usd"])
        src = src or str(row.get("source_id", ""))
        quote = quote or str(row.get("notes", ""))
        out.append(
            ModelValue(f"currency:{code}", "exchange_rate", "actual", year, usd_per, f"USD/{code}", "fx_rates", str(code),
                       "units_per_usd", src, quote)
        )  # fmt: skip
    return out


def route_facts(net: Network, origin: str = "xian", destination: str = "duisburg") -> tuple[list[ModelValue], dict[str, int]]:
    """The corridors' fastest routes between a representative China–Europe pair: each corridor's door-to-door
    transit time (what "18–23 days via the Middle Corridor" is compared with) and, per ``links/<id>`` and
    ``nodes/<id>``, how many of those routes use it (how much the model depends on its values)."""
    from corridor.routing import compare_corridors

    best: dict[str, tuple[float, str]] = {}
    usage: dict[str, int] = {}
    for r in compare_corridors(net, origin, destination):
        if r.route is None:
            continue
        hours = sum(leg.moving_h + leg.waiting_h for leg in r.route.legs)
        group = r.corridor_id.split("_")[0] if r.corridor_id.startswith("middle") else r.corridor_id
        if group not in best or hours < best[group][0]:
            best[group] = (hours, r.corridor_id)
        used = {f"links/{leg.ref.removesuffix('~r')}" for leg in r.route.legs if leg.kind == "link"}
        used |= {f"nodes/{n}" for leg in r.route.legs for n in (leg.from_node, leg.to_node)}
        for key in used:
            usage[key] = usage.get(key, 0) + 1
    values = [
        ModelValue(
            f"corridor:{g}",
            "transit_time",
            "actual",
            None,
            hours,
            "h",
            "routes",
            f"{origin}->{destination}",
            f"transit_time_h via {cid}",
            "model result: fastest route by time",
            "",
        )
        for g, (hours, cid) in best.items()
    ]
    return values, usage


def route_values(net: Network, origin: str = "xian", destination: str = "duisburg") -> list[ModelValue]:
    """The transit-time values of :func:`route_facts`."""
    return route_facts(net, origin, destination)[0]


def claim_interval(claim: Any, tolerance: float) -> tuple[float, float] | None:
    """[low, high] the claim allows, in its base unit and per year for rated flows; None if it has no value."""
    low = claim.value if claim.value is not None else claim.value_low
    high = claim.value if claim.value is not None else claim.value_high
    if low is None or high is None:
        return None
    lo, _ = to_base(low, claim.unit)
    hi, _ = to_base(high, claim.unit)
    factor = _PER_YEAR.get(claim.rate or "year", 1.0)
    lo, hi = lo * factor, hi * factor
    bound = str(claim.bound)
    if bound == "about":
        lo, hi = lo * (1 - tolerance), hi * (1 + tolerance)
    elif bound in ("more_than", "at_least"):
        hi = math.inf
    elif bound == "up_to":
        lo = 0.0
    return lo, hi


def _year(claim: Any) -> int | None:
    ps, pe = claim.period_start, claim.period_end
    if ps and pe and ps[:4] == pe[:4]:
        return int(ps[:4])
    return int(pe[:4]) if pe and not ps else None


def _partial_year(claim: Any) -> bool:
    ps, pe = claim.period_start, claim.period_end
    return bool(ps and pe and ps[:4] == pe[:4] and (ps[5:] != "01-01" or pe[5:] != "12-31") and claim.rate is None)


def _pick(claim: Any, values: list[ModelValue]) -> ModelValue | None:
    sid, prop = claim.subject_id, claim.property
    mine = [
        v for v in values if v.subject_id in (sid, "*") and (v.property == prop or (prop == "flow" and v.modality in _LIMITS))
    ]
    _, base = to_base(1.0, claim.unit)
    mine = [v for v in mine if v.unit == base or (v.unit == claim.unit)]
    if not mine:
        return None
    year = _year(claim)
    same = [v for v in mine if v.modality == claim.modality or (v.modality in _FORWARD and claim.modality in _FORWARD)]
    same = [v for v in same if v.year is None or year is None or v.year == year] or same
    limits = sorted((v for v in mine if v.modality in _LIMITS), key=lambda v: v.modality != "quota")  # the tighter one
    return (same or limits or mine)[0]


def link_claim(claim: Any, values: list[ModelValue], tolerance: float = DEFAULT_TOLERANCE) -> Link:
    """The verdict of *claim* (a :class:`~corridor.evidence.claims.Claim` or a stored row) against *values*."""
    if not claim.subject_id or not claim.property:
        return Link(Verdict.NOT_COMPARABLE, None, tolerance, None, "no subject or property to look up")
    model = _pick(claim, values)
    if model is None:
        return Link(Verdict.NOT_COMPARABLE, None, tolerance, None, f"the model holds no {claim.property} for {claim.subject_id}")
    tol = tolerance * (2 if str(claim.bound) == "about" else 1)
    interval = claim_interval(claim, tol)
    if interval is None:
        return Link(Verdict.NOT_COMPARABLE, model, tol, None, "the claim states no value")
    if claim.property == "flow" and _partial_year(claim):
        return Link(Verdict.NOT_COMPARABLE, model, tol, None, "the claim covers part of a year; the model holds annual values")
    lo, hi = interval
    point = lo if math.isinf(hi) else (hi if lo == 0 else (lo + hi) / 2)
    ratio = point / model.value if model.value else None
    year = _year(claim)
    if model.modality in _LIMITS and str(claim.modality) not in _LIMITS:
        if str(claim.modality) == "actual" and lo > model.value * (1 + tol):
            return Link(Verdict.CONTRADICTS, model, tol, ratio, f"exceeds the model's {model.modality} by more than {tol:.0%}")
        return Link(Verdict.UTILISATION, model, tol, ratio, f"{ratio:.0%} of the model's {model.modality}" if ratio else "")
    if model.year is not None and year is not None and model.year != year and claim.property != "exchange_rate":
        return Link(Verdict.NOT_COMPARABLE, model, tol, ratio, f"the model value is for {model.year}, the claim for {year}")
    if lo * (1 - tol) <= model.value <= hi * (1 + tol):
        return Link(Verdict.SUPPORTS, model, tol, ratio, f"within {tol:.0%} of the model value")
    return Link(Verdict.CONTRADICTS, model, tol, ratio, f"differs from the model value by more than {tol:.0%}")
