"""Load the exchange-rate history: ``fx_history.csv`` plus the current ``fx_rates`` table of the network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from corridor.data.side_tables import check_cited, raise_if, read_side_table, side_folder
from corridor.errors import Problem
from corridor.model import Network
from corridor.model.fx import FxHistory, FxPoint

__all__ = ["read_fx_history"]

_KINDS = ("ticker", "spot", "period_average", "implied")


def read_fx_history(path: str | Path | None = None, *, net: Network) -> FxHistory:
    """Every dated rate of the dataset folder at *path*, with the network's current rates added, oldest first."""
    folder = side_folder(path)
    problems: list[Problem] = []
    frame = read_side_table(folder, "fx_history", problems)
    titles = {str(k): str(v) for k, v in net.sources["title"].items()}
    check_cited(frame, "fx_history.csv", set(titles), problems)
    for _, row in frame.iterrows():
        if row["kind"] not in _KINDS:
            problems.append(Problem("fx_history.csv", int(row["_line"]), "kind", row["kind"], f"one of {', '.join(_KINDS)}"))
    raise_if(problems)
    history = FxHistory()
    points = [
        FxPoint(r["currency"], float(r["units_per_usd"]), dt.date.fromisoformat(r["as_of"]), r["kind"], r["source_id"],
                titles.get(r["source_id"], "") if r["source_id"] else "", r["quote"], r["assumption"])
        for _, r in frame.iterrows()
    ]  # fmt: skip
    for code, r in net.fx_rates.iterrows():
        points.append(
            FxPoint(str(code), float(r["units_per_usd"]), dt.date.fromisoformat(str(r["as_of"])), "spot", str(r["source_id"]),
                    titles.get(str(r["source_id"]), ""), None, str(r["notes"]) if r["notes"] else None)
        )  # fmt: skip
    for p in points:
        history.setdefault(p.currency, []).append(p)
    for code, series in history.items():
        unique: dict[tuple, FxPoint] = {}
        for p in series:  # the same rate cited twice for one day counts once (the first, quoted, row wins)
            unique.setdefault((p.as_of, p.units_per_usd), p)
        history[code] = sorted(unique.values(), key=lambda p: p.as_of)
    return history
