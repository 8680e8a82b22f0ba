"""``corridor digital``: the digital layer — data links (fibre) and the digital border procedures per crossing."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli.common import DataOpt, JsonOpt, arg_year, emit, load, make_table, out, run

__all__ = ["digital"]


def digital(
    year: Annotated[int | None, typer.Option("--year", help="Show what is in use in this year (default: everything).")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Data links (fibre cables) and, per crossing, the digital procedures in use, with their sources."""
    from corridor.data.digital_file import read_digital

    year = arg_year(year, as_json)
    net = load(data, as_json)
    layer = run(as_json, lambda: read_digital(data, net=net))
    links = [x for x in layer.links if year is None or x.in_service(year)]
    procs = [p for p in layer.procedures if year is None or p.year <= year]
    if as_json:
        emit(
            {
                "year": year,
                "data_links": [x.__dict__ | {"status": x.status.value} for x in links],
                "procedures": [p.__dict__ | {"status": p.status.value} for p in procs],
            }
        )
        return
    names = net.nodes["name"]
    t = make_table(
        [("data link", "left"), ("status", "left"), ("year", "right"), ("km", "right"), ("Tbit/s", "right"), ("ms", "right")]
    )
    t.add_column("source", overflow="fold", ratio=1)
    for x in links:
        t.add_row(
            x.name,
            x.status.value,
            str(x.open_year or "–"),
            f"{x.length_km or 0:g}",
            f"{x.capacity_tbps or 0:g}",
            f"{x.latency_ms or 0:g}",
            x.citation,
        )
    out.print(t)
    t = make_table([("crossing", "left"), ("procedure", "left"), ("status", "left"), ("from", "right")])
    t.add_column("source", overflow="fold", ratio=1)
    for p in sorted(procs, key=lambda p: (p.node_id, p.year)):
        t.add_row(str(names.get(p.node_id, p.node_id)), p.procedure, p.status.value, p.from_date or str(p.year), p.citation)
    out.print(t)
