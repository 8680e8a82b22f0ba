"""The one error type of the transit service: an HTTP status, a short title, a detail and the failed checks."""

from __future__ import annotations

from typing import Any

from corridor.errors import CorridorError

__all__ = ["TransitError", "failure"]


def failure(rule: str, path: str, value: Any, message: str) -> dict:
    """One failed check: the rule (or type) id, the field path, the offending value and what was expected."""
    return {"rule": rule, "path": path, "value": value, "message": message}


class TransitError(CorridorError):
    """A refused request: ``status`` (HTTP), ``title``, ``detail`` and ``failures`` (rule, path, value, message).

    ``headers`` carries response headers the refusal implies (``Retry-After`` for a request still in flight).
    The detail never names another party's data.
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        failures: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail or title
        self.failures = list(failures or [])
        self.headers = dict(headers or {})

    def problem(self) -> dict:
        """The body of this error as problem details (RFC 9457) without ``type``/``instance``."""
        return {"title": self.title, "status": self.status, "detail": self.detail, "failures": self.failures}
