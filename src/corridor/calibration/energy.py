"""The energy side of the base year: solve the shipped allocation case of a year and compare its route split
with the published one (the same solver the scenario engine runs, :mod:`corridor.scenarios.energy_cases`)."""

from __future__ import annotations

from corridor.data.allocation_files import AllocationCase
from corridor.model import Network
from corridor.scenarios.energy_cases import AllocatedEnergy, solve_case

__all__ = ["EnergyBaseYear", "solve_allocation"]

#: An allocation result with its case (kept under its calibration name).
EnergyBaseYear = AllocatedEnergy


def solve_allocation(view: Network, case: AllocationCase) -> EnergyBaseYear:
    """Solve *case* on the year view *view*."""
    return solve_case(view, case)
