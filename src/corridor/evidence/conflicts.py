"""Conflicts: claims about the same subject, property and period that cannot all be true.

Claims are grouped by subject, property, base unit and period (a year, or the exact span stated); limits stated
without a period (a capacity, a quota) join every group of their subject. Within a group, figures of the same
kind — actuals with actuals, projections and targets with each other, quotas with quotas — conflict when their
ranges do not overlap after widening each by the tolerance; an actual above a capacity or quota conflicts too.
Every member is listed with its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from corridor.evidence.link import DEFAULT_TOLERANCE, claim_interval
from corridor.evidence.quantities import to_base

__all__ = ["GROUPED_PROPERTIES", "ConflictGroup", "find_groups"]

#: Properties for which subject + property + period pins down one quantity (a "change" or a "count" about
#: Kazakhstan can be about anything, so those are never grouped).
GROUPED_PROPERTIES = frozenset({"flow", "capacity", "length", "transit_time", "customs_time", "exchange_rate", "price"})
_FAMILY = {"actual": "actual", "projected": "forward", "target": "forward", "quota": "quota", "capacity": "capacity"}


@dataclass
class ConflictGroup:
    """Claims about one subject, property and period; ``conflict`` says whether they disagree."""

    subject_id: str
    property: str
    unit: str
    period: str
    members: list[Any] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    tolerance: float = DEFAULT_TOLERANCE

    @property
    def conflict(self) -> bool:
        return bool(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        """Plain fields, members as their own ``as_dict()``."""
        return {
            "subject_id": self.subject_id,
            "property": self.property,
            "unit": self.unit,
            "period": self.period,
            "conflict": self.conflict,
            "tolerance": self.tolerance,
            "reasons": self.reasons,
            "members": [m.as_dict() if hasattr(m, "as_dict") else m for m in self.members],
        }


def _period_key(c: Any) -> str | None:
    ps, pe = c.period_start, c.period_end
    if not ps and not pe:
        return None
    if ps and pe and ps[:4] == pe[:4] and ps[5:] == "01-01" and pe[5:] == "12-31":
        return ps[:4]
    return f"{ps or '…'}/{pe or '…'}"


def _label(c: Any) -> str:
    value = c.value if c.value is not None else f"{c.value_low}–{c.value_high}"
    return f"{value} {c.unit} {c.modality} ({getattr(c, 'source', '?')})"


def _check(group: ConflictGroup, tol: float) -> None:
    spans = []
    for c in group.members:
        iv = claim_interval(c, tol)
        if iv is not None:
            spans.append((c, iv))
    for i, (a, (alo, ahi)) in enumerate(spans):
        for b, (blo, bhi) in spans[i + 1 :]:
            fa, fb = _FAMILY.get(str(a.modality)), _FAMILY.get(str(b.modality))
            if fa == fb:
                if alo > bhi * (1 + tol) or blo > ahi * (1 + tol):
                    group.reasons.append(f"{_label(a)} and {_label(b)} differ by more than {tol:.0%}")
            elif {fa, fb} & {"quota", "capacity"} and "actual" in (fa, fb):
                act, lim = (a, (alo, ahi)) if fa == "actual" else (b, (blo, bhi))
                limit_high = lim[1] if not math.isinf(lim[1]) else lim[0]
                act_lo = alo if act is a else blo
                if act_lo > limit_high * (1 + tol):
                    group.reasons.append(f"{_label(act)} exceeds {_label(b if act is a else a)}")


def find_groups(claims: list[Any], *, tolerance: float = DEFAULT_TOLERANCE, min_members: int = 2) -> list[ConflictGroup]:
    """Groups of at least *min_members* claims (with subject and property), conflicting ones first."""
    groups: dict[tuple[str, str, str, str], ConflictGroup] = {}
    timeless_limits: list[Any] = []
    for c in claims:
        if not c.subject_id or c.property not in GROUPED_PROPERTIES or (c.value is None and c.value_low is None):
            continue
        _, base = to_base(1.0, c.unit)
        key = _period_key(c)
        if key is None and _FAMILY.get(str(c.modality)) in ("quota", "capacity"):
            timeless_limits.append((c, base))
            continue
        k = (c.subject_id, "flow" if c.property == "capacity" else c.property, base or "", key or "(no period)")
        groups.setdefault(k, ConflictGroup(*k, tolerance=tolerance)).members.append(c)
    own = {id(g): len(g.members) for g in groups.values()}  # figures stated for the period itself
    for c, base in timeless_limits:
        prop = "flow" if c.property == "capacity" else c.property
        matching = [g for k, g in groups.items() if k[:3] == (c.subject_id, prop, base or "")]
        if not matching:
            k = (c.subject_id, prop, base or "", "(no period)")
            matching = [groups.setdefault(k, ConflictGroup(*k, tolerance=tolerance))]
        for g in matching:
            g.members.append(c)
    for g in groups.values():
        _check(g, tolerance)
    out = [g for g in groups.values() if own.get(id(g), 0) >= min_members or (g.conflict and len(g.members) >= min_members)]
    return sorted(out, key=lambda g: (not g.conflict, g.subject_id, g.property, g.period))
