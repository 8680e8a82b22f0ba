"""HTTP interface: the FastAPI app (routers, limits, problem-details errors) over Corridor's services."""

from corridor.api.app import create_app
from corridor.api.middleware import ApiLimits

__all__ = ["ApiLimits", "create_app"]
