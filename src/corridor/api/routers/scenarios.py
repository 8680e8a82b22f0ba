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
    flow_t_per_year: float
    capacity_t_per_year: float | None
    vc_ratio: float | None = Field(description="Volume / capacity; null where the link has no capacity limit.")
    delay_h: float | None
    limited_by: str | None
    coordinates: list[list[float]] = Field(description="(lon, lat) vertices; sea links follow their lane.")


class Bottleneck(BaseModel):
    """A capacity-limited link or facility, ranked by volume/capacity."""

    id: str
    name: str
    limited_by: str | None
    flow_t_per_year: float
    capacity_t_per_year: float | None
    vc_ratio: float | None
    delay_h: float | None


class CorridorShare(BaseModel):
    """Freight on one corridor and its share of the year's demand."""

    corridor: str
    flow_t_per_year: float
    share_fraction: float


class EnergySink(BaseModel):
    """Energy shipped to one export terminal per year, in tonnes (oil) or bcm (gas)."""

    terminal: str
    flow_t_per_year: float | None = None
    flow_bcm_per_year: float | None = None
    share_fraction: float | None


class EnergySplit(BaseModel):
    """The energy case of the year: supply, shipped, stranded, and the split between export terminals."""

    cargo: str
    unit: str
    supply_t_per_year: float | None = Field(None, description="Supply when the cargo is measured in tonnes (oil).")
    shipped_t_per_year: float | None = None
    stranded_total_t_per_year: float | None = None
    supply_bcm_per_year: float | None = Field(None, description="Supply when the cargo is measured in bcm (gas).")
    shipped_bcm_per_year: float | None = None
    stranded_total_bcm_per_year: float | None = None
    cost_usd: float | None
    sinks: list[EnergySink]


class ScenarioYear(BaseModel):
    """One scenario year: link flows, bottlenecks (v/c >= saturation first), corridor shares and the energy split."""

    scenario: str
    year: int
    saturation_vc_ratio: float
    demand_t_per_year: float
    unmet_t_per_year: float
    relative_gap: float | None
    links: list[FlowLink]
    bottlenecks: list[Bottleneck]
    corridor_shares: list[CorridorShare]
    energy: EnergySplit | None


class SeriesYear(BaseModel):
    """Corridor shares and energy exports of one year of a series."""

    year: int
    corridor_share_fraction: dict[str, float]
    energy_unit: str | None = Field(description="The unit of the energy figures: t or bcm (null without energy).")
    energy_exports_per_year: dict[str, float] = Field(description="Flow to each export terminal, energy_unit per year.")
    stranded_per_year: float | None = Field(description="Energy that found no route, energy_unit per year.")


class Saturation(BaseModel):
    """When a bottleneck first reaches the saturation v/c within the series, and its worst year."""

    model_config = {"extra": "allow"}

    id: str
    name: str
    saturation_year: int | None
    max_vc_ratio: float
    max_vc_year: int


class ScenarioSeries(BaseModel):
    """A scenario over several years: shares and energy by year, and when each bottleneck saturates."""

    scenario: str
    years: list[int]
    saturation_vc_ratio: float
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
    per_year = [f"{k}_{e['unit'].lower()}_per_year" for k in ("supply", "shipped", "stranded_total")]
    return {**{k: plain(e[k]) for k in ("cargo", "unit", *per_year, "cost_usd")}, "sinks": e["sinks"]}


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
    response_model_exclude_unset=True,
    responses={404: {"description": "No such scenario."}, 422: {"description": "The scenario cannot run that year."}},
)
def scenario_year(request: Request, net: NetDep, name: Name, year: YearPath) -> dict:
    """Freight flows per link with volume/capacity, the bottleneck table, corridor shares and the energy split."""
    sc = _scenario(request, net, name)
    y = _year_result(request, net, sc, year)
    links = records(y.links)
    for row in links:
        row["coordinates"] = _coordinates(net, row)
        row["flow_t_per_year"] = row["flow_t_per_year"] or 0.0
    return {
        "scenario": sc.name,
        "year": year,
        "saturation_vc_ratio": SATURATED_VC,
        "demand_t_per_year": plain(y.demand_t),
        "unmet_t_per_year": plain(y.unmet_t) or 0.0,
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
        e = y.energy
        exports = {} if e is None else {str(r["terminal"]): float(r[e.flow_column]) for _, r in e.sinks.iterrows()}
        by_year.append(
            {
                "year": y.year,
                "corridor_share_fraction": {str(r["corridor"]): float(r["share_fraction"]) for _, r in y.shares.iterrows()},
                "energy_unit": None if e is None else e.unit,
                "energy_exports_per_year": exports,
                "stranded_per_year": None if e is None else plain(e.stranded_total),
            }
        )
    return {
        "scenario": sc.name,
        "years": [y.year for y in run.years],
        "saturation_vc_ratio": SATURATED_VC,
        "by_year": by_year,
        "saturation": records(run.saturation()),
    }
