"""Scenarios across engines: one scenario year runs freight assignment and energy flows; runs over years; sweeps of
scenario parameters on local processes or Ray."""

from corridor.scenarios.executors import Executor, run_tasks
from corridor.scenarios.run import SATURATED_VC, ScenarioRun, YearResult, diff_runs, run_scenario, run_year
from corridor.scenarios.sweep import SweepResult, SweepSpec, evaluate, run_sweep, sample_parameters

__all__ = [
    "SATURATED_VC",
    "Executor",
    "ScenarioRun",
    "SweepResult",
    "SweepSpec",
    "YearResult",
    "diff_runs",
    "evaluate",
    "run_scenario",
    "run_sweep",
    "run_tasks",
    "run_year",
    "sample_parameters",
]
