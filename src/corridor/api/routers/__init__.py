"""HTTP routers, one per part of Corridor (transit now; network, routes and scenarios next)."""

from corridor.api.routers import transit

__all__ = ["transit"]
