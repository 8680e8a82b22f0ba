"""Read-only scenario endpoints for the dashboard: the shipped scenarios, one scenario year (flows per link with
volume/capacity, the bottleneck table, corridor shares, the energy split) and a scenario over several years.

Results come from :func:`corridor.scenarios.run_year` (as ``corridor assign`` and ``corridor scenario run``) and are
kept in the app's result cache, so moving the dashboard's year slider back and forth runs each year once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from corridor.api.routers.dashboard_common import DashboardRoute, NetDep, Refused, cached, refusing
from corridor.api.routers.network import plain, records
from corridor.data.scenario_files import list_scenarios, read_scenario
from corridor.model import Network
from corridor.model.inputs import YEAR_MAX, YEAR_MIN, check_year, parse_years
from corridor.model.scenario import Scenario
from corridor.scenarios import SATURATED_VC, ScenarioRun, YearResult, run_year

__all__ = ["MAX_SERIES_YEARS", "router"]

router = APIRouter(route_class=DashboardRoute, tags=["scenarios"])

#: Most years one series request may ask for (each year is one equilibrium run of a second or two).
MAX_SERIES_YEARS = 12

Name = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$", description="Shipped scenario name.")]
YearPath = Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="Scenario year.")]


class ScenarioInfo(BaseModel):
    """A scenario shipped with Corridor."""

    name: str
    description: str
    base_year: int


class FlowLink(BaseModel):
    """Freight on one directed link (or a capacity-limited facility) in the year, with its geometry."""

    arc: str
    id: str
    mode: str | None
    from_node: str | None
    to_node: str | None
    flow_t: float
    capacity_t: float | None
    vc: float | None = Field(description="Volume / capacity; null where the link has no capacity limit.")
    delay_h: float | None
    limited_by: str | None
    coordinates: list[list[float]] = Field(description="(lon, lat) vertices; sea links follow their lane.")


class Bottleneck(BaseModel):
    """A capacity-limited link or facility, ranked by volume/capacity."""

    id: str
    name: str
    limited_by: str | None
    flow_t: float
    capacity_t: float | None
    vc: float | None
    delay_h: float | None


class CorridorShare(BaseModel):
    """Freight on one corridor and its share of the year's demand."""

    corridor: str
    flow_t: float
    share: float


class EnergySink(BaseModel):
    """Energy shipped to one export terminal."""

    terminal: str
    flow: float
    share: float | None


class EnergySplit(BaseModel):
    """The energy case of the year: supply, shipped, stranded, and the split between export terminals."""

    cargo: str
    unit: str
    supply: float
    shipped: float
    stranded_total: float
    cost_usd: float | None
    sinks: list[EnergySink]


class ScenarioYear(BaseModel):
    """One scenario year: link flows, bottlenecks (v/c >= saturation first), corridor shares and the energy split."""

    scenario: str
    year: int
    saturation_vc: float
    demand_t: float
    unmet_t: float
    relative_gap: float | None
    links: list[FlowLink]
    bottlenecks: list[Bottleneck]
    corridor_shares: list[CorridorShare]
    energy: EnergySplit | None


class SeriesYear(BaseModel):
    """Corridor shares and energy exports of one year of a series."""

    year: int
    corridor_shares: dict[str, float]
    energy_exports: dict[str, float] = Field(description="Flow to each export terminal (energy unit per year).")
    stranded: float | None


class Saturation(BaseModel):
    """When a bottleneck first reaches the saturation v/c within the series, and its worst year."""

    model_config = {"extra": "allow"}

    id: str
    name: str
    saturates_in: int | None
    max_vc: float
    max_vc_year: int


class ScenarioSeries(BaseModel):
    """A scenario over several years: shares and energy by year, and when each bottleneck saturates."""

    scenario: str
    years: list[int]
    saturation_vc: float
    by_year: list[SeriesYear]
    saturation: list[Saturation]


def _scenario(request: Request, net: Network, name: str) -> Scenario:
    shipped = list_scenarios()
    if name not in shipped:
        failure = {"path": "name", "value": name, "message": f"one of {', '.join(shipped)}"}
        raise Refused(404, f"no shipped scenario {name!r}", [failure])

    def build() -> Scenario:
        sc = read_scenario(name)
        sc.validate(net)
        return sc

    return refusing(lambda: cached(request, ("scenario", name), build), "name")


def _year_result(request: Request, net: Network, sc: Scenario, year: int) -> YearResult:
    refusing(lambda: check_year(year), "year")
    return refusing(lambda: cached(request, ("scenario_year", sc.name, year), lambda: run_year(net, sc, year)), "year")


def _coordinates(net: Network, row: dict) -> list[list[float]]:
    arc = str(row.get("arc") or "")
    if arc in net.links.index:
        return [list(p) for p in net.link_coordinates(arc)]
    ends = [row.get("from_node"), row.get("to_node")]
    return [[float(net.nodes.loc[n, "lon"]), float(net.nodes.loc[n, "lat"])] for n in ends if n in net.nodes.index]


def _energy(y: YearResult) -> dict | None:
    if y.energy is None:
        return None
    e = y.energy.to_dict()
    return {**{k: plain(e[k]) for k in ("cargo", "unit", "supply", "shipped", "stranded_total", "cost_usd")}, "sinks": e["sinks"]}


@router.get("/scenarios", response_model=list[ScenarioInfo])
def scenarios(request: Request, net: NetDep) -> list[dict]:
    """The scenarios shipped with Corridor, with their descriptions."""
    out = []
    for name in list_scenarios():
        sc = _scenario(request, net, name)
        out.append({"name": sc.name, "description": sc.description, "base_year": sc.base_year})
    return out


@router.get(
    "/scenarios/{name}/years/{year}",
    response_model=ScenarioYear,
    responses={404: {"description": "No such scenario."}, 422: {"description": "The scenario cannot run that year."}},
)
def scenario_year(request: Request, net: NetDep, name: Name, year: YearPath) -> dict:
    """Freight flows per link with volume/capacity, the bottleneck table, corridor shares and the energy split."""
    sc = _scenario(request, net, name)
    y = _year_result(request, net, sc, year)
    links = records(y.links)
    for row in links:
        row["coordinates"] = _coordinates(net, row)
        row["flow_t"] = row["flow_t"] or 0.0
    return {
        "scenario": sc.name,
        "year": year,
        "saturation_vc": SATURATED_VC,
        "demand_t": plain(y.demand_t),
        "unmet_t": plain(y.unmet_t) or 0.0,
        "relative_gap": plain(y.relative_gap),
        "links": links,
        "bottlenecks": records(y.bottlenecks),
        "corridor_shares": records(y.shares),
        "energy": _energy(y),
    }


@router.get(
    "/scenarios/{name}/series",
    response_model=ScenarioSeries,
    responses={404: {"description": "No such scenario."}, 422: {"description": "Bad years."}},
)
def scenario_series(
    request: Request,
    net: NetDep,
    name: Name,
    years: Annotated[str, Query(max_length=60, description="YYYY..YYYY or a comma list (at most 12 years).")] = "2024..2035",
) -> dict:
    """Corridor shares and energy exports by year, and the year each bottleneck saturates (``corridor scenario run``)."""
    ys = refusing(lambda: parse_years(years, "years"), "years")
    if len(ys) > MAX_SERIES_YEARS:
        failure = {"path": "years", "value": years, "message": f"at most {MAX_SERIES_YEARS} years"}
        raise Refused(422, f"years = {years!r}: expected at most {MAX_SERIES_YEARS} years", [failure])
    sc = _scenario(request, net, name)
    run = ScenarioRun(sc, [_year_result(request, net, sc, y) for y in sorted(set(ys))])
    by_year: list[dict[str, Any]] = []
    for y in run.years:
        exports = {} if y.energy is None else {str(r["terminal"]): float(r["flow"]) for _, r in y.energy.sinks.iterrows()}
        by_year.append(
            {
                "year": y.year,
                "corridor_shares": {str(r["corridor"]): float(r["share"]) for _, r in y.shares.iterrows()},
                "energy_exports": exports,
                "stranded": None if y.energy is None else plain(y.energy.stranded_total),
            }
        )
    return {
        "scenario": sc.name,
        "years": [y.year for y in run.years],
        "saturation_vc": SATURATED_VC,
        "by_year": by_year,
        "saturation": records(run.saturation()),
    }
