"""Commands about the dataset itself: ``network validate|show|export``, ``sources`` and ``fx``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corridor.cli.common import (
    DataOpt,
    ForceOpt,
    JsonOpt,
    PlannedOpt,
    YearOpt,
    arg_year,
    check_choice,
    check_output_file,
    check_output_folder,
    emit,
    load,
    make_table,
    out,
    run,
)

__all__ = ["fx", "network_app", "network_export", "network_show", "network_validate", "sources"]

network_app = typer.Typer(no_args_is_help=True, help="Validate, show or export the network dataset.")

EXPORT_FORMATS = ("geojson", "gpkg", "csv")


def sources(
    table: Annotated[
        str | None, typer.Option("--table", help="nodes, links, transfers, modes, parameters, projects or fx_rates.")
    ] = None,
    record: Annotated[str | None, typer.Option("--record", help="Row id, e.g. a link_id or node_id.")] = None,
    field: Annotated[str | None, typer.Option("--field", help="Column, e.g. length_km.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="sourced, computed or assumption.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="source_id.")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text to look for in title, quote or reason.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most rows to print (0 = all).")] = 0,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where each number in the dataset comes from: value, unit, year, source and quote, or the assumption."""
    from corridor.model.inputs import check_count
    from corridor.model.provenance import search_provenance

    run(as_json, lambda: check_count(limit, "--limit", minimum=0))
    net = load(data, as_json)
    frame = run(
        as_json,
        lambda: search_provenance(net, table=table, record=record, field=field, kind=kind, source=source, search=search),
    )
    total = len(frame)
    if limit:
        frame = frame.head(limit)
    counts = net.provenance_counts()
    if as_json:
        rows = json.loads(frame.to_json(orient="records", force_ascii=False))
        emit({"total": total, "counts": counts, "values": rows})
        return
    t = Table(header_style="bold", show_lines=True)
    for col in ("table", "record", "field", "value", "unit", "year", "kind", "source / reason"):
        t.add_column(col, overflow="fold")
    for _, r in frame.iterrows():
        t.add_row(*_provenance_cells(r))
    out.print(t)
    out.print(
        f"{len(frame)} of {total} matching values shown. Whole dataset: {counts['sourced']} sourced, "
        f"{counts['computed']} computed from sources, {counts['assumption']} assumed.",
        highlight=False,
    )


def _provenance_cells(r: Any) -> list[str]:
    """One provenance row as table cells: the value, its unit and year, and its source with quote or reason."""
    if r["kind"] == "assumption":
        why = f"[yellow]{r['note']}[/]"
    else:
        ref = f" <{r['source_ref']}>" if isinstance(r["source_ref"], str) else ""
        why = f"{r['source_title']}{ref} ({r['confidence']}): “{r['quote']}”"
        if r["kind"] == "computed" and isinstance(r["note"], str):
            why += f" → {r['note']}"
    year = "" if r["year"] is None or r["year"] != r["year"] else str(int(r["year"]))
    value = f"{r['value']:g}" if isinstance(r["value"], float) else str(r["value"])
    return [str(r["table"]), str(r["record_id"]), str(r["field"]), value, str(r["unit"]), year, str(r["kind"]), why]


def fx(
    history: Annotated[str | None, typer.Option("--history", help="Show every dated rate of this currency with sources.")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The dated exchange-rate table costs are converted with (or, with --history, one currency's series)."""
    net = load(data, as_json)
    if history is not None:
        from corridor.cli.fx_history import print_history

        return print_history(net, history, data, as_json)
    rows = [
        {
            "currency": cur,
            "units_per_usd": float(r["units_per_usd"]),
            "as_of": r["as_of"],
            "source": str(net.sources.loc[r["source_id"], "title"]),
            "notes": r["notes"],
        }
        for cur, r in net.fx_rates.iterrows()
    ]
    if as_json:
        emit({"base": "USD", "rates": rows})
        return
    t = Table(header_style="bold")
    for col in ("currency", "per USD", "as of", "source", "how"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["currency"], f"{r['units_per_usd']:g}", r["as_of"], r["source"], str(r["notes"]))
    out.print(t)


@network_app.command("validate")
def network_validate(
    path: Annotated[Path | None, typer.Argument(help="Dataset folder (default: the shipped dataset).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a dataset folder; print every problem (file, line, field, value, expected) or a summary."""
    net = load(path, as_json, "PATH")
    from corridor.data.side_check import check_side_tables

    run(as_json, lambda: check_side_tables(path, net))
    summary = net.summary()
    operations = _operations_rows(path, net, as_json)
    if as_json:
        emit({"valid": True, **summary, **({"operations": operations} if operations is not None else {})})
        return
    out.print(
        f"[green]valid[/]: {summary['nodes']} nodes, {summary['links']} links, {summary['transfers']} transfers, "
        f"{summary['projects']} projects, {summary['sources']} sources; values {summary['values']}",
        highlight=False,
    )
    if operations is not None:
        out.print(f"[green]valid[/]: operations.csv, {operations} operating parameters", highlight=False)


def _operations_rows(path: Path | None, net: Any, as_json: bool) -> int | None:
    """Rows of the folder's operations table (the simulation's parameters) once checked; None if it has none."""
    from corridor.data.operations import OPERATIONS_FILE, read_operations
    from corridor.simulation import check_operations, network_ids

    if path is not None and not (path / OPERATIONS_FILE).exists():
        return None
    table = run(as_json, lambda: read_operations(path))
    run(as_json, lambda: check_operations(table, network_ids(net)))
    return len(table)


@network_app.command("show")
def network_show(year: YearOpt = None, planned: PlannedOpt = False, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Summary of the network (whole dataset, or one year's view with --year)."""
    from corridor.model.summary import network_overview

    year = arg_year(year, as_json)
    net = load(data, as_json)
    view = run(as_json, lambda: net.at_year(year, include_planned=planned)) if year is not None else net
    s = network_overview(view)
    if as_json:
        emit(s)
        return
    t = make_table([("what", "left"), ("count", "right")], title=f"Corridor network{'' if year is None else f' in {year}'}")
    rows: list[tuple[str, Any]] = [("nodes", s["nodes"])]
    rows += [(f"  {k}", v) for k, v in s["nodes_by_kind"].items()]
    rows += [("countries", s["countries"]), ("links", s["links"])]
    rows += [(f"  {k}", v) for k, v in s["links_by_mode"].items()]
    rows += [(f"  status {k}", v) for k, v in s["links_by_status"].items()]
    rows += [("transfers", s["transfers"]), ("projects", s["projects"]), ("sources", s["sources"])]
    rows += [(f"values {k}", v) for k, v in s["values"].items()]
    for what, count in rows:
        t.add_row(what, str(count))
    out.print(t)


@network_app.command("export")
def network_export(
    output: Annotated[Path, typer.Option("--output", "-O", help="File (geojson, gpkg) or folder (csv) to write.")],
    format: Annotated[str, typer.Option("--format", help="geojson, gpkg or csv.")] = "geojson",
    year: YearOpt = None,
    planned: PlannedOpt = False,
    force: ForceOpt = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the network (optionally one year's view) as GeoJSON, GeoPackage or CSV tables."""
    from corridor.data import write_network

    check_choice(format, EXPORT_FORMATS, option="--format", as_json=as_json)
    if format == "csv":
        check_output_folder(output, option="--output", force=force, as_json=as_json)
    else:
        check_output_file(output, option="--output", force=force, as_json=as_json)
    year = arg_year(year, as_json)
    net = load(data, as_json)
    view = run(as_json, lambda: net.at_year(year, include_planned=planned)) if year is not None else net
    if format == "gpkg" and output.exists():
        output.unlink()  # --force given: GeoPackage layers would otherwise be appended to the old file
    files = run(as_json, lambda: write_network(view, output, format=format))
    if as_json:
        emit({"format": format, "files": [str(f) for f in files]})
    else:
        out.print(f"wrote {', '.join(str(f) for f in files)}", highlight=False)
