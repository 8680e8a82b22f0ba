"""Score the extractor against the hand-labelled gold set: precision/recall of value+unit, subjects, periods.

The gold file (``tests/data/evidence_gold.jsonl``) names each figure by an *anchor* string (and its occurrence)
in the cleaned page text; a predicted claim matches a gold figure when its span overlaps the anchor. Run as
``python -m corridor.evidence.score [GOLD] [SEEDS_DIR]``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corridor.evidence.claims import Claim
from corridor.evidence.ingest import read_page
from corridor.evidence.quantities import to_base

__all__ = ["Score", "load_gold", "same_quantity", "score_pages"]


@dataclass(frozen=True)
class Score:
    """Counts and ratios of one scoring run."""

    gold: int
    predicted: int
    value_unit_tp: int
    subject_gold: int
    subject_right: int
    period_gold: int
    period_right: int

    @property
    def precision(self) -> float:
        return self.value_unit_tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.value_unit_tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def lines(self) -> list[str]:
        """Human-readable report lines."""
        sub = self.subject_right / self.subject_gold if self.subject_gold else 0.0
        per = self.period_right / self.period_gold if self.period_gold else 0.0
        return [
            f"gold figures {self.gold}, predicted claims {self.predicted}",
            f"value+unit  precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}",
            f"subject     resolved {self.subject_right}/{self.subject_gold} = {sub:.3f} (gold subjects in the network)",
            f"period      right {self.period_right}/{self.period_gold} = {per:.3f} (matched figures)",
        ]


def load_gold(path: str | Path) -> list[dict]:
    """The gold rows, one dict per labelled figure."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def same_quantity(gold: dict, value: float | None, low: float | None, high: float | None, unit: str | None) -> bool:
    """True when a prediction states the gold value (or range) in the same unit, after unit conversion."""
    gv, gu = to_base(gold["value"], gold["unit"])
    pv, pu = to_base(value, unit)
    if gold["value"] is None:
        gl, gu = to_base(gold["value_low"], gold["unit"])
        gh, _ = to_base(gold["value_high"], gold["unit"])
        pl, pu = to_base(low, unit)
        ph, _ = to_base(high, unit)
        return gu == pu and _close(gl, pl) and _close(gh, ph)
    return gu == pu and _close(gv, pv)


def _anchor_span(text: str, anchor: str, occurrence: int) -> tuple[int, int] | None:
    pos = -1
    for _ in range(occurrence + 1):
        pos = text.find(anchor, pos + 1)
        if pos < 0:
            return None
    return pos, pos + len(anchor)


def score_pages(gold: list[dict], seeds: Path, extract: Callable[[str, object], list[Claim]],
                in_network: Callable[[str | None], bool]) -> Score:  # fmt: skip
    """Score *extract* (text, published date → claims) on the pages of *seeds* named in *gold*."""
    counts = dict(gold=0, predicted=0, tp=0, sg=0, sr=0, pg=0, pr=0)
    for doc in sorted({g["doc"] for g in gold}):
        page = read_page(seeds / doc)
        claims = extract(page.text, page.published)
        counts["predicted"] += len(claims)
        used: set[int] = set()
        for g in (g for g in gold if g["doc"] == doc):
            counts["gold"] += 1
            span = _anchor_span(page.text, g["anchor"], g.get("occurrence", 0))
            if span is None:
                continue
            hits = [i for i, c in enumerate(claims) if i not in used and c.start < span[1] and span[0] < c.end]
            match = next((i for i in hits if same_quantity(g, claims[i].value, claims[i].value_low,
                                                            claims[i].value_high, claims[i].unit)), None)  # fmt: skip
            if g.get("subject_id") and in_network(g["subject_id"]):
                counts["sg"] += 1
            if match is None:
                continue
            used.add(match)
            c = claims[match]
            counts["tp"] += 1
            counts["pg"] += 1
            counts["pr"] += (c.period_start, c.period_end) == (g["period_start"], g["period_end"])
            if g.get("subject_id") and in_network(g["subject_id"]):
                counts["sr"] += c.subject_id == g["subject_id"]
    return Score(counts["gold"], counts["predicted"], counts["tp"], counts["sg"], counts["sr"], counts["pg"], counts["pr"])


def main(argv: list[str] | None = None) -> int:
    """Print the scores of Corridor's extractor on the gold set."""
    from corridor.data import read_dataset
    from corridor.evidence.extract import extract_claims
    from corridor.evidence.subjects import build_gazetteer

    args = argv if argv is not None else sys.argv[1:]
    root = Path(__file__).resolve().parents[3]
    gold_path = Path(args[0]) if args else root / "tests" / "data" / "evidence_gold.jsonl"
    seeds = Path(args[1]) if len(args) > 1 else root.parent / "shared" / "seeds"
    if not seeds.is_dir():
        print(f"seed pages not found at {seeds}; pass the folder as the second argument", file=sys.stderr)
        return 2
    gaz = build_gazetteer(read_dataset())
    result = score_pages(load_gold(gold_path), seeds, lambda t, d: extract_claims(t, gaz, d), gaz.in_network)
    print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
