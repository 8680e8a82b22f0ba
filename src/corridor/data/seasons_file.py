"""Load the navigation seasons of seasonal links (``link_seasons.csv``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from corridor.data.side_tables import check_cited, raise_if, read_side_table, side_folder
from corridor.errors import Problem
from corridor.model import Network
from corridor.model.seasons import LinkSeason

__all__ = ["read_seasons"]


def read_seasons(path: str | Path | None = None, *, net: Network) -> list[LinkSeason]:
    """Every seasonal link of the dataset folder at *path*; each must name a link of *net* and a real calendar day."""
    folder = side_folder(path)
    problems: list[Problem] = []
    frame = read_side_table(folder, "link_seasons", problems)
    sources = {str(k): str(v) for k, v in net.sources["title"].items()}
    check_cited(frame, "link_seasons.csv", set(sources), problems)
    out = []
    for _, row in frame.iterrows():
        line = int(row["_line"])
        if row["link_id"] and row["link_id"] not in set(net.links["base_id"]):
            problems.append(Problem("link_seasons.csv", line, "link_id", row["link_id"], "a link_id of links.csv"))
        days = []
        for side in ("open", "close"):
            month, day = row[f"{side}_month"], row[f"{side}_day"]
            try:
                dt.date(2000, int(month), int(day))  # 2000 is a leap year: 29 February is allowed
            except (ValueError, TypeError):
                problems.append(Problem("link_seasons.csv", line, f"{side}_day", day, f"a day that exists in month {month}"))
                continue
            days.append((int(month), int(day)))
        if len(days) == 2:
            cite = (
                f"{sources.get(row['source_id'], '')}: “{row['quote']}”"
                if row["source_id"]
                else f"assumption: {row['assumption']}"
            )
            nav = row["navigation_days"]
            out.append(LinkSeason(row["link_id"], days[0], days[1], None if nav != nav else float(nav), cite))
    raise_if(problems)
    return out
