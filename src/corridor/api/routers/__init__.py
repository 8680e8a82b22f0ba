"""HTTP routers, one per part of Corridor: transit, evidence, network, routes, scenarios, sources and the dashboard."""

from corridor.api.routers import evidence, network, routes, scenarios, simulation, sources, transit, web

__all__ = ["evidence", "network", "routes", "scenarios", "simulation", "sources", "transit", "web"]
