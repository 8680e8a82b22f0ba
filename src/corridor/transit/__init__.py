"""Digital transit service: declarations (NCTS IE015-like), lifecycle, automatic release, tracking events."""

from corridor.transit.service import TRANSITIONS, TransitError, TransitService

__all__ = ["TRANSITIONS", "TransitError", "TransitService"]
