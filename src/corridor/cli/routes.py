"""Routing commands: ``route`` (k best routes with a per-leg breakdown) and ``compare`` (the named corridors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import (
    CargoOpt,
    CurrencyOpt,
    CustomsOpt,
    DataOpt,
    ForceOpt,
    JsonOpt,
    ObjectiveOpt,
    PlannedOpt,
    YearOpt,
    arg_countries,
    arg_positive,
    arg_year,
    bar,
    check_output_file,
    emit,
    make_table,
    money,
    out,
    run,
    spinner,
    split,
)
from corridor.cli.projects import FxDateOpt, IncludeStageOpt, SwitchOnOpt, load_staged
from corridor.cli.rules import (
    COMMODITY_NAMES,
    CargoOriginOpt,
    DateOpt,
    HsOpt,
    MonthOpt,
    OwnerOpt,
    PolicyOpt,
    PurposeOpt,
    ValueOpt,
    route_with_rules,
)

__all__ = ["compare", "route"]

ListOpt = list[str] | None
LEG_COLUMNS = [
    ("#", "right"),
    ("mode", "left"),
    ("from → to", "left"),
    ("km", "right"),
    ("moving h", "right"),
    ("waiting h", "right"),
    ("cost USD", "right"),
    ("CO2 kg", "right"),
]


def route(
    origin: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name (accents and case do not matter).")],
    destination: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name.")],
    cargo: CargoOpt = "container",
    objective: ObjectiveOpt = "time",
    avoid: Annotated[ListOpt, typer.Option("--avoid", help="Countries to avoid (ISO codes, comma-separated): RU,BY,IR.")] = None,
    avoid_mode: Annotated[
        ListOpt, typer.Option("--avoid-mode", help="Modes to avoid: rail, road, sea, ferry, river, ...")
    ] = None,
    avoid_node: Annotated[ListOpt, typer.Option("--avoid-node", help="Places to avoid.")] = None,
    via: Annotated[
        ListOpt, typer.Option("--via", help="Place the route must pass (repeat for order; 'a;b' means either).")
    ] = None,
    k: Annotated[int, typer.Option("--k", help="Number of distinct alternative routes (1 or more).")] = 1,
    year: YearOpt = None,
    planned: PlannedOpt = False,
    customs: CustomsOpt = "auto",
    quantity: Annotated[
        float, typer.Option("--quantity", help="Units of cargo (TEU, t or bcm), > 0; costs and CO2 scale with it.")
    ] = 1.0,
    currency: CurrencyOpt = "KZT",
    geojson: Annotated[Path | None, typer.Option("--geojson", help="Also write the routes as GeoJSON to this file.")] = None,
    force: ForceOpt = False,
    cargo_origin: CargoOriginOpt = None,
    owner: OwnerOpt = None,
    hs: HsOpt = None,
    value: ValueOpt = None,
    purpose: PurposeOpt = "transit",
    date: DateOpt = None,
    month: MonthOpt = None,
    policy: PolicyOpt = None,
    fx_date: FxDateOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Best routes between two places, with a per-leg breakdown (mode, km, hours moving and waiting, cost, CO2).

    With a shipment's --origin, --owner, --hs, --value, --purpose, --date or --policy, or a commodity as --cargo,
    the rules (sanctions, tariffs, policies) decide which routes it may take; refused routes name their rule.
    """
    from corridor.routing import find_routes

    shipment_given = any(x is not None for x in (cargo_origin, owner, hs, value, date, month, policy)) or purpose != "transit"
    if shipment_given or cargo.strip().lower() in COMMODITY_NAMES:
        opts = {"avoid": avoid, "avoid_mode": avoid_mode, "avoid_node": avoid_node, "via": via, "objective": objective}
        shipment = {"cargo_origin": cargo_origin, "owner": owner, "hs": hs, "value": value, "purpose": purpose, "date": date}
        return route_with_rules(
            origin, destination, cargo, opts, shipment, policy, k=k, year=year, planned=planned, customs=customs,
            quantity=quantity, currency=currency, data=data, as_json=as_json, printer=_print_route, fx_date=fx_date, month=month,
        )  # fmt: skip
    countries = arg_countries(avoid, as_json)
    year = arg_year(year, as_json)
    quantity = arg_positive(quantity, as_json, "--quantity")
    if geojson:
        check_output_file(geojson, option="--geojson", force=force, as_json=as_json)
    net = load_staged(data, None, None, as_json, fx_date)
    rate, as_of, src = run(as_json, lambda: net.fx_rate(currency))
    with spinner("Finding routes…", as_json) as prog:
        prog.add_task("route")
        routes = run(
            as_json,
            lambda: find_routes(
                net,
                origin,
                destination,
                cargo=cargo,
                objective=objective,
                avoid_countries=countries,
                avoid_modes=split(avoid_mode),
                avoid_nodes=split(avoid_node),
                via=[v.split(";") if ";" in v else v for v in via or []],
                k=k,
                year=year,
                include_planned=planned,
                customs=customs,
                quantity=quantity,
            ),
        )
    _emit_routes(routes, geojson, currency, (rate, as_of, src), as_json)


def _emit_routes(routes: Any, geojson: Path | None, currency: str, fx: tuple[float, str, str], as_json: bool) -> None:
    """Write the GeoJSON file if asked, then print the routes (or emit them as JSON)."""
    rate, as_of, src = fx
    if geojson:
        doc = json.dumps(routes.to_geojson(), ensure_ascii=False)
        run(as_json, lambda: geojson.write_text(doc, encoding="utf-8"))
    if as_json:
        emit({"routes": [r.to_dict(currency=currency) for r in routes]})
        return
    for i, r in enumerate(routes, 1):
        _print_route(i, len(routes), r, currency, rate)
    out.print(
        f"Rates: 1 USD = {rate:g} {currency.upper()} ({as_of}, {src}). Values: `corridor sources --record LINK_ID`.",
        highlight=False,
    )


def _print_route(i: int, n: int, r: Any, currency: str, rate: float) -> None:
    """One route: its headline, its totals and a table of legs."""
    out.print(f"\n[bold]Route {i}[/] of {n}: {r.summary()}", highlight=False)
    out.print(
        f"  {r.days:.1f} days ({r.moving_h:.0f} h moving, {r.waiting_h:.0f} h waiting) · {r.length_km:,.0f} km · "
        f"USD {money(r.cost_usd)} = {currency.upper()} {money(r.cost_usd * rate)} · {r.co2_kg:,.0f} kg CO2 "
        f"for {r.quantity:g} {r.unit} · {len(r.border_crossings)} border crossings · countries {'-'.join(r.countries)}",
        highlight=False,
    )
    t = make_table(LEG_COLUMNS, show_lines=False)
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
    totals = (r.length_km, r.moving_h, r.waiting_h, r.cost_usd, r.co2_kg)
    fmts = ("{:,.0f}", "{:.1f}", "{:.1f}", "{:,.0f}", "{:,.0f}")
    t.add_row("", "[bold]total", "", *(f"[bold]{f.format(v)}" for f, v in zip(fmts, totals, strict=True)))
    out.print(t)


def compare(
    origin: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name.")] = "xian",
    destination: Annotated[str, typer.Argument(help="Place id, UN/LOCODE or name.")] = "duisburg",
    cargo: CargoOpt = "container",
    objective: ObjectiveOpt = "time",
    avoid: Annotated[ListOpt, typer.Option("--avoid", help="Countries every corridor must avoid.")] = None,
    year: YearOpt = None,
    planned: PlannedOpt = False,
    customs: CustomsOpt = "auto",
    currency: CurrencyOpt = "KZT",
    include_stage: IncludeStageOpt = None,
    switch_on: SwitchOnOpt = None,
    fx_date: FxDateOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank the named corridors between two places (default Xi'an → Duisburg, containers)."""
    from corridor.routing.compare import compare as rank

    countries = arg_countries(avoid, as_json)
    year = arg_year(year, as_json)
    net = load_staged(data, include_stage, switch_on, as_json, fx_date)
    planned = planned or bool(include_stage)
    rate, as_of, src = run(as_json, lambda: net.fx_rate(currency))
    with bar(as_json, bar_column=False, counter=None) as prog:
        task = prog.add_task("Comparing corridors", total=len(net.corridors))

        def step(name: str) -> None:
            prog.update(task, description=f"Routing {name}", advance=1)

        cmp = run(
            as_json,
            lambda: rank(
                net,
                origin,
                destination,
                cargo=cargo,
                objective=objective,
                year=year,
                include_planned=planned,
                customs=customs,
                avoid_countries=countries,
                progress=step,
            ),
        )
    if as_json:
        emit(cmp.to_dict(net, currency=currency))
        return
    _print_comparison(net, cmp, currency.upper(), rate)
    counts = net.provenance_counts()
    out.print(
        f"1 USD = {rate:g} {currency.upper()} ({as_of}, {src}). Dataset values: {counts['sourced']} sourced, "
        f"{counts['computed']} computed from sources, {counts['assumption']} assumed — see `corridor sources`.",
        highlight=False,
    )


def _print_comparison(net: Any, cmp: Any, cur: str, rate: float) -> None:
    """The ranked corridors as one table; corridors without a route last, with the reason."""
    from corridor.model import CARGO_UNIT

    unit = CARGO_UNIT[cmp.cargo]
    names = net.nodes["name"]
    t = make_table(
        [
            ("#", "right"),
            ("corridor", "left"),
            ("days", "right"),
            ("km", "right"),
            (f"USD/{unit}", "right"),
            (f"{cur}/{unit}", "right"),
            (f"kg CO2/{unit}", "right"),
            ("borders", "right"),
            ("via", "left"),
        ],
        title=f"{names[cmp.origin]} → {names[cmp.destination]}: {cmp.cargo.value}, "
        f"ranked by {cmp.objective}, {cmp.year}{' incl. planned' if cmp.include_planned else ''}",
    )
    for i, r in enumerate(cmp.results, 1):
        rt = r.route
        if rt is None:
            t.add_row("–", r.name, "–", "–", "–", "–", "–", "–", f"[dim]{r.reason}[/]")
            continue
        t.add_row(
            str(i),
            r.name,
            f"{rt.days:.1f}",
            f"{rt.length_km:,.0f}",
            money(rt.cost_usd),
            money(rt.cost_usd * rate),
            f"{rt.co2_kg:,.0f}",
            str(len(rt.border_crossings)),
            rt.summary(via_count=4),
        )
    out.print(t)
