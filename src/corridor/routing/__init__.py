"""Routing: k distinct routes under constraints, and the ranking of named corridors between two places."""

from corridor.routing.compare import CorridorResult, compare_corridors
from corridor.routing.core import OBJECTIVES, Constraints, find_routes
from corridor.routing.route import Leg, Route, RouteSet

__all__ = ["OBJECTIVES", "Constraints", "CorridorResult", "Leg", "Route", "RouteSet", "compare_corridors", "find_routes"]
