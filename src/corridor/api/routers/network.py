"""Read-only network endpoints for the dashboard: the network as GeoJSON by year and status, one node or link with
the sources of its values, places search (names, aliases, UN/LOCODE) and the projects by opening year.

Every answer comes from the library (:func:`corridor.data.export.network_geojson`, :meth:`Network.at_year`,
:func:`corridor.model.provenance.search_provenance`, :func:`corridor.model.summary.network_overview`), as the
CLI's ``network show|export`` and ``sources`` do. No authentication and no database.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from corridor.api.routers.dashboard_common import DashboardRoute, NetDep, Refused, cached, default_year, refusing
from corridor.data.export import network_geojson
from corridor.model.inputs import YEAR_MAX, YEAR_MIN, check_year
from corridor.model.network import normalize_name
from corridor.model.provenance import search_provenance
from corridor.model.summary import network_overview

__all__ = ["Feature", "NetworkStatus", "ProvenanceRow", "plain", "records", "router"]

router = APIRouter(route_class=DashboardRoute, tags=["network"])

Year = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX, description="Model year (default: the `year` setting, 2025).")]
RecordId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.~-]+$", description="Record id")]


class NetworkStatus(StrEnum):
    """Status of a node or link in a year (``corridor.schema.enums.Status`` less ``closed``, which no year shows)."""

    OPERATING = "operating"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"


class Geometry(BaseModel):
    """A GeoJSON Point (nodes) or LineString (links), coordinates in lon, lat degrees."""

    type: Literal["Point", "LineString"]
    coordinates: list[Any]


class Feature(BaseModel):
    """One node or link; ``properties.feature`` says which, ``properties.status`` its status that year."""

    type: Literal["Feature"] = "Feature"
    geometry: Geometry
    properties: dict[str, Any]


class NetworkGeoJSON(BaseModel):
    """The network of one year as a GeoJSON FeatureCollection (two-way links once, sea links along their lanes)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    year: int
    statuses: list[NetworkStatus]
    features: list[Feature]


class Overview(BaseModel):
    """Counts of the network in one year: nodes, links by mode and status, projects, sources, provenance kinds."""

    model_config = {"extra": "allow"}

    year: int | None
    nodes: int
    countries: int
    links: int
    links_by_mode: dict[str, int]
    links_by_status: dict[str, int]
    nodes_by_kind: dict[str, int]
    values: dict[str, int]


class Place(BaseModel):
    """A node people can route from, to or via."""

    node_id: str
    name: str
    kind: str
    country: str
    locode: str | None
    aliases: list[str]
    lat: float
    lon: float
    status: str
    matched: str = Field(description="The name, alias, UN/LOCODE or id that matched the query.")


class ProvenanceRow(BaseModel):
    """Where one dataset value comes from: a quoted source, a computation from sourced inputs, or an assumption."""

    model_config = {"extra": "allow"}

    table: str
    record_id: str
    field: str
    value: Any = None
    unit: str | None = None
    year: float | int | None = None
    kind: str
    source_id: str | None = None
    source_title: str | None = None
    source_ref: str | None = None
    confidence: Any = None
    quote: str | None = None
    note: str | None = None


class RecordDetail(BaseModel):
    """One node or link: its values in the year asked for and the provenance of each sourced value."""

    table: Literal["nodes", "links"]
    record_id: str
    year: int
    values: dict[str, Any]
    sources: list[ProvenanceRow]


class Project(BaseModel):
    """A project that changes a node, link or transfer from its opening year."""

    project_id: str
    name: str
    status: NetworkStatus | str
    open_year: int | None
    table: str
    record_id: str
    field: str
    value: Any
    description: str | None


def plain(value: Any) -> Any:
    """A table cell as JSON: NaN, NA and infinities as null, numpy scalars as Python numbers, tuples as lists, enums as values."""
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return value.value
    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and not math.isfinite(value) else value
    return value if isinstance(value, bool | int | float | str) else str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of *frame* as JSON-ready dicts."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _year(year: int | None) -> int:
    return refusing(lambda: check_year(default_year() if year is None else year), "year")


@router.get("/network", response_model=NetworkGeoJSON, responses={422: {"description": "Bad year or status."}})
def network(
    request: Request,
    net: NetDep,
    year: Year = None,
    status: Annotated[
        list[NetworkStatus] | None,
        Query(description="Statuses to include (repeat): operating, under_construction, planned. Default: all open by year."),
    ] = None,
) -> dict:
    """Nodes and links of *year* as GeoJSON; planned and under-construction projects appear from their opening year."""
    y = _year(year)
    wanted = sorted(set(status or list(NetworkStatus)))
    planned = wanted != [NetworkStatus.OPERATING]

    def build() -> dict:
        return network_geojson(net.at_year(y, include_planned=planned))

    doc = cached(request, ("network", y, planned), build)
    keep = {s.value for s in wanted}
    features = [f for f in doc["features"] if str(f["properties"].get("status")) in keep]
    return {"type": "FeatureCollection", "year": y, "statuses": wanted, "features": features}


@router.get("/network/summary", response_model=Overview)
def summary(net: NetDep, year: Year = None, planned: bool = False) -> dict:
    """Counts of nodes, links by mode and status, projects, sources and provenance kinds in *year*."""
    return network_overview(net.at_year(_year(year), include_planned=planned))


def _match(query: str, row: pd.Series, node_id: str) -> tuple[int, str] | None:
    """(rank, label) of the best label of a node matching *query*: 0 exact, 1 prefix, 2 substring."""
    best: tuple[int, str] | None = None
    labels = [row["name"], node_id, row["locode"], *(row["aliases"] or ())]
    for label in labels:
        if not isinstance(label, str) or not label:
            continue
        key = normalize_name(label)
        rank = 0 if key == query else 1 if key.startswith(query) else 2 if query in key else None
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, label)
    return best


@router.get("/places", response_model=list[Place])
def places(
    net: NetDep,
    q: Annotated[str, Query(max_length=100, description="Part of a name, alias, UN/LOCODE or id; empty lists all.")] = "",
    limit: Annotated[int, Query(ge=1, le=500, description="Most places returned.")] = 20,
) -> list[dict]:
    """Places whose name, alias, UN/LOCODE or id contains *q* (case and accents ignored), best matches first."""
    query = normalize_name(q)
    found = []
    for node_id, row in net.nodes.iterrows():
        hit = _match(query, row, str(node_id)) if query else (1, str(row["name"]))
        if hit is None:
            continue
        found.append((hit[0], str(row["name"]), str(node_id), hit[1], row))
    found.sort(key=lambda t: (t[0], t[1]))
    return [
        {
            "node_id": node_id,
            "name": name,
            "kind": plain(row["kind"]),
            "country": str(row["country"]),
            "locode": plain(row["locode"]),
            "aliases": [str(a) for a in row["aliases"] or ()],
            "lat": float(row["lat"]),
            "lon": float(row["lon"]),
            "status": plain(row["status"]),
            "matched": label,
        }
        for _, name, node_id, label, row in found[:limit]
    ]


def _detail(net: Any, table: Literal["nodes", "links"], record_id: str, year: int) -> dict:
    view = net.at_year(year, include_planned=True)
    frame = getattr(view, table)
    base = record_id.removesuffix("~r")
    if table == "links":
        rows = frame[frame["base_id"] == base]
    else:
        rows = frame.loc[[record_id]] if record_id in frame.index else frame.iloc[0:0]
    if rows.empty:
        known = getattr(net, table)
        exists = base in set(known["base_id"]) if table == "links" else record_id in known.index
        if not exists:
            failure = {"path": "record_id", "value": record_id, "message": f"the id of a row of {table}.csv"}
            raise Refused(404, f"no {table[:-1]} {record_id!r}", [failure])
        rows = known[known["base_id"] == base] if table == "links" else known.loc[[record_id]]
    values = {str(k): plain(v) for k, v in rows.iloc[0].items()}
    prov = search_provenance(net, table=table, record=base) if table in set(net.provenance.reset_index()["table"]) else None
    return {"table": table, "record_id": base, "year": year, "values": values, "sources": [] if prov is None else records(prov)}


@router.get("/network/nodes/{record_id}", response_model=RecordDetail, responses={404: {"description": "No such node."}})
def node_detail(net: NetDep, record_id: RecordId, year: Year = None) -> dict:
    """A node's values in *year* (projects applied) and where each value comes from."""
    return _detail(net, "nodes", record_id, _year(year))


@router.get("/network/links/{record_id}", response_model=RecordDetail, responses={404: {"description": "No such link."}})
def link_detail(net: NetDep, record_id: RecordId, year: Year = None) -> dict:
    """A link's values in *year* (projects applied) and where each value comes from."""
    return _detail(net, "links", record_id, _year(year))


@router.get("/projects", response_model=list[Project])
def projects(
    net: NetDep,
    year: Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX, description="Only projects open by this year.")] = None,
) -> list[dict]:
    """Projects (new capacity, new links) with their opening year, status and the value they set."""
    frame = net.projects
    if year is not None and len(frame):
        frame = frame[frame["open_year"].fillna(10**6) <= year]
    out = records(frame)
    for r in out:
        r["open_year"] = None if r["open_year"] is None else int(r["open_year"])
    return sorted(out, key=lambda r: (r["open_year"] or 10**6, r["project_id"]))
