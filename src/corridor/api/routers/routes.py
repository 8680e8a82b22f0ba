"""Read-only routing endpoints for the dashboard: k best routes (the options of ``corridor route``), the corridor
comparison (``corridor compare``) and the exchange rates a cost can be shown in.

Each calls the library function the CLI calls (:func:`corridor.routing.find_routes`, :func:`corridor.routing.compare`)
and answers its ``to_dict`` / GeoJSON output. Bad input is a 422 problem naming the parameter; no route is a 404.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from corridor.api.routers.dashboard_common import DashboardRoute, NetDep, cached, default_year, refusing, split_values
from corridor.api.routers.network import Feature, plain
from corridor.model import CargoClass, Network
from corridor.model.inputs import YEAR_MAX, YEAR_MIN, check_countries, check_positive, check_year
from corridor.routing import OBJECTIVES, RouteSet, compare, find_routes
from corridor.schema.enums import Mode

__all__ = ["Customs", "Objective", "route_features", "router"]

router = APIRouter(route_class=DashboardRoute, tags=["routes"])


class Objective(StrEnum):
    """What a route minimises."""

    TIME = "time"
    COST = "cost"
    CO2 = "co2"
    GENERALISED = "generalised"


class Customs(StrEnum):
    """Border regime: digital where offered that year (auto), digital everywhere, or paper everywhere."""

    AUTO = "auto"
    DIGITAL = "digital"
    PAPER = "paper"


assert {o.value for o in Objective} == set(OBJECTIVES), "Objective must list the router's objectives"

Place = Annotated[str, Query(min_length=1, max_length=100, description="Place id, UN/LOCODE, name or alias.")]
Places = Annotated[list[str] | None, Query(description="Repeat or comma-separate.")]
Year = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX, description="Model year (default: the `year` setting).")]
Currency = Annotated[str, Query(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code from the dated FX table.")]


class RouteLeg(BaseModel):
    """One link or transfer of a route, with the sources of its values."""

    model_config = ConfigDict(populate_by_name=True)

    kind: str
    id: str
    mode: str
    from_: str = Field(alias="from")
    to: str
    from_node: str
    to_node: str
    countries: str
    length_km: float
    moving_h: float
    waiting_h: float
    cost_usd: float
    co2_kg: float
    sources: str


class LocalCost(BaseModel):
    """The route's cost in another currency at the dataset's dated rate, named ``cost_<currency>`` (e.g. ``cost_eur``)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": {"type": "number"}})

    currency: str
    rate_per_usd: float
    as_of: str
    source: str


class RouteOut(BaseModel):
    """A route: the query it answers, its totals and its legs."""

    origin: str
    destination: str
    corridor: str | None
    cargo: CargoClass
    unit: str
    quantity_teu: float | None = Field(None, description="Cargo quantity when the unit is TEU.")
    quantity_t: float | None = Field(None, description="Cargo quantity when the unit is tonnes.")
    quantity_bcm: float | None = Field(None, description="Cargo quantity when the unit is bcm of gas.")
    year: int
    customs: str
    objective: str
    objective_h: float | None = Field(None, description="The objective's value when it is time (hours).")
    objective_usd: float | None = Field(None, description="The objective's value when it is cost or generalised cost.")
    objective_kg: float | None = Field(None, description="The objective's value when it is CO2 (kg).")
    summary: str
    length_km: float
    time_h: float
    days: float
    moving_h: float
    waiting_h: float
    cost_usd: float
    co2_kg: float
    border_crossings: list[str]
    countries: list[str]
    modes: list[str]
    legs: list[RouteLeg]
    cost_local: LocalCost | None = None


class FxRate(BaseModel):
    """Units of a currency per US dollar, dated and sourced."""

    currency: str
    rate_per_usd: float
    as_of: str
    source: str


class RouteGeoJSON(BaseModel):
    """Moving legs as GeoJSON LineStrings; ``properties.rank`` says which route a leg belongs to."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]


class RoutesOut(BaseModel):
    """k routes best first, drawn as GeoJSON (``properties.rank`` says which route a leg belongs to)."""

    routes: list[RouteOut]
    geojson: RouteGeoJSON
    fx: FxRate


class CorridorOut(BaseModel):
    """One named corridor: its route's totals and legs when one exists under the corridor's rules, else the reason."""

    model_config = ConfigDict(extra="allow")

    corridor_id: str
    name: str
    available: bool
    reason: str | None
    summary: str | None = None
    days: float | None = None
    time_h: float | None = None
    length_km: float | None = None
    cost_usd: float | None = None
    co2_kg: float | None = None
    countries: list[str] = Field(default_factory=list)
    modes: list[str] = Field(default_factory=list)
    border_crossings: list[str] = Field(default_factory=list)
    legs: list[RouteLeg] = Field(default_factory=list)
    cost_local: LocalCost | None = None


class ComparisonOut(BaseModel):
    """The named corridors between two places, best first, with the exchange rate used."""

    origin: str
    destination: str
    cargo: CargoClass
    objective: str
    year: int
    customs: str
    fx: FxRate
    corridors: list[CorridorOut]


def _fx(net: Network, currency: str) -> dict:
    rate, as_of, source = refusing(lambda: net.fx_rate(currency), "currency")
    return {"currency": currency.upper(), "rate_per_usd": rate, "as_of": as_of, "source": source}


def _countries(avoid: list[str] | None) -> list[str]:
    return refusing(lambda: check_countries(split_values(avoid), "avoid"), "avoid")


def _place(net: Network, query: str, param: str) -> str:
    return refusing(lambda: net.resolve(query), param)


def _coordinates(request: Request, net: Network) -> dict[str, list[list[float]]]:
    """The app's memo of link vertices (``link_id`` → ``[[lon, lat], ...]``) for *net*, filled as routes use links."""
    memo = getattr(request.app.state, "route_coordinates", None)
    if memo is None or memo[0] is not net:
        memo = (net, {})
        request.app.state.route_coordinates = memo
    return memo[1]


def route_features(found: RouteSet, net: Network, memo: dict[str, list[list[float]]]) -> list[dict]:
    """The moving legs of *found* as GeoJSON Features ranked 1.. — :meth:`RouteSet.to_geojson`'s features, without
    its per-route table and with link vertices looked up once per app rather than per leg and request."""
    feats = []
    for rank, route in enumerate(found, 1):
        for leg in route.legs:
            if leg.kind != "link":
                continue
            coords = memo.get(leg.ref)
            if coords is None:
                coords = memo[leg.ref] = [list(c) for c in net.link_coordinates(leg.ref)]
            props = {"id": leg.ref, "mode": leg.mode, "from": leg.from_name, "to": leg.to_name, "length_km": leg.length_km}
            props |= {"time_h": leg.moving_h + leg.waiting_h, "cost_usd": leg.cost_usd, "co2_kg": leg.co2_kg, "rank": rank}
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props})
    return feats


@router.get(
    "/routes",
    response_model=RoutesOut,
    response_model_exclude_unset=True,
    responses={404: {"description": "No route satisfies the constraints."}, 422: {"description": "Bad parameter."}},
)
def routes(
    request: Request,
    net: NetDep,
    origin: Place,
    destination: Place,
    cargo: CargoClass = CargoClass.CONTAINER,
    objective: Objective = Objective.TIME,
    avoid: Annotated[list[str] | None, Query(description="Countries to avoid (ISO codes): RU,BY,IR.")] = None,
    avoid_mode: Annotated[list[Mode] | None, Query(description="Modes to avoid (repeat).")] = None,
    avoid_node: Places = None,
    via: Annotated[list[str] | None, Query(description="Places to pass, in order (repeat); 'a;b' means either.")] = None,
    k: Annotated[int, Query(ge=1, le=10, description="Distinct alternative routes.")] = 1,
    year: Year = None,
    planned: Annotated[bool, Query(description="Count planned projects open by year.")] = False,
    customs: Customs = Customs.AUTO,
    quantity: Annotated[float, Query(gt=0, le=1e9, description="Units of cargo (TEU, t or bcm).")] = 1.0,
    currency: Currency = "USD",
) -> dict:
    """Best routes between two places with a per-leg breakdown (the query of ``corridor route``)."""
    countries = _countries(avoid)
    y = refusing(lambda: check_year(default_year() if year is None else year), "year")
    refusing(lambda: check_positive(quantity, "quantity"), "quantity")
    fx = _fx(net, currency)
    o, d = _place(net, origin, "origin"), _place(net, destination, "destination")
    avoid_nodes = [_place(net, n, "avoid_node") for n in split_values(avoid_node)]
    groups = [g for g in ([_place(net, p, "via") for p in v.split(";") if p.strip()] for v in via or []) if g]
    found = refusing(
        lambda: find_routes(
            net,
            o,
            d,
            cargo=cargo,
            objective=objective.value,
            avoid_countries=countries,
            avoid_modes=[m.value for m in avoid_mode or []],
            avoid_nodes=avoid_nodes,
            via=[g[0] if len(g) == 1 else g for g in groups],
            k=k,
            year=y,
            include_planned=planned,
            customs=customs.value,
            quantity=quantity,
        )
    )
    geojson = {"type": "FeatureCollection", "features": route_features(found, net, _coordinates(request, net))}
    return {"routes": [r.to_dict(currency=currency) for r in found], "geojson": geojson, "fx": fx}


@router.get(
    "/compare",
    response_model=ComparisonOut,
    response_model_exclude_unset=True,
    responses={422: {"description": "Bad parameter."}},
)
def corridors(
    request: Request,
    net: NetDep,
    origin: Place = "xian",
    destination: Place = "duisburg",
    cargo: CargoClass = CargoClass.CONTAINER,
    objective: Objective = Objective.TIME,
    avoid: Annotated[list[str] | None, Query(description="Countries every corridor must avoid.")] = None,
    year: Year = None,
    planned: bool = False,
    customs: Customs = Customs.AUTO,
    currency: Currency = "USD",
) -> dict:
    """The named corridors between two places ranked (``corridor compare``); unavailable ones say why."""
    countries = tuple(_countries(avoid))
    y = refusing(lambda: check_year(default_year() if year is None else year), "year")
    _fx(net, currency)
    o, d = _place(net, origin, "origin"), _place(net, destination, "destination")
    key = ("compare", o, d, cargo.value, objective.value, countries, y, planned, customs.value)

    def build() -> Any:
        return compare(
            net, o, d, cargo=cargo, objective=objective.value, year=y, include_planned=planned, customs=customs.value,
            avoid_countries=list(countries),
        )  # fmt: skip

    cmp = refusing(lambda: cached(request, key, build))
    return cmp.to_dict(net, currency=currency)


@router.get("/currencies", response_model=list[FxRate])
def currencies(net: NetDep) -> list[dict]:
    """Every currency a cost can be shown in, with its dated rate and source (USD first)."""
    codes = ["USD", *sorted(str(c) for c in net.fx_rates.index)]
    out = []
    for code in codes:
        rate, as_of, source = net.fx_rate(code)
        out.append({"currency": code, "rate_per_usd": plain(rate), "as_of": str(as_of), "source": str(source)})
    return out
