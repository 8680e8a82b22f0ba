"""Routing: k distinct routes under constraints, and the ranking of named corridors between two places."""

from corridor.routing.compare import Comparison, CorridorResult, compare, compare_corridors
from corridor.routing.core import OBJECTIVES, Constraints, find_routes
from corridor.routing.route import Leg, Route, RouteSet

__all__ = [
    "OBJECTIVES",
    "Comparison",
    "Constraints",
    "CorridorResult",
    "Leg",
    "Route",
    "RouteSet",
    "compare",
    "compare_corridors",
    "find_routes",
]
