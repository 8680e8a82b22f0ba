"""The ``corridor`` command line: one command per public function — read the arguments, call, format.

Every command takes ``--json`` for scripts. Errors users can cause print one readable line per problem
and exit with status 2; no traceback.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from corridor import settings
from corridor.errors import CorridorError, DataError, UnknownPlaceError
from corridor.model import CARGO_UNIT, CargoClass

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Corridor: routes, corridors and sources of the Middle Corridor digital twin.",
)
network_app = typer.Typer(no_args_is_help=True, help="Validate, show or export the network dataset.")
app.add_typer(network_app, name="network")
tntp_app = typer.Typer(no_args_is_help=True, help="Run traffic assignment on TNTP benchmark networks.")
app.add_typer(tntp_app, name="tntp")
scenario_app = typer.Typer(no_args_is_help=True, help="Run, compare and list flow scenarios.")
app.add_typer(scenario_app, name="scenario")
transit_app = typer.Typer(no_args_is_help=True, help="Transit service administration and statistics.")
app.add_typer(transit_app, name="transit")
DbOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL (default: CORRIDOR_DATABASE_URL, else SQLite in ~/.corridor)."),
]


def _console(stderr: bool = False) -> Console:
    """A console that keeps tables readable when output goes to a pipe or file (Rich would assume 80 columns)."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else max(shutil.get_terminal_size((160, 40)).columns, 120)
    return Console(stderr=stderr, width=width)


out = _console()
err = _console(stderr=True)

DataOpt = Annotated[Path | None, typer.Option("--data", help="Dataset folder (default: the shipped dataset).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Model year (default: 2025 or CORRIDOR_YEAR).")]
PlannedOpt = Annotated[bool, typer.Option("--planned", help="Count planned and under-construction projects open by --year.")]
CustomsOpt = Annotated[
    str, typer.Option("--customs", help="Border regime: auto (digital where offered that year), digital or paper.")
]
CargoOpt = Annotated[str, typer.Option("--cargo", help="container (per TEU), dry_bulk or liquid_bulk (per t), gas (per bcm).")]
ObjectiveOpt = Annotated[str, typer.Option("--objective", "-o", help="time, cost, co2 or generalised.")]
CurrencyOpt = Annotated[
    str, typer.Option("--currency", help="Also show costs in this currency (ISO 4217, from the dated FX table).")
]


def _split(values: list[str] | None) -> list[str]:
    return [p.strip() for v in values or [] for p in v.split(",") if p.strip()]


def _fail(exc: Exception, as_json: bool) -> None:
    problems = [str(p) for p in getattr(exc, "problems", [])] or [str(exc)]
    if as_json:
        body: dict[str, Any] = {"error": type(exc).__name__, "problems": problems}
        if isinstance(exc, UnknownPlaceError):
            body["suggestions"] = exc.suggestions
        print(json.dumps(body, ensure_ascii=False))
    else:
        for p in problems:
            err.print(f"[bold red]error:[/] {p}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _run(as_json: bool, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (CorridorError, ValueError, KeyError, LookupError) as exc:
        _fail(exc, as_json)


def _load(data: Path | None, as_json: bool) -> Any:
    from corridor.twin import load

    return _run(as_json, lambda: load(data))


def _spinner(text: str, as_json: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn(text), console=err, transient=True, disable=as_json or not err.is_terminal)


def _emit(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _money(x: float) -> str:
    return f"{x:,.0f}"


@app.command()
def route(
    origin: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name (accents and case do not matter).")],
    destination: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name.")],
    cargo: CargoOpt = "container",
    objective: ObjectiveOpt = "time",
    avoid: Annotated[
        list[str] | None, typer.Option("--avoid", help="Countries to avoid (ISO codes, comma-separated): RU,BY,IR.")
    ] = None,
    avoid_mode: Annotated[
        list[str] | None, typer.Option("--avoid-mode", help="Modes to avoid: rail, road, sea, ferry, river, ...")
    ] = None,
    avoid_node: Annotated[list[str] | None, typer.Option("--avoid-node", help="Places to avoid.")] = None,
    via: Annotated[
        list[str] | None, typer.Option("--via", help="Place the route must pass (repeat for order; 'a;b' means either).")
    ] = None,
    k: Annotated[int, typer.Option("--k", help="Number of distinct alternative routes.")] = 1,
    year: YearOpt = None,
    planned: PlannedOpt = False,
    customs: CustomsOpt = "auto",
    quantity: Annotated[
        float, typer.Option("--quantity", help="Units of cargo (TEU, t or bcm); costs and CO2 scale with it.")
    ] = 1.0,
    currency: CurrencyOpt = "KZT",
    geojson: Annotated[Path | None, typer.Option("--geojson", help="Also write the routes as GeoJSON to this file.")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Best routes between two places, with a per-leg breakdown (mode, km, hours moving and waiting, cost, CO2)."""
    net = _load(data, as_json)
    with _spinner("Finding routes…", as_json) as prog:
        prog.add_task("route")
        routes = _run(
            as_json,
            lambda: net.route(
                origin,
                destination,
                cargo=cargo,
                objective=objective,
                avoid_countries=_split(avoid),
                avoid_modes=_split(avoid_mode),
                avoid_nodes=_split(avoid_node),
                via=[v.split(";") if ";" in v else v for v in via or []],
                k=k,
                year=year,
                include_planned=planned,
                customs=customs,
                quantity=quantity,
            ),
        )
    if currency.upper() != "USD":
        _run(as_json, lambda: net.fx_rate(currency))
    if geojson:
        geojson.write_text(json.dumps(routes.to_geojson(), ensure_ascii=False), encoding="utf-8")
    if as_json:
        _emit({"routes": [r.to_dict(currency=currency) for r in routes]})
        return
    rate, as_of, src = net.fx_rate(currency)
    for i, r in enumerate(routes, 1):
        unit = CARGO_UNIT[r.cargo]
        out.print(f"\n[bold]Route {i}[/] of {len(routes)}: {r.summary()}", highlight=False)
        out.print(
            f"  {r.days:.1f} days ({r.moving_h:.0f} h moving, {r.waiting_h:.0f} h waiting) · {r.length_km:,.0f} km · "
            f"USD {_money(r.cost_usd)} = {currency.upper()} {_money(r.cost_usd * rate)} · {r.co2_kg:,.0f} kg CO2 "
            f"for {r.quantity:g} {unit} · {len(r.border_crossings)} border crossings · countries {'-'.join(r.countries)}",
            highlight=False,
        )
        t = Table(show_lines=False, header_style="bold")
        for col, just in [
            ("#", "right"),
            ("mode", "left"),
            ("from → to", "left"),
            ("km", "right"),
            ("moving h", "right"),
            ("waiting h", "right"),
            ("cost USD", "right"),
            ("CO2 kg", "right"),
        ]:
            t.add_column(col, justify=just)  # type: ignore[arg-type]
        for j, leg in enumerate(r.legs, 1):
            where = f"{leg.from_name} → {leg.to_name}" if leg.kind == "link" else f"{leg.from_name} ({leg.ref})"
            t.add_row(
                str(j),
                leg.mode,
                where,
                f"{leg.length_km:,.0f}",
                f"{leg.moving_h:.1f}",
                f"{leg.waiting_h:.1f}",
                f"{leg.cost_usd:,.0f}",
                f"{leg.co2_kg:,.0f}",
            )
        t.add_row(
            "",
            "[bold]total",
            "",
            f"[bold]{r.length_km:,.0f}",
            f"[bold]{r.moving_h:.1f}",
            f"[bold]{r.waiting_h:.1f}",
            f"[bold]{r.cost_usd:,.0f}",
            f"[bold]{r.co2_kg:,.0f}",
        )
        out.print(t)
    out.print(
        f"Rates: 1 USD = {rate:g} {currency.upper()} ({as_of}, {src}). Values: `corridor sources --record LINK_ID`.",
        highlight=False,
    )


@app.command()
def compare(
    origin: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name.")] = "xian",
    destination: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name.")] = "duisburg",
    cargo: CargoOpt = "container",
    objective: ObjectiveOpt = "time",
    avoid: Annotated[list[str] | None, typer.Option("--avoid", help="Countries every corridor must avoid.")] = None,
    year: YearOpt = None,
    planned: PlannedOpt = False,
    customs: CustomsOpt = "auto",
    currency: CurrencyOpt = "KZT",
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank the named corridors between two places (default Xi'an → Duisburg, containers)."""
    net = _load(data, as_json)
    _run(as_json, lambda: (net.fx_rate(currency), CargoClass(cargo)))
    ids = list(net.corridors.index)
    results = []
    from corridor.routing import compare_corridors

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True, disable=as_json or not err.is_terminal
    ) as prog:
        task = prog.add_task("Comparing corridors", total=len(ids))
        for cid in ids:
            prog.update(task, description=f"Routing {net.corridors.loc[cid, 'name']}")
            results += _run(
                as_json,
                lambda cid=cid: compare_corridors(
                    net,
                    origin,
                    destination,
                    cargo=cargo,
                    objective=objective,
                    year=year,
                    include_planned=planned,
                    customs=customs,
                    corridors=[cid],
                    avoid_countries=_split(avoid),
                ),
            )
            prog.advance(task)
    results.sort(key=lambda r: (r.route is None, r.route.objective_value if r.route else 0.0))
    rate, as_of, src = net.fx_rate(currency)
    cur = currency.upper()
    year_used = year if year is not None else settings.get("year")
    if as_json:
        _emit(
            {
                "origin": net.resolve(origin),
                "destination": net.resolve(destination),
                "cargo": cargo,
                "objective": objective,
                "year": year_used,
                "customs": customs,
                "fx": {"currency": cur, "rate_per_usd": rate, "as_of": as_of, "source": src},
                "corridors": [
                    {
                        "corridor_id": r.corridor_id,
                        "name": r.name,
                        "available": r.route is not None,
                        "reason": r.reason,
                        **({} if r.route is None else r.route.to_dict(currency=currency)),
                    }
                    for r in results
                ],
            }
        )
        return
    unit = CARGO_UNIT[CargoClass(cargo)]
    names = net.nodes["name"]
    t = Table(
        title=f"{names[net.resolve(origin)]} → {names[net.resolve(destination)]}: {cargo}, "
        f"ranked by {objective}, {year_used}{' incl. planned' if planned else ''}",
        header_style="bold",
    )
    for col, just in [
        ("#", "right"),
        ("corridor", "left"),
        ("days", "right"),
        ("km", "right"),
        (f"USD/{unit}", "right"),
        (f"{cur}/{unit}", "right"),
        (f"kg CO2/{unit}", "right"),
        ("borders", "right"),
        ("via", "left"),
    ]:
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for i, r in enumerate(results, 1):
        rt = r.route
        if rt is None:
            t.add_row("–", r.name, "–", "–", "–", "–", "–", "–", f"[dim]{r.reason}[/]")
            continue
        t.add_row(
            str(i),
            r.name,
            f"{rt.days:.1f}",
            f"{rt.length_km:,.0f}",
            _money(rt.cost_usd),
            _money(rt.cost_usd * rate),
            f"{rt.co2_kg:,.0f}",
            str(len(rt.border_crossings)),
            rt.summary(via_count=4),
        )
    out.print(t)
    counts = net.provenance_counts()
    out.print(
        f"1 USD = {rate:g} {cur} ({as_of}, {src}). Dataset values: {counts['sourced']} sourced, "
        f"{counts['computed']} computed from sources, {counts['assumption']} assumed — see `corridor sources`.",
        highlight=False,
    )


@app.command()
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
    net = _load(data, as_json)
    frame = net.provenance.reset_index()
    allowed = {"kind": ("sourced", "computed", "assumption")}
    if kind and kind not in allowed["kind"]:
        _fail(DataError(f"field 'kind' = {kind!r}: expected one of sourced, computed, assumption"), as_json)
    for col, want in (("table", table), ("record_id", record), ("field", field), ("kind", kind), ("source_id", source)):
        if want:
            frame = frame[frame[col].astype(str) == want]
    if search:
        text = frame[["source_title", "quote", "note"]].astype(str).agg(" ".join, axis=1)
        frame = frame[text.str.contains(search, case=False, regex=False)]
    total = len(frame)
    if limit:
        frame = frame.head(limit)
    if as_json:
        rows = json.loads(frame.to_json(orient="records", force_ascii=False))
        _emit({"total": total, "counts": net.provenance_counts(), "values": rows})
        return
    t = Table(header_style="bold", show_lines=True)
    for col in ("table", "record", "field", "value", "unit", "year", "kind", "source / reason"):
        t.add_column(col, overflow="fold")
    for _, r in frame.iterrows():
        if r["kind"] == "assumption":
            why = f"[yellow]{r['note']}[/]"
        else:
            ref = f" <{r['source_ref']}>" if isinstance(r["source_ref"], str) else ""
            why = f"{r['source_title']}{ref} ({r['confidence']}): “{r['quote']}”"
            if r["kind"] == "computed" and isinstance(r["note"], str):
                why += f" → {r['note']}"
        year = "" if r["year"] is None or r["year"] != r["year"] else str(int(r["year"]))
        t.add_row(
            str(r["table"]),
            str(r["record_id"]),
            str(r["field"]),
            f"{r['value']:g}" if isinstance(r["value"], float) else str(r["value"]),
            str(r["unit"]),
            year,
            str(r["kind"]),
            why,
        )
    out.print(t)
    c = net.provenance_counts()
    out.print(
        f"{len(frame)} of {total} matching values shown. Whole dataset: {c['sourced']} sourced, "
        f"{c['computed']} computed from sources, {c['assumption']} assumed.",
        highlight=False,
    )


@app.command()
def fx(data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """The dated exchange-rate table costs are converted with."""
    net = _load(data, as_json)
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
        _emit({"base": "USD", "rates": rows})
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
    net = _load(path, as_json)
    summary = net.summary()
    if as_json:
        _emit({"valid": True, **summary})
        return
    out.print(
        f"[green]valid[/]: {summary['nodes']} nodes, {summary['links']} links, {summary['transfers']} transfers, "
        f"{summary['projects']} projects, {summary['sources']} sources; values {summary['values']}",
        highlight=False,
    )


@network_app.command("show")
def network_show(year: YearOpt = None, planned: PlannedOpt = False, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Summary of the network (whole dataset, or one year's view with --year)."""
    net = _load(data, as_json)
    view = _run(as_json, lambda: net.at_year(year, include_planned=planned)) if year is not None else net
    summary = view.summary()
    by_kind = {str(k): int(v) for k, v in view.nodes["kind"].astype(str).value_counts().items()}
    status = {str(k): int(v) for k, v in view.links.drop_duplicates("base_id")["status"].astype(str).value_counts().items()}
    if as_json:
        _emit({**summary, "nodes_by_kind": by_kind, "links_by_status": status})
        return
    t = Table(header_style="bold", title=f"Corridor network{'' if year is None else f' in {year}'}")
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("nodes", str(summary["nodes"]))
    for k, v in by_kind.items():
        t.add_row(f"  {k}", str(v))
    t.add_row("countries", str(summary["countries"]))
    t.add_row("links", str(summary["links"]))
    for k, v in summary["links_by_mode"].items():  # type: ignore[union-attr]
        t.add_row(f"  {k}", str(v))
    for k, v in status.items():
        t.add_row(f"  status {k}", str(v))
    t.add_row("transfers", str(summary["transfers"]))
    t.add_row("projects", str(summary["projects"]))
    t.add_row("sources", str(summary["sources"]))
    for k, v in summary["values"].items():  # type: ignore[union-attr]
        t.add_row(f"values {k}", str(v))
    out.print(t)


@network_app.command("export")
def network_export(
    output: Annotated[Path, typer.Option("--output", "-O", help="File (geojson, gpkg) or folder (csv) to write.")],
    format: Annotated[str, typer.Option("--format", help="geojson, gpkg or csv.")] = "geojson",
    year: YearOpt = None,
    planned: PlannedOpt = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the network (optionally one year's view) as GeoJSON, GeoPackage or CSV tables."""
    from corridor.data import write_network

    net = _load(data, as_json)
    view = _run(as_json, lambda: net.at_year(year, include_planned=planned)) if year is not None else net
    files = _run(as_json, lambda: write_network(view, output, format=format))
    if as_json:
        _emit({"format": format, "files": [str(f) for f in files]})
    else:
        out.print(f"wrote {', '.join(str(f) for f in files)}", highlight=False)


@tntp_app.command("run")
def tntp_run(
    folder: Annotated[Path, typer.Argument(help="Folder with <name>_net.tntp and <name>_trips.tntp (and _flow.tntp).")],
    algorithm: Annotated[str, typer.Option("--algorithm", help="fw, cfw or bfw.")] = "bfw",
    gap: Annotated[float, typer.Option("--gap", help="Target relative gap.")] = 1e-4,
    max_iter: Annotated[int, typer.Option("--max-iter", help="Most iterations.")] = 2000,
    as_json: JsonOpt = False,
) -> None:
    """Equilibrate a TNTP network (user equilibrium) and compare with its best-known solution."""
    from corridor.twin import run_tntp

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True, disable=as_json or not err.is_terminal
    ) as prog:
        task = prog.add_task(f"Assigning {folder.name}")

        def tick(i: int, g: float) -> None:
            prog.update(task, description=f"Assigning {folder.name}: iteration {i}, relative gap {g:.2e}")

        run = _run(as_json, lambda: run_tntp(folder, algorithm=algorithm, gap=gap, max_iter=max_iter, callback=tick))
    d = run.to_dict()
    if as_json:
        _emit(d)
        return
    log = run.result.iterations
    t = Table(header_style="bold", title=f"{run.network}: {algorithm.upper()} to relative gap {gap:g}")
    for col in ("iteration", "relative gap", "Beckmann objective", "step", "direction"):
        t.add_column(col, justify="right")
    shown = log if len(log) <= 20 else pd.concat([log.head(10), log.tail(10)])
    for _, r in shown.iterrows():
        t.add_row(
            str(int(r["iteration"])),
            f"{r['relative_gap']:.3e}",
            f"{r['objective']:,.4f}",
            f"{r['step']:.4f}",
            str(r["direction"]),
        )
    out.print(t)
    lines = [
        f"iterations {d['iterations']}, final relative gap {d['relative_gap']:.3e} "
        f"({'converged' if d['converged'] else 'NOT converged'}), wall time {d['wall_s']:.2f} s",
        f"Beckmann objective {d['objective']:,.6f}",
    ]
    if d["best_known_objective"] is not None:
        lines.append(
            f"best-known objective {d['best_known_objective']:,.6f}; relative difference "
            f"{d['objective_rel_diff']:.3e}; link-flow RMSE {d['flow_rmse']:.4f}, correlation {d['flow_correlation']:.8f}"
        )
    for line in lines:
        out.print(line, highlight=False)


def _years(text: str) -> list[int]:
    """'2024..2035' or '2024,2030' or '2030' -> list of years."""
    try:
        if ".." in text:
            a, b = text.split("..", 1)
            lo, hi = int(a), int(b)
            if hi < lo:
                raise ValueError
            return list(range(lo, hi + 1))
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise DataError(f"field 'years' = {text!r}: expected YYYY..YYYY, YYYY,YYYY or YYYY") from None


def _scenario(name: str, net: Any, as_json: bool) -> Any:
    from corridor.data.scenario_files import read_scenario

    sc = _run(as_json, lambda: read_scenario(name))
    _run(as_json, lambda: sc.validate(net))
    return sc


def _fmt_t(x: float) -> str:
    return "–" if x != x else f"{x / 1e6:,.2f}"


def _print_year(y: Any) -> None:
    out.print(
        f"\n[bold]{y.scenario}, {y.year}[/]: freight demand {y.demand_t / 1e6:.2f} Mt, unmet {y.unmet_t / 1e6:.2f} Mt, "
        f"relative gap {y.relative_gap:.1e}",
        highlight=False,
    )
    t = Table(title="Bottlenecks (worst volume/capacity first)", header_style="bold")
    for col, just in [
        ("link or facility", "left"),
        ("limited by", "left"),
        ("flow Mt", "right"),
        ("capacity Mt", "right"),
        ("v/c", "right"),
        ("delay h", "right"),
    ]:
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for _, b in y.bottlenecks.head(10).iterrows():
        t.add_row(
            str(b["name"]),
            str(b["limited_by"]),
            _fmt_t(b["flow_t"]),
            _fmt_t(b["capacity_t"]),
            f"{b['vc']:.2f}",
            f"{b['delay_h']:.1f}",
        )
    out.print(t)
    s = Table(title="Corridor shares of freight", header_style="bold")
    s.add_column("corridor")
    s.add_column("Mt", justify="right")
    s.add_column("share", justify="right")
    for _, r in y.shares.iterrows():
        s.add_row(str(r["corridor"]), _fmt_t(r["flow_t"]), f"{r['share']:.1%}")
    out.print(s)
    if y.energy is not None:
        e = y.energy
        et = Table(
            title=f"Energy exports ({e.cargo.value}, {e.unit}/yr): shipped {e.shipped / 1e6:.2f} M of "
            f"{e.supply / 1e6:.2f} M, stranded {e.stranded_total / 1e6:.2f} M",
            header_style="bold",
        )
        et.add_column("terminal")
        et.add_column("M/yr", justify="right")
        et.add_column("share", justify="right")
        for _, r in e.sinks.iterrows():
            et.add_row(str(r["terminal"]), f"{r['flow'] / 1e6:.2f}", f"{r['share']:.1%}")
        out.print(et)
        binding = e.links[e.links["binding"] & (e.links["flow"] > 0)]
        if len(binding):
            out.print(
                "binding: " + ", ".join(f"{r['arc']} ({r['flow'] / 1e6:.2f} M)" for _, r in binding.iterrows()), highlight=False
            )


def _print_by_year(title: str, frame: Any, fmt: Callable[[float], str]) -> None:
    """A table with one row per year (the frame's index) and one right-aligned column per frame column."""
    t = Table(title=title, header_style="bold")
    t.add_column("year")
    for c in frame.columns:
        t.add_column(str(c), justify="right")
    for yr, r in frame.iterrows():
        t.add_row(str(yr), *[fmt(v) for v in r.values])
    out.print(t)


OutputOpt = Annotated[Path | None, typer.Option("--output", "-O", help="Folder to write result tables or flows into.")]
FormatOpt = Annotated[str, typer.Option("--format", help="csv, parquet or geojson (flows on links).")]


@app.command()
def assign(
    scenario: Annotated[str, typer.Option("--scenario", "-s", help="Shipped scenario name or a TOML file.")] = "base",
    year: Annotated[int, typer.Option("--year", help="Year to assign.")] = 2030,
    output: OutputOpt = None,
    format: FormatOpt = "csv",
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Assign one scenario year: bottleneck ranking, corridor shares and energy route shares."""
    from corridor.assignment.scenarios import ScenarioRun, run_year

    net = _load(data, as_json)
    sc = _scenario(scenario, net, as_json)
    with _spinner(f"Assigning {sc.name} {year}…", as_json) as prog:
        prog.add_task("assign")
        y = _run(as_json, lambda: run_year(net, sc, year))
    files = []
    if output:
        files = _run(as_json, lambda: ScenarioRun(sc, [y]).write(str(output), format=format, geometry=net.link_coordinates))
    if as_json:
        _emit({**y.to_dict(), "files": files})
        return
    _print_year(y)
    if files:
        out.print(f"wrote {', '.join(files)}", highlight=False)


@scenario_app.command("list")
def scenario_list(as_json: JsonOpt = False) -> None:
    """The scenarios shipped with Corridor."""
    from corridor.data.scenario_files import list_scenarios, read_scenario

    rows = [{"name": n, "description": read_scenario(n).description} for n in list_scenarios()]
    if as_json:
        _emit(rows)
        return
    t = Table(header_style="bold")
    t.add_column("name")
    t.add_column("description", overflow="fold")
    for r in rows:
        t.add_row(r["name"], r["description"])
    out.print(t)


@scenario_app.command("run")
def scenario_run(
    name: Annotated[str, typer.Argument(help="Shipped scenario name or a TOML file.")],
    years: Annotated[str, typer.Option("--years", help="YYYY..YYYY or a comma list.")] = "2024..2035",
    output: OutputOpt = None,
    format: FormatOpt = "csv",
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a scenario over years: the year each bottleneck saturates, corridor shares, energy by year."""
    from corridor.assignment.scenarios import SATURATED_VC, run_scenario

    net = _load(data, as_json)
    sc = _scenario(name, net, as_json)
    ys = _run(as_json, lambda: _years(years))
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    ) as prog:
        task = prog.add_task(f"Running {sc.name}", total=len(ys))
        run = _run(as_json, lambda: run_scenario(net, sc, ys, progress=lambda y: prog.advance(task)))
    files = _run(as_json, lambda: run.write(str(output), format=format, geometry=net.link_coordinates)) if output else []
    sat, shares, energy = run.saturation(), run.shares_table(), run.energy_table()
    if as_json:
        _emit(
            {
                "scenario": sc.name,
                "years": ys,
                "saturation_vc": SATURATED_VC,
                "saturation": json.loads(sat.to_json(orient="records")),
                "corridor_shares": json.loads(shares.reset_index().to_json(orient="records")),
                "energy": json.loads(energy.reset_index().to_json(orient="records")),
                "files": files,
            }
        )
        return
    out.print(f"[bold]{sc.name}[/]: {sc.description}", highlight=False)
    t = Table(title=f"Bottlenecks: year volume/capacity first reaches {SATURATED_VC:g}", header_style="bold")
    for col, just in [
        ("link or facility", "left"),
        ("capacity Mt", "right"),
        ("saturates in", "right"),
        ("worst v/c", "right"),
        ("in", "right"),
    ]:
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for _, r in sat.head(15).iterrows():
        when = "–" if r["saturates_in"] is None or r["saturates_in"] != r["saturates_in"] else str(int(r["saturates_in"]))
        t.add_row(str(r["name"]), _fmt_t(r["capacity_t"]), when, f"{r['max_vc']:.2f}", str(int(r["max_vc_year"])))
    out.print(t)
    _print_by_year("Corridor shares of freight by year", shares, lambda v: f"{v:.1%}")
    if len(energy):
        _print_by_year("Energy exports by year (M units/yr)", energy, lambda v: f"{v / 1e6:.2f}")
    if files:
        out.print(f"wrote {', '.join(files)}", highlight=False)


@scenario_app.command("diff")
def scenario_diff(
    a: Annotated[str, typer.Argument(help="Scenario A.")],
    b: Annotated[str, typer.Argument(help="Scenario B.")],
    years: Annotated[str, typer.Option("--years", help="YYYY..YYYY or a comma list.")] = "2030",
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changes from scenario A to scenario B: corridor shares, bottleneck v/c, energy exports."""
    from corridor.assignment.scenarios import diff_runs, run_scenario

    net = _load(data, as_json)
    sa, sb = _scenario(a, net, as_json), _scenario(b, net, as_json)
    ys = _run(as_json, lambda: _years(years))
    with _spinner("Running both scenarios…", as_json) as prog:
        prog.add_task("diff")
        ra = _run(as_json, lambda: run_scenario(net, sa, ys))
        rb = _run(as_json, lambda: run_scenario(net, sb, ys))
    d = diff_runs(ra, rb)
    if as_json:
        _emit(
            {
                "a": sa.name,
                "b": sb.name,
                "years": ys,
                "shares": json.loads(d["shares"].reset_index().to_json(orient="records")),
                "bottlenecks": json.loads(d["bottlenecks"].to_json(orient="records")),
                "energy": json.loads(d["energy"].reset_index().to_json(orient="records")) if len(d["energy"]) else [],
            }
        )
        return
    out.print(f"[bold]{sb.name} minus {sa.name}[/] ({', '.join(map(str, ys))})", highlight=False)
    _print_by_year("Change in corridor shares (percentage points)", d["shares"], lambda v: f"{100 * v:+.1f}")
    bt = Table(title="Largest changes in volume/capacity", header_style="bold")
    for col in ("year", "link or facility", f"v/c {sa.name}", f"v/c {sb.name}", "change"):
        bt.add_column(col)
    bd = d["bottlenecks"]
    if len(bd):
        bd = bd.reindex(bd["vc_change"].abs().sort_values(ascending=False).index).head(10)
        for _, r in bd.iterrows():
            bt.add_row(
                str(r["year"]),
                str(r["name"]),
                f"{r['vc_a']:.2f}" if r["vc_a"] == r["vc_a"] else "–",
                f"{r['vc_b']:.2f}" if r["vc_b"] == r["vc_b"] else "–",
                f"{r['vc_change']:+.2f}",
            )
    out.print(bt)
    if len(d["energy"]):
        _print_by_year("Change in energy exports (M units/yr)", d["energy"], lambda v: f"{v / 1e6:+.2f}")


def _range(text: str, cast: Callable[[str], Any], field: str) -> tuple[Any, Any]:
    try:
        lo, _, hi = text.partition(":")
        return cast(lo), cast(hi or lo)
    except ValueError:
        raise DataError(f"field '{field}' = {text!r}: expected LOW:HIGH") from None


@app.command()
def sweep(
    name: Annotated[str, typer.Argument(help="Shipped scenario name or a TOML file.")] = "base",
    years: Annotated[str, typer.Option("--years", help="YYYY..YYYY or a comma list.")] = "2030",
    samples: Annotated[int, typer.Option("--samples", help="Monte Carlo samples.")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same results everywhere.")] = 0,
    demand_scale: Annotated[str, typer.Option("--demand-scale", help="Demand multiplier range LOW:HIGH.")] = "0.8:1.2",
    delay: Annotated[str, typer.Option("--delay", help="Project delivery delay range in years LOW:HIGH.")] = "0:0",
    disruption_prob: Annotated[float, typer.Option("--disruption-prob", help="Chance each scenario disruption happens.")] = 1.0,
    grid: Annotated[bool, typer.Option("--grid", help="Every combination of range ends instead of random samples.")] = False,
    use_ray: Annotated[bool, typer.Option("--ray", help="Run on Ray (also when RAY_ADDRESS is set).")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Local processes or Ray CPUs.")] = 2,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sweep scenario parameters (grid or Monte Carlo) and summarise percentiles of shares, v/c and stranded energy."""
    from corridor.assignment.sweep import SweepSpec, run_sweep

    net = _load(data, as_json)
    sc = _scenario(name, net, as_json)
    spec = SweepSpec(
        years=tuple(_run(as_json, lambda: _years(years))),
        samples=samples,
        seed=seed,
        demand_scale=_run(as_json, lambda: _range(demand_scale, float, "demand-scale")),
        delay_years=_run(as_json, lambda: _range(delay, int, "delay")),
        disruption_probability=disruption_prob,
        grid=grid,
    )
    _run(as_json, spec.check)
    n = samples if not grid else None
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    ) as prog:
        task = prog.add_task(f"Sweeping {sc.name}", total=n)
        res = _run(
            as_json,
            lambda: run_sweep(net, sc, spec, use_ray=use_ray or None, workers=workers, progress=lambda i: prog.advance(task)),
        )
    summary = res.summary()
    if as_json:
        _emit(
            {
                "scenario": sc.name,
                "executor": res.executor,
                "samples": len(res.parameters),
                "summary": json.loads(summary.to_json(orient="records")),
            }
        )
        return
    out.print(f"[bold]{sc.name}[/]: {len(res.parameters)} samples on {res.executor}, seed {seed}", highlight=False)
    t = Table(header_style="bold")
    for col in ("metric", "item", "year", "p5", "p50", "p95", "mean"):
        t.add_column(col)
    for _, r in summary.iterrows():
        fmt = (
            (lambda v: f"{v:.1%}")
            if r["metric"] == "share"
            else (lambda v: f"{v:.2f}")
            if r["metric"] == "vc"
            else (lambda v: f"{v / 1e6:.2f} M")
        )
        t.add_row(str(r["metric"]), str(r["item"]), str(r["year"]), fmt(r["p5"]), fmt(r["p50"]), fmt(r["p95"]), fmt(r["mean"]))
    out.print(t)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    database_url: DbOpt = None,
    workers: Annotated[int, typer.Option("--workers", help="Server processes (more than 1 suits PostgreSQL).")] = 1,
    data: DataOpt = None,
) -> None:
    """Start the transit service (FastAPI) on localhost; the database is migrated to the newest schema first.

    The OpenAPI document is served at /openapi.json (and kept in the repository as openapi.json).
    """
    import os

    import uvicorn

    if database_url:
        os.environ["CORRIDOR_DATABASE_URL"] = database_url
    if data:
        os.environ["CORRIDOR_DATASET_DIR"] = str(data)
    _load(data, False)  # validate the dataset before binding the port: bad data is a clear error, not a traceback
    err.print(f"Corridor transit service on http://{host}:{port} (OpenAPI at /docs)", highlight=False)
    uvicorn.run(
        "corridor.api.server:create_default_app", factory=True, host=host, port=port, log_level="warning", access_log=False
    )


@transit_app.command("bootstrap")
def transit_bootstrap(
    name: Annotated[str, typer.Option("--name", help="Operator name.")] = "operator",
    database_url: DbOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an operator party and print its API token (once; only its hash is stored)."""
    from sqlalchemy.orm import sessionmaker

    from corridor.transit import TransitService
    from corridor.transit.db import make_engine, migrate
    from corridor.transit.schemas import PartyIn

    net = _load(data, as_json)
    engine = make_engine(database_url)
    migrate(engine)
    party, token = _run(
        as_json, lambda: TransitService(sessionmaker(engine), net).create_party(PartyIn(name=name, role="operator"), by=None)
    )
    if as_json:
        _emit({"id": party.id, "role": "operator", "token": token})
    else:
        out.print(f"operator {party.id} token: {token}", highlight=False)


@transit_app.command("stats")
def transit_stats(database_url: DbOpt = None, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Arrival-to-release times (p50/p99) against Tez Customs' 30 minutes, and declarations by status."""
    from sqlalchemy.orm import sessionmaker

    from corridor.transit import TransitService
    from corridor.transit.db import make_engine, migrate

    net = _load(data, as_json)
    engine = make_engine(database_url)
    migrate(engine)
    st = TransitService(sessionmaker(engine), net).stats()
    if as_json:
        _emit(st)
        return
    for k, v in st.items():
        out.print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}", highlight=False)


def main() -> None:
    """Entry point of the ``corridor`` script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        err.print("interrupted")
        sys.exit(130)


# --------------------------------------------------------------------------------------------- simulate
# Self-contained command group (``corridor simulate`` runs, ``corridor simulate diff A B`` compares); it uses
# only the shared helpers above (_load, _run, _fail, _emit, out, err) and can move to cli/simulate.py as is.
simulate_app = typer.Typer(
    invoke_without_command=True,
    help="Simulate a scenario year's operations: door-to-door time distributions and where the days go.",
)
app.add_typer(simulate_app, name="simulate")

_SIM_FORMATS = ("csv", "parquet")


def _sim_progress(label: str, total: int, as_json: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} replications"),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    )


SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Change an operating parameter, FACILITY.PARAMETER=VALUE (repeatable), e.g. ferry_kuryk_baku.fleet=6."
    ),
]


def _sim_overrides(values: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values or []:
        key, sep, raw = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(raw)
        except ValueError:
            raise DataError(f"field 'set' = {item!r}: expected FACILITY.PARAMETER=NUMBER") from None
    return out


def _sim_operations(data: Path | None, as_json: bool) -> Any:
    """The operations table of the --data folder when it has one, else the shipped one (None)."""
    from corridor.data.operations import OPERATIONS_FILE, read_operations

    if data is None or not (Path(data) / OPERATIONS_FILE).exists():
        return None
    return _run(as_json, lambda: read_operations(data))


def _simulate(
    net: Any,
    scenario: str,
    year: int,
    days: float,
    replications: int,
    seed: int,
    use_ray: bool,
    workers: int,
    as_json: bool,
    label: str = "",
    operations: Any = None,
    overrides: dict[str, float] | None = None,
) -> Any:
    from corridor.scenario_simulation import simulate_scenario

    with _sim_progress(label or f"Simulating {scenario} {year}", replications, as_json) as prog:
        task = prog.add_task("simulate", total=replications)
        return _run(
            as_json,
            lambda: simulate_scenario(
                net,
                scenario,
                year,
                days=days,
                replications=replications,
                seed=seed,
                use_ray=use_ray or None,
                workers=workers,
                operations=operations,
                overrides=overrides,
                progress=lambda i: prog.advance(task),
            ),
        )


def _top_components(comp: pd.DataFrame, cid: str, n: int = 3) -> str:
    c = comp[comp["corridor_id"] == cid].sort_values("mean_h", ascending=False).head(n)
    return ", ".join(f"{r['component']} {r['mean_days']:.1f} d" for _, r in c.iterrows())


def _write_sim(res: Any, folder: Path, fmt: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "corridors": res.corridors_frame(),
        "od_pairs": res.od_frame(),
        "components": res.components_frame(),
        "queues": res.queues_frame(),
        "trains": res.trains,
        "assumptions": res.assumptions,
    }
    files = []
    for name, frame in tables.items():
        path = folder / f"{name}.{fmt}"
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
        files.append(str(path))
    return files


@simulate_app.callback()
def simulate(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Option("--scenario", help="Shipped scenario name or a TOML file.")] = "base",
    year: Annotated[int, typer.Option("--year", help="Simulated year.")] = 2025,
    days: Annotated[float, typer.Option("--days", help="Days of traffic to generate (trains then run to the end).")] = 365.0,
    replications: Annotated[int, typer.Option("--replications", help="Independent replications.")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same results everywhere.")] = 7,
    use_ray: Annotated[bool, typer.Option("--ray", help="Run replications on Ray (a local one unless configured).")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Local processes or Ray CPUs.")] = 1,
    output: Annotated[Path | None, typer.Option("--output", help="Also write the tables to this folder.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Table format for --output: csv or parquet.")] = "csv",
    set_values: SetOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate SCENARIO in YEAR and print each corridor's door-to-door days (p10-p99) and where the days go."""
    if ctx.invoked_subcommand is not None:
        return
    if fmt not in _SIM_FORMATS:
        _fail(DataError(f"field 'format' = {fmt!r}: expected one of {', '.join(_SIM_FORMATS)}"), as_json)
    net = _load(data, as_json)
    ops = _sim_operations(data, as_json)
    changes = _run(as_json, lambda: _sim_overrides(set_values))
    res = _simulate(net, scenario, year, days, replications, seed, use_ray, workers, as_json, operations=ops, overrides=changes)
    files = _write_sim(res, output, fmt) if output is not None else []
    if as_json:
        _emit({**res.to_dict(), "files": files})
        return
    out.print(
        f"[bold]{res.scenario} {res.year}[/]: {res.replications} replications of {res.days:g} days on {res.executor}, "
        f"seed {res.seed}; {res.generated} trains generated, "
        f"{res.in_system} still travelling at the end",
        highlight=False,
    )
    comp = res.components_frame()
    t = Table(title="Container trains, door to door (days)", header_style="bold")
    for col in ("corridor", "p10", "p50", "p90", "p99", "mean", "trains/yr", "largest components"):
        t.add_column(col)
    for _, r in res.corridors_frame().iterrows():
        t.add_row(
            str(r["corridor_id"]),
            *(f"{r[c]:.1f}" for c in ("p10_days", "p50_days", "p90_days", "p99_days", "mean_days")),
            f"{r['trains']:.0f}",
            _top_components(comp, str(r["corridor_id"])),
        )
    out.print(t)
    q = res.queues_frame()
    q = q[q["kind"] != "weather"].sort_values("mean_wait_h", ascending=False).head(8)
    qt = Table(title="Longest waits by facility", header_style="bold")
    for col in ("facility", "kind", "mean wait h", "max wait h", "mean queue", "utilisation"):
        qt.add_column(col)
    for _, r in q.iterrows():
        util = f"{r['utilisation']:.0%}" if r["utilisation"] == r["utilisation"] else "–"
        qt.add_row(
            str(r["facility_id"]),
            str(r["kind"]),
            f"{r['mean_wait_h']:.1f}",
            f"{r['max_wait_h']:.1f}",
            f"{r['mean_queue']:.1f}",
            util,
        )
    out.print(qt)
    kinds = res.assumptions["kind"].value_counts().to_dict()
    out.print(
        f"parameters used: {', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))} (see --json 'assumptions')", highlight=False
    )
    for f in files:
        out.print(f"wrote {f}", highlight=False)


def _sim_diff_frames(ra: Any, rb: Any) -> dict[str, pd.DataFrame]:
    """B - A: door-to-door percentiles (container and bulk trains), components, and facility waits."""
    cols = ["p10_days", "p50_days", "p90_days", "p99_days", "mean_days", "trains"]
    out = {}
    for name, cargo in (("corridors", "container"), ("bulk", "dry_bulk")):
        ca, cb = (r.corridors_frame(cargo).set_index("corridor_id")[cols] for r in (ra, rb))
        both = ca.merge(cb, left_index=True, right_index=True, how="outer", suffixes=("_a", "_b"))
        for c in cols:
            both[f"{c}_change"] = both[f"{c}_b"] - both[f"{c}_a"]
        out[name] = both
    ka = ra.components_frame().set_index(["corridor_id", "component"])["mean_days"]
    kb = rb.components_frame().set_index(["corridor_id", "component"])["mean_days"]
    comp = pd.DataFrame({"a_days": ka, "b_days": kb}).fillna(0.0)
    comp["change_days"] = comp["b_days"] - comp["a_days"]
    out["components"] = comp.reset_index()
    qa, qb = (r.queues_frame().set_index(["facility_id", "kind"])["mean_wait_h"] for r in (ra, rb))
    q = pd.DataFrame({"a_mean_wait_h": qa, "b_mean_wait_h": qb})
    q["change_h"] = q["b_mean_wait_h"] - q["a_mean_wait_h"]
    out["queues"] = q.reset_index()
    return out


def _print_sim_diff_bulk_and_queues(d: dict[str, pd.DataFrame], a: str, b: str) -> None:
    bt = Table(title="Bulk trains (wagons on the rail ferries), door to door (days)", header_style="bold")
    for col in ("corridor", f"p50 {a}", f"p50 {b}", f"p90 {a}", f"p90 {b}", "mean change"):
        bt.add_column(col)
    for cid, r in d["bulk"].iterrows():
        cells = (f"{r[c]:.1f}" for c in ("p50_days_a", "p50_days_b", "p90_days_a", "p90_days_b"))
        bt.add_row(str(cid), *cells, f"{r['mean_days_change']:+.1f}")
    out.print(bt)
    q = d["queues"].dropna(subset=["change_h"])
    q = q[q["change_h"].abs() > 0.5]
    q = q.reindex(q["change_h"].abs().sort_values(ascending=False).index).head(8)
    qt = Table(title="Facilities whose mean wait changed (hours)", header_style="bold")
    for col in ("facility", "kind", a, b, "change"):
        qt.add_column(col)
    for _, r in q.iterrows():
        qt.add_row(
            str(r["facility_id"]),
            str(r["kind"]),
            f"{r['a_mean_wait_h']:.1f}",
            f"{r['b_mean_wait_h']:.1f}",
            f"{r['change_h']:+.1f}",
        )
    out.print(qt)


@simulate_app.command("diff")
def simulate_diff(
    a: Annotated[str, typer.Argument(help="Scenario A.")],
    b: Annotated[str, typer.Argument(help="Scenario B.")],
    year: Annotated[int, typer.Option("--year", help="Simulated year.")] = 2026,
    days: Annotated[float, typer.Option("--days", help="Days of traffic to generate.")] = 365.0,
    replications: Annotated[int, typer.Option("--replications", help="Replications of each scenario.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed shared by both runs (common random numbers).")] = 7,
    use_ray: Annotated[bool, typer.Option("--ray", help="Run replications on Ray.")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Local processes or Ray CPUs.")] = 1,
    set_values: SetOpt = None,
    set_b: Annotated[
        list[str] | None,
        typer.Option("--set-b", help="Change a parameter in B only, e.g. aktau.closure_days=7 (a week-long storm)."),
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changes from scenario A to B: door-to-door percentiles and delay components per corridor (B - A).

    A and B may be the same scenario with --set-b changes: two more ferries, a storm, a backlog.
    """
    net = _load(data, as_json)
    ops = _sim_operations(data, as_json)
    both_set = _run(as_json, lambda: _sim_overrides(set_values))
    b_set = {**both_set, **_run(as_json, lambda: _sim_overrides(set_b))}
    ra = _simulate(net, a, year, days, replications, seed, use_ray, workers, as_json, f"Simulating {a} {year}", ops, both_set)
    rb = _simulate(net, b, year, days, replications, seed, use_ray, workers, as_json, f"Simulating {b} {year}", ops, b_set)
    d = _sim_diff_frames(ra, rb)
    both, comp = d["corridors"], d["components"]
    if as_json:
        _emit(
            {
                "a": a,
                "b": b,
                "a_changes": both_set,
                "b_changes": b_set,
                "year": year,
                "replications": replications,
                "seed": seed,
                "corridors": json.loads(both.reset_index().to_json(orient="records")),
                "components": json.loads(comp.to_json(orient="records")),
                "bulk": json.loads(d["bulk"].reset_index().to_json(orient="records")),
                "queues": json.loads(d["queues"].to_json(orient="records")),
            }
        )
        return
    if b_set != both_set:
        b = f"{b}*"
        changed = ", ".join(f"{k}={v:g}" for k, v in b_set.items() if both_set.get(k) != v)
        out.print(f"{b} = {b[:-1]} with {changed}", highlight=False)
    out.print(f"[bold]{b} minus {a}[/], {year}: {replications} replications each, seed {seed}", highlight=False)
    t = Table(title="Container trains, door to door (days)", header_style="bold")
    for col in ("corridor", f"p50 {a}", f"p50 {b}", "p50 change", f"p90 {a}", f"p90 {b}", "p90 change", "mean change"):
        t.add_column(col)
    for cid, r in both.iterrows():
        t.add_row(
            str(cid),
            f"{r['p50_days_a']:.1f}",
            f"{r['p50_days_b']:.1f}",
            f"{r['p50_days_change']:+.1f}",
            f"{r['p90_days_a']:.1f}",
            f"{r['p90_days_b']:.1f}",
            f"{r['p90_days_change']:+.1f}",
            f"{r['mean_days_change']:+.1f}",
        )
    out.print(t)
    big = comp[comp["change_days"].abs() > 0.05].sort_values("change_days")
    ct = Table(title="Components that changed (mean days per train)", header_style="bold")
    for col in ("corridor", "component", a, b, "change"):
        ct.add_column(col)
    for _, r in big.iterrows():
        ct.add_row(
            str(r["corridor_id"]), str(r["component"]), f"{r['a_days']:.2f}", f"{r['b_days']:.2f}", f"{r['change_days']:+.2f}"
        )
    out.print(ct)
    _print_sim_diff_bulk_and_queues(d, a, b)
