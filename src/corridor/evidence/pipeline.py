"""The evidence workflow in a few calls, shared by the CLI and the API: extract, ingest, list, link, conflicts.

An :class:`Evidence` holds the network (for subject names and model values) and the store; each method is one
step of the workflow and returns plain results for the interfaces to render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from corridor.data import read_dataset
from corridor.errors import DataError
from corridor.evidence.claims import Claim
from corridor.evidence.conflicts import ConflictGroup, find_groups
from corridor.evidence.extract import extract_claims
from corridor.evidence.ingest import Page, page_from_text, read_page
from corridor.evidence.link import DEFAULT_TOLERANCE, ModelValue, link_claim, model_values, route_facts
from corridor.evidence.review import ClaimView, Promotion, promote, review_queue, views
from corridor.evidence.store import EvidenceStore, IngestResult
from corridor.evidence.subjects import Gazetteer, build_gazetteer
from corridor.model import Network

__all__ = ["Evidence", "IngestOutcome"]


@dataclass(frozen=True)
class IngestOutcome:
    """One path's result: stored (new or already there) or the error that kept it out."""

    path: str
    result: IngestResult | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()


@dataclass
class Evidence:
    """The network and the store the evidence workflow works on."""

    net: Network = field(default_factory=read_dataset)
    database_url: str | None = None

    @classmethod
    def open(cls, dataset_dir: str | Path | None = None, database_url: str | None = None) -> Evidence:
        """Load the dataset at *dataset_dir* (default: the configured or shipped one) and open the store."""
        return cls(read_dataset(dataset_dir), database_url)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return build_gazetteer(self.net)

    @cached_property
    def store(self) -> EvidenceStore:
        return EvidenceStore(self.database_url)

    @cached_property
    def _routes(self) -> tuple[list[ModelValue], dict[str, int]]:
        return route_facts(self.net)

    @cached_property
    def values(self) -> list[ModelValue]:
        return model_values(self.net) + self._routes[0]

    def extract_page(self, page: Page) -> list[Claim]:
        """The claims of one page (not stored)."""
        return extract_claims(page.text, self.gazetteer, page.published)

    def extract_text(self, text: str, *, source: str = "text", published: date | None = None) -> tuple[Page, list[Claim]]:
        """Clean *text* like a page and extract its claims (not stored)."""
        page = page_from_text(text, source=source, published=published)
        return page, self.extract_page(page)

    def ingest(self, paths: list[Path], *, published: date | None = None, replace: bool = False) -> list[IngestOutcome]:
        """Store each page with its claims; a bad file is reported and skipped, never half-stored."""
        out = []
        for p in paths:
            try:
                page = read_page(p, published=published)
                result = self.store.add_page(page, self.extract_page(page), replace=replace)
                out.append(IngestOutcome(str(p), result, notes=page.notes))
            except DataError as exc:
                out.append(IngestOutcome(str(p), error=str(exc)))
        return out

    def claims(self, **filters: Any) -> list[ClaimView]:
        """Stored claims with decisions applied and their verdicts against the model."""
        return views(self.store, self.values, **filters)

    def conflicts(
        self, *, tolerance: float = DEFAULT_TOLERANCE, only_conflicts: bool = False, **filters: Any
    ) -> list[ConflictGroup]:
        """Groups of claims on one subject, property and period (rejected claims left out)."""
        items = views(self.store, None, include_rejected=False, **filters)
        groups = find_groups(items, tolerance=tolerance)
        return [g for g in groups if g.conflict] if only_conflicts else groups

    def queue(self, limit: int | None = None) -> list[tuple[float, ClaimView]]:
        """Undecided claims, most urgent first."""
        q = review_queue(self.claims(), self._routes[1])
        return q[:limit] if limit else q

    def decide(self, claim_id: int, action: str, reason: str, edits: dict[str, Any] | None = None) -> ClaimView:
        """Accept, reject or edit one claim with a reason; returns the claim as it now reads."""
        self.store.decide(claim_id, action, reason, edits)
        return self.claims(after_id=claim_id - 1, limit=1)[0]

    def promote(self, claim_id: int, dataset_dir: Path) -> Promotion:
        """Write an accepted claim's quote and source into *dataset_dir*'s provenance."""
        view = self.claims(after_id=claim_id - 1, limit=1)
        if not view or view[0].id != claim_id:
            self.store.claim(claim_id)  # raises the clear error
        v = view[0]
        result = promote(v, link_claim(v, self.values), dataset_dir)
        self.store.mark_promoted(claim_id, str(result.dataset_dir))
        return result
