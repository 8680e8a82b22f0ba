"""Goodness of fit between modelled and observed counts: relative error, GEH, R², RMSE.

GEH (Geoffrey E. Havers' statistic) was made for hourly vehicle counts; here it is computed on daily flows in
wagonloads, ``t / 365 / T_PER_WAGONLOAD``, with 47.4 t a wagonload (4.5 Mt a year over 95,000 Caspian ferry
wagons, PortEconomics), so that a GEH below 5 means what it means for a daily wagon count. UK TAG unit M3.1
asks for modelled flows within 15% of counts at 85% of sites.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GEH_UNIT", "T_PER_WAGONLOAD", "geh", "r_squared", "relative_error", "rmse", "share_within"]

T_PER_WAGONLOAD = 47.4
GEH_UNIT = "wagonloads (47.4 t) per day"


def relative_error(modelled: np.ndarray | float, observed: np.ndarray | float) -> np.ndarray:
    """(modelled - observed) / observed; NaN where nothing was observed."""
    m, o = np.asarray(modelled, dtype=float), np.asarray(observed, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(o != 0, (m - o) / np.where(o != 0, o, 1.0), np.nan)


def geh(modelled_t_per_year: np.ndarray | float, observed_t_per_year: np.ndarray | float) -> np.ndarray:
    """GEH = sqrt(2 (M - C)^2 / (M + C)) with M, C in wagonloads per day (see the module note)."""
    m = np.asarray(modelled_t_per_year, dtype=float) / 365.0 / T_PER_WAGONLOAD
    c = np.asarray(observed_t_per_year, dtype=float) / 365.0 / T_PER_WAGONLOAD
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(m + c > 0, np.sqrt(2.0 * (m - c) ** 2 / np.where(m + c > 0, m + c, 1.0)), 0.0)


def r_squared(modelled: np.ndarray, observed: np.ndarray) -> float:
    """Coefficient of determination of the observed counts by the modelled ones (1 - SS_res / SS_tot)."""
    m, o = np.asarray(modelled, dtype=float), np.asarray(observed, dtype=float)
    ss_tot = float(np.sum((o - o.mean()) ** 2)) if len(o) else 0.0
    if ss_tot == 0:
        return float("nan")
    return 1.0 - float(np.sum((o - m) ** 2)) / ss_tot


def rmse(modelled: np.ndarray, observed: np.ndarray) -> float:
    """Root mean square error, in the counts' unit."""
    m, o = np.asarray(modelled, dtype=float), np.asarray(observed, dtype=float)
    return float(np.sqrt(np.mean((m - o) ** 2))) if len(o) else float("nan")


def share_within(rel_errors: np.ndarray, limit: float) -> float:
    """Share of sites whose |relative error| is at most *limit* (NaN errors count as misses)."""
    e = np.asarray(rel_errors, dtype=float)
    return float(np.mean(np.abs(np.nan_to_num(e, nan=np.inf)) <= limit + 1e-12)) if len(e) else float("nan")
