"""Seasonal links (river navigation): which links are closed on a date, and the network without them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from corridor.model.network import Network

__all__ = ["LinkSeason", "closed_links", "network_in_season"]


@dataclass(frozen=True)
class LinkSeason:
    """The days of the year a link is open (navigation season), with where that comes from."""

    link_id: str
    open_md: tuple[int, int]
    close_md: tuple[int, int]
    navigation_days: float | None = None
    citation: str = ""

    def is_open(self, day: dt.date) -> bool:
        """Whether the link is open on *day* (a season may run across the new year)."""
        md = (day.month, day.day)
        if self.open_md <= self.close_md:
            return self.open_md <= md <= self.close_md
        return md >= self.open_md or md <= self.close_md

    @property
    def window(self) -> str:
        (om, od), (cm, cd) = self.open_md, self.close_md
        return f"{od} {dt.date(2001, om, 1):%b} – {cd} {dt.date(2001, cm, 1):%b}"


def closed_links(seasons: Iterable[LinkSeason], day: dt.date) -> dict[str, LinkSeason]:
    """Seasonal links closed on *day*, by link id."""
    return {s.link_id: s for s in seasons if not s.is_open(day)}


def network_in_season(net: Network, seasons: Iterable[LinkSeason], day: dt.date) -> tuple[Network, dict[str, LinkSeason]]:
    """(*net* without the links closed on *day* in either direction, the closed links)."""
    closed = closed_links(seasons, day)
    if not closed:
        return net, closed
    keep = ~net.links["base_id"].isin(list(closed))
    return net.replace(links=net.links[keep]), closed
