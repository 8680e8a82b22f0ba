"""Calibration of a base year: demand by commodity, observed counts, OD-matrix estimation, fit statistics,
leave-one-out validation, and energy flows allocated as shipped."""

from corridor.calibration.base_year import FIT_LIMIT, LOO_LIMIT, Calibration, calibrate, leave_one_out
from corridor.calibration.odme import OdmeResult, estimate_od, spiess_odme
from corridor.calibration.scenario import scenario_name, write_base_scenario, write_calibrated_scenario
from corridor.calibration.stats import GEH_UNIT, geh, r_squared, relative_error, rmse, share_within
from corridor.calibration.tables import CalibrationData, read_calibration_data

__all__ = [
    "FIT_LIMIT",
    "GEH_UNIT",
    "LOO_LIMIT",
    "Calibration",
    "CalibrationData",
    "OdmeResult",
    "calibrate",
    "estimate_od",
    "geh",
    "leave_one_out",
    "r_squared",
    "read_calibration_data",
    "relative_error",
    "rmse",
    "scenario_name",
    "share_within",
    "spiess_odme",
    "write_base_scenario",
    "write_calibrated_scenario",
]
