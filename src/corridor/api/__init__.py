"""HTTP interface: the FastAPI app (routers, limits, problem-details errors) over Corridor's services."""

from corridor.api.app import create_app

__all__ = ["create_app"]
