"""Read-only calibration endpoint for the dashboard: the fit per count site and its summary for one base year.

The fit is :func:`corridor.calibration.calibrate` on the shipped calibration tables, as ``corridor calibrate --year Y
--json`` prints it (the site fields and summary names are those of that command). A calibration takes seconds, so
each (year, prior weight) is computed once per app and kept in the dashboard's result cache.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from corridor.api.routers.dashboard_common import DashboardRoute, NetDep, cached, refusing
from corridor.model import Network
from corridor.model.inputs import YEAR_MAX, YEAR_MIN

__all__ = ["CalibrationFit", "calibration_fit", "router"]

router = APIRouter(route_class=DashboardRoute, tags=["calibration"])


class CalibrationSite(BaseModel):
    """Observed and calibrated (modelled) volume at one count site, in the unit the count was published in."""

    site_id: str
    count_id: str
    observed: float = Field(description="The published count, in `unit`.")
    modelled: float = Field(description="The calibrated model's volume, in `unit`.")
    unit: str = Field(description="Unit of `observed` and `modelled` (t, TEU, ...).")
    rel_error: float | None = Field(description="(modelled − observed) / observed, a fraction.")
    geh: float = Field(description="GEH statistic on the daily unit named by `summary.geh_unit` (dimensionless).")
    source: str = Field(description="Where the count comes from: title and quoted sentence.")


class LeaveOneOutSite(BaseModel):
    """A count predicted by a calibration made without it."""

    site_id: str
    count_id: str
    observed: float = Field(description="The published count, in `unit`.")
    predicted: float = Field(description="The volume predicted without this count, in `unit`.")
    unit: str
    rel_error: float | None = Field(description="(predicted − observed) / observed, a fraction.")
    geh: float
    controlled: bool = Field(description="Whether the demand matrix reaches the site (freight it can move).")


class CalibrationSummary(BaseModel):
    """Fit statistics under the names ``corridor calibrate --json`` prints (shares are fractions of the sites)."""

    sites: int = Field(description="Number of count sites.")
    share_within_15pct: float | None = Field(description="Fraction of sites modelled within 15% of the count.")
    prior_share_within_15pct: float | None = Field(description="The same for the prior (uncalibrated) matrix.")
    loo_share_within_30pct: float | None = Field(description="Fraction of sites predicted within 30% without them.")
    loo_share_within_30pct_demand_sites: float | None
    demand_sites: int = Field(description="Sites the demand matrix reaches.")
    r2: float | None = Field(description="R² of modelled against observed tonnes.")
    rmse_t: float | None
    geh_unit: str
    share_geh_below_5: float | None
    prior_t: float
    calibrated_t: float


class CalibrationFit(BaseModel):
    """The calibrated base year: the fit per count site, leave-one-out per site, and the summary."""

    year: int
    fit_limit_fraction: float = Field(description="Relative error a fitted site should stay within (UK TAG M3.1).")
    loo_limit_fraction: float = Field(description="Relative error a leave-one-out prediction should stay within.")
    sites: list[CalibrationSite]
    leave_one_out: list[LeaveOneOutSite]
    summary: CalibrationSummary


def _number(value: Any) -> float | None:
    """A float for JSON, None for NaN/missing (JSON has no NaN)."""
    if value is None or pd.isna(value):
        return None
    out = float(value)
    return None if math.isinf(out) else out


def _rows(frame: pd.DataFrame, value: str, extra: tuple[str, ...]) -> list[dict]:
    out = []
    for r in frame.to_dict(orient="records"):
        row = {"site_id": str(r["site_id"]), "count_id": str(r["count_id"]), "observed": float(r["observed"])}
        row[value] = float(r[value])
        row |= {"unit": str(r["unit"]), "rel_error": _number(r["rel_error"]), "geh": float(r["geh"])}
        for key in extra:
            row[key] = r[key] if key == "controlled" else ("" if pd.isna(r.get(key)) else str(r[key]))
        out.append(row)
    return out


def calibration_fit(net: Network, year: int, prior_weight: float = 1.0) -> dict:
    """Calibrate *year* on the shipped tables (as ``corridor calibrate --year``) and answer the fit as plain JSON."""
    from corridor.calibration import FIT_LIMIT, LOO_LIMIT, calibrate, read_calibration_data
    from corridor.data.allocation_files import find_allocation

    cal = calibrate(net, read_calibration_data(net), year, energy_case=find_allocation(year), prior_weight=prior_weight)
    summary = {k: (_number(v) if isinstance(v, float) else v) for k, v in cal.summary().items()}
    return {
        "year": year,
        "fit_limit_fraction": FIT_LIMIT,
        "loo_limit_fraction": LOO_LIMIT,
        "sites": _rows(cal.sites, "modelled", ("source",)),
        "leave_one_out": _rows(cal.loo, "predicted", ("controlled",)),
        "summary": summary,
    }


@router.get(
    "/calibration/{year}",
    response_model=CalibrationFit,
    responses={422: {"description": "No demand or counts for the year, or a bad parameter."}},
)
def calibration(
    request: Request,
    net: NetDep,
    year: Annotated[int, Path(ge=YEAR_MIN, le=YEAR_MAX, description="Base year with demand and counts (e.g. 2024).")],
    prior_weight: Annotated[float, Query(gt=0, le=1e6, description="Weight keeping the matrix near the prior.")] = 1.0,
) -> dict:
    """The fit per count site, leave-one-out and the summary for a base year (``corridor calibrate --year Y --json``)."""
    build = lambda: calibration_fit(net, year, prior_weight)  # noqa: E731
    return refusing(lambda: cached(request, ("calibration", year, prior_weight), build), "year")
