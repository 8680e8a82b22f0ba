"""Settings of the transit service and the constants it compares against, each with its source."""

from __future__ import annotations

from dataclasses import dataclass

from corridor import settings
from corridor.errors import DataError

__all__ = ["TEZ_CUSTOMS_RELEASE_S", "TEZ_CUSTOMS_SOURCE", "TransitSettings"]

#: Tez Customs (KTZ Express / Global DTC) releases transit declarations within 30 minutes of a train's arrival.
#: Source: dataset source ``tez_customs`` (seed 002_1a38b67572a0d48c.txt, Times of Central Asia, 2024): "reducing
#: processing time to just 30 minutes after a train's arrival at the border station".
TEZ_CUSTOMS_RELEASE_S = 30 * 60
TEZ_CUSTOMS_SOURCE = "tez_customs"


@dataclass(frozen=True)
class TransitSettings:
    """Options of one service instance; defaults and meanings are documented in :mod:`corridor.settings`."""

    duty_rate: float = 0.2
    allow_private_callbacks: bool = False
    webhook_timeout_s: float = 5.0
    webhook_workers: int = 8
    webhook_max_attempts: int = 8
    webhook_tolerance_s: int = 300
    idempotency_wait_s: float = 5.0
    idempotency_lease_s: float = 60.0
    webhook_poll_s: float = 0.05

    def __post_init__(self) -> None:
        checks = {
            "transit_duty_rate": (self.duty_rate, 0.0 <= self.duty_rate <= 1.0, "a share between 0 and 1"),
            "transit_webhook_timeout_s": (self.webhook_timeout_s, 0 < self.webhook_timeout_s <= 120, "0 < seconds <= 120"),
            "transit_webhook_workers": (self.webhook_workers, 1 <= self.webhook_workers <= 256, "1 to 256 workers"),
            "transit_webhook_max_attempts": (self.webhook_max_attempts, self.webhook_max_attempts >= 1, "at least 1"),
            "transit_webhook_tolerance_s": (self.webhook_tolerance_s, self.webhook_tolerance_s > 0, "seconds > 0"),
            "transit_idempotency_wait_s": (self.idempotency_wait_s, 0 <= self.idempotency_wait_s <= 60, "0 to 60 s"),
            "transit_idempotency_lease_s": (self.idempotency_lease_s, self.idempotency_lease_s >= 0, "seconds >= 0"),
        }
        for name, (value, ok, expected) in checks.items():
            if not ok:
                raise DataError(f"setting {name} = {value!r}: expected {expected}")

    @classmethod
    def from_options(cls) -> TransitSettings:
        """The current values of the ``transit_*`` options (environment ``CORRIDOR_TRANSIT_*`` included)."""
        return cls(
            duty_rate=float(settings.get("transit_duty_rate")),
            allow_private_callbacks=bool(settings.get("transit_allow_private_callbacks")),
            webhook_timeout_s=float(settings.get("transit_webhook_timeout_s")),
            webhook_workers=int(settings.get("transit_webhook_workers")),
            webhook_max_attempts=int(settings.get("transit_webhook_max_attempts")),
            webhook_tolerance_s=int(settings.get("transit_webhook_tolerance_s")),
            idempotency_wait_s=float(settings.get("transit_idempotency_wait_s")),
            idempotency_lease_s=float(settings.get("transit_idempotency_lease_s")),
        )
