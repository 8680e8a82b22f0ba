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

__all__ = ["OPTIONS", "describe", "get", "option_context", "set_option"]


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
        Option("year", 2025, "Default model year for routing and the network view."),
        Option("k_max_overlap", 0.6, "Largest share of km two alternative routes may share to count as different."),
        Option(
            "k_penalty", 0.6, "Relative weight increase per use applied to a found route's links when searching alternatives."
        ),
        Option("k_max_iterations", 40, "Most shortest-path searches spent on finding k alternatives."),
        Option("ray_address", "", "Address of a Ray cluster for simulation replications; empty starts a local Ray when asked."),
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


def describe() -> list[tuple[str, Any, str]]:
    """(name, current value, description) for every option."""
    return [(o.name, get(o.name), o.description) for o in OPTIONS.values()]
