"""HTTP routers, one per part of Corridor (transit and evidence now; network, routes and scenarios next)."""

from corridor.api.routers import evidence, transit

__all__ = ["evidence", "transit"]
