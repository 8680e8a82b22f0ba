"""What the dashboard's read-only routers share: the network, a results cache, and refusals as problem details.

The network is the one the app serves (``app.state.service.net``); these routes never touch the transit database.
Library errors a user can cause (:class:`~corridor.errors.DataError`, an unknown place, no route) become 4xx
problem details naming the parameter, the value and what was expected — never a 500.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Hashable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.responses import Response

from corridor import settings
from corridor.api.errors import TYPES, problem_response
from corridor.api.strict import StrictRoute
from corridor.errors import CorridorError, DataError, NoRouteError, UnknownPlaceError
from corridor.model import Network

__all__ = [
    "DashboardRoute",
    "NetDep",
    "Refused",
    "ResultCache",
    "cached",
    "current_net",
    "default_year",
    "refusing",
    "split_values",
]

T = TypeVar("T")

#: How many computed results (scenario years, comparisons) the app keeps; each is a few hundred kB at most.
CACHE_ENTRIES = 64


class Refused(Exception):
    """A 4xx refusal with its failures, answered as problem details by :class:`DashboardRoute`."""

    def __init__(self, status: int, detail: str, failures: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.failures = status, detail, failures or []


class DashboardRoute(StrictRoute):
    """A strict route whose :class:`Refused` errors become problem details that keep their ``failures``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def refusing_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Refused as exc:
                kind = TYPES["validation"] if exc.status == 422 else "about:blank"
                return problem_response(request, exc.status, exc.detail, type_=kind, failures=exc.failures)

        return refusing_handler


def current_net(request: Request) -> Network:
    """The network the app serves."""
    return request.app.state.service.net


NetDep = Annotated[Network, Depends(current_net)]


def default_year() -> int:
    """The model year used when a query names none (the ``year`` setting)."""
    return int(settings.get("year"))


def split_values(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated query values as one list: ``?avoid=RU,BY&avoid=IR``."""
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


def _failures(exc: Exception, param: str | None) -> list[dict]:
    problems = getattr(exc, "problems", None) or []
    if problems:
        return [{"path": str(p.field), "value": p.value, "message": f"expected {p.expected}"} for p in problems]
    out: dict[str, Any] = {"path": param or "", "message": str(exc)}
    if isinstance(exc, UnknownPlaceError):
        out["value"] = exc.query
        out["suggestions"] = exc.suggestions
    return [out]


def refusing(fn: Callable[[], T], param: str | None = None) -> T:
    """``fn()``, with the errors a user can cause raised as :class:`Refused` (422, or 404 when no route exists)."""
    try:
        return fn()
    except UnknownPlaceError as exc:
        raise Refused(422, str(exc), _failures(exc, param)) from None
    except NoRouteError as exc:
        raise Refused(404, str(exc), _failures(exc, param)) from None
    except (DataError, CorridorError) as exc:
        raise Refused(422, str(exc), _failures(exc, param)) from None


class ResultCache:
    """A small least-recently-used cache of computed results; one computation per key at a time."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._compute = threading.Lock()  # engines run one at a time: the machine's cores serve the requests

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value for *key*, built by *build* when missing (errors are not cached)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        with self._compute:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = build()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.entries:
                    self._values.popitem(last=False)
            return value


_cache_lock = threading.Lock()


def cached(request: Request, key: Hashable, build: Callable[[], T]) -> T:
    """*build()* cached on the app (per network) under *key*."""
    state = request.app.state
    with _cache_lock:
        cache = getattr(state, "dashboard_cache", None)
        if cache is None:
            cache = ResultCache()
            state.dashboard_cache = cache
    return cache.get((id(current_net(request)), key), build)
