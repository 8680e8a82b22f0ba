"""Operations simulation on SimPy (time in hours): trains, gauge-change yards, border posts, line slots, Caspian
ferries and feeders, Black Sea lines, port yards and storms; door-to-door time distributions and where the days go.

The engine takes plain inputs: a year view of the network, routes with their trains per year
(:class:`TrafficRoute`) and the operating-parameter table (``operations.csv``). Reading a scenario and choosing
routes happens one layer up.
"""

from corridor.simulation.engine import Replication, run_replication
from corridor.simulation.params import Dist, Operations, check_operations
from corridor.simulation.plan import COMPONENTS, Hop, Plan, Stage, TrafficRoute, build_plan, network_ids
from corridor.simulation.result import PERCENTILES, SimulationResult
from corridor.simulation.runner import Mapper, run_plan, simulate

__all__ = [
    "COMPONENTS",
    "PERCENTILES",
    "Dist",
    "Hop",
    "Mapper",
    "Operations",
    "Plan",
    "Replication",
    "SimulationResult",
    "Stage",
    "TrafficRoute",
    "build_plan",
    "check_operations",
    "network_ids",
    "run_plan",
    "run_replication",
    "simulate",
]
