"""Read-only source endpoints for the dashboard: the source documents and the provenance of every dataset value,
filtered as ``corridor sources`` filters (:func:`corridor.model.provenance.search_provenance`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from corridor.api.routers.dashboard_common import DashboardRoute, NetDep, refusing
from corridor.api.routers.network import ProvenanceRow, records
from corridor.model.provenance import search_provenance

__all__ = ["router"]

router = APIRouter(route_class=DashboardRoute, tags=["sources"])

Text = Annotated[str | None, Query(max_length=200)]


class SourceDoc(BaseModel):
    """A document the dataset cites: title, address or seed file, publisher, date and confidence."""

    source_id: str
    title: str
    url: str | None = None
    seed_file: str | None = None
    publisher: str | None = None
    published: Any = None
    confidence: str | None = None


class ProvenancePage(BaseModel):
    """Provenance rows matching the filters (``total`` before the limit) and the counts by kind."""

    total: int
    counts: dict[str, int]
    items: list[ProvenanceRow]


@router.get("/sources", response_model=list[SourceDoc])
def sources(net: NetDep, search: Text = None) -> list[dict]:
    """The source documents, optionally only those whose title, address or publisher contains *search*."""
    rows = records(net.sources.reset_index())
    for r in rows:
        r["published"] = None if r["published"] is None else str(r["published"])
    if search:
        needle = search.casefold()
        keys = ("source_id", "title", "url", "publisher", "seed_file")
        rows = [r for r in rows if any(needle in str(r.get(k) or "").casefold() for k in keys)]
    return rows


@router.get("/provenance", response_model=ProvenancePage, responses={422: {"description": "Unknown table or kind."}})
def provenance(
    net: NetDep,
    table: Text = None,
    record: Text = None,
    field: Text = None,
    kind: Annotated[str | None, Query(description="sourced, computed or assumption.")] = None,
    source: Text = None,
    search: Annotated[str | None, Query(max_length=200, description="Text in the source title, quote or note.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict:
    """Where dataset values come from: one row per value with its source and quote, or the assumption's reason."""
    frame = refusing(
        lambda: search_provenance(net, table=table, record=record, field=field, kind=kind, source=source, search=search)
    )
    counts = {str(k): int(v) for k, v in frame["kind"].astype(str).value_counts().items()}
    return {"total": len(frame), "counts": counts, "items": records(frame.head(limit))}
