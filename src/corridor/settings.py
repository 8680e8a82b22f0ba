"""Documented options with defaults, environment overrides and a temporary-override context manager.

There is no hidden global state beyond this registry: every option is listed in :data:`OPTIONS` with its
default and meaning, ``CORRIDOR_<NAME>`` environment variables override defaults, and :func:`option_context`
changes options for the duration of a ``with`` block.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["OPTIONS", "describe", "export_to_environment", "get", "option_context", "set_option"]


@dataclass(frozen=True)
class Option:
    """One documented option."""

    name: str
    default: Any
    description: str


OPTIONS: dict[str, Option] = {
    o.name: o
    for o in [
        Option("dataset_dir", "", "Folder of the dataset to load; empty means the dataset shipped in the package."),
        Option(
            "cache_dir", "", "Folder for the validated-dataset cache; empty means the user's cache folder, 'off' disables it."
        ),
        Option("year", 2025, "Default model year for routing and the network view."),
        Option("k_max_overlap", 0.6, "Largest share of km two alternative routes may share to count as different."),
        Option(
            "k_penalty", 0.6, "Relative weight increase per use applied to a found route's links when searching alternatives."
        ),
        Option("k_max_iterations", 40, "Most shortest-path searches spent on finding k alternatives."),
        Option("ray_address", "", "Ray cluster for sweeps and simulation replications (e.g. ray://head:10001); empty: local."),
        # HTTP API (corridor.api reads these; CORRIDOR_DATABASE_URL, CORRIDOR_RATE_PER_S, ... override them)
        Option("database_url", "", "SQLAlchemy URL of the transit database; empty means SQLite in ~/.corridor/transit.sqlite."),
        Option("rate_per_s", 100.0, "Requests per second allowed to one party (or one client address when unauthenticated)."),
        Option("rate_burst", 200.0, "Requests one party (or client address) may send at once before the rate applies."),
        Option("rate_max_keys", 10000, "Most rate-limit buckets kept in memory; the least recently used are evicted."),
        Option("max_body_bytes", 1_000_000, "Largest request body in bytes, counted as it arrives (chunked bodies too)."),
        Option("list_concurrency_per_party", 2, "List and report queries one party may have running at once; more get 429."),
        # transit service (corridor.transit.config.TransitSettings reads these)
        Option(
            "transit_duty_rate",
            0.2,
            "Share of the declared goods value (USD) at risk as duties and taxes that a transit guarantee must cover. "
            "Assumption: a flat rate standing in for the tariff and VAT of each goods item, which the service does not "
            "model; set it to the rate your customs authority applies.",
        ),
        Option(
            "transit_allow_private_callbacks",
            False,
            "Allow webhook callback URLs that resolve to loopback, private or link-local addresses (tests, closed networks).",
        ),
        Option("transit_webhook_timeout_s", 5.0, "Seconds one webhook delivery may take before it counts as failed."),
        Option("transit_webhook_workers", 8, "Webhook deliveries in flight at once (each subscription has at most one)."),
        Option("transit_webhook_max_attempts", 8, "Attempts before a webhook delivery is marked failed."),
        Option("transit_webhook_tolerance_s", 300, "Replay window of webhook signatures: largest age of `t=` accepted."),
        Option("transit_idempotency_wait_s", 5.0, "Seconds a retry waits for the same key's request still in flight."),
        Option("transit_idempotency_lease_s", 60.0, "Seconds after which an unfinished idempotency claim may be re-claimed."),
        Option(
            "transit_eta_simulation",
            True,
            "Give ETAs p50/p90 arrival times from the operations simulation of the base scenario (once per route and year).",
        ),
    ]
}

_overrides: dict[str, Any] = {}


def _coerce(option: Option, raw: str) -> Any:
    if isinstance(option.default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(option.default, int):
        return int(raw)
    if isinstance(option.default, float):
        return float(raw)
    return raw


def get(name: str) -> Any:
    """Current value of option *name*: an active override, else ``CORRIDOR_<NAME>``, else the default."""
    if name not in OPTIONS:
        raise KeyError(f"unknown option {name!r}; known: {', '.join(sorted(OPTIONS))}")
    if name in _overrides:
        return _overrides[name]
    env = os.environ.get(f"CORRIDOR_{name.upper()}")
    return _coerce(OPTIONS[name], env) if env not in (None, "") else OPTIONS[name].default


def set_option(name: str, value: Any) -> None:
    """Set option *name* for the rest of the process."""
    get(name)  # validates the name
    _overrides[name] = value


@contextmanager
def option_context(**values: Any) -> Iterator[None]:
    """Temporarily override options: ``with option_context(year=2030): ...``."""
    for name in values:
        get(name)
    saved = dict(_overrides)
    _overrides.update(values)
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def export_to_environment(*names: str) -> None:
    """Copy the current values of options *names* into ``CORRIDOR_<NAME>`` so child processes see them too.

    Server workers are fresh processes that import Corridor anew: overrides made with :func:`set_option` reach
    them only through their environment.
    """
    for name in names:
        value = get(name)
        os.environ[f"CORRIDOR_{name.upper()}"] = "" if value is None else str(value)


def describe() -> list[tuple[str, Any, str]]:
    """(name, current value, description) for every option."""
    return [(o.name, get(o.name), o.description) for o in OPTIONS.values()]
