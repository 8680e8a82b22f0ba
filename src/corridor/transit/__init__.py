"""Digital transit service: declarations (NCTS IE015-like), lifecycle, automatic release, DCSA 2.2 tracking events."""

from corridor.transit.domain import TRANSITIONS, Role, Status
from corridor.transit.errors import TransitError
from corridor.transit.service import TransitService

__all__ = ["TRANSITIONS", "Role", "Status", "TransitError", "TransitService"]
