"""Review: stored claims seen through their decisions, the review queue, and promotion into a dataset's provenance.

A decision (accept, reject, edit with a reason) is keyed on the page hash and the claim's span, so it applies to
the same figure after re-ingesting or re-extracting. The queue puts first the claims the extractor is least sure
of on values the model depends on most. Promotion writes a ``sources.csv`` row and a ``provenance.csv`` row
(quote, source, date) into a dataset folder the user names — never into the installed package — and checks
that the folder still loads, restoring both files if it does not.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from corridor.data import DATASET_DIR, read_dataset
from corridor.errors import DataError, Problem
from corridor.evidence.claims import CLAIM_FIELDS
from corridor.evidence.link import PARAMETER_FACTS, Link, ModelValue, Verdict, link_claim
from corridor.evidence.store import ClaimRow, Document, EvidenceStore

__all__ = ["ClaimView", "Promotion", "dependency", "parse_edits", "promote", "review_queue", "views"]

_EDITABLE = {"value", "value_low", "value_high", "unit", "currency", "bound", "rate", "period_start", "period_end",
             "modality", "subject", "subject_id", "property"}  # fmt: skip
_FLOATS = {"value", "value_low", "value_high"}


@dataclass
class ClaimView:
    """A stored claim as the reviewers left it (edits applied), with its page and decision."""

    id: int
    document_id: int
    source: str
    published: date | None
    sha256: str
    start: int
    end: int
    surface: str
    sentence: str
    value: float | None
    value_low: float | None
    value_high: float | None
    bound: str
    unit: str
    currency: str | None
    rate: str | None
    period_start: str | None
    period_end: str | None
    modality: str
    subject: str | None
    subject_id: str | None
    property: str | None
    confidence: float
    decision: str | None = None
    reason: str | None = None
    promoted_to: str | None = None
    link: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Every field, the link flattened in."""
        d = {k: getattr(self, k) for k in ("id", "document_id", "source", *CLAIM_FIELDS, "confidence", "decision", "reason")}
        d["published"] = self.published.isoformat() if self.published else None
        d.update(self.link)
        return d


def parse_edits(pairs: list[str]) -> dict[str, Any]:
    """``["value=1.5", "modality=quota"]`` → a dict of checked edits."""
    edits: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or key not in _EDITABLE:
            raise DataError(
                Problem("review", None, "edit", pair, f"FIELD=VALUE with FIELD one of {', '.join(sorted(_EDITABLE))}")
            )
        if key in _FLOATS:
            try:
                edits[key] = float(raw) if raw.strip() else None
            except ValueError as exc:
                raise DataError(Problem("review", None, key, raw, "a number")) from exc
        else:
            edits[key] = raw.strip() or None
    return edits


def _view(row: ClaimRow, doc: Document, decision: Any) -> ClaimView:
    v = ClaimView(
        row.id, doc.id, doc.source, doc.published, doc.sha256, row.start, row.end, row.surface, row.sentence, row.value,
        row.value_low, row.value_high, row.bound, row.unit, row.currency, row.rate, row.period_start, row.period_end,
        row.modality, row.subject, row.subject_id, row.property, row.confidence,
    )  # fmt: skip
    if decision is not None:
        v = replace(v, **(decision.edits or {}))
        v.decision, v.reason, v.promoted_to = decision.action, decision.reason, decision.promoted_to
    return v


def views(store: EvidenceStore, values: list[ModelValue] | None = None, *, include_rejected: bool = True,
          **filters: Any) -> list[ClaimView]:  # fmt: skip
    """Stored claims (filters as :meth:`EvidenceStore.claims`) with decisions applied and, given model *values*,
    each claim's link to the model."""
    decisions = store.decisions()
    out = []
    for row, doc in store.claims(**filters):
        dec = decisions.get((doc.sha256, row.start, row.end)) or store.decision_for(row, doc)
        v = _view(row, doc, dec)
        if v.decision == "reject" and not include_rejected:
            continue
        if values is not None:
            v.link = link_claim(v, values).as_dict()
        out.append(v)
    return out


def dependency(v: ClaimView, usage: dict[str, int] | None = None) -> float:
    """How much the model depends on the value a claim speaks about: 1 + the number of corridor routes that use
    the link or node it belongs to (a global parameter counts as used by every route), ×1.5 when the claim contradicts
    it; 0.5 for a claim with a subject but no model value, 0.1 for one without a subject."""
    ref = v.link.get("model_ref")
    if not ref:
        return 0.5 if v.subject_id else 0.1
    usage = usage or {}
    table, record = ref.split("/")[:2]
    if table == "parameters":  # a global parameter (digital customs time) is used on every route
        uses = max(usage.values(), default=0) if PARAMETER_FACTS.get(record, ("",))[0] == "*" else 0
    else:
        uses = usage.get(f"{table}/{record}", 0)
    return (1.0 + uses) * (1.5 if v.link.get("verdict") == Verdict.CONTRADICTS else 1.0)


def review_queue(items: list[ClaimView], usage: dict[str, int] | None = None) -> list[tuple[float, ClaimView]]:
    """Undecided claims with their priority, (1 − confidence) × :func:`dependency`, highest first."""
    out = []
    for v in items:
        if v.decision:
            continue
        weight = dependency(v, usage)
        out.append((round((1.0 - v.confidence + 0.01) * weight, 4), v))
    return sorted(out, key=lambda p: (-p[0], p[1].id))


@dataclass(frozen=True)
class Promotion:
    """What promoting one claim wrote."""

    dataset_dir: Path
    source_id: str
    table: str
    record_id: str
    field: str
    replaced: bool


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _check_target(folder: Path) -> Path:
    folder = folder.expanduser().resolve()
    if folder == DATASET_DIR.resolve():
        raise DataError(Problem(str(folder), None, "dataset", str(folder),
                                "a copy of the dataset (the installed package is never edited; copy it first)"))  # fmt: skip
    for name in ("provenance.csv", "sources.csv"):
        if not (folder / name).is_file():
            raise DataError(Problem(str(folder), None, "dataset", name, "a dataset folder with provenance.csv and sources.csv"))
    return folder


def promote(view: ClaimView, link: Link, dataset_dir: Path) -> Promotion:
    """Write *view*'s quote, page and date as the provenance of the model value it supports."""
    if view.decision not in ("accept", "edit"):
        raise DataError(Problem("review", None, "decision", view.decision, "an accepted (or edited) claim"))
    if link.model is None or link.verdict != Verdict.SUPPORTS:
        raise DataError(Problem("promote", None, "verdict", str(link.verdict), "a claim that supports a model value"))
    folder = _check_target(dataset_dir)
    m = link.model
    source_id = f"evidence_{view.sha256[:12]}"
    backup = Path(tempfile.mkdtemp(prefix="corridor-promote-"))
    for name in ("provenance.csv", "sources.csv"):
        shutil.copy2(folder / name, backup / name)
    try:
        sfields, srows = _rows(folder / "sources.csv")
        if not any(r["source_id"] == source_id for r in srows):
            url = view.source if view.source.startswith(("http://", "https://")) else ""
            srows.append({k: "" for k in sfields} | {
                "source_id": source_id, "title": f"Evidence page {view.source}", "url": url,
                "seed_file": "" if url else Path(view.source).name,
                "published": str(view.published.year) if view.published else "",
                "confidence": "high" if view.confidence >= 0.85 else "medium",
            })  # fmt: skip
            _write(folder / "sources.csv", sfields, srows)
        pfields, prows = _rows(folder / "provenance.csv")
        key = (m.table, m.record_id, m.field)
        kept = [r for r in prows if (r["table"], r["record_id"], r["field"]) != key]
        year = (view.period_end or view.period_start or (view.published.isoformat() if view.published else ""))[:4]
        kept.append({k: "" for k in pfields} | {"table": m.table, "record_id": m.record_id, "field": m.field,
                                                 "year": year, "source_id": source_id, "quote": view.sentence})  # fmt: skip
        _write(folder / "provenance.csv", pfields, kept)
        read_dataset(folder)
    except Exception:
        for name in ("provenance.csv", "sources.csv"):
            shutil.copy2(backup / name, folder / name)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)
    return Promotion(folder, source_id, m.table, m.record_id, m.field, len(kept) == len(prows))
