"""``corridor fx --history CODE``: one currency's dated rates, with the source and words of each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corridor.cli.common import emit, make_table, out, run

__all__ = ["print_history"]


def print_history(net: Any, currency: str, data: Path | None, as_json: bool) -> None:
    """Print (or emit as JSON) the dated series of *currency*."""
    from corridor.data.fx_file import read_fx_history

    history = run(as_json, lambda: read_fx_history(data, net=net))
    series = run(as_json, lambda: history.series(currency))
    if as_json:
        emit({"currency": currency.upper(), "base": "USD", "series": [p.to_dict() for p in series]})
        return
    t = make_table([("as of", "left"), (f"{currency.upper()} per USD", "right"), ("kind", "left")], show_lines=False)
    t.add_column("source", overflow="fold", ratio=1)
    for p in series:
        said = f": “{p.quote}”" if p.quote else ""
        how = f" [dim]({p.note})[/]" if p.note else ""
        t.add_row(p.as_of.isoformat(), f"{p.units_per_usd:,.6g}", p.kind, f"{p.source_title}{said}{how}")
    out.print(t)
