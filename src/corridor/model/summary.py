"""A network's overview for people: counts by kind, mode and status (``corridor network show``, the API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridor.model.network import Network

__all__ = ["network_overview"]


def network_overview(net: Network) -> dict[str, Any]:
    """:meth:`Network.summary` plus ``nodes_by_kind`` and ``links_by_status`` (two-way links counted once)."""
    by_kind = {str(k): int(v) for k, v in net.nodes["kind"].astype(str).value_counts().items()}
    links = net.links.drop_duplicates("base_id")
    by_status = {str(k): int(v) for k, v in links["status"].astype(str).value_counts().items()}
    return {**net.summary(), "nodes_by_kind": by_kind, "links_by_status": by_status}
