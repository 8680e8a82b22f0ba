"""Read-only simulation endpoint for the dashboard: door-to-door time distributions and where the days go, per corridor.

Results come from :func:`corridor.scenarios.simulation.simulate_scenario` (as ``corridor simulate``) and are kept in
the app's result cache, so the same scenario, year and replications run once per server.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from corridor.api.routers.dashboard_common import DashboardRoute, NetDep, Refused, cached, refusing
from corridor.data.scenario_files import list_scenarios
from corridor.model.inputs import YEAR_MAX, YEAR_MIN

__all__ = ["MAX_REPLICATIONS", "router"]

router = APIRouter(route_class=DashboardRoute, tags=["simulation"])

#: Most replications one request may ask for (each is one simulated year, about a second of CPU).
MAX_REPLICATIONS = 10


class CorridorTimes(BaseModel):
    """Door-to-door days of container trains on one corridor, and the mean days per delay component."""

    corridor_id: str
    p10_days: float
    p50_days: float
    p90_days: float
    p99_days: float
    mean_days: float
    trains: float = Field(description="Container trains delivered per simulated period, mean over replications.")
    components: dict[str, float] = Field(description="Mean days per train by component (running, border, ...).")


class SimulationCorridors(BaseModel):
    """The simulated corridors of one scenario year."""

    scenario: str
    year: int
    replications: int
    seed: int
    corridors: list[CorridorTimes]


@router.get(
    "/simulation/corridors",
    response_model=SimulationCorridors,
    responses={404: {"description": "No such scenario."}, 422: {"description": "Bad year or replications."}},
)
def simulation_corridors(
    request: Request,
    net: NetDep,
    scenario: Annotated[str, Query(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")] = "base",
    year: Annotated[int, Query(ge=YEAR_MIN, le=YEAR_MAX)] = 2025,
    replications: Annotated[int, Query(ge=1, le=MAX_REPLICATIONS)] = 3,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 7,
) -> dict:
    """p10/p50/p90/p99 door-to-door days per corridor (Xi'an → Duisburg probes) and the delay components."""
    if scenario not in list_scenarios():
        raise Refused(404, f"scenario = {scenario!r}: expected one of {', '.join(list_scenarios())}")

    def build() -> dict:
        from corridor.scenarios.simulation import simulate_scenario

        return simulate_scenario(net, scenario, year, replications=replications, seed=seed).to_dict()

    body = refusing(lambda: cached(request, ("simulation", scenario, year, replications, seed), build), "year")
    corridors = [{k: c[k] for k in CorridorTimes.model_fields} for c in body["corridors"]]
    return {"scenario": scenario, "year": year, "replications": replications, "seed": seed, "corridors": corridors}
