"""Read-only evidence endpoints: ``GET /evidence/claims`` and ``GET /evidence/conflicts`` with filters and cursor paging.

The router reads the evidence store named by the option ``evidence_database_url`` and the configured dataset;
tests and the app may override :func:`get_evidence`. Page text is returned as data (JSON strings), never as markup.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from corridor.errors import DataError
from corridor.evidence.pipeline import Evidence
from corridor.evidence.store import decode_cursor, encode_cursor

__all__ = ["ClaimOut", "ClaimPage", "ConflictOut", "ConflictPage", "get_evidence", "router"]

router = APIRouter(prefix="/evidence", tags=["evidence"])


class ClaimOut(BaseModel):
    """One stored claim with its review state and its verdict against the model."""

    id: int
    document_id: int
    source: str
    published: date | None
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
    decision: str | None
    reason: str | None
    verdict: str | None = None
    tolerance: float | None = None
    ratio: float | None = None
    detail: str | None = None
    model_value: float | None = None
    model_unit: str | None = None
    model_ref: str | None = None
    model_source: str | None = None
    model_quote: str | None = None


class ClaimPage(BaseModel):
    """A page of claims; pass ``next_cursor`` as ``cursor`` for the next one (null at the end)."""

    items: list[ClaimOut]
    next_cursor: str | None


class ConflictOut(BaseModel):
    """Claims about one subject, property and period, and whether they disagree beyond the tolerance."""

    subject_id: str
    property: str
    unit: str
    period: str
    conflict: bool
    tolerance: float
    reasons: list[str]
    members: list[ClaimOut]


class ConflictPage(BaseModel):
    """A page of groups; pass ``next_cursor`` as ``cursor`` for the next one."""

    items: list[ConflictOut]
    next_cursor: str | None


@lru_cache(maxsize=1)
def _default_evidence() -> Evidence:
    return Evidence.open()


def get_evidence(request: Request) -> Evidence:
    """The app's evidence workflow (``app.state.evidence``), else one on the configured dataset and store.

    Overridable as a FastAPI dependency.
    """
    return getattr(request.app.state, "evidence", None) or _default_evidence()


EvidenceDep = Annotated[Evidence, Depends(get_evidence)]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]


BAD_CURSOR = {400: {"description": "A cursor that no earlier page returned."}}


def _bad_request(exc: DataError) -> HTTPException:
    return HTTPException(status_code=400, detail="; ".join(str(p) for p in exc.problems) or str(exc))


def _claim_out(v) -> ClaimOut:
    return ClaimOut(**v.as_dict())


@router.get("/claims", response_model=ClaimPage, responses=BAD_CURSOR)
def list_claims(
    ev: EvidenceDep,
    subject: Annotated[str | None, Query(description="Subject id (link:btc), its last part (btc) or name.")] = None,
    property: Annotated[str | None, Query(description="flow, capacity, length, price, share, ...")] = None,
    modality: Annotated[str | None, Query(description="actual, projected, target, capacity or quota.")] = None,
    document_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
) -> ClaimPage:
    """Stored claims, oldest first, with verdicts against the model."""
    try:
        after = decode_cursor(cursor)
    except DataError as exc:
        raise _bad_request(exc) from exc
    items = ev.claims(subject=subject, property=property, modality=modality, document_id=document_id, after_id=after,
                      limit=limit + 1)  # fmt: skip
    more = len(items) > limit
    items = items[:limit]
    return ClaimPage(items=[_claim_out(v) for v in items], next_cursor=encode_cursor(items[-1].id) if more else None)


@router.get("/conflicts", response_model=ConflictPage, responses=BAD_CURSOR)
def list_conflicts(
    ev: EvidenceDep,
    subject: Annotated[str | None, Query(description="Only groups about this subject.")] = None,
    property: Annotated[str | None, Query(description="Only groups of this property.")] = None,
    include_agreeing: Annotated[bool, Query(alias="all", description="Also groups whose figures agree.")] = False,
    tolerance: Annotated[float, Query(gt=0, le=1, description="Relative tolerance.")] = 0.05,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
) -> ConflictPage:
    """Groups of claims on one subject, property and period; conflicting groups first."""
    try:
        start = decode_cursor(cursor, kind="off")
    except DataError as exc:
        raise _bad_request(exc) from exc
    groups = ev.conflicts(tolerance=tolerance, only_conflicts=not include_agreeing, subject=subject, property=property)
    page = groups[start : start + limit]
    nxt = start + limit
    items = [
        ConflictOut(**{k: v for k, v in g.as_dict().items() if k != "members"}, members=[_claim_out(m) for m in g.members])
        for g in page
    ]
    token = encode_cursor(nxt, kind="off") if nxt < len(groups) else None
    return ConflictPage(items=items, next_cursor=token)
