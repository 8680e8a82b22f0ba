"""Corridor: a digital twin of the Middle Corridor and the trade and energy routes it competes with.

>>> import corridor
>>> net = corridor.load()
>>> best = net.route("Xi'an", "Duisburg", avoid_countries=["RU", "BY"], k=3)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["__version__", "load"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from corridor.notebook import Corridor


def load(path: Any = None) -> Corridor:
    """Load and validate a dataset folder (default: the dataset shipped with Corridor)."""
    from corridor.notebook import load as _load

    return _load(path)
