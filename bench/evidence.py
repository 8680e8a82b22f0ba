"""Evidence benchmark: pages per second and value+unit F1 on the gold set, for Corridor's extractor and quantulum3
measured in the same run on the same cleaned seed pages.

Target (issue #12): at least 20x quantulum3's pages per second at a higher F1. quantulum3's units are mapped to
Corridor's canonical ones where they mean the same thing (ton → t, dollar → USD, percentage → %, minute → min);
its misreadings ("Mt" as megatons of TNT, "bcm" as bit-centimetres, minutes as minutes of arc) stay wrong.
Run with ``make bench`` (needs the ``bench`` extra and ../shared/seeds).
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from corridor.data import read_dataset
from corridor.evidence.extract import extract_claims
from corridor.evidence.ingest import read_page
from corridor.evidence.score import load_gold, score_pages
from corridor.evidence.subjects import build_gazetteer

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
GOLD = ROOT / "tests" / "data" / "evidence_gold.jsonl"

#: quantulum3 unit name → Corridor unit, for units that mean the same thing.
Q_UNITS = {
    "ton": "t", "tonne": "t", "metric ton": "t", "kilotonne": "kt", "megatonne": "Mt", "percentage": "%",
    "kilometre": "km", "metre": "m", "mile": "mi", "minute": "min", "hour": "h", "day": "days", "week": "weeks",
    "month": "months", "year": "years", "twenty-foot equivalent unit": "TEU", "barrel": "bbl",
}  # fmt: skip


@dataclass
class QClaim:
    """A quantulum3 quantity in the shape the scorer reads."""

    start: int
    end: int
    value: float | None
    value_low: float | None
    value_high: float | None
    unit: str
    period_start: str | None = None
    period_end: str | None = None
    subject_id: str | None = None


def quantulum_claims(parser, text: str) -> list[QClaim]:
    out = []
    for q in parser.parse(text):
        code = getattr(q.unit, "currency_code", None)
        if code:
            unit = code
        elif q.unit.entity.name == "dimensionless" and q.unit.name == "dimensionless":
            unit = "count"
        elif q.unit.name == "minute" and q.unit.entity.name != "time":
            unit = q.unit.name
        else:
            unit = Q_UNITS.get(q.unit.name, q.unit.name)
        low = high = None
        value: float | None = float(q.value)
        if getattr(q, "uncertainty", None):
            low, high, value = value - q.uncertainty, value + q.uncertainty, None
        out.append(QClaim(q.span[0], q.span[1], value, low, high, unit))
    return out


def pages_per_second(fn, texts: list[str], min_time: float = 2.0) -> float:
    n, t0 = 0, time.perf_counter()
    while True:
        for t in texts:
            fn(t)
        n += len(texts)
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            return n / elapsed


def main() -> int:
    if not SEEDS.is_dir():
        print(f"seed pages not found at {SEEDS}", file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore")
    from quantulum3 import parser

    gold = load_gold(GOLD)
    gaz = build_gazetteer(read_dataset())
    pages = [read_page(SEEDS / d) for d in sorted({g["doc"] for g in gold})]
    texts = [p.text for p in pages]
    quantulum_claims(parser, texts[0])  # load quantulum3's unit tables before timing

    ours = score_pages(gold, SEEDS, lambda t, d: extract_claims(t, gaz, d), gaz.in_network)
    theirs = score_pages(gold, SEEDS, lambda t, d: quantulum_claims(parser, t), gaz.in_network)
    ours_pps = pages_per_second(lambda t: extract_claims(t, gaz), texts)
    theirs_pps = pages_per_second(lambda t: quantulum_claims(parser, t), texts, min_time=4.0)
    size = sum(len(t) for t in texts) / len(texts)
    print(f"gold set: {ours.gold} figures on {len(pages)} seed pages (mean {size:,.0f} characters after cleaning)")
    print(f"{'extractor':<12} {'pages/s':>9} {'precision':>10} {'recall':>8} {'F1':>6}")
    for name, s, pps in (("corridor", ours, ours_pps), ("quantulum3", theirs, theirs_pps)):
        print(f"{name:<12} {pps:>9.1f} {s.precision:>10.3f} {s.recall:>8.3f} {s.f1:>6.3f}")
    ratio = ours_pps / theirs_pps
    print(f"speed ratio corridor/quantulum3: {ratio:.1f}x (target >= 20x); F1 {ours.f1:.3f} vs {theirs.f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
