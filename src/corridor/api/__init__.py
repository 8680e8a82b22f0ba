"""HTTP interface: the FastAPI app of the transit service."""

from corridor.api.app import create_app

__all__ = ["create_app"]
