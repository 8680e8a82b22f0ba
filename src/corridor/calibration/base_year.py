"""Calibrate a base year: assign the prior demand, estimate the OD matrix from the counts, report the fit and
the leave-one-out validation, and allocate the energy flows as shipped.

:func:`calibrate` is the one entry point the CLI, the API and notebooks call; it returns a
:class:`Calibration` whose tables are plain DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor.calibration.energy import EnergyBaseYear, solve_allocation
from corridor.calibration.freight import FreightProblem, build_freight_problem, site_matrix
from corridor.calibration.odme import estimate_od, spiess_odme
from corridor.calibration.stats import GEH_UNIT, geh, r_squared, relative_error, rmse, share_within
from corridor.calibration.tables import CalibrationData
from corridor.data.allocation_files import AllocationCase
from corridor.errors import DataError, Problem
from corridor.model import Network

__all__ = ["FIT_LIMIT", "LOO_LIMIT", "Calibration", "calibrate", "leave_one_out", "problem_for"]

FIT_LIMIT = 0.15  # UK TAG M3.1: within 15% of counts
LOO_LIMIT = 0.30


@dataclass
class Calibration:
    """A calibrated base year: demand (prior and estimated), the fit per count site, leave-one-out, energy."""

    year: int
    demand: pd.DataFrame  # demand rows with prior_t and calibrated_t
    sites: pd.DataFrame  # one row per count: observed/modelled in the published unit, errors, GEH, source
    loo: pd.DataFrame  # one row per count: observed, predicted without it, relative error
    energy: EnergyBaseYear | None
    prior_weight: float
    outer_iterations: int

    def summary(self) -> dict:
        """Fit statistics: number of sites, shares within 15% (prior and calibrated) and within 30% (LOO), R², RMSE."""
        s = self.sites
        freight = self.loo[self.loo["controlled"]]
        return {
            "sites": len(s),
            "share_within_15pct": share_within(s["rel_error"].to_numpy(), FIT_LIMIT),
            "prior_share_within_15pct": share_within(s["prior_rel_error"].to_numpy(), FIT_LIMIT),
            "loo_share_within_30pct": share_within(self.loo["rel_error"].to_numpy(), LOO_LIMIT),
            "loo_share_within_30pct_demand_sites": share_within(freight["rel_error"].to_numpy(), LOO_LIMIT),
            "demand_sites": len(freight),
            "r2": r_squared(s["modelled_t"].to_numpy(), s["observed_t"].to_numpy()),
            "rmse_t": rmse(s["modelled_t"].to_numpy(), s["observed_t"].to_numpy()),
            "geh_unit": GEH_UNIT,
            "share_geh_below_5": float(np.mean(s["geh"].to_numpy() < 5)) if len(s) else float("nan"),
            "prior_t": float(self.demand["prior_t"].sum()),
            "calibrated_t": float(self.demand["calibrated_t"].sum()),
        }

    def to_dict(self) -> dict:
        cols = ["site_id", "count_id", "observed", "modelled", "unit", "rel_error", "geh", "source"]
        return {
            "year": self.year,
            "sites": self.sites[cols].to_dict(orient="records"),
            "summary": self.summary(),
            "leave_one_out": self.loo.to_dict(orient="records"),
            "demand": self.demand[
                ["demand_id", "commodity", "origin_zone", "destination_zone", "prior_t", "calibrated_t"]
            ].to_dict(orient="records"),
            "energy": None if self.energy is None else self.energy.to_dict(),
        }


def _energy_offsets(counts: pd.DataFrame, energy: EnergyBaseYear | None) -> np.ndarray:
    if energy is None:
        return np.zeros(len(counts))
    return np.array([sum(energy.link_flow(link) for link in c.links) for c in counts.itertuples()])


def leave_one_out(
    prior: np.ndarray, proportions: np.ndarray, observed: np.ndarray, offsets: np.ndarray, *, prior_weight: float
) -> np.ndarray:
    """Each count predicted by an estimate made without it (route proportions held at the calibrated equilibrium)."""
    out = np.empty(len(observed))
    for s in range(len(observed)):
        keep = np.arange(len(observed)) != s
        est = spiess_odme(prior, proportions[keep], observed[keep], offsets=offsets[keep], prior_weight=prior_weight)
        out[s] = float(proportions[s] @ est.demand + offsets[s])
    return out


def _source_label(net: Network, sid: str | None, assumption: str | None) -> str:
    if sid and sid in net.sources.index:
        s = net.sources.loc[sid]
        return f"{s['title']} ({s['url'] or 'seed:' + str(s['seed_file'])})"
    return f"assumption: {assumption}" if assumption else ""


def _site_table(net, counts, observed_t, prior_t, modelled_t, controlled) -> pd.DataFrame:
    tpu = counts["t_per_unit"].astype(float).to_numpy()
    return pd.DataFrame(
        {
            "site_id": counts["site_id"],
            "count_id": counts["count_id"],
            "observed": counts["observed"].astype(float),
            "modelled": modelled_t / tpu,
            "prior_modelled": prior_t / tpu,
            "unit": counts["unit"],
            "observed_t": observed_t,
            "modelled_t": modelled_t,
            "rel_error": relative_error(modelled_t, observed_t),
            "prior_rel_error": relative_error(prior_t, observed_t),
            "geh": geh(modelled_t, observed_t),
            "controlled": controlled,
            "source": [_source_label(net, c.source_id, c.assumption) for c in counts.itertuples()],
        }
    )


def calibrate(
    net: Network,
    data: CalibrationData,
    year: int,
    *,
    energy_case: AllocationCase | None = None,
    prior_weight: float = 0.05,
    outer: int = 2,
) -> Calibration:
    """Calibrate *year*: ODME on the counts of that year from the prior demand of that year; LOO; energy split."""
    demand, counts = data.demand_for(year), data.counts_for(year)
    problems = []
    if demand.empty:
        problems.append(
            Problem(
                "demand.csv", None, "year", year, f"demand rows for {year} (years present: {sorted(set(data.demand['year']))})"
            )
        )
    if counts.empty:
        problems.append(
            Problem("counts.csv", None, "year", year, f"counts for {year} (years present: {sorted(set(data.counts['year']))})")
        )
    if problems:
        raise DataError(problems)
    view = net.at_year(year, include_planned=True)
    energy = solve_allocation(view, energy_case) if energy_case is not None else None
    offsets = _energy_offsets(counts, energy)
    observed_t = (counts["observed"].astype(float) * counts["t_per_unit"].astype(float)).to_numpy()
    prior = demand["t_per_year"].astype(float).to_numpy()
    zone_node = dict(zip(data.zones["zone_id"], data.zones["node_id"], strict=True))
    problem = build_freight_problem(view, demand, zone_node)
    cache: dict[str, np.ndarray] = {}

    def proportions_of(g: np.ndarray) -> np.ndarray:
        P = site_matrix(problem, problem.assign(g), counts)
        cache.setdefault("prior", P)
        return P

    est = estimate_od(prior, observed_t, proportions_of, offsets=offsets, prior_weight=prior_weight, outer=outer)
    assert est.proportions is not None
    P = est.proportions
    controlled = P.sum(axis=1) > 0
    sites = _site_table(net, counts, observed_t, cache["prior"] @ prior + offsets, est.modelled, controlled)
    predicted = leave_one_out(prior, P, observed_t, offsets, prior_weight=prior_weight)
    loo = pd.DataFrame(
        {
            "site_id": counts["site_id"],
            "count_id": counts["count_id"],
            "observed": counts["observed"].astype(float),
            "predicted": predicted / counts["t_per_unit"].astype(float).to_numpy(),
            "unit": counts["unit"],
            "rel_error": relative_error(predicted, observed_t),
            "geh": geh(predicted, observed_t),
            "controlled": controlled,
        }
    )
    out_demand = demand.assign(prior_t=prior, calibrated_t=est.demand)
    return Calibration(year, out_demand, sites, loo, energy, prior_weight, est.outer_iterations)


def problem_for(net: Network, data: CalibrationData, year: int) -> FreightProblem:
    """The freight assignment set-up calibration uses for *year* (for notebooks and diagnostics)."""
    zone_node = dict(zip(data.zones["zone_id"], data.zones["node_id"], strict=True))
    return build_freight_problem(net.at_year(year, include_planned=True), data.demand_for(year), zone_node)
